"""Read side of the roster: who holds A and B now, who is away, who answers for an order."""
import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import Role, User
from ..extensions import db
from ..orders.models import Order
from ..orders.states import UNIT_STATES, State
from ..units.models import Unit, UnitKind
from .models import Absence, Handover, RosterAssignment, RosterEvent

ROSTER_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.SOE, UnitKind.COMMITTEE]
# States in which an order's handler answers for it (the unit holds it, or the office is reviewing its
# reply and may send it back).
HELD_STATES = [s.value for s in UNIT_STATES | {State.REPLIED}]


# The statements every unit page runs (the inbox, the order page) are built once, with bound parameters:
# building one costs more than running it.

@functools.cache
def _holders_statement():
    return (select(RosterAssignment).options(joinedload(RosterAssignment.user))
            .where(RosterAssignment.unit_id == bindparam("unit"), RosterAssignment.end_at.is_(None)))


@functools.cache
def _members_statement():
    """The unit's people, each with their absence at ``at`` and the A or B slot they hold. A holder is
    always one of them: assigning checks the unit, and moving or switching a user off ends their slots
    (roster.operations; tests/test_roster_invariant.py)."""
    unit, at = bindparam("unit"), bindparam("at")
    holding = and_(RosterAssignment.user_id == User.id, RosterAssignment.unit_id == unit,
                   RosterAssignment.end_at.is_(None))
    return (select(User, Absence, RosterAssignment.slot)
            .outerjoin(Absence, and_(Absence.user_id == User.id, Absence.cancelled_at.is_(None),
                                     Absence.start_at <= at, Absence.end_at > at))
            .outerjoin(RosterAssignment, holding)
            .where(User.unit_id == unit).order_by(User.role, User.id, Absence.start_at))


def holders(unit_id: int) -> dict[str, User | None]:
    """The unit's A and B now (None for an empty slot)."""
    rows = db.session.scalars(_holders_statement(), {"unit": unit_id}).all()
    result: dict[str, User | None] = {"A": None, "B": None}
    for row in rows:
        result[row.slot] = row.user
    return result


def holders_by_unit(unit_ids) -> dict[int, dict[str, User | None]]:
    rows = db.session.scalars(
        select(RosterAssignment).where(RosterAssignment.unit_id.in_(list(unit_ids)),
                                       RosterAssignment.end_at.is_(None))
    ).all()
    result = {uid: {"A": None, "B": None} for uid in unit_ids}
    for row in rows:
        result[row.unit_id][row.slot] = row.user
    return result


def history(unit_id: int) -> list[RosterAssignment]:
    return db.session.scalars(
        select(RosterAssignment).where(RosterAssignment.unit_id == unit_id)
        .order_by(RosterAssignment.start_at.desc(), RosterAssignment.id.desc())
    ).all()


def events(unit_id: int, limit: int = 30) -> list[RosterEvent]:
    """The unit's latest roster changes, from its chain of the audit record."""
    return db.session.scalars(select(RosterEvent).where(RosterEvent.unit_id == unit_id)
                              .order_by(RosterEvent.seq.desc()).limit(limit)).all()


def absence_at(user_id: int, at: datetime) -> Absence | None:
    return db.session.scalars(
        select(Absence).where(Absence.user_id == user_id, Absence.cancelled_at.is_(None),
                              Absence.start_at <= at, Absence.end_at > at)
    ).first()


def unit_members_and_holders_at(unit_id: int, at: datetime) -> tuple[list[tuple[User, Absence | None]],
                                                                      dict[str, User | None]]:
    """Every member of the unit, ordered as ``unit_people``, each with their absence at ``at`` (or None;
    the first one, should two overlap), and the unit's A and B as ``holders`` gives them: who is in the
    unit, who is away and who holds the roles, in one statement (who stands in for whom needs them all)."""
    rows = db.session.execute(_members_statement(), {"unit": unit_id, "at": at}).all()
    members: dict[int, tuple[User, Absence | None]] = {}
    roles: dict[str, User | None] = {"A": None, "B": None}
    for user, absence, slot in rows:
        if slot:
            roles[slot] = user
        if members.get(user.id, (None, None))[1] is None:
            members[user.id] = (user, absence)
    return list(members.values()), roles


def absences_overlapping(user_id: int, start: datetime, end: datetime) -> list[Absence]:
    return db.session.scalars(
        select(Absence).where(Absence.user_id == user_id, Absence.cancelled_at.is_(None),
                              Absence.start_at < end, Absence.end_at > start)
    ).all()


def unit_absences(unit_id: int, since: datetime) -> list[Absence]:
    return db.session.scalars(
        select(Absence).join(User, User.id == Absence.user_id)
        .where(User.unit_id == unit_id, Absence.end_at > since, Absence.cancelled_at.is_(None))
        .order_by(Absence.start_at)
    ).all()


def handovers(unit_id: int, limit: int = 20) -> list[Handover]:
    return db.session.scalars(
        select(Handover).where(Handover.unit_id == unit_id).order_by(Handover.at.desc()).limit(limit)
    ).all()


ANSWERING_ROLES = (Role.HANDLER, Role.UNIT_LEADER)  # the unit's people who may answer for an order


def is_unit_person(user: User) -> bool:
    """Whether ``user`` is one of ``unit_people``: active, a handler or the unit's leader."""
    return user.active and user.role in ANSWERING_ROLES


def unit_people(unit_id: int) -> list[User]:
    return db.session.scalars(
        select(User).where(User.unit_id == unit_id, User.active.is_(True), User.role.in_(ANSWERING_ROLES))
        .order_by(User.role, User.id)
    ).all()


def incomplete_units() -> list[Unit]:
    """Units that take orders but lack an A or a B: streets, departments, SOEs and committees always;
    communities once they have staff."""
    complete = (
        select(RosterAssignment.unit_id).where(RosterAssignment.end_at.is_(None))
        .group_by(RosterAssignment.unit_id).having(func.count(func.distinct(RosterAssignment.slot)) == 2)
    )
    staffed_communities = select(User.unit_id).where(User.active.is_(True))
    return db.session.scalars(
        select(Unit).where(
            Unit.active.is_(True), Unit.id.not_in(complete),
            or_(Unit.kind.in_(ROSTER_KINDS),
                (Unit.kind == UnitKind.COMMUNITY) & Unit.id.in_(staffed_communities)),
        ).order_by(Unit.kind, Unit.sort, Unit.id)
    ).all()


def open_orders_of(user_id: int) -> list[Order]:
    return db.session.scalars(
        select(Order).where(Order.handler_id == user_id, Order.state.in_(HELD_STATES)).order_by(Order.id)
    ).all()


@dataclass
class Load:
    user: User
    open: int
    due_soon: int
    overdue: int
    acting: int


def unit_load(unit_id: int, at: datetime) -> list[Load]:
    """Per person of the unit: open orders they answer for, due soon, overdue (one grouped query)."""
    rows = db.session.execute(
        select(
            Order.handler_id,
            func.count(Order.id),
            func.sum(((Order.warn_at <= at) & (Order.next_due_at >= at)).cast(db.Integer)),
            func.sum((Order.next_due_at < at).cast(db.Integer)),
        ).where(Order.lead_unit_id == unit_id, Order.state.in_(HELD_STATES)).group_by(Order.handler_id)
    ).all()
    counts = {r[0]: (r[1], r[2] or 0, r[3] or 0) for r in rows}
    from .routing import Responsibility

    duty = Responsibility(unit_id, at)
    acting: dict[int, int] = {}
    for handler_id, (n, _, _) in counts.items():
        stand = duty.acting_for(handler_id)
        if stand:
            acting[stand.id] = acting.get(stand.id, 0) + n
    return [Load(u, *counts.get(u.id, (0, 0, 0)), acting.get(u.id, 0)) for u in unit_people(unit_id)]
