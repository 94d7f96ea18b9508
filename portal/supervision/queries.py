"""Read side of supervision: who may see and download what, the lists, and the candidate orders."""
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..orders.models import Order, ReturnVisit
from ..orders.states import OPEN_STATES
from .models import Supervision, SupervisionNotice, SupervisionOrder
from .states import ACTIVE_STATES

OFFICE_SIDE = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.DISPATCHER})
UNIT_SIDE = frozenset({Role.HANDLER, Role.UNIT_LEADER})

TABS = {"active": "在办", "answered": "待审核", "closed": "已办结/已升级", "all": "全部"}
CANDIDATE_KINDS = {"overdue": "超期未办结", "unsatisfied": "回访不满意/未解决", "repeated": "重复投诉"}


# --- permissions -------------------------------------------------------------------------------------

def can_view(user, supervision: Supervision) -> bool:
    role = Role(user.role)
    if role in OFFICE_SIDE:
        return True
    return role in UNIT_SIDE and user.unit_id is not None and user.unit_id == supervision.unit_id


def can_download(user, supervision: Supervision, issuer_id: int | None = None) -> bool:
    """Notices and attachments: the addressee unit's people, the issuer, and district leaders; no one else."""
    role = Role(user.role)
    if role is Role.LEADER:
        return True
    if role in UNIT_SIDE and user.unit_id is not None and user.unit_id == supervision.unit_id:
        return True
    return user.id == (issuer_id or supervision.created_by_id)


def scope(query, user):
    role = Role(user.role)
    if role in OFFICE_SIDE:
        return query
    if role in UNIT_SIDE and user.unit_id:
        return query.where(Supervision.unit_id == user.unit_id)
    return query.where(False)


def downloadable_notices(user, ids: list[int]) -> list[SupervisionNotice]:
    """The notices among ``ids`` that ``user`` may download, in the order asked for."""
    notices = db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.id.in_(ids))
                                 .options(selectinload(SupervisionNotice.supervision))).all()
    by_id = {n.id: n for n in notices if can_download(user, n.supervision, n.issued_by_id)}
    return [by_id[i] for i in ids if i in by_id]


# --- lists -------------------------------------------------------------------------------------------

def listing(user, tab: str, step: str = "", level: str = "", unit_id: int | None = None, page: int = 1,
            size: int = 20):
    query = scope(select(Supervision), user)
    if tab == "active":
        query = query.where(Supervision.state.in_([s.value for s in ACTIVE_STATES]))
    elif tab == "answered":
        query = query.where(Supervision.state == "answered")
    elif tab == "closed":
        query = query.where(Supervision.state.in_(["accepted", "escalated"]))
    if step:
        query = query.where(Supervision.step == step)
    if level:
        query = query.where(Supervision.level == level)
    if unit_id:
        query = query.where(Supervision.unit_id == unit_id)
    query = query.options(selectinload(Supervision.links).joinedload(SupervisionOrder.order),
                          selectinload(Supervision.notices), selectinload(Supervision.created_by))
    query = query.order_by(Supervision.answer_due if tab in ("active", "answered") else Supervision.created_at.desc(),
                           Supervision.id.desc())
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).unique().all()
    return rows[:size], len(rows) > size


def counts(user) -> dict[str, int]:
    base = scope(select(Supervision.state, func.count()).group_by(Supervision.state), user)
    by_state = dict(db.session.execute(base).all())
    active = sum(by_state.get(s.value, 0) for s in ACTIVE_STATES)
    return {"active": active, "answered": by_state.get("answered", 0),
            "closed": by_state.get("accepted", 0) + by_state.get("escalated", 0), "all": sum(by_state.values())}


def for_order(order_id: int) -> list[Supervision]:
    return db.session.scalars(
        select(Supervision).join(SupervisionOrder).where(SupervisionOrder.order_id == order_id)
        .order_by(Supervision.id)).all()


def active_for_orders(order_ids) -> dict[int, Supervision]:
    """order id -> the active supervision on it (for marking candidates already being pressed)."""
    if not order_ids:
        return {}
    rows = db.session.execute(
        select(SupervisionOrder.order_id, Supervision).join(Supervision)
        .where(SupervisionOrder.order_id.in_(list(order_ids)),
               Supervision.state.in_([s.value for s in ACTIVE_STATES]))).all()
    return {order_id: s for order_id, s in rows}


def overdue_answers(user) -> int:
    """Active supervisions past their answer deadline (shown on the list)."""
    query = scope(select(func.count(Supervision.id)), user).where(
        Supervision.state.in_(["open", "sent_back"]), Supervision.answer_due < now().date())
    return db.session.scalar(query)


# --- candidates --------------------------------------------------------------------------------------

def candidates(kind: str, unit_id: int | None = None, q: str = "", page: int = 1, size: int = 20):
    """Orders worth pressing: overdue and still open, unsatisfied or unresolved at the latest return visit, or
    repeated complaints. Dispatched orders only (someone must answer for them), oldest first."""
    query = select(Order).where(Order.lead_unit_id.is_not(None), Order.state != "received")
    if kind == "overdue":
        query = query.where(Order.state.in_([s.value for s in OPEN_STATES]), Order.next_due_at.is_not(None),
                            Order.next_due_at < now())
    elif kind == "unsatisfied":
        other = aliased(ReturnVisit)
        latest = select(func.max(other.id)).where(other.order_id == Order.id).correlate(Order).scalar_subquery()
        query = query.where(exists().where(  # the latest return visit: a later satisfied one settles it
            ReturnVisit.id == latest,
            (ReturnVisit.satisfaction == "unsatisfied") | (ReturnVisit.resolution == "unresolved")))
    else:
        query = query.where(Order.is_repeat.is_(True))
    if unit_id:
        query = query.where(Order.lead_unit_id == unit_id)
    if q:
        query = query.where(Order.number == q.strip())
    query = query.options(selectinload(Order.visits)).order_by(Order.received_at, Order.id)
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).unique().all()
    return rows[:size], len(rows) > size


def leaders() -> list[User]:
    return db.session.scalars(select(User).where(User.role == Role.LEADER.value, User.active.is_(True))
                              .order_by(User.id)).all()


def waiting_counts(unit_id: int, today) -> tuple:
    """Two scalar subqueries: supervisions waiting for the unit's answer (open or sent back), and how many
    of them are past the answer deadline on ``today`` (the unit inbox's alert counts them with the rest
    of its alerts and its tab counts in one statement: portal/orders/inbox_alerts.py)."""
    waiting = select(func.count()).where(Supervision.unit_id == unit_id, Supervision.state.in_(["open", "sent_back"]))
    return waiting.scalar_subquery(), waiting.where(Supervision.answer_due < today).scalar_subquery()
