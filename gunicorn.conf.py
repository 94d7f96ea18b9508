"""gunicorn settings for the portal: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Environment: PORTAL_BIND (127.0.0.1:8000), PORTAL_WORKERS (the number of cores), PORTAL_WORKER_TIMEOUT
(60 s), PORTAL_ACCESS_LOG (unset: off; "-" for stderr, or a file). The portal's own settings come from
PORTAL_* variables and instance/config.py as usual (see README, "Production").
"""
import gc
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000").split(",")

# Sync workers, one per core: requests are short and bound by CPU (templates) and the database; one
# process per core keeps every core busy without threads contending for the GIL.
worker_class = "sync"
workers = int(os.environ.get("PORTAL_WORKERS") or os.cpu_count() or 2)

# A request is cut off after this long (an upload of a large city export is the slowest page; the
# import command has no limit). The reverse proxy keeps connections alive, not the workers.
timeout = int(os.environ.get("PORTAL_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 2

# The app is built once in the master and forked: workers start by forking instead of each importing
# the app (~5 s), and share the loaded code's memory (52 MB of its own per worker instead of 161 MB).
# The price: code changes need a restart (systemctl restart), not a HUP. create_app opens no database
# connection; post_fork still drops any pooled connection a worker would otherwise share with its siblings.
preload_app = True

accesslog = os.environ.get("PORTAL_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
proc_name = "hotline-portal"


def post_fork(server, worker):
    from portal.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's


def post_worker_init(worker):
    # Everything alive now (modules, the app, templates: ~250,000 objects) lives as long as the worker: move
    # it out of the collector's generations, so a full collection stops walking it (130+ ms -> ~0).
    gc.freeze()
