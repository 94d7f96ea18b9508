"""Read side of orders: the lists (search, pool, inbox, review, visits) and their counts.

Lists page with LIMIT n+1 (no total count over millions of rows) and load the related rows they show
in the same query or one more (no N+1).
"""
import functools

from sqlalchemy import and_, bindparam, func, select, true
from sqlalchemy.orm import lazyload, load_only, selectinload
from sqlalchemy.sql.elements import BindParameter

from ..clock import now
from ..extensions import db
from ..permissions import scope_orders
from ..search.query import order_contains, order_matches
from .filters import OrderFilters
from .models import Order, OrderRequest, OrderUnit
from .states import ASSIST_STATES, UNIT_STATES, State

UNIT_OPEN = [s.value for s in UNIT_STATES]


def _page(query, page: int, size: int):
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).unique().all()
    return rows[:size], len(rows) > size


def _with_units(query):
    return query.options(selectinload(Order.units).joinedload(OrderUnit.unit), selectinload(Order.handler))


# What a row of the pool or the inbox shows (orders/_pool_row.html, orders/_inbox_row.html), with its
# category and lead unit (joined): those lists load these columns, not the replies and the rest.
ROW_COLUMNS = (Order.number, Order.received_at, Order.channel, Order.type, Order.category_id, Order.urgency,
               Order.address, Order.content, Order.enterprise, Order.tourism, Order.leader_instruction,
               Order.deputy_pushed, Order.via_deputy, Order.is_complex, Order.is_repeat, Order.state,
               Order.version, Order.sent_back, Order.reprocess_count, Order.lead_unit_id, Order.handler_id,
               Order.next_due_at, Order.warn_at)


_ROW_LOAD = load_only(*ROW_COLUMNS)  # built once: loader options are immutable


def _as_rows(query, *also):
    """``query`` loading only what a pool or inbox row shows, and the relationships in ``also``."""
    return query.options(_ROW_LOAD, *also)


def filtered(user, f: OrderFilters, short_list: bool = False):
    """The select() of orders ``user`` may see that match the filters, newest first.

    ``short_list``: the caller limits the orders to a short list by state (the pool: orders waiting for
    dispatch, a few hundred at most), and the planner should walk that list's (state, received_at) index.
    The category and the search string are then tested order by order: their own indexes would make the
    planner start from every order of the category (or every order holding the word) instead."""
    query = scope_orders(select(Order), user)
    if f.state:
        query = query.where(Order.state == f.state)
    if f.unit_id:
        query = query.where(
            select(OrderUnit.id).where(OrderUnit.order_id == Order.id, OrderUnit.unit_id == f.unit_id,
                                       OrderUnit.active.is_(True)).exists()
        )
    if f.category_id:
        category = Order.category_id + 0 if short_list else Order.category_id  # "+ 0": no index for it
        query = query.where(category == f.category_id)
    if f.urgency:
        query = query.where(Order.urgency == f.urgency)
    query = f.within_dates(query, Order.received_at)
    if f.deadline:
        query = query.where(deadline_clause(f.deadline))
    if f.q:
        query = query.where(order_contains(f.q) if short_list else order_matches(f.q))
    return query.order_by(Order.received_at.desc(), Order.id.desc())


def deadline_clause(kind: str, at=None):
    """Overdue, or due soon, at ``at`` (now, unless given: a time or a bound parameter)."""
    at = now() if at is None else at
    if kind == "overdue":
        return and_(Order.next_due_at.is_not(None), Order.next_due_at < at)
    return and_(Order.warn_at <= at, Order.next_due_at >= at)


def search(user, f: OrderFilters, size: int):
    return _page(_with_units(filtered(user, f)), f.page, size)


def pool_query(f: OrderFilters, user):
    """The select() of orders waiting to be dispatched, oldest first (they have waited longest)."""
    query = filtered(user, f, short_list=True).where(Order.state == State.RECEIVED).order_by(None)
    return query.order_by(Order.received_at, Order.id)


def pool(f: OrderFilters, user, size: int):
    """A page of the pool, each row with what it shows."""
    return _page(_as_rows(pool_query(f, user)), f.page, size)


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


def inbox_clause(tab: str, unit_id: int, mine_ids=(), at=None):
    """The condition of an inbox tab. ``unit_id``, ``mine_ids`` and ``at`` may be bound parameters (the
    statement of the counts is built once); ``at`` is now unless given."""
    lead = Order.lead_unit_id == unit_id
    if tab == "mine":
        mine = mine_ids if isinstance(mine_ids, BindParameter) else (list(mine_ids) or [-1])
        # "+ 0" keeps the planner off the handler index: a handler's orders over the years are thousands,
        # the unit's open ones (lead unit, state) a few dozen.
        return and_(lead, Order.state.in_(HELD), (Order.handler_id + 0).in_(mine))
    if tab == "to_sign":
        return and_(lead, Order.state == State.DISPATCHED)
    if tab == "in_progress":
        return and_(lead, Order.state == State.ACCEPTED)
    if tab == "due_soon":
        return and_(lead, Order.state.in_(UNIT_OPEN), deadline_clause("soon", at))
    if tab == "overdue":
        return and_(lead, Order.state.in_(UNIT_OPEN), deadline_clause("overdue", at))
    if tab == "sent_back":
        return and_(lead, Order.state == State.ACCEPTED, Order.sent_back.is_(True))
    if tab == "returns":
        return and_(lead, Order.state == State.RETURN_REQUESTED)
    if tab == "assisting":
        # The unit's parts on open orders (ix_order_units_unit_open: a few dozen rows), not every part
        # it had over the years nor every open order of the district.
        assisted = select(OrderUnit.order_id).where(
            OrderUnit.unit_id == unit_id, OrderUnit.order_open == true(), OrderUnit.part == "assist",
            OrderUnit.active == true())
        return and_(Order.state.in_(sorted(ASSIST_STATES)), Order.id.in_(assisted))
    raise ValueError(tab)


_HANDLERS = selectinload(Order.handler)
# The lead tabs' handlers are the unit's own people, already in the session (the page's Responsibility
# loaded them): their many-to-one loads find them there without a statement. Rows show lead_unit_id only.
_LEAD_ROWS = (lazyload(Order.lead_unit),)


def _inbox_order():
    return Order.next_due_at.is_(None), Order.next_due_at, Order.id


@functools.cache
def _inbox_statement(tab: str):
    """A tab's page of orders, with bound parameters (built once per tab: building a statement of this
    size costs more than running it). The page's ids are found first, from the unit index alone, and
    only those orders are loaded with their category: ordering the tab's orders themselves would read
    every one of them (hundreds in a large unit) with its joins. The assisting tab's orders are other
    units': their handlers are loaded with them."""
    unit, mine, at = bindparam("unit"), bindparam("mine", expanding=True), bindparam("at")
    ids = (select(Order.id).where(inbox_clause(tab, unit, mine, at)).order_by(*_inbox_order())
           .limit(bindparam("limit")).offset(bindparam("offset")))
    query = select(Order).where(Order.id.in_(ids.scalar_subquery())).order_by(*_inbox_order())
    also = (_HANDLERS,) if tab == "assisting" else ()
    return _as_rows(query, *_LEAD_ROWS, *also)


def inbox(unit_id: int, tab: str, page: int, size: int, mine_ids=()):
    """A tab's page of orders, soonest deadline first, and whether there is a next page."""
    if tab not in INBOX_TABS:
        raise ValueError(tab)
    rows = db.session.scalars(_inbox_statement(tab), {
        "unit": unit_id, "mine": list(mine_ids) or [-1], "at": now(), "limit": size + 1,
        "offset": (page - 1) * size}).unique().all()
    return rows[:size], len(rows) > size


_LEAD_TABS = [tab for tab in INBOX_TABS if tab != "assisting"]


@functools.cache
def _counts_statement():
    """Every tab's count in one statement, with bound parameters (built once: it is the largest statement
    of the inbox to build). The unit's open orders are read once and counted per tab (``FILTER``), the
    assisting tab (orders led by other units) in a subquery of its own."""
    unit, mine, at = bindparam("unit"), bindparam("mine", expanding=True), bindparam("at")
    open_led = and_(Order.lead_unit_id == unit, Order.state.in_(sorted(set(HELD) | set(UNIT_OPEN))))
    assisting = select(func.count(Order.id)).where(inbox_clause("assisting", unit)).scalar_subquery()
    # count(*), not count(orders.id): every column the lead tabs test is in ix_orders_lead_state_due_handler,
    # so the counts read the index alone (PostgreSQL's index-only scan; SQLite's covering index)
    return select(*[func.count().filter(inbox_clause(tab, unit, mine, at)) for tab in _LEAD_TABS],
                  assisting).where(open_led)


def _counts_parameters(unit_id: int, mine_ids) -> dict:
    return {"unit": unit_id, "mine": list(mine_ids) or [-1], "at": now()}


def _counts_of(row) -> dict[str, int]:
    """The tabs' counts from the first columns of a row of ``_counts_statement``."""
    counts = dict(zip(_LEAD_TABS, row))
    counts["assisting"] = row[len(_LEAD_TABS)]
    return {tab: counts[tab] for tab in INBOX_TABS}


def inbox_counts(unit_id: int, mine_ids=()) -> dict[str, int]:
    """Every tab's count (one statement)."""
    return _counts_of(db.session.execute(_counts_statement(), _counts_parameters(unit_id, mine_ids)).one())


def inbox_counts_with(columns, unit_id: int, mine_ids=(), **parameters) -> tuple[dict[str, int], tuple]:
    """Every tab's count and the values of ``columns`` (uncorrelated scalar subqueries, built once by the
    caller, with bound parameters: ``unit`` is the unit's id, the rest come in ``parameters``), in one
    statement: the inbox asks its alerts with its counts."""
    row = db.session.execute(_counts_with(columns),
                             {**_counts_parameters(unit_id, mine_ids), **parameters}).one()
    return _counts_of(row), tuple(row[len(_LEAD_TABS) + 1:])


@functools.cache
def _counts_with(columns: tuple):
    return _counts_statement().add_columns(*columns)


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
