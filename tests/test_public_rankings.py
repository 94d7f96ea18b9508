"""Published rankings: the office publishes a finished month or quarter; the public sees only that,
frozen, with its formulas; republishing is refused unless it is an explicit correction."""
from datetime import datetime

import pytest

from portal.assessment import rates
from portal.assessment.periods import parse
from portal.extensions import db
from portal.public.models import PublishedRanking
from portal.public.operations import Refused, publish_ranking


def _row(figures, unit):
    return next(r for g in figures["groups"] for r in g["rows"] if r["unit"] == unit)


def test_publishing_freezes_the_figures(district, october_order, published_ranking, client):
    october_order("closed")
    october_order("closed", satisfaction="unsatisfied")
    ranking = published_ranking("2026-10")
    before = _row(ranking.figures, "区城管局")
    assert before["rates"]["satisfaction_process"] == 50.0 and before["rank"] == 1
    assert "满意 + 基本满意 × 1" in ranking.figures["formulas"]["satisfaction_process"]
    assert ranking.figures["parameters"]["params"]["basic_weight"] == 1.0

    # later: more October orders come to light; recomputing gives other figures, the publication does not move
    october_order("closed")
    october_order("closed")
    now_figures = rates.compute(parse("2026-10"), datetime(2026, 11, 24, 10, 0), by="unit")
    cg = next(r for r in now_figures.rows if r.name == "区城管局")
    assert cg.rates["satisfaction_process"] == pytest.approx(0.75)
    db.session.expire_all()
    stored = db.session.get(PublishedRanking, ranking.id)
    assert _row(stored.figures, "区城管局")["rates"]["satisfaction_process"] == 50.0
    page = client.get("/public/rankings/2026-10").get_data(as_text=True)
    assert "50.00%" in page and "75.00%" not in page and "区城管局" in page
    assert 'data-formula="satisfaction_process"' in page


def test_republishing_is_refused_and_a_correction_is_a_new_version(district, october_order, published_ranking,
                                                                 client):
    october_order("closed", satisfaction="unsatisfied")
    first = published_ranking("2026-10")
    with pytest.raises(Refused, match="已发布"):
        published_ranking("2026-10")
    with pytest.raises(Refused, match="至少5个字"):
        published_ranking("2026-10", correction_reason="有误")
    assert db.session.query(PublishedRanking).count() == 1
    october_order("closed")
    second = published_ranking("2026-10", correction_reason="经复核，补录10月漏统计的1件工单。")
    assert (second.version, second.correction_of_id) == (2, first.id)
    assert _row(second.figures, "区城管局")["rates"]["satisfaction_process"] == 50.0
    assert _row(first.figures, "区城管局")["rates"]["satisfaction_process"] == 0.0
    page = client.get("/public/rankings/2026-10").get_data(as_text=True)
    assert "更正说明" in page and "补录10月漏统计" in page and "50.00%" in page
    listing = client.get("/public/rankings").get_data(as_text=True)
    assert listing.count('href="/public/rankings/2026-10"') == 1 and "已更正" in listing


@pytest.mark.parametrize("key, message", [
    ("2026-11", "尚未结束"), ("2026-W40", "月度或季度"), ("2026", "月度或季度"), ("nonsense", "无法识别")])
def test_only_finished_months_and_quarters(district, key, message):
    with pytest.raises(Refused, match=message):
        publish_ranking(district.dispatcher, key)
    assert db.session.query(PublishedRanking).count() == 0


def test_a_period_without_data_is_not_published(district, october_order):
    october_order("closed")
    with pytest.raises(Refused, match="没有可排名"):
        publish_ranking(district.dispatcher, "2026-09")
    assert db.session.query(PublishedRanking).count() == 0


@pytest.mark.parametrize("role", ["supervisor", "leader", "admin", "handler", "deputy"])
def test_only_the_office_publishes(district, role):
    with pytest.raises(Refused, match="热线办"):
        publish_ranking(district.people[role], "2026-10")


def test_unpublished_period_is_404(district, october_order, published_ranking, client):
    october_order("closed")
    october_order("closed", when=datetime(2026, 8, 3, 9, 0))
    assert client.get("/public/rankings/2026-10").status_code == 404
    assert client.get("/public/rankings/2026-Q3").status_code == 404
    assert client.get("/public/rankings/garbage").status_code == 404
    listing = client.get("/public/rankings")
    assert listing.status_code == 200 and "暂无已发布的排名" in listing.get_data(as_text=True)
    published_ranking("2026-Q3")
    assert client.get("/public/rankings/2026-10").status_code == 404
    response = client.get("/public/rankings/2026-Q3")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=300"


def test_quarter_ranks_within_unit_kind(district, october_order, published_ranking, client):
    october_order("closed")
    october_order("closed", lead=district.zhujian, satisfaction="unsatisfied")
    october_order("closed", lead=district.street, satisfaction="unsatisfied")
    figures = published_ranking("2026-10").figures
    departments = next(g for g in figures["groups"] if g["kind"] == "区直部门")
    assert [(r["unit"], r["rank"]) for r in departments["rows"]] == [("区城管局", 1), ("区住建局", 2)]
    streets = next(g for g in figures["groups"] if g["kind"] == "街道/镇")
    assert streets["rows"][0]["rank"] == 1


def test_office_previews_and_publishes(district, october_order, login):
    october_order("closed")
    client = login(district.dispatcher)
    assert "2026年10月" in client.get("/publishing/").get_data(as_text=True)
    preview = client.get("/publishing/rankings/preview?period=2026-10").get_data(as_text=True)
    assert "预览，未发布" in preview and "区城管局" in preview
    assert client.get("/public/rankings/2026-10").status_code == 404  # a preview publishes nothing
    response = client.post("/publishing/rankings/publish", data={"period": "2026-10"}, follow_redirects=True)
    assert "排名已发布" in response.get_data(as_text=True)
    again = client.post("/publishing/rankings/publish", data={"period": "2026-10"}, follow_redirects=True)
    assert "已发布的数据不再变动" in again.get_data(as_text=True)
    assert db.session.query(PublishedRanking).count() == 1
    bad = client.get("/publishing/rankings/preview?period=2026-11", follow_redirects=True).get_data(as_text=True)
    assert "尚未结束" in bad


@pytest.mark.parametrize("role", ["supervisor", "leader", "admin", "handler", "unit_leader", "deputy"])
def test_office_pages_are_for_dispatchers(district, role, login):
    client = login(district.people[role])
    assert client.get("/publishing/").status_code == 403
    assert client.get("/publishing/orders").status_code == 403
    assert client.post("/publishing/rankings/publish", data={"period": "2026-10"}).status_code == 403
    assert db.session.query(PublishedRanking).count() == 0


def test_login_page_links_the_public_pages(client):
    page = client.get("/login").get_data(as_text=True)
    assert "公开信息" in page and 'href="/public/rankings"' in page and 'href="/open311/"' in page


def test_public_pages_use_the_public_layout(district, october_order, published_ranking, login):
    october_order("closed")
    published_ranking("2026-10")
    client = login(district.dispatcher)  # even for a logged-in member of staff: no staff navigation, no name
    for url in ("/public/rankings", "/public/rankings/2026-10", "/open311/"):
        page = client.get(url).get_data(as_text=True)
        assert "公开信息" in page and "派单池" not in page and "退出" not in page
        assert district.dispatcher.name not in page
