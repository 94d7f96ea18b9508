"""The takeover check, run by the scheduler every few minutes (and callable with a fixed clock).

- An order not yet signed for whose handler has let ``TAKEOVER_FRACTION`` of the sign-for window pass
  (default half, counted in working time for working-day deadlines) passes to the unit's B handler,
  as a 'takeover' event (an order B already holds stays with B).
- An order due soon whose handler has not acted (not signed, or no reply) alerts the B handler once.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..auth.models import User
from ..deadlines.queries import policies, work_calendar
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Order
from ..orders.operations import reassign_handler
from ..orders.states import State
from .queries import absence_at, holders

DEFAULT_FRACTION = 0.5


@dataclass
class CheckResult:
    taken_over: list[str] = field(default_factory=list)
    alerted: list[str] = field(default_factory=list)


def takeover_point(order: Order, fraction: float) -> datetime:
    """When the takeover happens: ``fraction`` of the sign-for window after dispatch."""
    start, due = order.dispatched_at, order.sign_due_at
    if policies()[order.urgency].unit == "hour":
        return start + (due - start) * fraction
    cal = work_calendar()
    return cal.add_working_seconds(start, cal.working_seconds_between(start, due) * fraction)


def check_takeovers(at: datetime) -> CheckResult:
    fraction = current_app.config.get("TAKEOVER_FRACTION", DEFAULT_FRACTION)
    result = CheckResult()
    unsigned = db.session.scalars(
        select(Order).where(Order.state == State.DISPATCHED, Order.handler_id.is_not(None),
                            Order.sign_due_at.is_not(None), Order.dispatched_at <= at)
    ).all()
    for order in unsigned:
        backup = _backup(order, at, b_only=True)
        if backup is not None and at >= takeover_point(order, fraction):
            handler = db.session.get(User, order.handler_id)
            reassign_handler(order, backup, None, "takeover",
                             f"{handler.name}超过签收时限的{int(fraction * 100)}%仍未签收，由{backup.name}接办", at)
            notify(backup.id, "takeover", f"您已接办工单{order.number}（原承办人未按时签收）", order_id=order.id, at=at)
            result.taken_over.append(order.number)
    due_soon = db.session.scalars(
        select(Order).where(Order.state.in_([State.DISPATCHED, State.ACCEPTED]), Order.warn_at <= at,
                            Order.next_due_at >= at, Order.handler_id.is_not(None))
    ).all()
    for order in due_soon:
        backup = _backup(order, at)
        if backup is None:
            continue
        key = f"due_soon:{order.id}:{backup.id}:{order.next_due_at:%Y%m%d%H%M}"
        what = "签收" if order.state == State.DISPATCHED else "答复"
        if notify(backup.id, "due_soon", f"工单{order.number}即将到期，承办人尚未{what}，请关注",
                  order_id=order.id, at=at, dedupe_key=key):
            result.alerted.append(order.number)
    db.session.commit()
    return result


def _backup(order: Order, at: datetime, b_only: bool = False) -> User | None:
    """The other role holder of the order's unit, present and not already the handler. Takeovers go to
    B only (an order B already holds is not passed back and forth); alerts go to whichever is the other."""
    roles = holders(order.lead_unit_id)
    a, b = roles["A"], roles["B"]
    backup = a if (b is not None and b.id == order.handler_id and not b_only) else b
    if backup is None or backup.id == order.handler_id or not backup.active or absence_at(backup.id, at):
        return None
    return backup
