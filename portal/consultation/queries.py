"""Read side of consultation: the lists for each role, the actions a user may take on a case, earlier
cases on the same matter, the cases an order is in, and the count for the units' inbox alert.

Who may see a case is decided in ``access.py``; ``_candidates`` says the same rule in SQL, so a list never
shows what the case page would refuse and pages in the database (a test compares the two).
"""
from sqlalchemy import and_, case as when, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..extensions import db
from ..json_lists import json_list_holds
from ..orders.models import Order, OrderLink, OrderUnit
from ..permissions import can_view_order
from . import access
from .models import (Consultation, ConsultationDecision, ConsultationInvitation, ConsultationMeeting,
                     ConsultationOrder, ConsultationTask)
from .operations import own_invitation
from .states import KINDS, OPEN_STATES, STATE_LABELS, Action, State

TABS = {"waiting": "待提交意见", "requested": "待审批", "open": "在办", "mine": "我负责的", "closed": "已结束",
        "all": "全部"}
OPEN = [s.value for s in OPEN_STATES]
ENDED = [State.CLOSED.value, State.DECLINED.value]


def tabs_for(user) -> dict[str, str]:
    """The list's tabs for ``user``: the office approves requests, leaders have their own cases, units
    have the cases waiting for their written opinion."""
    role = Role(user.role)
    if role in access.UNIT_SIDE:
        keys = ["waiting", "open", "closed", "all"]
    elif role is Role.LEADER:
        keys = ["open", "mine", "waiting", "closed", "all"]
    elif role is Role.DISPATCHER:
        keys = ["requested", "open", "mine", "closed", "all"]
    else:
        keys = ["requested", "open", "closed", "all"]
    return {k: TABS[k] for k in keys}


def default_tab(user) -> str:
    tabs = tabs_for(user)
    if "waiting" in tabs and Role(user.role) in access.UNIT_SIDE and waiting_count(user):
        return "waiting"
    return "open"


# --- scope -------------------------------------------------------------------------------------------

def _candidates(user):
    """A select() of exactly the cases ``user`` may see (the rule of ``access.can_view``, in SQL)."""
    query = select(Consultation)
    role = Role(user.role)
    if role in access.SEES_ALL:
        return query
    if role not in access.UNIT_SIDE or not user.unit_id:
        return query.where(Consultation.owner_id == user.id)
    uid = user.unit_id
    holds = exists().where(ConsultationOrder.consultation_id == Consultation.id,
                           OrderUnit.order_id == ConsultationOrder.order_id, OrderUnit.unit_id == uid,
                           OrderUnit.active.is_(True))
    invited = exists().where(ConsultationMeeting.consultation_id == Consultation.id,
                             ConsultationInvitation.meeting_id == ConsultationMeeting.id,
                             ConsultationInvitation.unit_id == uid)
    decided = exists().where(ConsultationMeeting.consultation_id == Consultation.id,
                             ConsultationDecision.meeting_id == ConsultationMeeting.id,
                             or_(ConsultationDecision.lead_unit_id == uid,
                                 json_list_holds(ConsultationDecision.assist_unit_ids, uid)))
    tasked = exists().where(ConsultationTask.consultation_id == Consultation.id, ConsultationTask.unit_id == uid)
    return query.where(or_(Consultation.requested_by_unit_id == uid, Consultation.owner_id == user.id,
                           holds, invited, decided, tasked))


def _waiting(user):
    """The condition: the current round invites ``user`` (their unit, or the leader) and has no opinion yet."""
    if Role(user.role) in access.UNIT_SIDE:
        return _waiting_for(ConsultationInvitation.unit_id == user.unit_id)
    return _waiting_for(ConsultationInvitation.user_id == user.id)


def _waiting_for(mine):
    """The condition: the current round has an invitation matching ``mine`` without an opinion yet."""
    return and_(Consultation.state == State.PREPARING.value, exists().where(
        ConsultationMeeting.consultation_id == Consultation.id, ConsultationMeeting.round == Consultation.round,
        ConsultationInvitation.meeting_id == ConsultationMeeting.id, mine, ConsultationInvitation.opinion.is_(None)))


def _tab_filter(query, user, tab: str):
    if tab == "waiting":
        return query.where(_waiting(user))
    if tab == "requested":
        return query.where(Consultation.state == State.REQUESTED.value)
    if tab == "open":
        return query.where(Consultation.state.in_(OPEN))
    if tab == "mine":
        return query.where(Consultation.owner_id == user.id, Consultation.state.in_(OPEN))
    if tab == "closed":
        return query.where(Consultation.state.in_(ENDED))
    return query


# --- lists -------------------------------------------------------------------------------------------

def listing(user, tab: str, kind: str = "", state: str = "", page: int = 1, size: int = 20):
    """One page of the cases ``user`` sees under ``tab``: those waiting for the user's opinion first,
    then the most recently changed."""
    query = _tab_filter(_candidates(user), user, tab)
    if kind in KINDS:
        query = query.where(Consultation.kind == kind)
    if state in STATE_LABELS:
        query = query.where(Consultation.state == state)
    waiting_first = _waiting(user) if Role(user.role) in access.UNIT_SIDE | {Role.LEADER} else None
    order = [] if waiting_first is None else [when((waiting_first, 0), else_=1)]
    query = query.options(selectinload(Consultation.links).joinedload(ConsultationOrder.order),
                          selectinload(Consultation.owner), selectinload(Consultation.meetings))
    query = query.order_by(*order, Consultation.updated_at.desc(), Consultation.id.desc())
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).unique().all()
    return rows[:size], len(rows) > size


def counts(user) -> dict[str, int]:
    result = {}
    for tab in tabs_for(user):
        query = _tab_filter(_candidates(user), user, tab)
        result[tab] = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return result


def waiting_ids(user) -> set[int]:
    """The cases waiting for ``user``'s (their unit's) written opinion."""
    if Role(user.role) in access.UNIT_SIDE and not user.unit_id:
        return set()
    return set(db.session.scalars(select(Consultation.id).where(_waiting(user))).all())


def unit_waiting_count_query(unit_id):
    """A scalar subquery: how many cases wait for the unit's written opinion (``unit_id`` may be a bound
    parameter)."""
    return select(func.count()).where(_waiting_for(ConsultationInvitation.unit_id == unit_id)).scalar_subquery()


def waiting_count(user) -> int:
    """For the inbox alert: how many cases wait for the unit's written opinion."""
    if Role(user.role) in access.UNIT_SIDE and not user.unit_id:
        return 0
    return db.session.scalar(select(func.count()).where(_waiting(user)))


# --- one case ----------------------------------------------------------------------------------------

def actions(user, case: Consultation) -> list[Action]:
    """The actions ``user`` may take on ``case`` now (the operations check again)."""
    role, state = Role(user.role), State(case.state)
    result = []
    if role is Role.DISPATCHER and state is State.REQUESTED:
        result += [Action.APPROVE, Action.DECLINE]
    if state is State.PREPARING and own_invitation(user, case) is not None:
        result.append(Action.OPINION)
    if access.runs(user, case) and state is State.PREPARING:
        result += [Action.INVITE, Action.REMIND]
    if access.runs(user, case) and case.kind != "executive" and state in (State.PREPARING, State.DECIDED,
                                                                        State.FOLLOWING):
        result.append(Action.ESCALATE)
    if role is Role.LEADER and state in OPEN_STATES and not (case.owner_id == user.id and case.taken_over_at):
        result.append(Action.TAKE_OVER)
    return result


def invitations_view(user, meeting: ConsultationMeeting, case: Consultation) -> list[dict]:
    """The meeting's invitations as ``user`` may see them: every invitee's answered/not answered, and the
    opinion's text only to the office, leaders and the owner, or to the invitee itself."""
    sees_all = access.sees_all_opinions(user, case)
    rows = []
    for invitation in meeting.invitations:
        own = (invitation.unit_id is not None and invitation.unit_id == user.unit_id
               and Role(user.role) in access.UNIT_SIDE) or invitation.user_id == user.id
        rows.append({"invitation": invitation, "own": own, "answered": invitation.opinion is not None,
                     "opinion": invitation.opinion if (sees_all or own) else None})
    return rows


def earlier_cases(user, case: Consultation) -> list[Consultation]:
    """Other cases on the same matter: sharing an order with ``case``, or on orders that repeat (or are
    repeated by) its orders. Only those ``user`` may see."""
    mine = [link.order_id for link in case.links]
    if not mine:
        return []
    related = set(mine)
    for order_id, earlier_id in db.session.execute(select(OrderLink.order_id, OrderLink.earlier_id).where(
            or_(OrderLink.order_id.in_(mine), OrderLink.earlier_id.in_(mine)))).all():
        related.update((order_id, earlier_id))
    return db.session.scalars(
        _candidates(user).join(ConsultationOrder)
        .where(ConsultationOrder.order_id.in_(related), Consultation.id != case.id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())).unique().all()


def case_states(order_id: int) -> list[str]:
    """The states of every case ``order_id`` is in, whoever may see them: one plain lookup, which spares the
    order page the visibility query when, as for most orders, there is no case."""
    return db.session.scalars(select(Consultation.state).join(ConsultationOrder)
                              .where(ConsultationOrder.order_id == order_id)).all()


def for_order(user, order_id: int, states: list[str] | None = None) -> list[Consultation]:
    """The cases ``order_id`` is in that ``user`` may see (for the order page's panel); ``states``: the
    order's ``case_states`` when known (none: nothing to look for)."""
    if states is not None and not states:
        return []
    return db.session.scalars(_candidates(user).join(ConsultationOrder)
                              .where(ConsultationOrder.order_id == order_id)
                              .order_by(Consultation.id)).unique().all()


def may_request(user, order: Order, states: list[str] | None = None) -> bool:
    """May ``user`` ask for a consultation on ``order``: its lead unit, and the order in no open case
    (``states``: the order's ``case_states`` when known)."""
    if Role(user.role) not in access.UNIT_SIDE or not user.unit_id or order.lead_unit_id != user.unit_id:
        return False
    if states is not None:
        return not any(state in OPEN for state in states)
    in_open = db.session.scalar(select(func.count()).select_from(ConsultationOrder).join(Consultation).where(
        ConsultationOrder.order_id == order.id, Consultation.state.in_(OPEN)))
    return not in_open


def may_open(user) -> bool:
    return Role(user.role) in (Role.DISPATCHER, Role.LEADER)


def orders_by_numbers(user, text: str) -> tuple[list[int], list[str]]:
    """Order ids for the numbers typed (separated by spaces, commas or new lines) that ``user`` may see,
    and the numbers not found (an order the user may not see counts as not found)."""
    numbers = list(dict.fromkeys(n for n in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if n))
    if not numbers:
        return [], []
    found = {o.number: o for o in db.session.scalars(select(Order).where(Order.number.in_(numbers))).all()
             if can_view_order(user, o)}
    return [found[n].id for n in numbers if n in found], [n for n in numbers if n not in found]


def leaders() -> list[User]:
    return db.session.scalars(select(User).where(User.role == Role.LEADER.value, User.active.is_(True))
                              .order_by(User.id)).all()


def suggested_units(case: Consultation) -> set[int]:
    """Units to tick in the invitation form by default: those on the case's orders."""
    return {part.unit_id for link in case.links for part in link.order.units if part.active}
