"""Supervision records and their state machine: open, answer, accept / send back, the ladder, notices."""
from datetime import date

import pytest

from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders.models import OrderEvent
from portal.supervision import operations
from portal.supervision.models import Supervision, SupervisionEvent, SupervisionNotice
from portal.supervision.states import Refused


def _order_events(order, prefix="supervise_"):
    return [e.action for e in db.session.scalars(
        db.select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))
        if e.action.startswith(prefix)]


def _notified(user, kind="supervision"):
    return db.session.scalars(db.select(Notification.text).where(Notification.user_id == user.id,
                                                                 Notification.kind == kind)).all()


@pytest.mark.parametrize("level", ["system", "oa", "inspector", "leader"])
def test_open_at_each_level(district, open_supervision, level):
    extra = {"lead_leader_id": district.leader.id} if level == "leader" else {}
    s = open_supervision(level=level, **extra)
    assert (s.state, s.step, s.level, s.unit_id) == ("open", "supervision", level, district.chengguan.id)
    assert [e.action for e in s.events] == ["open"]
    assert s.created_by_id == district.supervisor.id


def test_unannounced_visit_is_an_inspector_supervision(district, open_supervision):
    s = open_supervision(level="inspector", unannounced=True)
    assert s.level_label == "作风监督员督办（明察暗访）"
    with pytest.raises(Refused, match="明察暗访只用于作风监督员督办"):
        open_supervision(level="system", unannounced=True)


def test_leader_led_needs_a_leader(district, open_supervision):
    with pytest.raises(Refused, match="牵头的区领导"):
        open_supervision(level="leader")
    with pytest.raises(Refused, match="牵头的区领导"):
        open_supervision(level="leader", lead_leader_id=district.supervisor.id)  # not a leader


@pytest.mark.parametrize("reason", ["overdue", "unsatisfied", "repeated", "thin_reply", "other"])
def test_each_reason(open_supervision, reason):
    assert open_supervision(reason=reason).reason == reason


def test_orders_of_several_units_make_one_record_per_unit(district, make_order, open_supervision):
    a1, a2 = make_order("accepted"), make_order("accepted")
    b = make_order("accepted", lead=district.zhujian)
    open_supervision(orders=[a1, b, a2])
    records = db.session.scalars(db.select(Supervision).order_by(Supervision.id)).all()
    assert {r.unit_id: sorted(o.id for o in r.orders) for r in records} == {
        district.chengguan.id: sorted([a1.id, a2.id]), district.zhujian.id: [b.id]}
    # each unit is told about its own supervision only
    assert len(_notified(district.handler)) == 1 and len(_notified(district.other_handler)) == 1


def test_each_step_is_on_the_orders_timeline_and_leaves_the_order_alone(district, make_order, open_supervision, login):
    order = make_order("accepted")
    version, state = order.version, order.state
    s = open_supervision(orders=[order], step="reminder")
    db.session.refresh(order)
    assert (order.version, order.state) == (version, state)
    assert _order_events(order) == ["supervise_reminder"]
    page = login(district.dispatcher).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "催办" in page and "请立即核查处置" in page
    operations.escalate(district.supervisor, s.id, requirements="催办后仍未处置，请三日内办结。",
                        answer_due=date(2026, 11, 27), issue_notice=False)
    assert _order_events(order) == ["supervise_reminder", "supervise_supervision"]


def test_only_supervisors_open(district, make_order):
    order = make_order("accepted")
    for user in (district.dispatcher, district.leader, district.handler, district.admin):
        with pytest.raises(Refused, match="不能发起督办"):
            operations.open_supervisions(user, [order.id], step="supervision", level="system", reason="overdue",
                                         requirements="请尽快办理并反馈结果。", answer_due=date(2026, 11, 30))
    assert db.session.scalar(db.select(db.func.count(Supervision.id))) == 0


def test_refusals_change_nothing(district, make_order, open_supervision):
    received = make_order()
    with pytest.raises(Refused, match="尚未派发"):
        open_supervision(orders=[received])
    with pytest.raises(Refused, match="不能早于今天"):
        open_supervision(answer_due=date(2026, 11, 1))
    with pytest.raises(Refused, match="至少选择一件"):
        open_supervision(orders=[])
    with pytest.raises(Refused, match="不能直接发起"):
        open_supervision(step="reprimand")
    assert db.session.scalar(db.select(db.func.count(Supervision.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.kind == "supervision")) == 0


def test_no_second_active_supervision_on_an_order(make_order, open_supervision):
    order = make_order("accepted")
    open_supervision(orders=[order], step="reminder")
    with pytest.raises(Refused, match="已在催办中"):
        open_supervision(orders=[order])


def test_answer_accept_closes(district, open_supervision):
    s = open_supervision()
    operations.answer(district.handler, s.id, "已组织执法队员现场处置，摊点已清理，并回复市民。")
    assert s.state == "answered"
    assert _notified(district.supervisor)  # the issuer is told to review
    operations.decide(district.supervisor, s.id, accept=True)
    assert (s.state, s.closed_at is not None) == ("accepted", True)
    assert s.last_answer.decision == "accepted"
    assert [e.action for e in s.events] == ["open", "answer", "accept"]
    assert _order_events(s.orders[0]) == ["supervise_supervision", "supervise_answer", "supervise_accept"]
    assert any("已办结" in t for t in _notified(district.unit_leader))


def test_send_back_and_answer_again(district, open_supervision):
    s = open_supervision()
    operations.answer(district.handler, s.id, "已安排人员处理，近期将处理完毕。")
    with pytest.raises(Refused, match="退回须说明理由"):
        operations.decide(district.supervisor, s.id, accept=False, note="")
    operations.decide(district.supervisor, s.id, accept=False, note="反馈过于笼统，请写明处置时间和结果。")
    assert s.state == "sent_back"
    assert any("被退回" in t for t in _notified(district.handler))
    operations.answer(district.handler_b, s.id, "11月24日上午现场清理摊点3处，已电话回复市民，市民表示认可。")
    assert s.state == "answered" and len(s.answers) == 2
    assert [a.decision for a in s.answers] == ["sent_back", None]
    operations.decide(district.supervisor, s.id, accept=True)
    assert s.state == "accepted"


def test_who_may_take_each_action(district, make_user, open_supervision):
    s = open_supervision()
    other_supervisor = make_user("supervisor", district.office)
    with pytest.raises(Refused, match="被督办单位"):
        operations.answer(district.other_handler, s.id, "不是本单位的督办，也想反馈一下。")
    with pytest.raises(Refused, match="被督办单位"):
        operations.answer(district.supervisor, s.id, "督查人员不能替单位反馈办理情况。")
    with pytest.raises(Refused, match="待反馈"):
        operations.decide(district.supervisor, s.id, accept=True)  # nothing to decide yet
    operations.answer(district.unit_leader, s.id, "单位负责人亲自督促，已处置完毕并回复。")
    with pytest.raises(Refused, match="发起该督办的督查人员"):
        operations.decide(other_supervisor, s.id, accept=True)
    with pytest.raises(Refused, match="发起该督办的督查人员"):
        operations.decide(district.handler, s.id, accept=True)
    with pytest.raises(Refused, match="待审核"):
        operations.answer(district.handler, s.id, "再反馈一次，但已经在审核中了。")
    operations.decide(district.supervisor, s.id, accept=True)
    with pytest.raises(Refused, match="已办结"):
        operations.escalate(district.supervisor, s.id, requirements="已办结的不能再升级。", answer_due=date(2026, 12, 1))


def test_the_ladder(district, open_supervision):
    reminder = open_supervision(step="reminder")
    supervision = operations.escalate(district.supervisor, reminder.id, requirements="催办后仍未处置，限期办结。",
                                      answer_due=date(2026, 11, 27), issue_notice=False)
    assert (reminder.state, supervision.step, supervision.parent_id) == ("escalated", "supervision", reminder.id)
    assert [o.id for o in supervision.orders] == [o.id for o in reminder.orders]
    reprimand = operations.escalate(district.supervisor, supervision.id, requirements="督办后仍未解决，予以通报。",
                                    answer_due=date(2026, 11, 26), issue_notice=True)
    assert (supervision.state, reprimand.step, reprimand.state) == ("escalated", "reprimand", "open")
    assert reprimand.notice is not None and reprimand.notice.number == "督字〔2026〕第0001号"
    with pytest.raises(Refused, match="最高一级"):
        operations.escalate(district.supervisor, reprimand.id, requirements="再升级一次看看。",
                            answer_due=date(2026, 11, 30))
    assert _order_events(reminder.orders[0]) == [
        "supervise_reminder", "supervise_supervision", "supervise_reprimand", "supervise_notice"]


def test_escalating_an_answered_supervision(district, open_supervision):
    s = open_supervision(step="reminder")
    operations.answer(district.handler, s.id, "已在处理中，但问题涉及多个部门。")
    upper = operations.escalate(district.supervisor, s.id, requirements="问题仍未解决，升级督办。",
                                answer_due=date(2026, 11, 30), issue_notice=False)
    assert s.state == "escalated" and upper.state == "open"


def test_notices_are_numbered_stored_and_corrected_by_a_new_one(district, open_supervision):
    s = open_supervision(issue_notice=True)
    first = s.notice
    assert first.number == "督字〔2026〕第0001号" and first.pdf.startswith(b"%PDF")
    import hashlib

    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest() and first.size == len(first.pdf)
    with pytest.raises(Refused, match="更正"):
        operations.issue_notice(district.supervisor, s.id)  # a second notice only as a correction
    stored = bytes(first.pdf)
    second = operations.issue_notice(district.supervisor, s.id, correction_note="反馈期限写错，更正为11月30日。")
    assert second.number == "督字〔2026〕第0002号" and second.corrects_id == first.id
    db.session.expire_all()
    again = db.session.get(SupervisionNotice, first.id)
    assert bytes(again.pdf) == stored  # the old one is untouched
    assert db.session.get(Supervision, s.id).notice.id == second.id
    other = open_supervision(issue_notice=True)
    assert other.notice.number == "督字〔2026〕第0003号"
    with pytest.raises(Refused, match="发起该督办的督查人员"):
        operations.issue_notice(district.handler, s.id, correction_note="单位不能签发通知单。")


def test_correcting_without_a_notice_is_refused(district, open_supervision):
    s = open_supervision()
    with pytest.raises(Refused, match="尚未签发"):
        operations.issue_notice(district.supervisor, s.id, correction_note="没有通知单可更正。")
    assert db.session.scalar(db.select(db.func.count(SupervisionNotice.id))) == 0


def test_a_refused_notice_takes_no_number(district, open_supervision, app):
    s = open_supervision()
    app.config["SUPERVISION_NUMBER_FORMAT"] = "督字〔{year}〕第{n:04d}号"
    operations.issue_notice(district.supervisor, s.id)
    with pytest.raises(Refused):
        operations.issue_notice(district.supervisor, s.id)
    db.session.rollback()
    t = open_supervision(issue_notice=True)
    assert t.notice.number == "督字〔2026〕第0002号"  # no gap


def test_events_record_who_and_when(district, open_supervision):
    s = open_supervision()
    operations.answer(district.handler, s.id, "已现场处置，并向市民反馈处理结果。")
    event = db.session.scalars(db.select(SupervisionEvent).where(SupervisionEvent.action == "answer")).one()
    assert (event.actor_id, event.from_state, event.to_state) == (district.handler.id, "open", "answered")
    assert event.at.isoformat() == "2026-11-24T10:00:00"
