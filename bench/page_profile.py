"""One page's cost inside the process: the web benchmark's pages requested through Flask's test client,
no server and no network, so what is left is the portal's own Python and SQL.

    .venv/bin/python bench/page_profile.py --database-url sqlite:////srv/bench/portal-100k.sqlite3
    .venv/bin/python bench/page_profile.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_100k \\
        --pages inbox --profile          # pyinstrument's call tree of the page (pip install pyinstrument)
    .venv/bin/python bench/page_profile.py ... --sql order   # each statement of the order page, with its time

For each page (the same users and paths as bench/web_bench.py: the handler with the most open orders,
the dispatcher's pool with a category and a search word, the handler's first inbox order): the number of
statements one request runs, then p50/p95 of ``--runs`` requests after 20 warm-up ones.

The database is opened read-only (SQLite ``mode=ro``, PostgreSQL ``default_transaction_read_only``),
and nobody logs in: the test client's session is given the user's id as a log-in would, so nothing is
written, not even a log-in record.
"""
import argparse
import os
import statistics
import sys
import time

from sqlalchemy import event

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PAGES = ("inbox", "pool", "order")


def read_only(url: str) -> str:
    """The URL opened read-only."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url[len('sqlite:///'):]}?mode=ro&uri=true"
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-c%20default_transaction_read_only%3Don"


def logged_in(app, user):
    """A test client whose session holds ``user`` as Flask-Login and the session checks expect."""
    from portal.clock import now

    client = app.test_client()
    stamp = int(now().timestamp())
    with client.session_transaction() as session:
        session.update({"_user_id": user.get_id(), "_fresh": True, "login_at": stamp, "last_seen": stamp})
    return client


def statements(app, client, path: str) -> list[str]:
    """The statements one GET of ``path`` runs, each marked when SQLAlchemy compiled it anew (``[no key]``:
    a construct without a cache key, compiled on every request; ``[generated]``: a first time)."""
    from portal.extensions import db

    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        stats = context._get_cache_stats() if context is not None else ""
        mark = "" if stats.startswith("cached") or not stats else f"[{' '.join(stats.split()[:2])}] "
        seen.append(mark + " ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}")
    return seen


def statement_times(app, client, path: str, runs: int = 50) -> list[float]:
    """Milliseconds each statement of the page takes in the driver (mean over ``runs`` requests), in order."""
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    started, took = [], []

    def before(conn, cursor, statement, parameters, context, executemany):
        started.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        took.append(time.perf_counter() - started[len(took)])

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(runs):
            client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    per_request = len(took) // runs
    return [sum(took[i::per_request]) / runs * 1000 for i in range(per_request)]


def timed(client, path: str, runs: int, warmup: int = 20) -> dict:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        response = client.get(path)
        took = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        if i >= warmup:
            times.append(took)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_SQLALCHEMY_DATABASE_URI"), required=False)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated: inbox,pool,order")
    parser.add_argument("--runs", type=int, default=200, help="timed requests per page (at least 2)")
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's tree of each page")
    parser.add_argument("--sql", metavar="PAGE", help="print every statement of this page")
    args = parser.parse_args()
    args.runs = max(args.runs, 2)
    if not args.database_url:
        parser.error("--database-url or PORTAL_SQLALCHEMY_DATABASE_URI")

    from portal import create_app
    from portal.extensions import db
    from webbench.targets import find

    os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = read_only(args.database_url)
    app = create_app()
    with app.app_context():
        targets = find({})
        users = {role: user.get_id() for role, user in targets.users.items()}
        db.session.expunge_all()
    from portal.auth.models import User

    clients = {}
    with app.app_context():
        for role, ident in users.items():
            clients[role] = logged_in(app, db.session.get(User, int(ident.split(":")[0])))
    print(f"{args.database_url}  handler={targets.notes['handler']} dispatcher={targets.notes['dispatcher']}")
    for name in args.pages.split(","):
        role, path = targets.pages[name]
        client = clients[role]
        client.get(path)  # warm: caches a first request fills are not the page's cost
        seen = statements(app, client, path)
        figures = timed(client, path, args.runs)
        print(f"{name:6} {path:45} statements {len(seen):3}  p50 {figures['p50_ms']:6.1f} ms"
              f"  p95 {figures['p95_ms']:6.1f} ms")
        if args.sql == name:
            for i, (statement, ms) in enumerate(zip(seen, statement_times(app, client, path)), 1):
                print(f"  {i:2}. {ms:5.2f} ms  {statement[:400]}")
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(50):
                    client.get(path)
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
