"""Benchmark of the ledger's exports (not a test): N entries with a progress note each, in a scratch
SQLite database, exported as .xlsx and as the landscape A4 PDF; prints the median of 5 runs.

    .venv/bin/python bench/ledger_export_bench.py                # 12 and 200 entries
    .venv/bin/python bench/ledger_export_bench.py --entries 50
"""
import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from portal import create_app
from portal.auth.models import User
from portal.extensions import db
from portal.ledger import export, operations
from portal.ledger.filters import LedgerFilters
from portal.ledger.operations import Registration
from portal.ledger.queries import export_rows
from portal.units.models import Unit

AT = datetime(2026, 11, 24, 10, 0)


def _median_ms(fn, runs=5) -> tuple[float, object]:
    fn()  # warm up: fonts, templates
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "FIXED_NOW": AT,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            units = [Unit(name=f"区第{i}局", kind="department") for i in range(10)]
            db.session.add_all(units)
            db.session.commit()
            sup = User(username="sup", name="督查员", role="supervisor", password_hash="-", created_at=AT)
            lead = User(username="lead", name="区领导", role="leader", password_hash="-", created_at=AT)
            db.session.add_all([sup, lead])
            db.session.commit()
            for i in range(count):
                entry = operations.register(sup, Registration(
                    title=f"第{i}号重点问题：小区周边夜市油烟扰民反复投诉", description="群众多次反映，整改后反弹。" * 3,
                    owner_unit_id=units[i % 10].id, leader_id=lead.id, target_date=(AT + timedelta(days=i % 40)).date()),
                    at=AT - timedelta(days=30))
                operations.add_note(sup, entry, "已约谈经营户，安装油烟净化设备，督查室夜间复查仍有反弹。", at=AT - timedelta(days=3))
            rows, _ = export_rows(lead, LedgerFilters())
            xlsx_ms, xlsx = _median_ms(lambda: export.workbook(rows, AT.date(), "全部事项", AT))
            pdf_ms, pdf = _median_ms(lambda: export.pdf(rows, AT.date(), "全部事项", AT))
            from pypdf import PdfReader
            import io
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(f"{count:>5} entries  xlsx {xlsx_ms:7.0f} ms {len(xlsx) / 1024:6.0f} KB   "
                  f"pdf {pdf_ms:7.0f} ms {len(pdf) / 1024:6.0f} KB {pages:3} pages")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, action="append")
    for n in parser.parse_args().entries or [12, 200]:
        run(n)
