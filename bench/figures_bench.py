"""The kept figures (portal/figures) on a benchmark database, in the process: what the scheduler's
refresh costs (time and statements), then the dashboard and the monthly ranking served from them.

    .venv/bin/python bench/figures_bench.py --database-url sqlite:////tmp/copy.sqlite3
    .venv/bin/python bench/figures_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/copy

The database must be writable and have the ``figure_snapshots`` table (a copy: the refresh writes it).
"""
import argparse
import os
import sys
import time

from sqlalchemy import event

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--refreshes", type=int, default=2)
    args = parser.parse_args()
    os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = args.database_url
    from page_profile import logged_in, statements, timed
    from portal import create_app
    from portal.auth.models import User
    from portal.extensions import db
    from portal.figures import sets
    from webbench.targets import find

    app = create_app()
    with app.app_context():
        count = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: count.append(1))
        for _ in range(args.refreshes):
            count.clear()
            started = time.perf_counter()
            stored, _ = sets.refresh()
            print(f"refresh: {stored} sets in {(time.perf_counter() - started) * 1000:7.0f} ms, "
                  f"{len(count)} statements")
        targets = find({})
        leader = targets.users["leader"].get_id()
        db.session.expunge_all()
        client = logged_in(app, db.session.get(User, int(leader.split(":")[0])))
    for name in ("dashboard", "ranking"):
        _, path = targets.pages[name]
        client.get(path)
        seen = statements(app, client, path)
        figures = timed(client, path, args.runs)
        print(f"{name:9} {path:35} statements {len(seen):3}  p50 {figures['p50_ms']:6.1f} ms"
              f"  p95 {figures['p95_ms']:6.1f} ms")


if __name__ == "__main__":
    main()
