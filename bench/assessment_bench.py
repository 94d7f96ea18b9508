"""Benchmark of the assessment rates (not a test): N generated orders over a year, with visits, dispatch
records and returns, bulk-inserted into a scratch database; then the time of ``compute`` by unit, unit
kind and category for a week, a month and the year.

    .venv/bin/python bench/assessment_bench.py                  # SQLite, 200,000 orders
    .venv/bin/python bench/assessment_bench.py --orders 1000000
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/assessment_bench.py

With PORTAL_BENCH_DATABASE_URL the run is on PostgreSQL, in a scratch database ``portal_bench_<pid>``
created on that server and dropped afterwards.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402


def scratch_url() -> tuple[str, callable]:
    base = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if not base:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: None
    name = f"portal_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def generate(n: int, rng: random.Random):
    from portal.extensions import db
    from portal.orders.models import Category, DispatchRecord, Order, ReturnVisit
    from portal.units.models import Unit

    kinds = ["department"] * 50 + ["street"] * 12 + ["soe"] * 9 + ["committee"] * 4
    db.session.execute(insert(Unit), [{"id": i + 1, "name": f"单位{i + 1}", "kind": k, "sort": i, "active": True}
                                      for i, k in enumerate(kinds)])
    from portal.auth.models import User

    db.session.execute(insert(User), [{"id": 1, "username": "bench", "name": "回访员", "role": "dispatcher",
                                       "password_hash": "x", "active": True, "created_at": datetime(2025, 1, 1)}])
    db.session.execute(insert(Category), [{"id": i + 1, "name": f"分类{i + 1}", "sort": i, "active": True}
                                          for i in range(12)])
    start = datetime(2025, 1, 1)
    orders, visits, records, events = [], [], [], []
    for i in range(1, n + 1):
        received = start + timedelta(seconds=rng.randrange(365 * 86400))
        direct = rng.random() < 0.3
        unit = None if direct else rng.randrange(1, len(kinds) + 1)
        dispatched = None if direct else received + timedelta(hours=1)
        signed = None if direct else dispatched + timedelta(hours=rng.choice([2, 5, 30]))
        replied = None if direct else dispatched + timedelta(days=rng.choice([1, 2, 3, 5]))
        orders.append({
            "id": i, "number": f"B{i:09d}", "received_at": received, "channel": "phone", "type": "complaint",
            "category_id": rng.randrange(1, 13), "urgency": "normal", "caller_name": "张三",
            "caller_phone": "13800000000", "address": "建设路1号", "content": "诉求", "state": "closed",
            "lead_unit_id": unit, "direct_answer": direct, "is_repeat": rng.random() < 0.05,
            "dispatched_at": dispatched, "sign_due_at": dispatched and dispatched + timedelta(days=1),
            "signed_at": signed, "reply_due_at": dispatched and dispatched + timedelta(days=3), "replied_at": replied,
            "closed_at": received + timedelta(days=6), "created_at": received, "updated_at": received,
        })
        if not direct:
            returned = rng.random() < 0.02
            records.append({"order_id": i, "at": dispatched, "chosen_unit_id": unit, "returned": returned})
            if returned:  # the approval of the return, which the rates read the time of
                events.append({"order_id": i, "at": dispatched + timedelta(hours=3), "action": "approve_return",
                               "from_state": "return_requested", "to_state": "received"})
            if rng.random() < 0.8:
                visits.append({"order_id": i, "round": 0, "at": replied + timedelta(days=1), "by_id": 1,
                               "satisfaction": rng.choice(["satisfied"] * 8 + ["basic", "unsatisfied"]),
                               "resolution": rng.choice(["resolved"] * 7 + ["partly", "unresolved", "unresolved"])})
        if len(orders) >= 20_000:
            _flush(db, orders, visits, records, events)
    _flush(db, orders, visits, records, events)
    db.session.commit()


def _flush(db, orders, visits, records, events):
    from portal.orders.models import DispatchRecord, Order, OrderEvent, ReturnVisit

    for model, rows in ((Order, orders), (ReturnVisit, visits), (DispatchRecord, records), (OrderEvent, events)):
        if rows:
            db.session.execute(insert(model), rows)
            rows.clear()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    url, drop = scratch_url()
    try:
        from portal import create_app
        from portal.assessment.periods import parse
        from portal.assessment.rates import compute
        from portal.extensions import db

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            t = time.perf_counter()
            generate(args.orders, random.Random(1))
            if not url.startswith("sqlite"):
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            else:
                db.session.execute(text("ANALYZE"))
            print(f"{args.orders:,} orders generated in {time.perf_counter() - t:.1f} s ({db.engine.dialect.name})")
            as_of = datetime(2026, 3, 1)
            for key in ("2025-W23", "2025-06", "2025"):
                for by in ("unit", "kind", "category"):
                    t = time.perf_counter()
                    result = compute(parse(key), as_of, by=by)
                    took = time.perf_counter() - t
                    print(f"{key:9} by {by:8} {took * 1000:8.0f} ms   rows {len(result.rows):3}   "
                          f"district composite {result.total.composite:.4f}   "
                          f"return rate {result.total.rates['return_rate']:.4f}")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
