"""The talk run page: each rule's units with their figures; the supervisor confirms in place (htmx);
rules page for the admin; who may open what."""
from datetime import datetime

from portal.extensions import db
from portal.talks.models import TalkRun
from portal.talks.operations import save_rule

HX = {"HX-Request": "true"}


def _rule(district, **extra):
    values = {"name": "月度末位约谈", "period_kind": "month", "measure": "composite", "selection": "bottom_n", "n": "1",
              "holder": "分管副区长", "unit_kinds": ["department"], "min_visits": "1", "active": True}
    return save_rule(district.admin, values | extra)


def test_run_page_lists_caught_units_and_confirms(app, rate_world, login):
    d = rate_world.d
    rule = _rule(d)
    app.config["FIXED_NOW"] = datetime(2026, 12, 2, 9, 0)  # November is over: the default period
    page = login(d.leader).get("/talks/").get_data(as_text=True)
    assert "2026年11月" in page and 'data-caught="区城管局"' in page and "59.17%" in page
    assert "确认名单" not in page  # only supervisors confirm
    client = login(d.supervisor)
    assert "确认名单并签发约谈通知书" in client.get("/talks/").get_data(as_text=True)
    response = client.post(f"/talks/rule/{rule.id}/confirm", headers=HX, data={"day": "2026-11-01"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "约谈〔2026〕第0001号" in body and "<html" not in body
    again = client.post(f"/talks/rule/{rule.id}/confirm", headers=HX, data={"day": "2026-11-01"})
    assert again.status_code == 422 and "已确认" in again.get_data(as_text=True)
    assert login(d.leader).post(f"/talks/rule/{rule.id}/confirm", data={"day": "2026-11-01"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(TalkRun)) == 1
    case_id = db.session.scalar(db.select(TalkRun)).cases[0].id
    assert login(d.leader).get(f"/talks/case/{case_id}").status_code == 200
    assert login(d.handler).get(f"/talks/case/{case_id}").status_code == 403


def test_period_not_over_cannot_be_confirmed(rate_world, login):
    d = rate_world.d
    rule = _rule(d)
    page = login(d.supervisor).get("/talks/?day=2026-11-24").get_data(as_text=True)
    assert "尚未结束" in page
    response = login(d.supervisor).post(f"/talks/rule/{rule.id}/confirm", headers=HX, data={"day": "2026-11-24"})
    assert response.status_code == 422 and "尚未结束" in response.get_data(as_text=True)


def test_rules_page(district, login):
    client = login(district.admin)
    data = {"name": "季度低于95%约谈", "period_kind": "quarter", "measure": "composite", "selection": "below_threshold",
            "threshold": "95", "holder": "区政府办公室主任", "unit_kinds": ["department", "street"], "min_visits": "1",
            "active": "1"}
    response = client.post("/talks/rules/save", data=data)
    assert response.status_code == 200 and "每季度综合满意率低于95%的单位，由区政府办公室主任约谈" in response.get_data(as_text=True)
    bad = client.post("/talks/rules/save", data=data | {"unit_kinds": []})
    assert bad.status_code == 422 and "参评单位" in bad.get_data(as_text=True)
    supervisor = login(district.supervisor)
    assert "季度低于95%约谈" in supervisor.get("/talks/rules").get_data(as_text=True)
    assert supervisor.post("/talks/rules/save", data=data).status_code == 403
