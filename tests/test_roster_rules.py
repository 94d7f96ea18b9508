"""A/B roles: routing, absences, takeover before a deadline, and handover, with a fixed clock."""
from datetime import datetime

import pytest

from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import operations
from portal.orders.models import Order, OrderEvent
from portal.roster.models import Handover, RosterAssignment
from portal.roster.operations import (RosterRefused, cancel_absence, deactivate_user, move_user, record_absence,
                                      set_holder)
from portal.roster.routing import Responsibility
from portal.roster.takeover import check_takeovers

T = datetime


def dispatch(d, at, urgency="normal"):
    from tests.fixtures.orders import _numbers

    order = operations.take_in(d.dispatcher, {
        "number": f"AB{next(_numbers):06d}", "channel": "phone", "type": "complaint", "urgency": urgency,
        "caller_name": "张三", "caller_phone": "13812341234", "address": "建设路1号",
        "content": "楼下饭店油烟直排，影响居民开窗。"}, at=at)
    operations.apply(order.id, "dispatch", d.dispatcher, at=at, lead_unit_id=d.chengguan.id)
    db.session.refresh(order)
    return order


def events(order, action):
    return db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                          OrderEvent.action == action)).all()


def test_dispatch_goes_to_the_a_handler(roster):
    order = dispatch(roster, T(2026, 11, 24, 10))
    assert order.handler_id == roster.handler.id
    notes = db.session.scalars(db.select(Notification).where(Notification.user_id == roster.handler.id)).all()
    assert [n.kind for n in notes] == ["new_order"]


def test_without_a_roster_the_unit_leader_receives_it(district):
    order = dispatch(district, T(2026, 11, 24, 10))
    assert order.handler_id == district.unit_leader.id


def test_while_a_is_away_new_orders_go_to_b_and_b_acts_for_a(roster):
    d = roster
    old = dispatch(d, T(2026, 11, 23, 9))
    record_absence(d.handler, "leave", T(2026, 11, 24, 0), T(2026, 11, 26, 0), d.handler)
    new = dispatch(d, T(2026, 11, 24, 10))
    assert new.handler_id == d.handler_b.id
    during = Responsibility(d.chengguan.id, T(2026, 11, 24, 11))
    assert during.answering(old) == (d.handler_b, True)
    assert d.handler.id in during.answered_by(d.handler_b)
    after = Responsibility(d.chengguan.id, T(2026, 11, 26, 9))
    assert after.answering(old) == (d.handler, False)  # back with A once A returns


def test_b_keeps_what_b_signed_for_while_a_was_away(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 23, 9))
    record_absence(d.handler, "trip", T(2026, 11, 23, 12), T(2026, 11, 25, 0), d.handler)
    operations.apply(order.id, "sign_for", d.handler_b, at=T(2026, 11, 23, 14))
    db.session.refresh(order)
    assert Responsibility(d.chengguan.id, T(2026, 11, 26, 9)).answering(order) == (d.handler_b, False)


def test_a_and_b_away_together_needs_a_stand_in(roster):
    d = roster
    record_absence(d.handler, "leave", T(2026, 11, 24, 0), T(2026, 11, 27, 0), d.handler)
    with pytest.raises(RosterRefused, match="不能同时外出"):
        record_absence(d.handler_b, "trip", T(2026, 11, 25, 0), T(2026, 11, 26, 0), d.handler_b)
    with pytest.raises(RosterRefused, match="负责人指定"):
        record_absence(d.handler_b, "trip", T(2026, 11, 25, 0), T(2026, 11, 26, 0), d.handler_b,
                       stand_in=d.unit_leader)
    record_absence(d.handler_b, "trip", T(2026, 11, 25, 0), T(2026, 11, 26, 0), d.unit_leader,
                   stand_in=d.unit_leader)
    order = dispatch(d, T(2026, 11, 25, 10))
    assert order.handler_id == d.unit_leader.id


def test_absence_rules(roster):
    d = roster
    with pytest.raises(RosterRefused, match="晚于"):
        record_absence(d.handler, "leave", T(2026, 11, 25), T(2026, 11, 24), d.handler)
    with pytest.raises(RosterRefused, match="本人"):
        record_absence(d.handler, "leave", T(2026, 11, 25), T(2026, 11, 26), d.handler_b)
    absence = record_absence(d.handler, "leave", T(2026, 11, 20), T(2026, 11, 30), d.unit_leader)
    cancel_absence(absence, d.handler)  # back early: the absence ends now (2026-11-24 10:00)
    assert absence.end_at == T(2026, 11, 24, 10)
    assert dispatch(d, T(2026, 11, 24, 11)).handler_id == d.handler.id


@pytest.mark.parametrize("dispatched, before, at", [
    # Friday 10:00, due Monday 10:00 (the weekend does not count): half the window is Friday 22:00
    (T(2026, 11, 27, 10), T(2026, 11, 27, 21, 59), T(2026, 11, 27, 22, 0)),
    # Saturday: counting starts Monday, due Monday 23:59:59; half is Monday about noon
    (T(2026, 11, 28, 10), T(2026, 11, 30, 11, 0), T(2026, 11, 30, 12, 0)),
    # National Day: dispatched 1 October, counting starts on 8 October
    (T(2026, 10, 1, 10), T(2026, 10, 7, 23, 0), T(2026, 10, 8, 12, 0)),
    # the day before the holiday: due 8 October 10:00, half is 30 September 22:00
    (T(2026, 9, 30, 10), T(2026, 9, 30, 21, 0), T(2026, 9, 30, 22, 0)),
])
def test_takeover_at_half_the_sign_for_window(roster, dispatched, before, at):
    d = roster
    order = dispatch(d, dispatched)
    assert check_takeovers(before).taken_over == []
    db.session.refresh(order)
    assert order.handler_id == d.handler.id
    assert check_takeovers(at).taken_over == [order.number]
    db.session.refresh(order)
    assert order.handler_id == d.handler_b.id
    (event,) = events(order, "takeover")
    assert event.data == {"from_user_id": d.handler.id, "to_user_id": d.handler_b.id}
    assert check_takeovers(at).taken_over == []  # twice is once
    assert len(events(order, "takeover")) == 1


def test_no_takeover_once_signed(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 24, 9))
    operations.apply(order.id, "sign_for", d.handler, at=T(2026, 11, 24, 10))
    assert check_takeovers(T(2026, 11, 25, 8)).taken_over == []


def test_takeover_point_is_configurable(app, roster):
    app.config["TAKEOVER_FRACTION"] = 0.25
    order = dispatch(roster, T(2026, 11, 24, 8))  # due 11-25 08:00; a quarter is 14:00
    assert check_takeovers(T(2026, 11, 24, 13, 59)).taken_over == []
    assert check_takeovers(T(2026, 11, 24, 14, 0)).taken_over == [order.number]


def test_b_is_alerted_once_when_due_soon_and_not_acted(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 24, 9))
    operations.apply(order.id, "sign_for", d.handler, at=T(2026, 11, 24, 9, 30))
    db.session.refresh(order)
    soon = order.warn_at.replace(minute=order.warn_at.minute)  # inside the warning window
    check_takeovers(soon)
    check_takeovers(soon)
    alerts = db.session.scalars(db.select(Notification).where(Notification.user_id == d.handler_b.id,
                                                              Notification.kind == "due_soon")).all()
    assert len(alerts) == 1 and order.number in alerts[0].text


def test_changing_the_a_role_hands_over_open_orders(roster, make_user):
    d = roster
    newcomer = make_user("handler", d.chengguan, name="新来的")
    orders = [dispatch(d, T(2026, 11, 24, 9)) for _ in range(2)]
    handover = set_holder(d.chengguan, "A", newcomer, d.unit_leader)
    assert sorted(handover.order_ids) == sorted(o.id for o in orders)
    for order in orders:
        db.session.refresh(order)
        assert order.handler_id == newcomer.id and len(events(order, "handover")) == 1
    current = db.session.scalars(db.select(RosterAssignment).where(RosterAssignment.slot == "A")).all()
    assert [(r.user_id, r.end_at is None) for r in current] == [(d.handler.id, False), (newcomer.id, True)]


def test_deactivating_with_open_orders_needs_a_successor(district, make_user):
    d = district  # no roster: nobody to take the orders automatically
    order = dispatch(d, T(2026, 11, 24, 9))
    operations.apply(order.id, "sign_for", d.handler, at=T(2026, 11, 24, 10))
    with pytest.raises(RosterRefused, match=order.number):
        deactivate_user(d.handler, d.admin)
    db.session.refresh(d.handler)
    assert d.handler.active
    handover = deactivate_user(d.handler, d.admin, successor=d.handler_b)
    db.session.refresh(order)
    assert order.handler_id == d.handler_b.id and handover.order_ids == [order.id]
    assert not d.handler.active


def test_deactivating_a_hands_orders_to_b(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 24, 9))
    deactivate_user(d.handler, d.admin)
    db.session.refresh(order)
    assert order.handler_id == d.handler_b.id
    assert db.session.scalar(db.select(Handover)).reason == "人员停用"


def test_moving_a_user_to_another_unit(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 24, 9))
    move_user(d.handler, d.zhujian, d.admin)
    db.session.refresh(order)
    db.session.refresh(d.handler)
    assert d.handler.unit_id == d.zhujian.id and order.handler_id == d.handler_b.id


def test_roster_validation(roster, make_user):
    d = roster
    with pytest.raises(RosterRefused, match="两个不同"):
        set_holder(d.chengguan, "B", d.handler, d.admin)
    with pytest.raises(RosterRefused, match="本单位"):
        set_holder(d.chengguan, "B", d.other_handler, d.admin)
    with pytest.raises(RosterRefused, match="负责人"):
        set_holder(d.chengguan, "B", d.unit_leader, d.handler)
    with pytest.raises(RosterRefused, match="负责人"):
        set_holder(d.zhujian, "A", d.other_handler, d.unit_leader)  # not their unit


def test_reopen_keeps_the_handler_who_did_it(roster):
    d = roster
    order = dispatch(d, T(2026, 11, 24, 9))
    operations.apply(order.id, "sign_for", d.handler_b, at=T(2026, 11, 24, 9, 30))
    for action, actor, params in [("reply", d.handler_b, {"reply": "已到现场处理完毕，告知市民结果。"}),
                                  ("approve_reply", d.dispatcher, {}),
                                  ("visit", d.dispatcher, {"satisfaction": "unsatisfied", "resolution": "unresolved",
                                                           "reason": "没有解决"}),
                                  ("reopen", d.dispatcher, {"reason": "请重新办理"})]:
        operations.apply(order.id, action, actor, at=T(2026, 11, 24, 12), **params)
    db.session.refresh(order)
    assert order.state == "dispatched" and order.handler_id == d.handler_b.id
