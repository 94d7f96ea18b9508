"""Benchmark of the dashboard and the stored reports (not a test): the assessment benchmark's generated
orders (a year of them, with visits, dispatch records and returns) in a scratch database; then the time
of the dashboard page (as a leader), of making each kind of report (figures, PDF and xlsx) and of the
hot-topic detection.

    .venv/bin/python bench/reports_bench.py                  # SQLite, 200,000 orders
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/reports_bench.py
"""
import argparse
import random
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from assessment_bench import generate, scratch_url  # noqa: E402

NOW = datetime(2025, 12, 20, 10, 0)  # the generated year is 2025


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    url, drop = scratch_url()
    try:
        from portal import create_app
        from portal.auth.models import User
        from portal.extensions import db
        from portal.reports.models import REPORT_KINDS
        from portal.assessment.periods import parse
        from portal.reports.operations import detect_hot_topics, generate_report
        from portal.reports.queries import BUILDERS

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "FIXED_NOW": NOW, "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            db.create_all()
            t = time.perf_counter()
            generate(args.orders, random.Random(1))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            print(f"{args.orders:,} orders generated in {time.perf_counter() - t:.1f} s ({db.engine.dialect.name})")
            leader = User(username="bench-leader", name="领导", role="leader", created_at=NOW)
            leader.set_password("bench-pass")
            db.session.add(leader)
            db.session.commit()
            periods = {"week": "2025-W23", "month": "2025-06", "quarter": "2025-Q2", "year": "2025"}
            for kind, (label, period_kind, _) in REPORT_KINDS.items():
                t = time.perf_counter()
                figures = BUILDERS[kind](parse(periods[period_kind]), NOW)
                took = time.perf_counter() - t
                t = time.perf_counter()
                report = generate_report(kind, periods[period_kind], as_of=NOW)
                rows = sum(len(table["rows"]) for table in figures["tables"])
                print(f"report {kind:22} {periods[period_kind]:9} figures {took * 1000:6.0f} ms   whole "
                      f"{(time.perf_counter() - t) * 1000:6.0f} ms   rows {rows:4}   "
                      f"pdf {len(report.pdf) // 1024:4} KB   "
                      f"xlsx {len(report.xlsx) // 1024:3} KB")
            t = time.perf_counter()
            found = detect_hot_topics(NOW)
            print(f"hot topics {(time.perf_counter() - t) * 1000:8.0f} ms   warnings {len(found)}")
        client = app.test_client()
        client.post("/login", data={"username": "bench-leader", "password": "bench-pass"})
        for n in range(3):
            t = time.perf_counter()
            response = client.get("/dashboard/")
            print(f"dashboard {response.status_code} {(time.perf_counter() - t) * 1000:8.0f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
