"""会商改派 (Action.REASSIGN) and apply_many: several order steps in one transaction, all or none."""
import pytest

from portal.extensions import db
from portal.orders import operations
from portal.orders.errors import InvalidInput
from portal.orders.models import Order, OrderEvent
from portal.orders.states import Action, State, TransitionRefused, allowed


def _events(order_id):
    return db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order_id)
                              .order_by(OrderEvent.id)).all()


def _reassign(district, order, **extra):
    return (order.id, Action.REASSIGN, {"lead_unit_id": district.zhujian.id,
                                        "assist_unit_ids": [district.street.id],
                                        "basis": "依会商〔2026〕第001号纪要", **extra})


def test_reassign_moves_an_accepted_order_to_the_decided_units(district, make_order):
    order = make_order("accepted")
    [moved] = operations.apply_many([_reassign(district, order)], district.dispatcher)
    assert moved.state == State.DISPATCHED
    assert moved.lead_unit_id == district.zhujian.id
    assert moved.handler_id == district.other_handler.id
    assert moved.is_complex and moved.signed_at is None
    active = {(u.unit_id, u.part) for u in moved.units if u.active}
    assert active == {(district.zhujian.id, "lead"), (district.street.id, "assist")}
    event = _events(order.id)[-1]
    assert event.action == "reassign" and event.from_state == "accepted" and event.to_state == "dispatched"
    assert event.note.startswith("依会商〔2026〕第001号纪要：派发至区住建局")


def test_a_pending_return_request_lapses_when_the_order_is_reassigned(district, make_order):
    order = make_order("accepted")
    operations.apply(order.id, "request_return", district.handler, reason="不属于本单位职责范围")
    operations.apply_many([_reassign(district, order)], district.leader)
    db.session.refresh(order)
    assert order.state == State.DISPATCHED and order.pending_request("return") is None
    assert [r.status for r in order.requests] == ["lapsed"]


def test_one_refused_step_leaves_every_order_as_it_was(district, make_order):
    first, closed = make_order("accepted"), make_order("closed")
    versions = (first.version, closed.version)
    counts = (len(_events(first.id)), len(_events(closed.id)))
    with pytest.raises(TransitionRefused):
        operations.apply_many([_reassign(district, first), _reassign(district, closed)], district.dispatcher)
    db.session.expire_all()
    assert (db.session.get(Order, first.id).version, db.session.get(Order, closed.id).version) == versions
    assert (len(_events(first.id)), len(_events(closed.id))) == counts
    assert db.session.get(Order, first.id).lead_unit_id == district.chengguan.id


def test_a_failure_in_the_callers_records_rolls_the_orders_back(district, make_order):
    order = make_order("accepted")

    def before_commit(orders):
        raise InvalidInput("落实事项有误。")

    with pytest.raises(InvalidInput):
        operations.apply_many([_reassign(district, order)], district.dispatcher, before_commit=before_commit)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == State.ACCEPTED


def test_units_cannot_reassign_and_the_order_page_offers_no_button_for_it(district, make_order):
    order = make_order("accepted")
    with pytest.raises(TransitionRefused):
        operations.apply_many([_reassign(district, order)], district.handler)
    assert Action.REASSIGN not in allowed(order, district.dispatcher)


def test_reassign_needs_its_basis(district, make_order):
    order = make_order("accepted")
    with pytest.raises(InvalidInput, match="改派依据"):
        operations.apply_many([_reassign(district, order, basis="")], district.dispatcher)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == State.ACCEPTED
