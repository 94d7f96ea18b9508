"""The matters the portal proposes for a month's deputies' list, each with the reasons it was proposed.

Four rules (the seeds' "hard, much-complained matters"):
- 投诉集中 (hotspot): at least ``DEPUTY_HOTSPOT_MIN_ORDERS`` orders received in the month on one address
  (``Order.address_key``, the building) and category; the group's latest order stands for the matter;
- 重复投诉 (repeat): orders of the month marked as repeats (``is_repeat``, linked by ``OrderLink``);
- 重办仍未解决 (reprocess): reopened at least once and still open, or unsatisfied/unresolved at the
  latest return visit;
- 长期超期 (overdue): still with the unit ``DEPUTY_OVERDUE_WORKDAYS`` working days after the reply deadline.
The reasons' texts are shown to deputies, so they never name a caller or an address.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from ..assessment.periods import Period
from ..clock import now
from ..deadlines.queries import work_calendar
from ..extensions import db
from ..orders.models import Order, OrderLink, ReturnVisit
from ..orders.states import UNIT_STATES


@dataclass
class Candidate:
    order: Order
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.reasons]


def propose(period: Period, at: datetime | None = None, only: int | None = None) -> list[Candidate]:
    """Candidates for the month ``period``, most reasons first, then oldest first; with ``only``, the
    reasons of that one order (every rule asked about it alone)."""
    at = at or now()
    scope = (Order.id == only) if only is not None else true()
    config = current_app.config
    found: dict[int, list[tuple[str, str]]] = {}

    def add(order_id: int, kind: str, text: str) -> None:
        if only is None or order_id == only:  # a hotspot names its latest order, maybe not this one
            found.setdefault(order_id, []).append((kind, text))

    for order_id, count in _hotspots(period, int(config["DEPUTY_HOTSPOT_MIN_ORDERS"]), only):
        add(order_id, "hotspot", f"本月同一地址同类诉求{count}件")
    for order_id, earlier in _repeats(period, scope):
        add(order_id, "repeat", f"重复投诉（与此前{earlier}件工单相关）")
    for order_id, count in _reprocessed(period, scope):
        add(order_id, "reprocess", f"重办{count}次仍未解决")
    cal = work_calendar()
    for order in _overdue(period, at, scope):
        late = cal.workdays_between(order.reply_due_at.date(), at.date())
        if cal.add_workdays(order.reply_due_at, int(config["DEPUTY_OVERDUE_WORKDAYS"])) <= at:
            add(order.id, "overdue", f"超过答复期限{late}个工作日仍未答复")
    if not found:
        return []
    orders = db.session.scalars(select(Order).where(Order.id.in_(list(found)))
                                .options(selectinload(Order.units))).unique().all()
    result = [Candidate(o, found[o.id]) for o in orders]
    result.sort(key=lambda c: (-len(c.reasons), c.order.received_at, c.order.id))
    return result[: int(config["DEPUTY_CANDIDATE_LIMIT"])]


def _in_month(period: Period):
    return (Order.received_at >= period.start) & (Order.received_at < period.end)


def _hotspots(period: Period, minimum: int, only: int | None = None):
    query = (select(func.max(Order.id), func.count(Order.id))
             .where(_in_month(period), Order.address_key.is_not(None), Order.address_key != ""))
    if only is not None:  # the one order's building and category only
        mine = select(Order.address_key, Order.category_id).where(Order.id == only).subquery()
        query = query.where(Order.address_key == mine.c.address_key,
                            Order.category_id.is_not_distinct_from(mine.c.category_id))
    rows = db.session.execute(query.group_by(Order.address_key, Order.category_id)
                              .having(func.count(Order.id) >= minimum)).all()
    return [(order_id, count) for order_id, count in rows]


def _repeats(period: Period, scope):
    rows = db.session.execute(
        select(Order.id, func.count(OrderLink.id)).join(OrderLink, OrderLink.order_id == Order.id, isouter=True)
        .where(_in_month(period), Order.is_repeat.is_(True), scope).group_by(Order.id)).all()
    return [(order_id, count) for order_id, count in rows]


def _reprocessed(period: Period, scope) -> list[tuple[int, int]]:
    """(id, times reprocessed) of reopened orders received by the month's end whose latest return visit
    was unsatisfied or unresolved (while an order is being handled again, its latest visit is the one that
    reopened it). In SQL: the latest visit by a correlated subquery, no orders loaded."""
    later = aliased(ReturnVisit)
    latest = (select(later.id).where(later.order_id == Order.id).correlate(Order)
              .order_by(later.id.desc()).limit(1).scalar_subquery())
    unsolved = select(ReturnVisit.id).where(
        ReturnVisit.id == latest,
        or_(ReturnVisit.satisfaction == "unsatisfied", ReturnVisit.resolution == "unresolved")).exists()
    return db.session.execute(select(Order.id, Order.reprocess_count).where(
        Order.reprocess_count >= 1, Order.received_at < period.end, scope, unsolved)).all()


def _overdue(period: Period, at: datetime, scope) -> list[Order]:
    """Orders still with their unit past the reply deadline (the working-day margin is checked by the caller)."""
    return db.session.scalars(
        select(Order).where(Order.state.in_([s.value for s in UNIT_STATES]), Order.reply_due_at.is_not(None),
                            Order.reply_due_at < at, Order.received_at < period.end, scope)).all()
