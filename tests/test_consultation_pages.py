"""Consultation pages through the client: the lists per role, the case page, the forms (bad input gets a
Chinese error and changes nothing), the order page's panel, the inbox alert, and who may see what."""
import re

import pytest
from sqlalchemy import func, select

from portal.consultation import operations
from portal.consultation.models import Consultation, ConsultationInvitation
from portal.extensions import db

HX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def count_cases() -> int:
    return db.session.scalar(select(func.count(Consultation.id)))


def fresh(case) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, case.id)


# --- lists -------------------------------------------------------------------------------------------

def test_lists_per_role(district, invited_case, open_case, make_order, login):
    other = open_case(orders=[make_order("accepted", lead=district.street)], title="城关街道路灯长期不亮")
    requested = operations.request_case(district.handler, [make_order("accepted").id], "joint",
                                        "建设路夜市噪音扰民", "夜市涉及城管、生态环境和街道，需要联合会商。")

    page = text(login(district.dispatcher).get("/consultations/?tab=all"))
    assert invited_case.title in page and other.title in page and requested.title in page
    assert "发起会商" in page
    requested_tab = text(login(district.dispatcher).get("/consultations/?tab=requested", headers=HX))
    assert requested.title in requested_tab and invited_case.title not in requested_tab

    leader = text(login(district.leader).get("/consultations/?tab=open"))
    assert invited_case.title in leader and other.title in leader and "我负责的" in leader
    mine = text(login(district.leader).get("/consultations/?tab=mine"))
    assert invited_case.title not in mine
    operations.take_over(district.leader, invited_case, None)
    assert invited_case.title in text(login(district.leader).get("/consultations/?tab=mine"))

    # 区住建局 is invited to one case: it sees that one first, waiting for its opinion, and no other
    unit = login(district.other_handler).get("/consultations/")
    body = text(unit)
    assert invited_case.title in body and "待提交书面意见" in body
    assert other.title not in body and requested.title not in body

    # 城关街道 takes part in its own order's case only
    street = text(login(district.street_handler).get("/consultations/?tab=all"))
    assert other.title in street and invited_case.title not in street

    # the office's filters
    filtered = text(login(district.dispatcher).get("/consultations/?tab=all&kind=responsibility"))
    assert invited_case.title not in filtered


def test_deputies_and_admins_have_no_consultations(district, invited_case, login):
    for role in ("deputy", "admin"):
        client = login(district.people[role])
        assert client.get("/consultations/").status_code == 403
        assert client.get(f"/consultations/{invited_case.id}").status_code == 404
        assert client.post(f"/consultations/{invited_case.id}/take-over").status_code == 404


# --- the case page -----------------------------------------------------------------------------------

def test_the_case_page_as_the_office(district, invited_case, login):
    case = invited_case
    operations.submit_opinion(district.handler, case, "占道经营属城管执法范围，室内经营需市场监管配合。")
    page = text(login(district.dispatcher).get(f"/consultations/{case.id}"))
    order = case.orders[0]
    assert case.title in page and "联合会商" in page and "筹备中" in page
    assert f'href="/orders/{order.id}"' in page and order.number in page
    history = page.split("data-recent-history", 1)[1].split("</ul>", 1)[0]
    assert "签收" in history and "派发" in history and "纳入" not in history  # the order's own last events
    assert "区政务服务中心三楼会议室" in page
    assert "已提交书面意见 1/3" in page
    assert "室内经营需市场监管配合" in page  # the office reads every opinion
    assert re.search(r'data-invitee="区住建局".*?data-not-answered', page, re.S)
    for action in ("invite", "escalate", "remind"):
        assert f'data-action="{action}"' in page
    assert 'data-action="take_over"' not in page  # leaders only
    assert "会商过程" in page and "发出邀请" in page


def test_a_unit_sees_its_own_opinion_but_not_another_units(district, invited_case, login):
    case = invited_case
    operations.submit_opinion(district.handler, case, "占道经营属城管执法范围，室内经营需市场监管配合。")
    operations.submit_opinion(district.other_handler, case, "住建局不承担占道经营管理职责，可配合提供资料。")
    own = text(login(district.handler_b).get(f"/consultations/{case.id}"))
    assert "室内经营需市场监管配合" in own and "住建局不承担" not in own
    assert re.search(r'data-invitee="区住建局".*?data-answered', own, re.S)  # answered, text hidden
    assert 'data-action="opinion"' in own and 'data-action="invite"' not in own
    other = text(login(district.other_handler).get(f"/consultations/{case.id}"))
    assert "住建局不承担" in other and "室内经营需市场监管配合" not in other
    # an invited unit not on the order sees the matter, not a link into the order
    assert f'href="/orders/{case.orders[0].id}"' not in other and case.orders[0].content in other
    leader = text(login(district.leader).get(f"/consultations/{case.id}"))
    assert "住建局不承担" in leader and "室内经营需市场监管配合" in leader


def test_a_unit_not_taking_part_gets_404(district, invited_case, login):
    client = login(district.street_handler)
    case_id = invited_case.id
    assert client.get(f"/consultations/{case_id}").status_code == 404
    for path in ("opinion", "remind", "approve", "decline", "take-over", "invite", "escalate"):
        assert client.post(f"/consultations/{case_id}/{path}", data={"text": "街道认为应由城管牵头。"}).status_code == 404
    assert client.get("/consultations/999999").status_code == 404
    assert db.session.scalar(select(func.count(ConsultationInvitation.id)).where(
        ConsultationInvitation.opinion.is_not(None))) == 0


def test_a_participating_unit_cannot_run_the_case(district, invited_case, login):
    client = login(district.handler)
    assert client.get(f"/consultations/{invited_case.id}/invite").status_code == 403
    assert client.get(f"/consultations/{invited_case.id}/escalate").status_code == 403
    response = client.post(f"/consultations/{invited_case.id}/remind", headers=HX)
    assert response.status_code == 422 and "只有区热线办" in text(response)


# --- forms -------------------------------------------------------------------------------------------

def test_opinion_form_through_htmx(district, invited_case, login):
    client = login(district.other_handler)
    bad = client.post(f"/consultations/{invited_case.id}/opinion", data={"text": "同意"}, headers=HX)
    assert bad.status_code == 422 and "至少4个字" in text(bad) and 'id="opinion-card"' in text(bad)
    assert "<html" not in text(bad)
    assert operations.own_invitation(district.other_handler, fresh(invited_case)).opinion is None
    good = client.post(f"/consultations/{invited_case.id}/opinion",
                       data={"text": "住建局不承担占道经营管理职责，可配合提供资料。"}, headers=HX)
    assert good.status_code == 200 and "书面意见已提交" in text(good) and "修改意见" in text(good)
    assert operations.own_invitation(district.other_handler, fresh(invited_case)).opinion.startswith("住建局")
    office = login(district.dispatcher).post(f"/consultations/{invited_case.id}/opinion",
                                             data={"text": "热线办认为应由城管牵头。"}, headers=HX)
    assert office.status_code == 422 and "未受邀" in text(office)


def test_remind_swaps_the_invitation_status(district, invited_case, login):
    response = login(district.dispatcher).post(f"/consultations/{invited_case.id}/remind", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "已催交3家" in body and "已催1次" in body
    assert body.lstrip().startswith(f'<div id="invitations-{invited_case.meeting.id}"')


def test_open_a_case_directly_through_the_form(district, make_order, login):
    order = make_order("accepted")
    client = login(district.dispatcher)
    form = text(client.get(f"/consultations/new?order={order.id}"))
    assert order.number in form and "联席研判" in form and "提交常务会" in form
    for data, message in [
        ({"numbers": order.number, "kind": "joint", "title": "", "summary": "需要多部门联合解决的问题。"}, "会商事项名称"),
        ({"numbers": "SX-NOPE", "kind": "joint", "title": "占道经营", "summary": "需要多部门联合解决的问题。"}, "找不到工单：SX-NOPE"),
        ({"numbers": order.number, "kind": "nope", "title": "占道经营", "summary": "需要多部门联合解决的问题。"}, "会商类型"),
        ({"numbers": "", "kind": "joint", "title": "占道经营", "summary": "需要多部门联合解决的问题。"}, "至少选择一件"),
    ]:
        response = client.post("/consultations/new", data=data)
        assert response.status_code == 422 and message in text(response), data
        assert data["title"] in text(response)  # what was typed comes back
    assert count_cases() == 0
    response = client.post("/consultations/new", data={"numbers": order.number, "kind": "responsibility",
                                                       "title": "占道经营职责划分", "summary": "城管与市场监管职责边界不清。"})
    assert response.status_code == 302
    case = db.session.scalars(select(Consultation)).one()
    assert response.headers["Location"].endswith(f"/consultations/{case.id}")
    assert case.kind == "responsibility" and case.owner_id == district.dispatcher.id


def test_a_unit_requests_from_the_order_page(district, make_order, login):
    order = make_order("accepted")
    client = login(district.handler)
    order_page = text(client.get(f"/orders/{order.id}"))
    assert "data-request-consultation" in order_page and f"/consultations/request?order={order.id}" in order_page
    form = text(client.get(f"/consultations/request?order={order.id}"))
    assert 'id="source-order"' in form and order.content in form
    assert order.number in form and "提交常务会" not in form  # a unit asks for consultation or joint review
    response = client.post("/consultations/request", data={"numbers": order.number, "kind": "joint",
                                                           "title": "建设路占道经营", "summary": "多次办理群众仍不满意，需联合会商。"})
    assert response.status_code == 302
    case = db.session.scalars(select(Consultation)).one()
    assert case.state == "requested" and case.requested_by_unit_id == district.chengguan.id
    after = text(client.get(f"/orders/{order.id}"))
    assert "data-request-consultation" not in after and f"/consultations/{case.id}" in after and "待审批" in after
    # the office sees the case on the order page
    assert f"/consultations/{case.id}" in text(login(district.dispatcher).get(f"/orders/{order.id}"))


def test_a_unit_may_not_request_on_an_order_it_does_not_lead(district, make_order, login):
    order = make_order("accepted", assist=[district.zhujian])
    client = login(district.other_handler)  # 区住建局 assists
    assert "data-request-consultation" not in text(client.get(f"/orders/{order.id}"))
    response = client.post("/consultations/request", data={"numbers": order.number, "kind": "joint",
                                                           "title": "建设路占道经营", "summary": "多次办理群众仍不满意，需联合会商。"})
    assert response.status_code == 422 and "不是本单位主办" in text(response)
    hidden = make_order("accepted", caller_phone="13900002222")  # 区城管局's, invisible to 区住建局
    response = client.post("/consultations/request", data={"numbers": hidden.number, "kind": "joint",
                                                           "title": "建设路占道经营", "summary": "多次办理群众仍不满意，需联合会商。"})
    assert response.status_code == 422 and f"找不到工单：{hidden.number}" in text(response)
    assert count_cases() == 0


def test_approve_and_decline_on_the_page(district, make_order, login):
    orders = [make_order("accepted"), make_order("accepted", caller_phone="13900003333")]
    cases = [operations.request_case(district.handler, [o.id], "joint", "建设路占道经营",
                                     "多次办理群众仍不满意，需联合会商。") for o in orders]
    client = login(district.dispatcher)
    page = text(client.get(f"/consultations/{cases[0].id}"))
    assert 'data-action="approve"' in page and 'data-action="decline"' in page
    assert client.post(f"/consultations/{cases[0].id}/approve").status_code == 302
    assert fresh(cases[0]).state == "preparing"
    again = client.post(f"/consultations/{cases[0].id}/approve")
    assert again.status_code == 422 and "不能同意会商" in text(again)
    bad = client.post(f"/consultations/{cases[1].id}/decline", data={"reason": ""})
    assert bad.status_code == 422 and "不予会商的理由" in text(bad) and fresh(cases[1]).state == "requested"
    assert client.post(f"/consultations/{cases[1].id}/decline", data={"reason": "属本单位职责范围"}).status_code == 302
    assert fresh(cases[1]).state == "declined"
    # the requesting unit sees the reason; it cannot approve
    unit = login(district.handler)
    assert "属本单位职责范围" in text(unit.get(f"/consultations/{cases[1].id}"))
    assert unit.post(f"/consultations/{cases[0].id}/approve").status_code == 422


@pytest.mark.parametrize("form, message", [
    ({"scheduled_at": "", "place": "区政府第二会议室"}, "请填写会议时间"),
    ({"scheduled_at": "明天上午", "place": "区政府第二会议室"}, "会议时间格式不正确"),
    ({"scheduled_at": "2026-11-20T09:00", "place": "区政府第二会议室"}, "会议时间须晚于现在"),
    ({"scheduled_at": "2026-11-27T09:00", "place": ""}, "请填写会议地点"),
])
def test_invite_form_errors_change_nothing(district, open_case, login, form, message):
    case = open_case()
    client = login(district.dispatcher)
    page = text(client.get(f"/consultations/{case.id}/invite"))
    assert 'value="2026-11-26T09:30"' in page  # two working days ahead
    assert re.search(rf'value="{district.chengguan.id}" id="unit-{district.chengguan.id}"\s+checked', page)
    response = client.post(f"/consultations/{case.id}/invite", data={**form, "unit": [district.zhujian.id]})
    assert response.status_code == 422 and message in text(response)
    assert fresh(case).meeting.invitations == [] and fresh(case).meeting.place is None


def test_invite_through_the_form(district, open_case, login):
    case = open_case()
    client = login(district.dispatcher)
    response = client.post(f"/consultations/{case.id}/invite", data={
        "scheduled_at": "2026-11-26T09:30", "place": "区政府第二会议室", "opinions_due": "2026-11-25T17:00",
        "unit": [district.chengguan.id, district.zhujian.id], "leader": [district.leader.id]})
    assert response.status_code == 302
    meeting = fresh(case).meeting
    assert [i.name for i in meeting.invitations] == ["区城管局", "区住建局", district.leader.name]
    assert meeting.opinions_due.hour == 17
    page = text(client.get(f"/consultations/{case.id}/invite"))
    assert "（已邀请）" in page and "调整时间地点" in text(client.get(f"/consultations/{case.id}"))


def test_escalate_and_take_over_on_the_page(district, invited_case, login):
    case = invited_case
    operations.submit_opinion(district.handler, case, "需规划设置疏导点，城管无法单独解决。")
    client = login(district.dispatcher)
    form = text(client.get(f"/consultations/{case.id}/escalate"))
    assert "区城管局：需规划设置疏导点" in form  # the positions start from the written opinions
    bad = client.post(f"/consultations/{case.id}/escalate", data={"summary": "建设路占道经营需规划调整。",
                                                                   "positions": "城管局：需规划", "options": ""})
    assert bad.status_code == 422 and "建议方案" in text(bad) and fresh(case).round == 1
    good = client.post(f"/consultations/{case.id}/escalate", data={
        "summary": "建设路占道经营需规划调整。", "positions": "城管局：需规划", "options": "方案一：设置疏导点。"})
    assert good.status_code == 302 and fresh(case).kind == "executive"
    page = text(client.get(f"/consultations/{case.id}"))
    assert "第2轮 · 提交常务会" in page and "第1轮 · 联合会商" in page and "历史轮次" in page
    assert "data-brief" in page and "方案一：设置疏导点。" in page
    assert "需规划设置疏导点" in page  # round 1's opinion is still there

    leader = login(district.leader)
    assert 'data-action="take_over"' in text(leader.get(f"/consultations/{case.id}"))
    assert leader.post(f"/consultations/{case.id}/take-over", data={"note": "本人牵头协调。"}).status_code == 302
    page = text(leader.get(f"/consultations/{case.id}"))
    assert f"{district.leader.name}领办" in page and 'data-action="take_over"' not in page
    order_page = text(leader.get(f"/orders/{case.orders[0].id}"))
    assert "区领导领办" in order_page and "提交常务会" in order_page  # the order's timeline


def test_inbox_alert_for_opinions(district, invited_case, login):
    page = text(login(district.other_handler).get("/orders/inbox"))
    assert "1</strong> 个会商待提交书面意见" in page
    operations.submit_opinion(district.other_handler, invited_case, "住建局不承担占道经营管理职责。")
    assert "个会商待提交书面意见" not in text(login(district.other_handler).get("/orders/inbox"))
    assert "个会商待提交书面意见" not in text(login(district.street_handler).get("/orders/inbox"))


def test_navigation_entry(district, login):
    for role in ("dispatcher", "supervisor", "leader", "handler", "unit_leader"):
        assert "会商研判" in text(login(district.people[role]).get("/orders/"))
    assert "会商研判" not in text(login(district.admin).get("/orders/"))
