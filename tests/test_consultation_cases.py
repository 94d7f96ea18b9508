"""A consultation case's life through its operations: request and approval, decline, opening directly,
invitations and their notifications, written opinions, reminders, escalation and a leader's take-over;
and refused actions that change nothing."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.consultation import operations, queries
from portal.consultation.models import Consultation, ConsultationEvent
from portal.consultation.operations import InvalidInput, Refused
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders.models import OrderEvent, OrderLink
from portal.template_helpers import event_label
from tests.fixtures.consultation import PLACE

MEETING = datetime(2026, 11, 26, 14, 30)


def notes_for(user, kind="consultation"):
    return db.session.scalars(select(Notification.text).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)).all()


def order_events(order, action):
    return db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.action == action)).all()


def case_events(case):
    return [e.action for e in db.session.scalars(select(ConsultationEvent).where(
        ConsultationEvent.consultation_id == case.id).order_by(ConsultationEvent.id))]


def snapshot(case):
    db.session.expire_all()
    fresh = db.session.get(Consultation, case.id)
    return (fresh.state, fresh.kind, fresh.round, fresh.owner_id, fresh.version, len(fresh.meetings),
            len(fresh.events), db.session.scalar(select(func.count(Notification.id))))


# --- request, approve, decline -----------------------------------------------------------------------

def test_a_lead_unit_requests_and_the_office_approves(district, make_order, make_user):
    order = make_order("accepted")
    case = operations.request_case(district.handler, [order.id], "joint", "建设路占道经营反复投诉",
                                   "涉及城管、市场监管和街道，多次办理群众仍不满意。")
    assert case.state == "requested" and case.requested_by_unit_id == district.chengguan.id
    assert case.meetings == []
    assert notes_for(district.dispatcher) == ["区城管局申请会商：建设路占道经营反复投诉，请审批。"]
    assert order_events(order, "consult_open") == []  # not yet a consultation

    operations.approve(district.dispatcher, case)
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert case.state == "preparing" and case.owner_id == district.dispatcher.id
    assert [(m.round, m.kind) for m in case.meetings] == [(1, "joint")]
    assert case_events(case) == ["request", "approve"]
    [event] = order_events(order, "consult_open")
    assert event.from_state == event.to_state == "accepted" and event.data == {"consultation_id": case.id}
    assert event_label("consult_open") == "纳入会商"
    assert any("已同意" in t for t in notes_for(district.handler))
    assert any("已同意" in t for t in notes_for(district.unit_leader))


def test_the_office_declines_with_a_reason_the_unit_is_told(district, make_order):
    order = make_order("accepted")
    case = operations.request_case(district.handler, [order.id], "responsibility", "占道经营职责划分",
                                   "城管与市场监管对室内外经营的职责边界有争议。")
    with pytest.raises(InvalidInput, match="理由"):
        operations.decline(district.dispatcher, case, "  ")
    operations.decline(district.dispatcher, case, "属本单位职责，请按职责办理。")
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert case.state == "declined" and case.decline_reason == "属本单位职责，请按职责办理。"
    assert case.meetings == []
    assert any("属本单位职责" in t for t in notes_for(district.handler))
    # declined: the order may be asked about again
    assert queries.may_request(district.handler, order)


def test_only_the_lead_unit_may_request(district, make_order):
    order = make_order("accepted", assist=[district.zhujian])
    with pytest.raises(Refused, match="主办"):
        operations.request_case(district.other_handler, [order.id], "joint", "占道经营", "需要多部门联合解决的问题。")
    with pytest.raises(Refused, match="承办单位"):
        operations.request_case(district.dispatcher, [order.id], "joint", "占道经营", "需要多部门联合解决的问题。")
    with pytest.raises(InvalidInput, match="会商类型"):
        operations.request_case(district.handler, [order.id], "executive", "占道经营", "需要多部门联合解决的问题。")
    assert db.session.scalar(select(func.count(Consultation.id))) == 0


def test_a_unit_cannot_approve_and_approving_twice_is_refused(district, make_order):
    order = make_order("accepted")
    case = operations.request_case(district.handler, [order.id], "joint", "占道经营", "需要多部门联合解决的问题。")
    before = snapshot(case)
    with pytest.raises(Refused, match="热线办"):
        operations.approve(district.handler, case)
    with pytest.raises(Refused, match="热线办"):
        operations.approve(district.leader, case)
    assert snapshot(case) == before
    operations.approve(district.dispatcher, case)
    before = snapshot(case)
    with pytest.raises(Refused, match="筹备中.*不能同意会商"):
        operations.approve(district.dispatcher, case)
    with pytest.raises(Refused, match="不能不予会商"):
        operations.decline(district.dispatcher, case, "不需要会商了")
    assert snapshot(case) == before


# --- opening directly --------------------------------------------------------------------------------

def test_office_or_leader_open_directly_and_own_the_case(district, open_case, make_order):
    case = open_case()
    assert case.state == "preparing" and case.owner_id == district.dispatcher.id
    assert case.requested_by_unit_id is None
    assert [(m.round, m.kind) for m in case.meetings] == [(1, "joint")]
    assert len(order_events(case.orders[0], "consult_open")) == 1

    by_leader = open_case(kind="responsibility", by=district.leader)
    assert by_leader.owner_id == district.leader.id and by_leader.meeting.kind == "responsibility"

    order = make_order("accepted")
    for actor in (district.handler, district.supervisor, district.admin, district.deputy):
        with pytest.raises(Refused, match="直接发起"):
            operations.open_case(actor, [order.id], "joint", "占道经营", "需要多部门联合解决的问题。")


def test_an_order_is_in_one_open_case_at_a_time(district, open_case, make_order):
    case = open_case()
    with pytest.raises(Refused, match=f"已在会商 #{case.id}"):
        open_case(orders=case.orders)
    with pytest.raises(InvalidInput, match="至少选择一件"):
        open_case(orders=[])
    received = make_order("received")
    with pytest.raises(Refused, match="尚未派发"):
        open_case(orders=[received])
    with pytest.raises(InvalidInput, match="事项概要"):
        operations.open_case(district.dispatcher, [make_order("accepted").id], "joint", "占道经营", "太短")
    assert db.session.scalar(select(func.count(Consultation.id))) == 1


# --- invitations and opinions ------------------------------------------------------------------------

def test_invitations_reach_the_a_handler_unit_leaders_and_leaders(roster, invited_case):
    d = roster
    case = invited_case
    meeting = case.meeting
    assert meeting.place == PLACE and meeting.scheduled_at == MEETING and meeting.opinions_due == MEETING
    assert [i.name for i in meeting.invitations] == ["区城管局", "区住建局", d.leader.name]
    assert any(PLACE in t for t in notes_for(d.handler))  # 区城管局's A
    assert notes_for(d.handler_b) == []  # B hears nothing while A is there
    assert any(PLACE in t for t in notes_for(d.unit_leader))
    assert any(PLACE in t for t in notes_for(d.other_handler))  # 区住建局 has no roster: its handlers
    assert any(PLACE in t for t in notes_for(d.leader))
    assert notes_for(d.street_handler) == []


def test_inviting_again_adds_only_new_invitees_and_can_move_the_meeting(district, invited_case):
    case = invited_case
    before = len(notes_for(district.other_handler))
    operations.invite(district.dispatcher, case, [district.zhujian.id, district.street.id], [], MEETING, PLACE)
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert [i.name for i in case.meeting.invitations] == ["区城管局", "区住建局", district.leader.name, "城关街道"]
    assert len(notes_for(district.other_handler)) == before  # already invited, same time and place
    assert len(notes_for(district.street_handler)) == 1

    with pytest.raises(InvalidInput, match="没有新的邀请"):
        operations.invite(district.dispatcher, case, [district.street.id], [], MEETING, PLACE)
    later = datetime(2026, 11, 27, 9, 0)
    operations.invite(district.dispatcher, case, [], [], later, "区政府第二会议室")
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert case.meeting.scheduled_at == later and case.meeting.place == "区政府第二会议室"
    assert any("调整" in t and "第二会议室" in t for t in notes_for(district.other_handler))


@pytest.mark.parametrize("kwargs, message", [
    ({"scheduled_at": None}, "会议时间"),
    ({"scheduled_at": datetime(2026, 11, 20, 9, 0)}, "晚于现在"),
    ({"place": " "}, "会议地点"),
    ({"opinions_due": datetime(2026, 11, 27, 9, 0)}, "不能晚于会议时间"),
    ({"unit_ids": [], "leader_ids": []}, "至少邀请"),
    ({"unit_ids": [99999]}, "单位不存在"),
])
def test_bad_invitations_change_nothing(district, open_case, kwargs, message):
    case = open_case()
    before = snapshot(case)
    params = {"unit_ids": [district.chengguan.id], "leader_ids": [], "scheduled_at": MEETING, "place": PLACE}
    params.update(kwargs)
    with pytest.raises(InvalidInput, match=message):
        operations.invite(district.dispatcher, case, **params)
    assert snapshot(case) == before
    assert db.session.get(Consultation, case.id).meeting.invitations == []


def test_a_unit_or_a_supervisor_cannot_invite(district, open_case):
    case = open_case()
    for actor in (district.handler, district.supervisor):
        with pytest.raises(Refused, match="发出会商邀请"):
            operations.invite(actor, case, [district.chengguan.id], [], MEETING, PLACE)


def test_opinions_and_who_has_not_answered(district, invited_case):
    case = invited_case
    operations.submit_opinion(district.handler, case, "占道经营属城管执法范围，但室内经营需市场监管配合。")
    operations.submit_opinion(district.leader, case, "请城管牵头，住建配合做好周边管理。")
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    answered = {i.name: i.opinion is not None for i in case.meeting.invitations}
    assert answered == {"区城管局": True, "区住建局": False, district.leader.name: True}
    assert case_events(case)[-2:] == ["opinion", "opinion"]
    # the event history names who answered, never the opinion's text (other units read it)
    assert all("室内经营" not in (e.note or "") for e in case.events)

    # a unit reads its own opinion, not another unit's; the office, leaders and the owner read all
    as_zhujian = {r["invitation"].name: r for r in queries.invitations_view(district.other_handler, case.meeting, case)}
    assert as_zhujian["区城管局"]["answered"] and as_zhujian["区城管局"]["opinion"] is None
    as_chengguan = {r["invitation"].name: r for r in queries.invitations_view(district.handler_b, case.meeting, case)}
    assert as_chengguan["区城管局"]["opinion"].startswith("占道经营属城管")
    for user in (district.dispatcher, district.supervisor, district.leader):
        view = {r["invitation"].name: r for r in queries.invitations_view(user, case.meeting, case)}
        assert view["区城管局"]["opinion"] and view[district.leader.name]["opinion"]

    # revised before the meeting is recorded: one opinion, the latest
    operations.submit_opinion(district.unit_leader, case, "修改：城管牵头，市场监管和街道配合。")
    db.session.expire_all()
    own = operations.own_invitation(district.handler, db.session.get(Consultation, case.id))
    assert own.opinion.startswith("修改") and own.opinion_by_id == district.unit_leader.id


def test_only_invitees_write_opinions(district, invited_case, open_case):
    case = invited_case
    with pytest.raises(Refused, match="未受邀"):
        operations.submit_opinion(district.street_handler, case, "我们街道认为应由城管牵头处理。")
    with pytest.raises(Refused, match="未受邀"):
        operations.submit_opinion(district.dispatcher, case, "热线办认为应由城管牵头处理。")
    with pytest.raises(InvalidInput, match="书面意见"):
        operations.submit_opinion(district.handler, case, "同意")
    assert all(i.opinion is None for i in db.session.get(Consultation, case.id).meeting.invitations)


def test_waiting_counts_and_remind(district, invited_case):
    case = invited_case
    assert queries.waiting_count(district.handler) == 1 and queries.waiting_count(district.other_handler) == 1
    assert queries.waiting_count(district.street_handler) == 0
    operations.submit_opinion(district.handler, case, "占道经营属城管执法范围，需市场监管配合。")
    assert queries.waiting_count(district.handler) == 0

    before = len(notes_for(district.other_handler))
    reminded = operations.remind(district.dispatcher, case)
    assert sorted(i.name for i in reminded) == sorted(["区住建局", district.leader.name])
    db.session.expire_all()
    meeting = db.session.get(Consultation, case.id).meeting
    assert {i.name: i.reminders for i in meeting.invitations} == {"区城管局": 0, "区住建局": 1, district.leader.name: 1}
    assert len(notes_for(district.other_handler)) == before + 1
    assert case_events(case)[-1] == "remind"

    operations.submit_opinion(district.other_handler, case, "房屋安全不涉及，住建局可配合提供资料。")
    operations.submit_opinion(district.leader, case, "请城管牵头办理。")
    with pytest.raises(Refused, match="均已提交"):
        operations.remind(district.dispatcher, case)
    with pytest.raises(Refused, match="催交"):
        operations.remind(district.handler, case)


# --- escalation and take-over ------------------------------------------------------------------------

def test_escalation_keeps_the_whole_history(district, invited_case):
    case = invited_case
    operations.submit_opinion(district.handler, case, "占道经营属城管执法范围，需市场监管配合。")
    order = case.orders[0]
    meeting = operations.escalate(district.dispatcher, case, "建设路占道经营涉及规划调整，部门会商无法解决。",
                                  "城管局：需规划疏导点；住建局：无职责。", "方案一：设置疏导点；方案二：整体取缔。")
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert (case.kind, case.round, case.state) == ("executive", 2, "preparing")
    assert [(m.round, m.kind) for m in case.meetings] == [(1, "joint"), (2, "executive")]
    first, second = case.meetings
    assert first.place == PLACE and len(first.invitations) == 3
    assert first.invitations[0].opinion.startswith("占道经营属城管")
    assert second.id == meeting.id and second.invitations == []
    assert (second.brief_summary, second.brief_positions, second.brief_options) == (
        "建设路占道经营涉及规划调整，部门会商无法解决。", "城管局：需规划疏导点；住建局：无职责。", "方案一：设置疏导点；方案二：整体取缔。")
    assert case.meeting is second
    [event] = order_events(order, "consult_escalate")
    assert event.from_state == event.to_state == order.state and event_label("consult_escalate") == "提交常务会"
    assert any("常务会" in t for t in notes_for(district.leader))
    # the new round: opinions now go to the executive meeting's invitations
    assert operations.own_invitation(district.handler, case) is None
    with pytest.raises(Refused, match="已是提交常务会"):
        operations.escalate(district.dispatcher, case, "再次提交常务会的事项概要", "各单位意见", "建议方案")


def test_an_escalation_needs_a_brief_and_a_runner(district, invited_case):
    case = invited_case
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="建议方案"):
        operations.escalate(district.dispatcher, case, "建设路占道经营涉及规划调整。", "城管局：需规划疏导点", "")
    with pytest.raises(Refused, match="提交常务会"):
        operations.escalate(district.handler, case, "建设路占道经营涉及规划调整。", "城管局：需规划疏导点", "方案一")
    assert snapshot(case) == before


def test_a_leader_takes_over_and_becomes_the_owner(district, invited_case, make_user):
    case = invited_case
    order = case.orders[0]
    operations.take_over(district.leader, case, "本人牵头协调，下周现场办公。")
    db.session.expire_all()
    case = db.session.get(Consultation, case.id)
    assert case.owner_id == district.leader.id and case.taken_over_at is not None
    assert case_events(case)[-1] == "take_over"
    [event] = order_events(order, "consult_take_over")
    assert "下周现场办公" in event.note and event_label("consult_take_over") == "区领导领办"
    assert any("领办" in t for t in notes_for(district.dispatcher))
    with pytest.raises(Refused, match="已领办"):
        operations.take_over(district.leader, case, None)

    other = make_user("leader", name="王副区长")
    operations.take_over(other, case, None)
    assert db.session.get(Consultation, case.id).owner_id == other.id


def test_only_leaders_take_over_and_not_a_closed_case(district, open_case, make_order):
    case = open_case()
    before = snapshot(case)
    for actor in (district.dispatcher, district.handler, district.supervisor):
        with pytest.raises(Refused, match="区领导"):
            operations.take_over(actor, case, None)
    assert snapshot(case) == before
    requested = operations.request_case(district.handler, [make_order("accepted").id], "joint", "占道经营",
                                        "需要多部门联合解决的问题。")
    operations.decline(district.dispatcher, requested, "请按职责自行办理。")
    with pytest.raises(Refused, match="不予会商.*不能区领导领办"):
        operations.take_over(district.leader, requested, None)


def test_earlier_cases_on_the_same_matter(district, open_case, make_order, make_user):
    first_order = make_order("accepted")
    earlier = open_case(orders=[first_order])
    operations.escalate(district.dispatcher, earlier, "建设路占道经营涉及规划调整。", "城管局：需规划", "方案一：疏导")
    db.session.get(Consultation, earlier.id).state = "closed"
    db.session.commit()
    again = open_case(orders=[first_order], title="建设路占道经营再次反映")
    repeat = make_order("accepted")  # the same caller again: linked as a repeat (重复件) at intake
    assert db.session.scalar(select(OrderLink.id).where(OrderLink.order_id == repeat.id,
                                                        OrderLink.earlier_id == first_order.id))
    third = open_case(orders=[repeat], title="建设路占道经营重复投诉")
    unrelated = open_case(orders=[make_order("accepted", caller_phone="13900001111", address="北街8号",
                                             content="路灯不亮，晚上出行不便。")])
    assert [c.id for c in queries.earlier_cases(district.dispatcher, third)] == [again.id, earlier.id]
    assert earlier.id in [c.id for c in queries.earlier_cases(district.dispatcher, again)]
    assert queries.earlier_cases(district.dispatcher, unrelated) == []
    # a unit sees only the earlier cases it takes part in
    assert queries.earlier_cases(district.street_handler, third) == []
