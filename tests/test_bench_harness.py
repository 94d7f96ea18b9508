"""The web benchmark's pieces work (bench/web_bench.py is not a test; these check its parts, without wrk
and without gunicorn): the floor app's page, the raw SQL of a page, the pages it picks, reading wrk's
figures, and the results section of bench/README.md."""
import sys
from datetime import timedelta
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import floor_app  # noqa: E402
import report  # noqa: E402
from webbench import rawsql, targets, wrkrun  # noqa: E402

from tests.fixtures.people import PASSWORD  # noqa: E402


@pytest.fixture
def unit_orders(ctx, district, make_order):
    """Two orders 区城管局's A handler holds, one waiting to be signed for, one closed, one of another unit, one in the pool."""
    return {
        "open": [make_order("accepted", content="路灯损坏多日无人维修"), make_order("accepted")],
        "unsigned": make_order("dispatched"),
        "closed": make_order("closed"),
        "other": make_order("accepted", lead=district.zhujian),
        "pool": make_order("received", content="小区门口夜市噪音扰民，请尽快处理。"),
    }


def test_floor_app_lists_the_units_open_orders_with_the_inbox_query(app, district, unit_orders, monkeypatch):
    monkeypatch.setenv("FLOOR_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("FLOOR_UNIT_ID", str(district.chengguan.id))
    monkeypatch.setenv("FLOOR_HANDLER_IDS", str(district.handler.id))
    page = floor_app.create_app().test_client().get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<tr>") == 1 + len(unit_orders["open"])  # the header and the open ones
    for order in unit_orders["open"]:
        assert order.number in text
    for other in ("unsigned", "closed", "other"):  # not yet anyone's, done, another unit's
        assert unit_orders[other].number not in text


def test_a_pages_reads_are_recorded_and_run_again_through_a_plain_connection(app, unit_orders):
    statements = rawsql.record(app, "cg_a", PASSWORD, "/orders/inbox")
    assert any("FROM orders" in s for s, _ in statements)
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s, _ in statements)
    timing = rawsql.replay(app, statements, runs=3, warmup=1)
    assert timing["statements"] == len(statements) and timing["sql_p50_ms"] > 0
    assert timing["main_sql"].startswith("SELECT")


def test_a_wrong_password_stops_the_recording(app, unit_orders):
    from webbench.client import LoginFailed

    with pytest.raises(LoginFailed):
        rawsql.record(app, "cg_a", "not the password", "/orders/inbox")


def test_the_pages_are_found_in_the_data(ctx, district, unit_orders):
    found = targets.find({}, None)
    assert found.users["handler"].username == "cg_a" and found.unit_id == district.chengguan.id
    assert found.users["dispatcher"].role == "dispatcher" and found.users["leader"].role == "leader"
    assert found.pages["order"] == ("handler", f"/orders/{found.notes['order_id']}")
    assert found.notes["order_id"] in {o.id for o in unit_orders["open"]}
    assert found.pages["pool"][1].startswith("/orders/pool?category=")
    assert found.notes["pool_word"] in unit_orders["pool"].content


def test_an_empty_pool_is_reported_not_measured(ctx, district, make_order):
    make_order("accepted")
    with pytest.raises(targets.NothingToMeasure, match="pool"):
        targets.find({}, None)


def test_wrk_figures_come_from_the_lua_scripts_line():
    output = ("Running 5s test @ http://127.0.0.1:1/\n  2 threads and 20 connections\n"
              'WRKJSON {"requests": 1000, "duration_us": 5000000, "bytes": 10, "non2xx": 3, '
              '"errors": {"connect": 0, "read": 1, "write": 0, "timeout": 0}, '
              '"latency_us": {"p50": 12000, "p90": 20000, "p99": 31000, "mean": 13000.5, "max": 40000}}\n')
    figures = wrkrun.parse(output)
    assert figures["rps"] == 200 and figures["non2xx"] == 3 and figures["socket_errors"] == 1
    assert figures["p50_ms"] == 12 and figures["p99_ms"] == 31
    with pytest.raises(RuntimeError):
        wrkrun.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def _result(kind: str, inbox_p95: float) -> dict:
    page = {"p50_ms": 5.0, "p95_ms": inbox_p95, "p99_ms": 12.0, "runs": 200}
    return {
        "date": "2026-11-25T10:00:00", "database": kind,
        "machine": {"nproc": 2, "ram_gb": 8.0, "cpu": "Test CPU"}, "commit": {"commit": "abc123", "dirty": False},
        "data": {"orders": 20000, "order_events": 150000, "units": 166, "users": 223,
                 "first_received": "2025-11-26", "last_received": "2026-11-25"},
        "settings": {"workers": 2, "gunicorn_conf": True, "runs": 200, "duration": 30},
        "latency": {**{p: dict(page) for p in report.PAGES}, "dashboard": {**page, "runs": 37}},
        "sql": {p: {"sql_p50_ms": 1.0, "statements": 3} for p in report.PAGES},
        "throughput": {"inbox@50": {"rps": 650.0, "non2xx": 0, "socket_errors": 0, "p50_ms": 70, "p99_ms": 90}},
        "offline": {"jobs": {"deadline_watch_s": 0.5, "deadline_watch_again_s": 0.1, "monthly_assessment_s": 3.0},
                    "import": {"rows": 20000, "rows_per_s": 4000.0}, "notice": {"median_ms": 80.0},
                    "on_copy": True},
    }


def test_the_readme_section_is_replaced_between_its_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Bench\n\nbefore\n\n{report.START}\nold figures\n{report.END}\n\nafter\n")
    section = report.render({"sqlite": _result("sqlite", 9.0), "postgresql": _result("postgresql", 11.0)},
                            "smoke run")
    report.update_readme(section, readme)
    text = readme.read_text()
    assert text.startswith("# Bench\n\nbefore\n") and text.endswith("\n\nafter\n")
    assert "old figures" not in text and "**smoke run**" in text and "20,000 orders" in text
    inbox = next(line for line in text.splitlines() if line.startswith("| unit inbox"))
    assert "5.0 / 9.0 ✓ / 12.0 |" in inbox and "5.0 / 11.0 / 12.0" in inbox  # the 10 ms target, met and not
    assert "| 650 ✓ |" in text and "| 650 |" not in text  # 600/s on SQLite, 500/s on PostgreSQL: both met
    assert "4000 rows/s |" in text  # below the 5000 rows/s target: no mark
    dashboard = next(line for line in text.splitlines() if line.startswith("| dashboard"))
    assert dashboard.count("(37 runs)") == 2  # stopped by the page budget, on both databases


def test_in_place_the_monthly_report_already_made_is_left_alone(app, ctx, district, unit_orders):
    from portal.assessment.periods import containing
    from portal.clock import now
    from portal.extensions import db
    from portal.reports.models import Report

    from webbench import timings

    month = containing("month", now().date().replace(day=1) - timedelta(days=1))
    kept = Report(kind="monthly_notice", period_key=month.key, period_label=month.label, as_of=now(),
                  generated_at=now(), figures={}, pdf=b"%PDF", xlsx=b"PK")
    db.session.add(kept)
    db.session.commit()
    figures = timings.jobs(app, remake=False)
    assert figures["monthly_assessment_s"] is None and "not timed" in figures["monthly_assessment_result"]
    assert figures["deadline_watch_s"] > 0
    assert db.session.scalars(db.select(Report.id).where(Report.kind == "monthly_notice")).all() == [kept.id]
