"""Read-side queries of assessment: exclusions by status, unit and period."""
from sqlalchemy import select

from ..auth.models import Role
from ..extensions import db
from ..orders.models import Order
from .models import Exclusion
from .periods import Period

OFFICE_VIEW = {Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}


def exclusions(user, status: str | None = None, limit: int = 200) -> list[Exclusion]:
    """Exclusion requests the user may see (the office all; a unit its own), pending first, newest first."""
    query = select(Exclusion)
    if Role(user.role) not in OFFICE_VIEW:
        query = query.where(Exclusion.unit_id == (user.unit_id or 0))
    if status:
        query = query.where(Exclusion.status == status)
    query = query.order_by((Exclusion.status == "pending").desc(), Exclusion.requested_at.desc(), Exclusion.id.desc())
    return db.session.scalars(query.limit(limit)).all()


def excluded_in(period: Period, as_of, unit_ids=None) -> list[Exclusion]:
    """Approved exclusions (by ``as_of``) of orders received in the period: shown apart from the rates."""
    query = (select(Exclusion).join(Order, Order.id == Exclusion.order_id)
             .where(Exclusion.status == "approved", Exclusion.decided_at <= as_of,
                    Order.received_at >= period.start, Order.received_at < period.end))
    if unit_ids is not None:
        query = query.where(Exclusion.unit_id.in_(unit_ids))
    return db.session.scalars(query.order_by(Order.received_at)).all()


def exclusion_of(order_id: int) -> Exclusion | None:
    """The order's latest exclusion request."""
    return db.session.scalar(select(Exclusion).where(Exclusion.order_id == order_id)
                             .order_by(Exclusion.id.desc()).limit(1))


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Exclusion).where(Exclusion.status == "pending")) or 0
