"""Benchmark of the order search (not a test): N generated orders with realistic Chinese content and
addresses bulk-inserted into a scratch database (through the search index's triggers on SQLite; on
PostgreSQL the GIN index is built after the load, as the migration does), then p50/p95 of the order
list's query (the dispatcher's search, newest first, and the pool, oldest first; 51 rows as a page asks)
for present, absent, two-character and exact (phone, number) searches, alone and with a category or
state filter; the share of orders holding each string, the query plan of each, and the old
``LIKE '%...%'`` for comparison.

    .venv/bin/python bench/search_bench.py                       # SQLite, 200,000 orders
    .venv/bin/python bench/search_bench.py --orders 1000000
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/search_bench.py

With PORTAL_BENCH_DATABASE_URL the run is on PostgreSQL, in a scratch database ``portal_bench_<pid>``
created on that server and dropped afterwards. ``--keep PATH`` (SQLite) keeps the database file and
reuses it on the next run with the same path.
"""
import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

SEARCHES = [  # (label, query string, extra filters)
    ("present 4 chars", "夜间施工", {}),
    ("present 3 chars", "停车位", {}),
    ("absent 5 chars", "量子纠缠态", {}),
    ("absent 3 chars", "钢琴课", {}),
    ("2 chars common", "小区", {}),
    ("2 chars 噪音", "噪音", {}),
    ("2 chars 油烟", "油烟", {}),
    ("2 chars 停水", "停水", {}),
    ("2 chars absent", "鲸鱼", {}),
    ("ASCII mixed", "4S店", {}),
    ("phone exact", "13900012345", {}),
    ("number exact", "B000123456", {}),
    ("present + category", "夜间施工", {"category": "3"}),
    ("2 chars + category", "噪音", {"category": "3"}),
    ("absent + category", "量子纠缠态", {"category": "3"}),
    ("present + state", "夜间施工", {"state": "accepted"}),
    ("2 chars + state", "小区", {"state": "accepted"}),
]
RUNS = 15


def scratch_url(keep: str | None) -> tuple[str, callable, bool]:
    """The database URL, a function that drops it, and whether it already holds the orders."""
    base = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if not base:
        path = Path(keep) if keep else Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: None, path.exists()
    name = f"portal_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop, False


class Texts:
    """Contents and addresses as the demo writes them (its topics and places), each with one more clause
    taken from another matter and a house number, so that texts vary as much as real ones do."""

    def __init__(self, rng: random.Random):
        from portal.demo.places import pick_place
        from portal.demo.topic import topic_list

        self.rng, self.pick_place, self.topics = rng, pick_place, topic_list()
        self.clauses = sorted({c for t in self.topics for tpl in t.contents
                               for c in re.split(r"[，。；！？]", tpl) if c and "{" not in c})

    def one(self) -> tuple[str, str]:
        rng = self.rng
        topic = rng.choice(self.topics)
        place = self.pick_place(rng, topic.where)
        content = rng.choice(topic.contents).format_map(place.words | {"unit": "区城管局"})
        if rng.random() < 0.7:
            content += f"{rng.choice(self.clauses)}，{rng.randint(1, 999)}号。"
        return content, place.address


def generate(n: int, rng: random.Random) -> None:
    from portal.auth.models import User
    from portal.extensions import db
    from portal.orders.models import Category, Order

    db.session.execute(insert(User), [{"id": 1, "username": "bench", "name": "话务员", "role": "dispatcher",
                                       "password_hash": "x", "active": True, "created_at": datetime(2025, 1, 1)}])
    db.session.execute(insert(Category), [{"id": i + 1, "name": f"分类{i + 1}", "sort": i, "active": True}
                                          for i in range(12)])
    texts = Texts(rng)
    start = datetime(2024, 1, 1)
    step = 2 * 365 * 86400 / n
    states = ["closed"] * 90 + ["accepted"] * 6 + ["dispatched"] * 2 + ["received"] * 2
    orders = []
    for i in range(1, n + 1):
        received = start + timedelta(seconds=i * step + rng.uniform(-3600, 3600))
        content, address = texts.one()
        orders.append({
            "id": i, "number": f"B{i:09d}", "received_at": received, "channel": "phone", "type": "complaint",
            "category_id": rng.randrange(1, 13), "urgency": "normal", "caller_name": rng.choice("张王李赵刘陈") + "先生",
            "caller_phone": f"139{rng.randrange(10**8):08d}", "address": address, "content": content,
            "state": rng.choice(states), "created_at": received, "updated_at": received,
        })
        if len(orders) >= 20_000:
            db.session.execute(insert(Order), orders)
            orders.clear()
    if orders:
        db.session.execute(insert(Order), orders)
    db.session.commit()


def load(n: int, postgres: bool) -> None:
    from portal.extensions import db
    from portal.search import index

    if postgres:  # load without the GIN index, then build it as the migration would on a full table
        db.session.execute(text(f"DROP INDEX {index.PG_INDEX}"))
        db.session.commit()
    t = time.perf_counter()
    generate(n, random.Random(1))
    print(f"{n:,} orders inserted in {time.perf_counter() - t:.1f} s"
          + ("" if postgres else " (the FTS5 triggers indexing them as they went in)"))
    if postgres:
        t = time.perf_counter()
        db.session.execute(text(index.UPGRADE["postgresql"][-1]))
        db.session.commit()
        print(f"GIN index built in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"ANALYZE in {time.perf_counter() - t:.1f} s")


def sizes(postgres: bool) -> str:
    from portal.extensions import db

    if postgres:
        row = db.session.execute(text(
            "SELECT pg_size_pretty(pg_relation_size('orders')), pg_size_pretty(pg_relation_size("
            "'ix_orders_search_bigrams'))")).one()
        return f"orders table {row[0]}, search index {row[1]}"
    pages = db.session.scalar(text("PRAGMA page_count")) * db.session.scalar(text("PRAGMA page_size"))
    fts = db.session.scalar(text("SELECT sum(length(block)) FROM orders_search_data"))
    return f"database file {pages / 2**20:.0f} MB, of which the FTS5 index {fts / 2**20:.0f} MB"


def timed(run) -> list[float]:
    run()  # warm
    took = []
    for _ in range(RUNS):
        t = time.perf_counter()
        run()
        took.append((time.perf_counter() - t) * 1000)
    return took


def explain(statement, postgres: bool) -> str:
    from portal.extensions import db

    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if postgres:
        rows = db.session.execute(text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + str(compiled))).scalars()
        return "\n".join("      " + r for r in rows)
    rows = db.session.execute(text("EXPLAIN QUERY PLAN " + str(compiled))).all()
    return "\n".join(f"      {r[-1]}" for r in rows)


def measure(postgres: bool, show_plans: bool) -> None:
    from werkzeug.datastructures import MultiDict

    from portal.auth.models import User
    from portal.extensions import db
    from portal.orders import queries
    from portal.orders.filters import OrderFilters
    from portal.orders.models import Order

    user = db.session.get(User, 1)
    total = db.session.scalar(select(func.count(Order.id)))
    for q in dict.fromkeys(q for _, q, _ in SEARCHES if len(q) < 6):
        like = f"%{q.lower()}%"
        held = db.session.scalar(select(func.count(Order.id)).where(
            func.lower(Order.content).like(like) | func.lower(Order.address).like(like)))
        print(f"{q}: in {held:,} orders ({held / total:.1%})")
    print(f"{'search':22} {'list':5} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for label, q, extra in SEARCHES:
        f = OrderFilters.from_args(MultiDict({"q": q, **extra}))
        for name, statement in (("list", queries.filtered(user, f)),
                                ("pool", queries.filtered(user, f).where(Order.state == "received")
                                 .order_by(None).order_by(Order.received_at, Order.id))):
            statement = statement.limit(51)
            rows = len(db.session.scalars(statement).unique().all())
            took = timed(lambda: db.session.scalars(statement).unique().all())
            p95 = statistics.quantiles(took, n=20)[-1]
            print(f"{label:22} {name:5} {rows:5} {statistics.median(took):8.1f} {p95:8.1f}   q={q} {extra or ''}")
            if show_plans and name == "list":
                print(explain(statement, postgres))
            db.session.rollback()
    for q in ("量子纠缠态", "小区"):
        like = f"%{q}%"
        old = select(Order.id).where(Order.content.like(like) | Order.address.like(like)).order_by(
            Order.received_at.desc()).limit(51)
        took = timed(lambda: db.session.scalars(old).all())
        print(f"old LIKE '%{q}%' list: p50 {statistics.median(took):.1f} ms, "
              f"p95 {statistics.quantiles(took, n=20)[-1]:.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--keep", help="SQLite: keep the database at this path (and reuse it)")
    parser.add_argument("--plans", action="store_true", help="print the query plan of each list search")
    args = parser.parse_args()
    url, drop, filled = scratch_url(args.keep)
    postgres = not url.startswith("sqlite")
    try:
        from portal import create_app
        from portal.extensions import db

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            if not filled:
                db.create_all()
                load(args.orders, postgres)
            print(f"{db.engine.dialect.name}: {sizes(postgres)}")
            measure(postgres, args.plans)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
