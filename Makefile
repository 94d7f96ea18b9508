# Set-up and everyday commands. `make run` and `make test` install whatever is missing first.
#   make run      install, migrate, seed the demo district into an empty database, serve on HOST:PORT
#                 with the scheduler process (flask jobs run) beside it
#   make test     install, then the whole suite on SQLite and on PostgreSQL (scripts/test.sh)
#   make install  the Debian packages (as root) and the virtualenv .venv
# Configuration comes from instance/config.py and PORTAL_* environment variables, as for `flask`.

PYTHON ?= python3.11
HOST ?= 127.0.0.1
PORT ?= 5000

VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app portal
# Touched once `pip install` has succeeded; older than setup.cfg or pyproject.toml means install again.
STAMP := $(VENV)/.installed

.PHONY: help install system-packages run db-upgrade demo-data test migration-regen

help:
	@sed -n 's/^#   //p' Makefile

install: system-packages $(STAMP)

system-packages:
	@bash scripts/system-packages.sh

$(PY): | system-packages
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

db-upgrade: install
	$(FLASK) db upgrade

demo-data: db-upgrade
	$(PY) scripts/seed_demo_if_empty.py

# The scheduler (flask jobs run) in the background beside the web server, stopped with it.
run: demo-data
	@$(FLASK) jobs run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	bash scripts/test.sh

# Only before the first deployment: regenerate the single initial migration from the models.
migration-regen: install
	bash scripts/regen-initial-migration.sh
