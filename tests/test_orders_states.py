"""Every transition of the order state machine, legal and illegal, through the one operation.

The expected table is written out here on purpose (not read from ``orders.states``) so that a change to
the rules shows up as a failing test.
"""
from datetime import datetime

import pytest

from portal.extensions import db
from portal.orders import operations
from portal.orders.errors import InvalidInput, TransitionRefused
from portal.orders.models import Order, OrderEvent, OrderUnit
from portal.orders.states import ASSIST_STATES

ALL_STATES = ["received", "dispatched", "accepted", "return_requested", "replied", "approved", "visited", "closed"]
ACTORS = ["dispatcher", "handler", "handler_b", "unit_leader", "other_handler", "street_handler", "supervisor",
          "leader", "deputy", "admin"]
LEAD_SIDE = {"handler", "handler_b", "unit_leader"}  # 区城管局, the lead unit of the test orders
ASSIST_SIDE = {"other_handler"}  # 区住建局 assists

PARAMS = {
    "dispatch": lambda d: {"lead_unit_id": d.chengguan.id},
    "direct_answer": lambda d: {"answer": "您咨询的医保异地备案可在手机APP上办理，无需到窗口。"},
    "sign_for": lambda d: {},
    "first_feedback": lambda d: {"note": "已电话联系市民，明日上午到现场核实。"},
    "contribute": lambda d: {"note": "住建局已督促物业公司限期整改。"},
    "reply": lambda d: {"reply": "经现场核查，占道摊点已清理，已约谈经营者并电话告知市民。"},
    "request_return": lambda d: {"reason": "该事项属于住建部门物业监管职责，建议改派区住建局。"},
    "approve_return": lambda d: {},
    "reject_return": lambda d: {"note": "属于本单位职责，请继续办理。"},
    "request_extension": lambda d: {"reason": "需协调多个部门联合处置。", "requested_due_at": datetime(2026, 12, 31, 17, 0)},
    "approve_extension": lambda d: {},
    "reject_extension": lambda d: {"note": "理由不充分。"},
    "approve_reply": lambda d: {},
    "send_back": lambda d: {"reason": "答复过于简单，未说明处理结果。"},
    "visit": lambda d: {"satisfaction": "basic", "resolution": "resolved"},
    "reopen": lambda d: {"reason": "市民反映问题仍未解决，请重新办理。"},
    "close": lambda d: {},
}

# action: (states it may be taken in, who may take it, the state after it; None = unchanged)
EXPECTED = {
    "dispatch": ({"received"}, {"dispatcher"}, "dispatched"),
    "direct_answer": ({"received"}, {"dispatcher"}, "closed"),
    "sign_for": ({"dispatched"}, LEAD_SIDE, "accepted"),
    "first_feedback": ({"accepted"}, LEAD_SIDE, "accepted"),
    "contribute": ({"dispatched", "accepted"}, ASSIST_SIDE, None),
    "reply": ({"accepted"}, LEAD_SIDE, "replied"),
    "request_return": ({"dispatched", "accepted"}, LEAD_SIDE, "return_requested"),
    "approve_return": ({"return_requested"}, {"dispatcher"}, "received"),
    "reject_return": ({"return_requested"}, {"dispatcher"}, "accepted"),  # back to where it was
    "request_extension": ({"accepted"}, LEAD_SIDE, "accepted"),
    "approve_extension": ({"accepted", "replied"}, {"dispatcher"}, None),
    "reject_extension": ({"accepted", "replied"}, {"dispatcher"}, None),
    "approve_reply": ({"replied"}, {"dispatcher"}, "approved"),
    "send_back": ({"replied"}, {"dispatcher"}, "accepted"),
    "visit": ({"approved"}, {"dispatcher"}, "visited"),
    "reopen": ({"visited"}, {"dispatcher"}, "dispatched"),
    "close": ({"visited"}, {"dispatcher"}, "closed"),
}


@pytest.fixture
def reach(district, make_order):
    """An order in ``state``, with 区住建局 assisting, a pending extension where one is needed, and an
    unsatisfied visit when visited."""

    def make(state, action):
        base = {"return_requested": "accepted", "visited": "approved", "closed": "approved"}.get(state, state)
        order = make_order(base, assist=[district.zhujian])
        if state == "return_requested":
            operations.apply(order.id, "request_return", district.handler, reason="不属于本单位职责，请改派。")
        if state in ("visited", "closed"):
            operations.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied",
                             resolution="unresolved", reason="问题依旧")
        if state == "closed":
            operations.apply(order.id, "close", district.dispatcher)
        if action in ("approve_extension", "reject_extension") and state in ("accepted", "replied"):
            if state == "replied":
                order = make_order("accepted", assist=[district.zhujian])
            operations.apply(order.id, "request_extension", district.handler, reason="需要协调多个部门。",
                             requested_due_at=datetime(2026, 12, 31, 17, 0))
            if state == "replied":
                operations.apply(order.id, "reply", district.handler, reply="已处理完毕，并电话告知市民处理结果。")
        db.session.refresh(order)
        assert order.state == state
        return order

    return make


def units_open(order_id) -> set[bool]:
    """The ``order_open`` marks of the order's units (each of its parts, lead and assisting)."""
    return set(db.session.scalars(db.select(OrderUnit.order_open).where(OrderUnit.order_id == order_id)))


def snapshot(order_id):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    events = db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id))
    return order.state, order.version, events


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_transition_table(action, district, reach):
    states, actors, target = EXPECTED[action]
    for state in ALL_STATES:
        for actor_key in ACTORS:
            legal = state in states and actor_key in actors
            order = reach(state, action)
            actor = district.people[actor_key]
            before = snapshot(order.id)
            if legal:
                operations.apply(order.id, action, actor, **PARAMS[action](district))
                after_state, version, events = snapshot(order.id)
                assert after_state == (target or state), (action, state, actor_key)
                assert version == before[1] + 1 and events == before[2] + 1
                event = db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order.id)
                                           .order_by(OrderEvent.id.desc())).first()
                assert (event.action, event.from_state, event.to_state, event.actor_id) == (
                    action, state, target or state, actor.id)
                undispatched = state == "received" and action != "dispatch"  # no units yet
                expected = set() if undispatched else {after_state in ASSIST_STATES}
                assert units_open(order.id) == expected, (action, state)
            else:
                with pytest.raises(TransitionRefused) as refused:
                    operations.apply(order.id, action, actor, **PARAMS[action](district))
                assert str(refused.value)  # a message for the user
                assert snapshot(order.id) == before, (action, state, actor_key)
            if not legal and state not in states:
                break  # the state alone refuses it; one actor is enough for the remaining roles


def test_refusal_messages_are_chinese(district, make_order):
    order = make_order("closed")
    with pytest.raises(TransitionRefused, match="已办结"):
        operations.apply(order.id, "reply", district.handler, reply="x" * 20)
    with pytest.raises(TransitionRefused, match="角色"):
        operations.apply(order.id, "close", district.deputy)


def test_invalid_input_changes_nothing(district, make_order):
    order = make_order("received")
    before = snapshot(order.id)
    for params in ({}, {"lead_unit_id": 99999}, {"lead_unit_id": district.office.id}, {"lead_unit_id": "abc"}):
        with pytest.raises(InvalidInput):
            operations.apply(order.id, "dispatch", district.dispatcher, **params)
        assert snapshot(order.id) == before


def test_visit_unsatisfied_needs_a_reason(district, make_order):
    order = make_order("approved")
    with pytest.raises(InvalidInput, match="不满意原因"):
        operations.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="partly")
    with pytest.raises(InvalidInput, match="满意程度"):
        operations.apply(order.id, "visit", district.dispatcher, satisfaction="great", resolution="resolved")


def test_reopen_only_after_an_unsatisfying_visit(district, make_order):
    order = make_order("visited")  # satisfied and resolved
    with pytest.raises(TransitionRefused, match="不满意或未解决"):
        operations.apply(order.id, "reopen", district.dispatcher, reason="再办一次")


def test_reopen_makes_a_reprocess_round_with_new_deadlines(district, make_order):
    order = make_order("approved")
    operations.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="unresolved",
                     reason="摊点白天又回来了")
    operations.apply(order.id, "reopen", district.dispatcher, reason="请加强巡查，彻底解决")
    db.session.refresh(order)
    assert order.state == "dispatched" and order.reprocess_count == 1
    assert order.signed_at is None and order.reply_due_at > order.visits[0].at
    operations.apply(order.id, "sign_for", district.handler)
    operations.apply(order.id, "reply", district.handler, reply="已安排每日早晚两次巡查，摊点已劝离。")
    operations.apply(order.id, "approve_reply", district.dispatcher)
    operations.apply(order.id, "visit", district.dispatcher, satisfaction="satisfied", resolution="resolved")
    db.session.refresh(order)
    assert [v.round for v in order.visits] == [0, 1]


def test_return_approved_goes_back_to_the_pool_and_can_be_redispatched(district, make_order):
    order = make_order("dispatched")
    operations.apply(order.id, "request_return", district.handler, reason="属于住建部门职责范围。")
    operations.apply(order.id, "approve_return", district.dispatcher)
    db.session.refresh(order)
    assert order.state == "received" and order.lead_unit_id is None and order.next_due_at is None
    operations.apply(order.id, "dispatch", district.dispatcher, lead_unit_id=district.zhujian.id)
    db.session.refresh(order)
    assert order.lead_unit_id == district.zhujian.id
    # the first lead no longer holds it: its handler can no longer act
    with pytest.raises(TransitionRefused):
        operations.apply(order.id, "sign_for", district.handler)
    operations.apply(order.id, "sign_for", district.other_handler)


def test_rejected_return_restores_the_state_it_came_from(district, make_order):
    order = make_order("dispatched")
    operations.apply(order.id, "request_return", district.handler, reason="不属于本单位职责。")
    operations.apply(order.id, "reject_return", district.dispatcher, note="经核实属于城管职责")
    db.session.refresh(order)
    assert order.state == "dispatched" and order.requests[0].status == "rejected"


def test_extension_moves_the_reply_deadline(district, make_order):
    order = make_order("accepted")
    new_due = datetime(2026, 12, 15, 17, 0)
    operations.apply(order.id, "request_extension", district.handler, reason="需与燃气公司协调施工。",
                     requested_due_at=new_due)
    with pytest.raises(TransitionRefused, match="已有延期申请"):
        operations.apply(order.id, "request_extension", district.handler, reason="再申请一次。",
                         requested_due_at=new_due)
    operations.apply(order.id, "approve_extension", district.dispatcher)
    db.session.refresh(order)
    assert order.reply_due_at == new_due and order.requests[0].status == "approved"


def test_extension_must_be_later_than_current_deadline(district, make_order):
    order = make_order("accepted")
    with pytest.raises(InvalidInput, match="晚于"):
        operations.apply(order.id, "request_extension", district.handler, reason="需要更多时间处理。",
                         requested_due_at=order.reply_due_at)


def test_send_back_marks_the_order_and_a_new_reply_clears_it(district, make_order):
    order = make_order("replied")
    operations.apply(order.id, "send_back", district.dispatcher, reason="答非所问，请针对诉求答复。")
    db.session.refresh(order)
    assert order.state == "accepted" and order.sent_back
    operations.apply(order.id, "reply", district.handler, reply="已针对市民诉求逐项答复并现场处置完毕。")
    db.session.refresh(order)
    assert order.state == "replied" and not order.sent_back


def test_assisting_part_shows_in_the_lead_reply_form(district, make_order, login):
    order = make_order("accepted", assist=[district.zhujian])
    operations.apply(order.id, "contribute", district.other_handler, note="住建局已约谈物业，责令三日内整改。")
    page = login(district.handler).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "住建局已约谈物业" in page and "协办意见" in page


def test_direct_answer_closes_without_dispatch(district, make_order):
    order = make_order()
    operations.apply(order.id, "direct_answer", district.dispatcher, answer="公积金提取可通过线上渠道办理。")
    db.session.refresh(order)
    assert order.state == "closed" and order.direct_answer and order.lead_unit_id is None


def test_take_in_only_by_the_office(district, category):
    with pytest.raises(TransitionRefused):
        operations.take_in(district.handler, {"number": "X1"})
