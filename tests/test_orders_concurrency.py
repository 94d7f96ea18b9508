"""Two people acting on one order at the same moment: exactly one wins, the other is told plainly."""
import threading

import pytest

from portal.auth.models import User
from portal.extensions import db
from portal.orders import operations
from portal.orders.errors import Conflict, TransitionRefused
from portal.orders.models import Order, OrderEvent


def race(app, calls):
    """Run each (user_id, action, params) in its own thread and session, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, user_id, action, params):
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                operations.apply(order_id, action, user, **params)
                results[i] = "ok"
            except (Conflict, TransitionRefused) as exc:
                results[i] = exc
            finally:
                db.session.remove()

    order_id = calls[0][3]
    threads = [threading.Thread(target=run, args=(i, uid, action, params))
               for i, (uid, action, params, _) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("with_version", [True, False])
def test_two_dispatchers_dispatch_the_same_order(app, district, make_user, make_order, with_version):
    other = make_user("dispatcher", district.office)
    order = make_order()
    extra = {"version": order.version} if with_version else {}
    results = race(app, [
        (district.dispatcher.id, "dispatch", {"lead_unit_id": district.chengguan.id, **extra}, order.id),
        (other.id, "dispatch", {"lead_unit_id": district.zhujian.id, **extra}, order.id),
    ])
    assert sorted(r == "ok" for r in results) == [False, True], results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, (Conflict, TransitionRefused)) and str(loser)
    db.session.expire_all()
    fresh = db.session.get(Order, order.id)
    dispatches = db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                                OrderEvent.action == "dispatch")).all()
    assert len(dispatches) == 1
    assert len([u for u in fresh.units if u.active]) == 1  # one lead, not two
    assert fresh.lead_unit_id == dispatches[0].data["lead_unit_id"]


def test_reply_and_return_request_race(app, district, make_order):
    order = make_order("accepted")
    results = race(app, [
        (district.handler.id, "reply", {"reply": "已现场处置完毕，并电话告知市民。", "version": order.version}, order.id),
        (district.handler_b.id, "request_return", {"reason": "不属于本单位职责范围。", "version": order.version}, order.id),
    ])
    assert sorted(r == "ok" for r in results) == [False, True], results
    db.session.expire_all()
    fresh = db.session.get(Order, order.id)
    assert fresh.state in ("replied", "return_requested")
    assert len(fresh.events) == 4  # take_in, dispatch, sign_for, and the one winner
