"""Benchmark of the batch import (not a test): a generated city export of 100,000 rows, as CSV and as
.xlsx, imported into an empty database; prints seconds and rows per second.

    .venv/bin/python bench/import_bench.py                 # SQLite, 100,000 rows, CSV and xlsx
    .venv/bin/python bench/import_bench.py --rows 20000 --formats csv
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/import_bench.py

With PORTAL_BENCH_DATABASE_URL the same runs are made on PostgreSQL as well, in a scratch database
``portal_bench_<pid>`` created on that server and dropped afterwards (the user must be allowed to create
databases). Each run also times the repeat linking (``orders.repeats.find_repeats_many``) on its own, and the
second import of the same file (every row already present).

``--copy-of URL`` measures the import into a big database instead, as ``bench/web_bench.py`` does: each run
imports a generated export (in that database's own categories and units, numbered so that none is present)
into a fresh copy of it (SQLite: the backup API; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``, which needs
CREATEDB and no other session on the database), dropped afterwards; the database itself is not written::

    .venv/bin/python bench/import_bench.py --rows 20000 --formats csv \
        --copy-of postgresql+psycopg://postgres@127.0.0.1:5432/portal_1m

PostgreSQL plans the repeat lookups from table statistics. A server with autovacuum on refreshes them as
the table grows; the benchmark does the same by itself (``ANALYZE`` whenever autovacuum's default
threshold, 50 rows + 10 % of the table, has changed since the last one; the time is counted), so that a
test server with autovacuum off does not measure plans made for an empty table.
"""
import argparse
import csv
import os
import random
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.intake.importer import CHUNK_SIZE  # noqa: E402

HEADERS = ["工单编号", "受理时间", "来源渠道", "诉求类型", "诉求分类", "紧急程度", "诉求人", "联系电话", "诉求地址",
           "诉求内容", "建议承办单位", "涉企", "备注"]
CATEGORIES = ["城乡建设", "市容环卫", "交通运输", "环境保护", "市场监管", "劳动保障", "教育", "卫生健康", "住房保障",
              "物业管理", "供水供电", "公安消防", "民政", "农业农村", "文化旅游"]
UNITS = ["区城管局", "区住建局", "区市场监管局", "区交通运输局", "区生态环境分局", "区人社局", "区教育局", "区卫健委",
         "城关街道", "东关街道", "西湖街道", "南山镇"]
STREETS = ["建设路", "人民路", "解放路", "胜利街", "和平路", "新华街", "中山路", "朝阳路", "文化路", "光明街"]
PLACES = ["幸福家园", "阳光小区", "金色港湾", "翠苑", "锦绣华庭", "东方名城", "书香苑", "滨江花园"]
MATTERS = ["小区门口占道经营，油烟扰民", "楼下烧烤摊营业到凌晨，噪音严重", "路灯损坏多日无人维修", "井盖缺失，夜间行人容易踩空",
           "小区电梯经常停运，物业维修不及时", "工地夜间施工噪音扰民", "自来水水质发黄", "公交站台破损",
           "商户拖欠工资三个月", "餐馆后厨卫生条件差", "垃圾清运不及时，气味难闻", "共享单车乱停放堵塞人行道"]
ASKS = ["请尽快处理。", "希望有关部门核实并处理。", "多次反映未解决，请督促。", "请相关部门给予答复。"]
FAMILY = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def generate(rows: int, seed: int = 12345) -> list[list]:
    """Rows of a plausible export: 90 days of orders, callers who call again, buildings with many callers."""
    rng = random.Random(seed)
    start = datetime(2026, 7, 1, 8, 0)
    phones = [f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" for _ in range(rows // 2)]
    buildings = [f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.choice(PLACES)}{rng.randrange(1, 30)}号楼"
                 for _ in range(max(rows // 10, 10))]
    out = []
    for i in range(rows):
        at = start + timedelta(minutes=i * 90 * 24 * 60 // rows, seconds=rng.randrange(60))
        matter = rng.choice(MATTERS)
        out.append([
            f"SX{at:%Y%m%d}{i:07d}", at, rng.choice(["电话", "网站", "微信", "APP"]),
            rng.choice(["投诉", "求助", "咨询", "建议", "举报"]), rng.choice(CATEGORIES),
            rng.choices(["一般", "紧急", "特急"], weights=[90, 9, 1])[0],
            rng.choice(FAMILY) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)]), rng.choice(phones),
            f"{rng.choice(buildings)}{rng.randrange(1, 6)}单元", f"{matter}，{rng.choice(ASKS)}",
            rng.choice(UNITS) if rng.random() < 0.3 else "", rng.choice(["是", "否", "否", "否"]), "市平台导出",
        ])
    return out


def write_csv(rows: list[list], path: Path) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([f"{v:%Y-%m-%d %H:%M:%S}" if isinstance(v, datetime) else v for v in row])
    return path


def write_xlsx(rows: list[list], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(HEADERS)
    for row in rows:
        cell = WriteOnlyCell(sheet, value=row[1])
        cell.number_format = "yyyy-mm-dd hh:mm:ss"  # a real Excel date cell
        sheet.append([row[0], cell, *row[2:]])
    book.save(path)
    return path


def setup_reference_data() -> None:
    from portal.orders.models import Category
    from portal.units.models import Unit

    db.session.add_all([Category(name=name, sort=i) for i, name in enumerate(CATEGORIES)])
    db.session.add_all([Unit(name=name, kind="street" if name.endswith(("街道", "镇")) else "department")
                        for name in UNITS])
    db.session.commit()


@contextmanager
def timed_repeats(totals: dict):
    """Time spent in repeat linking, measured by wrapping the function add_new imports at each call."""
    from portal.orders import repeats

    original = repeats.find_repeats_many

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals["repeats"] += time.perf_counter() - t

    repeats.find_repeats_many = wrapper
    try:
        yield
    finally:
        repeats.find_repeats_many = original


@contextmanager
def scratch_database(kind: str, workdir: Path):
    if kind == "sqlite":
        yield "sqlite:///" + str(workdir / f"bench-{time.time_ns()}.sqlite3")
        return
    base = os.environ["PORTAL_BENCH_DATABASE_URL"]
    name = f"portal_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def autoanalyze(kind: str):
    """ANALYZE as PostgreSQL's autovacuum would (see the module docstring); nothing on SQLite."""
    analysed = {"rows": 0}

    def progress(result):
        if kind == "postgresql" and result.rows - analysed["rows"] > 50 + 0.1 * analysed["rows"]:
            db.session.execute(text("ANALYZE orders, order_events, order_links"))
            db.session.commit()
            analysed["rows"] = result.rows

    return progress


def run(kind: str, path: Path, rows: int, workdir: Path, chunk_size: int | None) -> dict:
    from portal.intake.importer import import_file

    with scratch_database(kind, workdir) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            setup_reference_data()
            totals = {"repeats": 0.0}
            with timed_repeats(totals), open(path, "rb") as stream:
                t = time.perf_counter()
                result = import_file(stream, path.name, chunk_size=chunk_size, progress=autoanalyze(kind))
                first = time.perf_counter() - t
            with open(path, "rb") as stream:
                t = time.perf_counter()
                again = import_file(stream, path.name, chunk_size=chunk_size)
                second = time.perf_counter() - t
            from portal.orders.models import Order, OrderLink

            orders = db.session.scalar(db.select(db.func.count(Order.id)))
            links = db.session.scalar(db.select(db.func.count(OrderLink.id)))
            db.session.remove()
            db.engine.dispose()
    assert len(result.created) == rows == orders, (len(result.created), rows, orders)
    assert len(again.present) == rows and not again.created
    return {"db": kind, "format": path.suffix[1:], "rows": rows, "seconds": first, "repeats": totals["repeats"],
            "again": second, "links": links, "problems": len(result.problems)}


def run_on_copy(source: str, fmt: str, rows: int, workdir: Path, chunk_size: int | None) -> dict:
    """One import of ``rows`` generated rows into a fresh copy of the database at ``source``."""
    from webbench.timings import _export_rows, database_copy

    from portal.intake.importer import import_file

    with database_copy(source) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            writer = {"csv": write_csv, "xlsx": write_xlsx}[fmt]
            path = writer(_export_rows(rows), workdir / f"city-export-copy.{fmt}")
            totals = {"repeats": 0.0}
            with timed_repeats(totals), open(path, "rb") as stream:
                t = time.perf_counter()
                result = import_file(stream, path.name, chunk_size=chunk_size)
                first = time.perf_counter() - t
            with open(path, "rb") as stream:
                t = time.perf_counter()
                again = import_file(stream, path.name, chunk_size=chunk_size)
                second = time.perf_counter() - t
            from portal.orders.models import OrderLink

            made = [taken.order_id for taken in result.created]
            links = db.session.scalar(db.select(db.func.count(OrderLink.id)).where(OrderLink.order_id.in_(made)))
            db.session.remove()
            db.engine.dispose()
    assert len(result.created) == rows, (len(result.created), rows)
    assert len(again.present) == rows and not again.created
    return {"db": make_url(source).get_backend_name() + "*", "format": fmt, "rows": rows, "seconds": first,
            "repeats": totals["repeats"], "again": second, "links": links, "problems": len(result.problems)}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still drop the scratch database
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--chunk-size", type=int, default=None, help="rows per transaction (default: the importer's)")
    parser.add_argument("--copy-of", metavar="URL", help="import into a copy of this database instead of an empty one")
    args = parser.parse_args()
    if args.copy_of:
        databases = [f"a copy of {make_url(args.copy_of).database} (* in the table)"]
    else:
        databases = ["sqlite"] + (["postgresql"] if os.environ.get("PORTAL_BENCH_DATABASE_URL") else [])
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}; "
          f"{args.rows} rows, chunks of {args.chunk_size or CHUNK_SIZE}; databases: {', '.join(databases)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        workdir = Path(tmp)
        if args.copy_of:
            print(f"{'database':<12}{'file':<6}{'rows':>8}{'seconds':>9}{'rows/s':>8}{'repeats s':>11}"
                  f"{'links':>8}{'again s':>9}", flush=True)
            for fmt in args.formats.split(","):
                _print_row(run_on_copy(args.copy_of, fmt, args.rows, workdir, args.chunk_size))
            return
        t = time.perf_counter()
        data = generate(args.rows)
        files = {}
        for fmt in args.formats.split(","):
            writer = {"csv": write_csv, "xlsx": write_xlsx}[fmt]
            files[fmt] = writer(data, workdir / f"city-export.{fmt}")
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.values())
        print(f"generated in {time.perf_counter() - t:.1f} s: {sizes}", flush=True)
        print(f"{'database':<12}{'file':<6}{'rows':>8}{'seconds':>9}{'rows/s':>8}{'repeats s':>11}"
              f"{'links':>8}{'again s':>9}", flush=True)
        for kind in databases:
            for fmt, path in files.items():
                _print_row(run(kind, path, args.rows, workdir, args.chunk_size))


def _print_row(r: dict) -> None:
    print(f"{r['db']:<12}{r['format']:<6}{r['rows']:>8}{r['seconds']:>9.1f}"
          f"{r['rows'] / r['seconds']:>8.0f}{r['repeats']:>11.1f}{r['links']:>8}{r['again']:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
