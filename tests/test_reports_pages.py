"""Report pages role by role: who lists, who downloads which kinds, who may generate; and the dashboard."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import generate_report
from tests.fixtures.assessment import AS_OF

ROLES = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler", "deputy"]
FULL = {"dispatcher", "supervisor", "leader", "admin"}
UNITS = {"handler", "unit_leader", "other_handler"}


@pytest.fixture
def two_reports(rate_world):
    notice = generate_report("monthly_notice", "2026-11", as_of=AS_OF)  # published to units
    ranking = generate_report("weekly_ranking", "2026-W48", as_of=AS_OF)  # for the office and leaders
    return notice, ranking


def test_downloads_by_role(two_reports, district, login):
    notice, ranking = two_reports
    for role in ROLES:
        client = login(district.people[role])
        for report in (notice, ranking):
            allowed = role in FULL or (role in UNITS and report is notice)
            pdf = client.get(f"/reports/{report.id}.pdf")
            xlsx = client.get(f"/reports/{report.id}.xlsx")
            if role == "deputy":
                assert pdf.status_code == xlsx.status_code == 403, role
            elif allowed:
                assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF"), (role, report.kind)
                assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK", (role, report.kind)
            else:
                assert pdf.status_code == xlsx.status_code == 404, (role, report.kind)


def test_the_list_shows_units_only_the_published(two_reports, district, login):
    page = login(district.handler).get("/reports/").get_data(as_text=True)
    assert 'data-report="monthly_notice:2026-11"' in page and "weekly_ranking" not in page
    assert "立即生成" not in page
    page = login(district.leader).get("/reports/?kind=weekly_ranking").get_data(as_text=True)
    assert 'data-report="weekly_ranking:2026-W48"' in page and 'data-report="monthly_notice' not in page
    assert "立即生成" not in page
    assert "立即生成" in login(district.supervisor).get("/reports/").get_data(as_text=True)


def test_generate_now(district, login, make_order):
    for role in ROLES:
        if role in ("supervisor", "admin"):
            continue
        response = login(district.people[role]).post("/reports/generate", data={"kind": "monthly_notice",
                                                                                  "period": "2026-10"})
        assert response.status_code == 403, role
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 0
    client = login(district.supervisor)
    response = client.post("/reports/generate", data={"kind": "monthly_notice", "period": "2026-10"},
                           follow_redirects=True)
    assert "已生成：2026年10月月度工作通报" in response.get_data(as_text=True)
    response = client.post("/reports/generate", data={"kind": "monthly_notice", "period": "2026-W40"},
                           follow_redirects=True)
    assert "月度工作通报按月生成" in response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert client.post(f"/reports/{report.id}/regenerate").status_code == 302
    assert login(district.leader).post(f"/reports/{report.id}/regenerate").status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1


def test_dashboard_links_its_figures_to_orders(rate_world, district, login):
    client = login(district.leader)
    assert client.get("/").headers["Location"].endswith("/dashboard/")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert page.count('class="bar"') >= 12  # twelve months of volumes, plus the ranking's units
    assert "/orders/?start=2026-11-01&amp;end=2026-11-30" in page
    assert f"/orders/?unit={district.chengguan.id}&amp;start=2026-11-01" in page
    assert "/orders/?deadline=overdue" in page and 'data-state="accepted"' in page
    fragment = client.get("/dashboard/?unit_kind=street", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "承办单位综合得分排名" in fragment


def test_dashboard_roles(district, login):
    for role in ROLES:
        expected = 200 if role in FULL else 403
        assert login(district.people[role]).get("/dashboard/").status_code == expected, role
