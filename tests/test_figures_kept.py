"""Kept figures (portal/figures): the dashboard and a month's assessment page read what the scheduler's job
stored, never older than FIGURES_MAX_AGE_SECONDS, with the same figures as the live computation; reports
never read them. The other tests run with the maximum age 0, so they test the live computation."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.assessment.grid import period_facts
from portal.assessment.operations import save_config
from portal.assessment.periods import parse
from portal.assessment.rates import DEFAULT_WEIGHTS, FACT_NAMES, compute
from portal.extensions import db
from portal.figures import sets
from portal.figures.models import FigureSnapshot
from portal.jobs.registry import jobs_for
from portal.orders.models import Order, ReturnVisit
from portal.reports.operations import generate_report
from tests.fixtures.assessment import AS_OF, set_times
from tests.fixtures.statements import recorded_statements

OCT = datetime(2026, 10, 20, 10, 0)


@pytest.fixture
def kept(app, rate_world):
    """The assessment data set, looked at on 2026-11-30 18:00, with figures kept for ten minutes."""
    app.config.update(FIXED_NOW=AS_OF, FIGURES_MAX_AGE_SECONDS=600, FIGURES_REFRESH_MINUTES=5)
    return rate_world


def _district_received(page: str) -> int:
    foot = page[page.index('data-row="全区"'):]
    return int(re.search(r'<td class="text-end">(\d+)</td>', foot).group(1))


def _month_received(page: str) -> int:
    return int(re.search(r'data-figure="本月受理">.*?fs-3 fw-bold[^>]*>(\d+)<', page, re.S).group(1))


def _snapshots() -> int:
    return db.session.scalar(select(func.count()).select_from(FigureSnapshot))


def _view(result):
    return ([(r.key, r.name, r.rank, r.rates, r.composite, {n: r.counts.get(n, 0) for n in FACT_NAMES})
             for r in result.rows],
            (result.total.rates, result.total.composite, {n: result.total.counts.get(n, 0) for n in FACT_NAMES}))


def test_kept_facts_give_the_live_figures_in_every_grouping(kept):
    # z1 moves to October (received, dispatched, deadlines, visit) so that two months have data
    z1 = kept.z1
    set_times(z1, received_at=OCT, dispatched_at=OCT, sign_due_at=OCT + timedelta(days=1),
              reply_due_at=OCT + timedelta(days=3), signed_at=OCT, replied_at=OCT + timedelta(days=1),
              closed_at=OCT + timedelta(days=2))
    db.session.execute(db.update(ReturnVisit).where(ReturnVisit.order_id == z1.id).values(at=OCT + timedelta(days=2)))
    db.session.commit()
    months = [parse("2026-09"), parse("2026-10"), parse("2026-11"), parse("2026-12")]
    facts = period_facts(months, AS_OF)
    assert facts["2026-10"]["district"]["received"] == 1 and facts["2026-09"]["unit"] == {}
    for period in months:
        stored = sets.MonthFacts(period, AS_OF, facts[period.key])
        for by in ("unit", "kind", "category", "district"):
            assert _view(stored.assessment(by)) == _view(compute(period, AS_OF, by=by)), (period.key, by)


def test_pages_serve_kept_figures_until_the_maximum_age(kept, app, login, received_orders):
    client = login(kept.d.leader)
    page = client.get("/assessment/?period=2026-11").get_data(as_text=True)  # nothing kept: computed, stored
    assert _district_received(page) == 7 and "数据截至 2026-11-30 18:00，每5分钟更新" in page
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert _month_received(dashboard) == 8 and "统计截至 11月30日 18:00，每5分钟更新" in dashboard
    assert _snapshots() > 0

    received_orders(3, datetime(2026, 11, 30, 12, 0))
    app.config["FIXED_NOW"] = AS_OF + timedelta(minutes=10)  # exactly the maximum age: still served
    assert _district_received(client.get("/assessment/?period=2026-11").get_data(as_text=True)) == 7
    assert _month_received(client.get("/dashboard/").get_data(as_text=True)) == 8

    app.config["FIXED_NOW"] = AS_OF + timedelta(minutes=10, seconds=1)  # older than that: computed again
    page = client.get("/assessment/?period=2026-11").get_data(as_text=True)
    assert _district_received(page) == 10 and 'data-figures-at="2026-11-30T18:10"' in page
    assert _month_received(client.get("/dashboard/").get_data(as_text=True)) == 11


def test_the_job_refreshes_what_the_pages_read(kept, app, login, received_orders):
    job = jobs_for(app)["figures_refresh"]
    assert job.run(AS_OF).startswith("更新统计快照 14 份")  # thirteen months and the dashboard's set
    assert set(db.session.scalars(select(FigureSnapshot.key).where(FigureSnapshot.kind == "assessment_month"))) \
        == {p.key for p in sets.kept_months(AS_OF)}
    client = login(kept.d.leader)
    assert _district_received(client.get("/assessment/?period=2026-11").get_data(as_text=True)) == 7

    received_orders(2, datetime(2026, 11, 30, 12, 0))
    app.config["FIXED_NOW"] = AS_OF + timedelta(minutes=5)
    assert _district_received(client.get("/assessment/?period=2026-11").get_data(as_text=True)) == 7
    job.run(AS_OF + timedelta(minutes=5))
    assert _district_received(client.get("/assessment/?period=2026-11").get_data(as_text=True)) == 9
    stamps = set(db.session.scalars(select(FigureSnapshot.computed_at)))
    assert stamps == {AS_OF + timedelta(minutes=5)}  # the job's run, not a page's


def test_the_job_counts_as_of_its_own_run_time(kept, app):
    """The scheduler hands each run its time; the figures are as of that time, not of the clock when the
    run happens to start (a run the scheduler catches up later)."""
    app.config["FIXED_NOW"] = AS_OF + timedelta(minutes=7)
    jobs_for(app)["figures_refresh"].run(AS_OF)
    assert set(db.session.scalars(select(FigureSnapshot.computed_at))) == {AS_OF}


def test_a_page_with_kept_figures_runs_few_statements(kept, app, login):
    client = login(kept.d.leader)
    sets.refresh(AS_OF)
    with recorded_statements() as seen:
        assert client.get("/dashboard/").status_code == 200
        dashboard = len(seen)
        assert client.get("/assessment/?period=2026-11").status_code == 200
        ranking = len(seen) - dashboard
    assert not any("GROUP BY" in s for s in seen), [s for s in seen if "GROUP BY" in s]  # nothing counted
    assert dashboard <= 14 and ranking <= 6, (dashboard, ranking)


def test_reports_never_read_kept_figures(kept, app, login):
    sets.refresh(AS_OF)
    row = db.session.scalar(select(FigureSnapshot).where(FigureSnapshot.key == "2026-11"))
    payload = dict(row.payload)
    payload["unit"] = [[None, [999 if name == "received" else 0 for name in FACT_NAMES]]]
    row.payload = payload
    db.session.commit()
    page = login(kept.d.leader).get("/assessment/?period=2026-11").get_data(as_text=True)
    assert _district_received(page) == 999  # the page reads what is kept...
    report = generate_report("monthly_notice", "2026-11", as_of=AS_OF)
    assert dict(report.figures["summary"])["受理工单"] == 7  # ...a report computes its own


def test_other_periods_are_computed_for_the_request(kept, app, login):
    page = login(kept.d.leader).get("/assessment/?period=2026-W48").get_data(as_text=True)
    assert "每5分钟更新" not in page and _snapshots() == 0


def test_with_maximum_age_zero_nothing_is_kept(app, rate_world, login):
    app.config["FIXED_NOW"] = AS_OF
    client = login(rate_world.d.leader)
    assert client.get("/dashboard/").status_code == 200
    page = client.get("/assessment/?period=2026-11").get_data(as_text=True)
    assert _district_received(page) == 7 and "分钟更新" not in page
    assert _snapshots() == 0
    assert "未启用" in jobs_for(app)["figures_refresh"].run(AS_OF)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 8


def test_a_changed_formula_shows_at_once_on_kept_figures(kept, login):
    sets.refresh(AS_OF)
    client = login(kept.d.leader)

    def chengguan(page):
        row = page[page.index('data-row="区城管局"'):]
        return re.search(r'data-rate="composite">([\d.]+%)<', row).group(1)

    before = chengguan(client.get("/assessment/?period=2026-11").get_data(as_text=True))
    save_config(kept.d.admin, {"basic_weight": 0.5, "partly_resolution": 0}, dict(DEFAULT_WEIGHTS))
    page = client.get("/assessment/?period=2026-11").get_data(as_text=True)
    live = compute(parse("2026-11"), AS_OF, by="unit").row(kept.d.chengguan.id).composite
    assert chengguan(page) == f"{live * 100:.2f}%" != before
    assert 'data-figures-at="2026-11-30T18:00"' in page  # the same kept counts, the new formula


def test_months_long_past_or_to_come_are_computed_but_not_kept(kept, login):
    client = login(kept.d.leader)
    for month in ("2026-12", "2001-01"):
        assert client.get(f"/assessment/?period={month}").status_code == 200
    assert _snapshots() == 0
    assert "分钟更新" not in client.get("/assessment/?period=2025-01").get_data(as_text=True)  # kept, not renewed
    assert _snapshots() == 1
