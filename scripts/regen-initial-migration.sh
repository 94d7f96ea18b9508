#!/usr/bin/env bash
# Throw away migrations/versions/*.py and generate the single initial migration again from the current
# models, against a fresh temporary SQLite database; then check it (tests/test_migrations.py).
#
# Only while the portal has never been deployed: once a database somewhere has been upgraded, add a new
# migration with `flask --app portal db migrate -m "..."` instead.
set -euo pipefail
cd "$(dirname "$0")/.."

FLASK=.venv/bin/flask
[ -x "$FLASK" ] || { echo "no .venv yet: run 'make install' first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PORTAL_SQLALCHEMY_DATABASE_URI="sqlite:///$tmp/empty.sqlite3"

rm -f migrations/versions/*.py
"$FLASK" --app portal db migrate -m "initial schema"

shopt -s nullglob
generated=(migrations/versions/*.py)
if [ "${#generated[@]}" -ne 1 ]; then
    echo "expected exactly one migration in migrations/versions, found ${#generated[@]}" >&2
    exit 1
fi
echo "generated ${generated[0]}"

# The migration must build exactly the models' schema and come down again, on SQLite and on
# PostgreSQL (the same server choice as `make test`).
bash scripts/test.sh tests/test_migrations.py
