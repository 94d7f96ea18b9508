"""Read side of the ledger: the filtered list (a page, or all rows for an export), counts, and the
choices the filters and the form offer."""
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..units.models import Unit
from . import access
from .filters import LedgerFilters
from .models import LedgerEntry, LedgerEvent, LedgerOrder

EXPORT_MAX = 2000  # rows in one export; a district's ledger holds dozens to hundreds


def state_clause(state: str):
    today = now().date()
    if state == "overdue":
        return and_(LedgerEntry.state == "open", LedgerEntry.target_date < today)
    if state == "open":
        return LedgerEntry.state == "open"
    return LedgerEntry.state == "cancelled"


def filtered(user, f: LedgerFilters):
    """The select() of entries ``user`` may read that match ``f``: open ones first by target date."""
    query = access.scope(select(LedgerEntry), user)
    if f.state:
        query = query.where(state_clause(f.state))
    if f.unit_id:
        query = query.where(LedgerEntry.owner_unit_id == f.unit_id)
    if f.leader_id:
        query = query.where(LedgerEntry.leader_id == f.leader_id)
    query = f.within_dates(query, LedgerEntry.registered_at)
    if f.q:
        like = f.q_pattern
        query = query.where(or_(LedgerEntry.title.like(like, escape="\\"),
                                LedgerEntry.description.like(like, escape="\\")))
    # open before cancelled; open by target date (the most urgent first); cancelled newest first
    return query.order_by(LedgerEntry.state.desc(), LedgerEntry.cancelled_at.desc(), LedgerEntry.target_date,
                          LedgerEntry.id.desc())


def _with_related(query):
    return query.options(selectinload(LedgerEntry.owner_unit), selectinload(LedgerEntry.leader),
                         selectinload(LedgerEntry.events).selectinload(LedgerEvent.actor),
                         selectinload(LedgerEntry.links).selectinload(LedgerOrder.order),
                         selectinload(LedgerEntry.cancelled_by))


def page(user, f: LedgerFilters, size: int) -> tuple[list[LedgerEntry], bool]:
    rows = db.session.scalars(_with_related(filtered(user, f)).limit(size + 1).offset((f.page - 1) * size)).all()
    return rows[:size], len(rows) > size


def export_rows(user, f: LedgerFilters) -> tuple[list[LedgerEntry], bool]:
    """Every matching entry for an export (at most ``EXPORT_MAX``; the flag says whether more matched)."""
    rows = db.session.scalars(_with_related(filtered(user, f)).limit(EXPORT_MAX + 1)).all()
    return rows[:EXPORT_MAX], len(rows) > EXPORT_MAX


def counts(user) -> dict[str, int]:
    """How many entries ``user`` may read are open, overdue and cancelled (the list's tabs)."""
    return {state: db.session.scalar(access.scope(select(func.count(LedgerEntry.id)), user)
                                     .where(state_clause(state)))
            for state in ("open", "overdue", "cancelled")}


def leader_choices() -> list[tuple[str, list[User]]]:
    """Who may answer for a matter: district leaders, and units' leaders (by unit)."""
    leaders = db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.LEADER)
                                 .order_by(User.name)).all()
    unit_leaders = db.session.scalars(
        select(User).join(Unit, User.unit_id == Unit.id)
        .where(User.active.is_(True), User.role == Role.UNIT_LEADER)
        .order_by(Unit.kind, Unit.sort, Unit.id, User.name)).all()
    groups = [("区领导", leaders), ("单位负责人", unit_leaders)]
    return [(label, people) for label, people in groups if people]


def leaders_in_ledger(user) -> list[User]:
    """The leaders named on entries ``user`` may read (the list's leader filter)."""
    ids = access.scope(select(LedgerEntry.leader_id), user).distinct()
    return db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)).all()


def units_in_ledger(user) -> list[Unit]:
    ids = access.scope(select(LedgerEntry.owner_unit_id), user).distinct()
    return db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.kind, Unit.sort, Unit.id)).all()
