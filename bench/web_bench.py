"""The web benchmark (not a test): the portal under gunicorn over one database, measured as users see it.

    bash bench/setup.sh                                           # wrk, once
    .venv/bin/python bench/web_bench.py --password 'the password gen-data printed'
    .venv/bin/python bench/web_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_1m \\
        --password '...' --duration 30 --connections 20,50

What it does, in order (bench/README.md says what each figure means):

1. on PostgreSQL, ANALYZE (fresh planner statistics, as autovacuum would have made); finds a unit handler with the most open orders of their own, a dispatcher and a leader, and the pages:
   the handler's inbox, the dispatcher's pool filtered by a category and a search word, an order page, the
   leader's dashboard and the last month's ranking (assessment page);
2. records the SELECT statements each page runs (one in-process request) and times them again through a
   plain DB-API connection: the database's share of the page;
3. starts the portal under gunicorn (``-c gunicorn.conf.py`` when there is one) and the floor app
   (``bench/floor_app.py``) the same way, each on a free port; logs in through the log-in form;
4. single-user latency: 200 sequential requests per page after 20 warm-up ones, p50/p95/p99;
5. throughput with wrk at each ``--connections`` on the inbox, the order page and the floor;
6. on a copy of the database (``--in-place``: on it): the deadline watch, the monthly assessment job,
   importing a 20,000-row city export; and one supervision notice PDF.

It prints a table and writes the figures as JSON (``--out``); ``bench/report.py`` puts the latest ones
into bench/README.md. Passwords: ``--password`` (or ``PORTAL_BENCH_PASSWORD``) for all three users, or
``--handler NAME:PASSWORD`` etc. for one of them.
"""
import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from webbench import client, machine, rawsql, servers, targets, timings, wrkrun  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("inbox", "pool", "order", "dashboard", "ranking")
WRK_PAGES = ("inbox", "order", "floor")
ROLES = ("handler", "dispatcher", "leader")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL (default: the instance's database, as the portal would use)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py's, or one per core)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each wrk run")
    parser.add_argument("--connections", default="20,50", help="wrk's concurrent clients, comma-separated")
    parser.add_argument("--runs", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--page-budget", type=float, default=120,
                        help="seconds per page: a slower page stops after this (at least 20 runs)")
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--skip-wrk", action="store_true", help="no throughput runs")
    parser.add_argument("--skip-jobs", action="store_true", help="no jobs, import or notice timings")
    parser.add_argument("--in-place", action="store_true",
                        help="run the jobs and the import on the database itself, not on a copy (they write)")
    parser.add_argument("--password", default=os.environ.get("PORTAL_BENCH_PASSWORD"),
                        help="the users' password (default: $PORTAL_BENCH_PASSWORD)")
    for role in ROLES:
        parser.add_argument(f"--{role}", default=None, metavar="NAME[:PASSWORD]",
                            help=f"the {role} to log in as (default: found in the database)")
    parser.add_argument("--search-word", default=None, help="the pool's search word (default: from the data)")
    parser.add_argument("--out", default=None, help="JSON file (default: bench/results/<date>-<database>.json)")
    return parser.parse_args(argv)


def credentials(args) -> tuple[dict, dict]:
    """Usernames given (role -> name) and passwords (role -> password); exits when one is missing."""
    names, passwords = {}, {}
    for role in ROLES:
        given = getattr(args, role)
        name, _, password = (given or "").partition(":")
        names[role] = name or None
        passwords[role] = password or args.password
        if not passwords[role]:
            sys.exit(f"no password for the {role}: give --password (or PORTAL_BENCH_PASSWORD), "
                     f"or --{role} NAME:PASSWORD")
    return names, passwords


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def measure_sql(app, found, passwords: dict, floor_sql: str, args) -> dict:
    out = {}
    for page, (role, path) in found.pages.items():
        statements = rawsql.record(app, found.users[role].username, passwords[role], path)
        out[page] = rawsql.replay(app, statements, args.runs, args.warmup, args.page_budget)
    out["floor"] = rawsql.replay_sql(app, floor_sql, args.runs, args.warmup, args.page_budget)
    return out


def measure_latency(portal_url: str, floor_url: str, found, passwords: dict, args):
    sessions = {role: client.log_in(portal_url, found.users[role].username, passwords[role]) for role in ROLES}
    out = {}
    for page, (role, path) in found.pages.items():
        log(f"latency: {page} as {found.users[role].username}: {path}")
        out[page] = client.latency(sessions[role], path, args.runs, args.warmup, args.page_budget)
    out["floor"] = client.latency(client.Client(floor_url), "/", args.runs, args.warmup, args.page_budget)
    return out, sessions


def measure_throughput(portal_url: str, floor_url: str, found, sessions: dict, connections: list[int],
                       duration: int) -> dict:
    out = {}
    for page in WRK_PAGES:
        for n in connections:
            if page == "floor":
                url, cookie = floor_url + "/", ""
            else:
                role, path = found.pages[page]
                session = sessions[role]
                session.get(path)  # a fresh cookie: the idle clock starts again
                url, cookie = portal_url + path, session.cookie
            log(f"wrk: {page}, {n} connections, {duration} s")
            out[f"{page}@{n}"] = {"page": page, "connections": n, **wrkrun.run(url, cookie, n, duration)}
    return out


def measure_offline(url: str, in_place: bool, import_rows: int) -> dict:
    from contextlib import nullcontext

    from portal import create_app
    from portal.extensions import db

    copy = nullcontext(url) if in_place else timings.database_copy(url)
    with copy as target:
        os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = target
        app = create_app()
        try:
            log("jobs: deadline watch, monthly assessment")
            jobs = timings.jobs(app, remake=not in_place)
            log(f"import: {import_rows} rows")
            imported = timings.import_rows(app, import_rows)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = url
    log("notice PDF")
    return {"jobs": jobs, "import": imported, "notice": timings.notice(5), "on_copy": not in_place}


def print_table(result: dict) -> None:
    print()
    print(f"{result['database']} · {result['data']['orders']:,} orders · {result['machine']['nproc']} cores · "
          f"commit {result['commit']['commit']}")
    print(f"{'page':<11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'runs':>6}{'SQL ms':>9}{'page/SQL':>10}{'stmts':>7}")
    for page in (*PAGES, "floor"):
        lat, sql = result["latency"][page], result["sql"][page]
        print(f"{page:<11}{lat['p50_ms']:>9.1f}{lat['p95_ms']:>9.1f}{lat['p99_ms']:>9.1f}{lat['runs']:>6}"
              f"{sql['sql_p50_ms']:>9.2f}{lat['p50_ms'] / max(sql['sql_p50_ms'], 1e-6):>10.1f}{sql['statements']:>7}")
    if result.get("throughput"):
        print(f"\n{'wrk':<14}{'req/s':>9}{'non-2xx':>9}{'p50 ms':>9}{'p99 ms':>9}")
        for key, row in result["throughput"].items():
            print(f"{key:<14}{row['rps']:>9.0f}{row['non2xx'] + row['socket_errors']:>9}{row['p50_ms']:>9.1f}"
                  f"{row['p99_ms']:>9.1f}")
    offline = result.get("offline")
    if offline:
        jobs, imported = offline["jobs"], offline["import"]
        monthly = jobs["monthly_assessment_s"]
        print(f"\ndeadline watch {jobs['deadline_watch_s']:.2f} s (again {jobs['deadline_watch_again_s']:.2f} s); "
              "monthly assessment job " + (f"{monthly:.2f} s" if monthly is not None else "not timed"))
        print(f"import {imported['rows']:,} rows in {imported['seconds']:.1f} s: {imported['rows_per_s']:.0f} rows/s "
              f"({imported['created']:,} created, {imported['rejected']} rejected)")
        print(f"notice PDF {offline['notice']['median_ms']:.0f} ms (median of {offline['notice']['runs']}; "
              f"first {offline['notice']['first_ms']:.0f} ms)")


def main(argv=None) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still stop gunicorn, drop the copy
    args = parse_args(argv)
    names, passwords = credentials(args)
    connections = [int(n) for n in args.connections.split(",") if n.strip()]
    if args.database_url:
        os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = args.database_url

    from floor_app import inbox_sql
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"] = url  # the gunicorn workers use the same database
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    with app.app_context():
        if kind == "postgresql":  # fresh planner statistics, as autovacuum would have made by now
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        try:
            found = targets.find(names, args.search_word)
        except targets.NothingToMeasure as exc:
            sys.exit(f"nothing to measure: {exc}")
        size = machine.data_size()
        floor_sql = inbox_sql(url, found.unit_id, found.mine_ids)
    result = {"date": datetime.now().isoformat(timespec="seconds"), "database": kind, "machine": machine.machine(),
              "commit": machine.commit(), "data": size, "chosen": found.notes,
              "pages": {page: path for page, (_, path) in found.pages.items()},
              "settings": {"workers": args.workers or servers.default_workers(), "gunicorn_conf": (ROOT / "gunicorn.conf.py").exists(),
                           "runs": args.runs, "warmup": args.warmup, "duration": args.duration,
                           "page_budget": args.page_budget}}
    log(f"{kind}: {size['orders']:,} orders; handler {found.notes['handler']}, dispatcher "
        f"{found.notes['dispatcher']}, leader {found.notes['leader']}")
    log("raw SQL of each page")
    try:
        result["sql"] = measure_sql(app, found, passwords, floor_sql, args)
    except client.LoginFailed as exc:
        sys.exit(str(exc))
    floor_env = {"FLOOR_DATABASE_URL": url, "FLOOR_UNIT_ID": str(found.unit_id),
                 "FLOOR_HANDLER_IDS": ",".join(map(str, found.mine_ids))}
    with servers.gunicorn("portal:create_app()", {}, args.workers) as portal_url, \
            servers.gunicorn("floor_app:create_app()", floor_env, args.workers, portal_config=False) as floor_url:
        log(f"portal on {portal_url}, floor on {floor_url}")
        try:
            result["latency"], sessions = measure_latency(portal_url, floor_url, found, passwords, args)
        except client.LoginFailed as exc:
            sys.exit(str(exc))
        if args.skip_wrk:
            result["throughput"] = None
        elif not wrkrun.available():
            log("wrk is not installed (bash bench/setup.sh): no throughput figures")
            result["throughput"] = None
        else:
            result["throughput"] = measure_throughput(portal_url, floor_url, found, sessions, connections,
                                                      args.duration)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no session left on the database: PostgreSQL copies it as a template
    result["offline"] = None if args.skip_jobs else measure_offline(url, args.in_place, args.import_rows)
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"{datetime.now():%Y-%m-%d}-{kind}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    print_table(result)
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
