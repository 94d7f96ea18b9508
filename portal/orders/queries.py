"""Read side of orders: the lists (search, pool, inbox, review, visits) and their counts.

Lists page with LIMIT n+1 (no total count over millions of rows) and load the related rows they show
in the same query or one more (no N+1).
"""
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from ..clock import now
from ..extensions import db
from ..permissions import scope_orders
from ..search.query import order_matches
from .filters import OrderFilters
from .models import Order, OrderRequest, OrderUnit
from .states import UNIT_STATES, State

UNIT_OPEN = [s.value for s in UNIT_STATES]


def _page(query, page: int, size: int):
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).unique().all()
    return rows[:size], len(rows) > size


def _with_units(query):
    return query.options(selectinload(Order.units).joinedload(OrderUnit.unit), selectinload(Order.handler))


def filtered(user, f: OrderFilters):
    """The select() of orders ``user`` may see that match the filters, newest first."""
    query = scope_orders(select(Order), user)
    if f.state:
        query = query.where(Order.state == f.state)
    if f.unit_id:
        query = query.where(
            select(OrderUnit.id).where(OrderUnit.order_id == Order.id, OrderUnit.unit_id == f.unit_id,
                                       OrderUnit.active.is_(True)).exists()
        )
    if f.category_id:
        query = query.where(Order.category_id == f.category_id)
    if f.urgency:
        query = query.where(Order.urgency == f.urgency)
    query = f.within_dates(query, Order.received_at)
    if f.deadline:
        query = query.where(deadline_clause(f.deadline))
    if f.q:
        query = query.where(order_matches(f.q))
    return query.order_by(Order.received_at.desc(), Order.id.desc())


def deadline_clause(kind: str):
    at = now()
    if kind == "overdue":
        return and_(Order.next_due_at.is_not(None), Order.next_due_at < at)
    return and_(Order.warn_at <= at, Order.next_due_at >= at)


def search(user, f: OrderFilters, size: int):
    return _page(_with_units(filtered(user, f)), f.page, size)


def pool(f: OrderFilters, user, size: int):
    """Orders waiting to be dispatched, oldest first (they have waited longest)."""
    query = filtered(user, f).where(Order.state == State.RECEIVED).order_by(None)
    query = query.order_by(Order.received_at, Order.id)
    return _page(_with_units(query), f.page, size)


INBOX_TABS = {
    "mine": "我负责的",
    "to_sign": "待签收",
    "in_progress": "办理中",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "sent_back": "被退回",
    "assisting": "协办",
    "returns": "回退待审",
}


HELD = [State.DISPATCHED, State.ACCEPTED, State.RETURN_REQUESTED, State.REPLIED]


def inbox_clause(tab: str, unit_id: int, mine_ids=()):
    lead = Order.lead_unit_id == unit_id
    if tab == "mine":
        return and_(lead, Order.state.in_(HELD), Order.handler_id.in_(list(mine_ids) or [-1]))
    if tab == "to_sign":
        return and_(lead, Order.state == State.DISPATCHED)
    if tab == "in_progress":
        return and_(lead, Order.state == State.ACCEPTED)
    if tab == "due_soon":
        return and_(lead, Order.state.in_(UNIT_OPEN), deadline_clause("soon"))
    if tab == "overdue":
        return and_(lead, Order.state.in_(UNIT_OPEN), deadline_clause("overdue"))
    if tab == "sent_back":
        return and_(lead, Order.state == State.ACCEPTED, Order.sent_back.is_(True))
    if tab == "returns":
        return and_(lead, Order.state == State.RETURN_REQUESTED)
    if tab == "assisting":
        return and_(
            Order.state.in_([State.DISPATCHED, State.ACCEPTED]),
            select(OrderUnit.id).where(OrderUnit.order_id == Order.id, OrderUnit.unit_id == unit_id,
                                       OrderUnit.part == "assist", OrderUnit.active.is_(True)).exists(),
        )
    raise ValueError(tab)


def inbox(unit_id: int, tab: str, page: int, size: int, mine_ids=()):
    query = select(Order).where(inbox_clause(tab, unit_id, mine_ids)).order_by(Order.next_due_at.is_(None),
                                                                      Order.next_due_at, Order.id)
    return _page(_with_units(query), page, size)


def inbox_counts(unit_id: int, mine_ids=()) -> dict[str, int]:
    counts = {}
    for tab in INBOX_TABS:
        counts[tab] = db.session.scalar(select(func.count(Order.id)).where(inbox_clause(tab, unit_id, mine_ids)))
    return counts


OFFICE_TABS = {"replies": "待审核答复", "returns": "回退申请", "extensions": "延期申请"}


def office_queue(tab: str, page: int, size: int):
    if tab == "replies":
        query = select(Order).where(Order.state == State.REPLIED).order_by(Order.replied_at, Order.id)
    elif tab == "returns":
        query = select(Order).where(Order.state == State.RETURN_REQUESTED).order_by(Order.updated_at, Order.id)
    else:
        query = select(Order).where(_pending("extension")).order_by(Order.updated_at, Order.id)
    return _page(_with_units(query).options(selectinload(Order.requests)), page, size)


def office_counts() -> dict[str, int]:
    return {
        "replies": db.session.scalar(select(func.count(Order.id)).where(Order.state == State.REPLIED)),
        "returns": db.session.scalar(select(func.count(Order.id)).where(Order.state == State.RETURN_REQUESTED)),
        "extensions": db.session.scalar(select(func.count(Order.id)).where(_pending("extension"))),
    }


def _pending(kind: str):
    return select(OrderRequest.id).where(OrderRequest.order_id == Order.id, OrderRequest.kind == kind,
                                         OrderRequest.status == "pending").exists()


VISIT_TABS = {"to_visit": "待回访", "visited": "已回访待办结"}


def visit_queue(tab: str, page: int, size: int):
    state = State.APPROVED if tab == "to_visit" else State.VISITED
    query = select(Order).where(Order.state == state).order_by(Order.updated_at, Order.id)
    return _page(_with_units(query).options(selectinload(Order.visits)), page, size)


def visit_counts() -> dict[str, int]:
    return {
        tab: db.session.scalar(select(func.count(Order.id)).where(
            Order.state == (State.APPROVED if tab == "to_visit" else State.VISITED)))
        for tab in VISIT_TABS
    }
