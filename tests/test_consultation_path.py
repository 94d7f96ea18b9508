"""The whole path of a consultation case, from a unit's request to the leader's take-over, through the
real operations and pages: what a dispatcher, a unit, a leader and an outsider each see on the way."""
from datetime import timedelta

from portal.clock import now
from portal.consultation import documents, meetings, operations
from portal.deadlines.queries import work_calendar
from portal.dispatching.suggest import suggest
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders.models import OrderEvent

PLACE = "区政务服务中心三楼会议室"


def _actions(order):
    return [e.action for e in db.session.scalars(
        db.select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))]


def _notes(user, kind=None):
    query = db.select(Notification.text).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def test_request_to_take_over(app, district, make_order, make_unit, make_user, login):
    d = district
    first, second = make_order("accepted"), make_order("accepted")

    # A lead unit asks; the office approves; each order's timeline says so.
    case = operations.request_case(d.handler, [first.id, second.id], "joint", "建设路占道经营反复投诉",
                                   "占道经营涉及城管、住建和街道，多次办理群众仍不满意，请热线办组织会商。")
    assert case.state == "requested"
    operations.approve(d.dispatcher, case)
    assert case.state == "preparing" and "consult_open" in _actions(first)

    # Convening: invitations reach the units' inboxes; one unit answers, the other is reminded.
    meeting_at = work_calendar().add_workdays(now(), 2).replace(hour=14, minute=30)
    operations.invite(d.dispatcher, case, [d.chengguan.id, d.zhujian.id], [d.leader.id], meeting_at, PLACE)
    assert any("会商" in text for text in _notes(d.other_handler))
    operations.submit_opinion(d.other_handler, case, "住建局意见：小区周边道路养护由我局负责，占道摊点执法不在我局职责内。")
    reminded = operations.remind(d.dispatcher, case)
    assert {(i.unit_id, i.user_id) for i in reminded} == {(d.chengguan.id, None), (None, d.leader.id)}
    page = login(d.dispatcher).get(f"/consultations/{case.id}").get_data(as_text=True)
    assert "住建局意见" in page and PLACE in page
    notice = documents.issue_notice(d.dispatcher, case)
    assert notice.kind == "notice" and notice.number

    # The meeting decides: 区住建局 leads the first order with the street assisting; 区城管局 keeps the second.
    due = work_calendar().add_workdays(now(), 3).date()
    invitations = case.meeting.invitations
    meetings.record_meeting(
        d.dispatcher, case,
        attendance=[{"invitation_id": i.id, "present": True, "attendee": "分管负责人"} for i in invitations],
        minutes="会议听取了各单位意见，明确了建设路占道经营问题的主协办单位和完成时限。",
        decisions=[
            {"order_id": first.id, "lead_unit_id": d.zhujian.id, "assist_unit_ids": [d.street.id],
             "duties": [{"unit_id": d.zhujian.id, "duty": "修复路面并设置隔离设施", "due": due.isoformat()},
                        {"unit_id": d.street.id, "duty": "组织社区劝导摊贩入市经营", "due": due.isoformat()}]},
            {"order_id": second.id, "lead_unit_id": d.chengguan.id, "assist_unit_ids": [],
             "duties": [{"unit_id": d.chengguan.id, "duty": "每日早晚高峰巡查", "due": due.isoformat()}]},
        ])
    minutes = documents.issue_minutes(d.dispatcher, case)
    tasks = meetings.apply_decisions(d.dispatcher, case)
    assert case.state == "following" and len(tasks) == 3

    # Applied through the order operations: an event on each order, the new lead unit holds the first one.
    db.session.refresh(first)
    assert _actions(first)[-1] == "reassign" and first.lead_unit_id == d.zhujian.id
    assert first.handler_id == d.other_handler.id and first.state == "dispatched"
    reassign = db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == first.id)
                                  .order_by(OrderEvent.id.desc())).first()
    assert minutes.number in reassign.note
    assert _actions(second)[-1] == "reassign"

    # A follow-up item goes overdue: the case page and the leaders' dashboard show it, the job tells once.
    app.config["FIXED_NOW"] = now().replace(hour=9) + timedelta(days=10)
    assert meetings.notify_overdue(now()) == 3 and meetings.notify_overdue(now()) == 0
    assert "已超期" in login(d.dispatcher).get(f"/consultations/{case.id}").get_data(as_text=True)
    dashboard = login(d.leader).get("/dashboard/").get_data(as_text=True)
    assert "会商落实事项超期" in dashboard and "修复路面并设置隔离设施" in dashboard

    # Not settled: escalated to the executive meeting with a brief; the first round stays on record.
    operations.escalate(d.dispatcher, case, "建设路占道经营问题经会商仍未解决。", "住建局：应由城管执法；城管局：应先完善市场。",
                        "一、设立临时疏导点；二、纳入背街小巷整治计划。")
    assert case.kind == "executive" and case.round == 2 and case.state == "preparing"
    assert case.meetings[0].minutes and len(case.meetings[0].decisions) == 2
    assert "consult_escalate" in _actions(first)

    # A vice district head takes it over and owns it from now on.
    operations.take_over(d.leader, case, "由分管副区长牵头协调。")
    assert case.owner_id == d.leader.id and "consult_take_over" in _actions(second)
    assert any(e.action == "take_over" for e in case.events)

    # A unit that takes no part sees nothing of it.
    stranger = make_user("handler", make_unit("区文旅局"))
    assert login(stranger).get(f"/consultations/{case.id}").status_code == 404
    assert "建设路占道经营反复投诉" not in login(stranger).get("/consultations/").get_data(as_text=True)


def test_a_responsibility_review_changes_the_next_dispatch_suggestion(district, make_order, login):
    d = district
    content = "小区门口共享单车乱停放，堵住消防通道，请尽快清理。"
    order = make_order("accepted", content=content)
    before = [s["unit_id"] for s in suggest(content=content)["lead"]]
    assert d.zhujian.id not in before[:1]

    case = operations.open_case(d.dispatcher, [order.id], "responsibility", "共享单车乱停放职责认定",
                                "共享单车停放管理职责不清，城管局与住建局互相推诿，需联席研判确定主协办。")
    operations.invite(d.dispatcher, case, [d.chengguan.id, d.zhujian.id], [],
                      work_calendar().add_workdays(now(), 1).replace(hour=9), PLACE)
    due = work_calendar().add_workdays(now(), 5).date().isoformat()
    meetings.record_meeting(
        d.dispatcher, case,
        attendance=[{"invitation_id": i.id, "present": True, "attendee": "科长"} for i in case.meeting.invitations],
        minutes="经联席研判，共享单车停放秩序由区住建局牵头，区城管局配合。",
        decisions=[{"order_id": order.id, "lead_unit_id": d.zhujian.id, "assist_unit_ids": [d.chengguan.id],
                    "duties": [{"unit_id": d.zhujian.id, "duty": "约谈运营企业清理车辆", "due": due},
                               {"unit_id": d.chengguan.id, "duty": "配合清理消防通道", "due": due}]}],
        rulings=[{"matter": "共享单车停放管理", "keywords": "共享单车、单车乱停", "lead_unit_id": d.zhujian.id,
                  "assist_unit_ids": [d.chengguan.id]}])
    meetings.apply_decisions(d.dispatcher, case)

    after = suggest(content=content)["lead"]
    assert after[0]["unit_id"] == d.zhujian.id and after[0]["source"] == "list"
    page = login(d.dispatcher).get("/dispatching/list").get_data(as_text=True)
    assert f"/consultations/{case.id}" in page
