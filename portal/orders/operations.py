"""The only place where work orders change: take in, and ``apply`` for every later step.

``apply`` locks the order, checks the version the user saw, asks the state machine, runs the action's
effect, refreshes the deadline marks, writes the event and commits, or changes nothing at all.
"""
import sqlite3
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..audit.sealing import seal_first_events
from ..auth.models import Role
from ..clock import now
from ..deadlines.queries import policies
from ..deadlines.rules import refresh_next_due
from ..extensions import db
from ..copy_rows import copy_rows
from .effects import EFFECTS, text
from .errors import Conflict, InvalidInput
from .models import Category, Order, OrderEvent, OrderLink
from .states import ASSIST_STATES, TRANSITIONS, Action, State, TransitionRefused, check, target_state
from .vocab import CHANNELS, TYPES, URGENCIES


def take_in(actor, data: dict, at: datetime | None = None) -> Order:
    """Register a new order (受理登记) in the pool of orders to dispatch."""
    if Role(actor.role) not in TRANSITIONS[Action.TAKE_IN].roles:
        raise TransitionRefused("您的角色不能登记工单。")
    at = at or now()
    order = Order(
        number=_required(data, "number", "工单编号", 40),
        received_at=data.get("received_at") or at,
        channel=_choice(data, "channel", CHANNELS, "来源渠道"),
        type=_choice(data, "type", TYPES, "诉求类型"),
        urgency=_choice(data, "urgency", URGENCIES, "紧急程度"),
        category_id=_category_id(data.get("category_id")),
        caller_name=_required(data, "caller_name", "诉求人", 40),
        caller_phone=_required(data, "caller_phone", "联系电话", 20),
        address=_required(data, "address", "诉求地址", 200),
        content=text(data, "content", "诉求内容", minimum=5),
        enterprise=bool(data.get("enterprise")),
        tourism=bool(data.get("tourism")),
        via_deputy=bool(data.get("via_deputy")),  # 代表转办
        leader_instruction=(data.get("leader_instruction") or "").strip() or None,
    )
    if db.session.scalar(db.select(Order.id).where(Order.number == order.number)):
        raise InvalidInput(f"工单编号 {order.number} 已存在。")
    add_new(order, actor, at)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput(f"工单编号 {order.number} 已存在。")
    return order


def add_new(order: Order, actor, at: datetime, note: str | None = None) -> Order:
    """Put a new order in the pool with its take-in event; the caller commits (one order or a chunk).
    Repeats (the same caller, or the same address with similar content) are linked here."""
    from .repeats import link_repeats

    order.state = State.RECEIVED
    order.created_at = order.updated_at = at
    db.session.add(order)
    order.events.append(OrderEvent(at=at, actor_id=actor.id if actor else None, action=Action.TAKE_IN,
                                   from_state=None, to_state=State.RECEIVED, note=note))
    link_repeats(order, at)
    return order


def add_new_many(rows: list[dict], actor, at: datetime, note: str | None = None) -> list[int]:
    """``add_new`` for a chunk of an import: the orders (column dicts of one shape) are put in the pool
    with their take-in events and repeat links in three multi-row INSERTs; returns their ids in order.
    The caller commits."""
    from .repeats import address_key, find_repeats_many

    if not rows:
        return []
    rows = [{**row, "address_key": address_key(row["address"]), "state": State.RECEIVED.value,
             "created_at": at, "updated_at": at} for row in rows]
    matches = find_repeats_many(rows)
    for row, found in zip(rows, matches):
        row["is_repeat"] = bool(found)
    with _checks_planned_once():
        ids = _insert_orders(rows)
        actor_id = actor.id if actor else None
        _insert_rows(OrderEvent.__table__, seal_first_events(OrderEvent, [
            {"order_id": order_id, "at": at, "actor_id": actor_id, "action": Action.TAKE_IN.value,
             "from_state": None, "to_state": State.RECEIVED.value, "note": note}
            for order_id in ids]))
        links = [{"order_id": order_id, "earlier_id": ids[m.key[1]] if isinstance(m.key, tuple) else m.key,
                  "reason": m.reason, "score": m.score, "created_at": at}
                 for order_id, found in zip(ids, matches) for m in found]
        if links:
            _insert_rows(OrderLink.__table__, links)
    return ids


@contextmanager
def _checks_planned_once():
    """PostgreSQL: for the chunk's writes, plans kept as PostgreSQL keeps them by default, then the
    connection's own setting back. Every connection plans each statement for its values
    (``plan_cache_mode = force_custom_plan``, portal/setup.py), and that holds for the foreign-key checks
    the database runs for each inserted row as well: a chunk of 5,000 orders makes about 20,000 of them
    (their category and units, the events' order, both ends of each repeat link), and planning each
    one again cost more than the rest of the writing. The lookups before the writes keep plans made
    for their values. SET LOCAL: a rollback puts the setting back too."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    own = connection.scalar(select(func.current_setting("plan_cache_mode"),
                                   func.set_config("plan_cache_mode", "auto", True)))
    yield
    connection.execute(select(func.set_config("plan_cache_mode", own, True)))


def _insert_orders(rows: list[dict]) -> list[int]:
    """Insert a chunk's orders and return their ids in row order. PostgreSQL: the ids are drawn from the
    sequence first, in one statement, and go in with the rows, so nothing is looked up afterwards; SQLite
    assigns them and the numbers are looked up."""
    table = Order.__table__
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = sorted(connection.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        _insert_rows(table, [{**row, "id": order_id} for row, order_id in zip(rows, ids)])
        return ids
    _insert_rows(table, rows)
    by_number = dict(db.session.execute(
        select(Order.number, Order.id).where(Order.number.in_([row["number"] for row in rows]))).all())
    return [by_number[row["number"]] for row in rows]


def _insert_rows(table, rows: list[dict]) -> None:
    """A multi-row INSERT in the session's transaction. PostgreSQL takes the rows by COPY (one stream);
    SQLite by ``INSERT ... VALUES (...), (...)`` statements of as many rows as its limit on parameters
    allows (one statement, not one per row: the orders' full-text index is brought up to date at the end
    of each statement), the values converted as SQLAlchemy would (dates as its text, booleans as 0/1)
    without SQLAlchemy's work for each row, which costs more than SQLite's own."""
    rows = _with_defaults(table, rows)
    columns = list(rows[0])
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        copy_rows(table.name, columns, ([row[c] for c in columns] for row in rows))
        return
    driver = connection.connection.driver_connection
    dialect = connection.dialect
    one = insert(table).compile(dialect=dialect, column_keys=columns)  # INSERT INTO t (...) VALUES (?, ...)
    columns = list(one.positiontup)
    convert = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    values = [value if f is None or value is None else f(value)
              for row in rows for f, value in zip(convert, [row[c] for c in columns])]
    per_statement = max(1, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns))
    more = ", (" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - start)
        connection.exec_driver_sql(str(one) + more * (count - 1),
                                   tuple(values[start * len(columns):(start + count) * len(columns)]))


def _with_defaults(table, rows: list[dict]) -> list[dict]:
    """The rows with the columns' scalar Python defaults filled in (COPY and a plain INSERT know only
    server defaults)."""
    defaults = {c.name: c.default.arg for c in table.columns
                if c.default is not None and c.default.is_scalar and c.name not in rows[0]}
    return [{**defaults, **row} for row in rows] if defaults else rows


def apply(order_id: int, action: Action | str, actor, *, version: int | None = None,
          at: datetime | None = None, **params) -> Order:
    """Take ``action`` on the order as ``actor``; raise TransitionRefused, InvalidInput or Conflict
    (after rolling back) when it may not or cannot be done."""
    at = at or now()
    with _one_transaction():
        return _take(order_id, Action(action), actor, version, at, params)


def apply_many(steps: list[tuple[int, Action | str, dict]], actor, *, at: datetime | None = None,
               before_commit=None) -> list[Order]:
    """Take several ``(order_id, action, params)`` steps as ``actor`` in one transaction: all of them,
    each with its event, or (on the first refusal, error or conflict) none. ``before_commit`` lets the
    caller add its own records (e.g. a consultation's follow-up items) to the same transaction."""
    at = at or now()
    with _one_transaction():
        orders = [_take(order_id, Action(action), actor, params.pop("version", None), at, dict(params))
                  for order_id, action, params in steps]
        if before_commit:
            before_commit(orders)
    return orders


def _take(order_id: int, action: Action, actor, version: int | None, at: datetime, params: dict) -> Order:
    """One step without committing: lock the order, check, run the effect, write the event."""
    order = db.session.get(Order, order_id, with_for_update={"of": Order}, populate_existing=True)
    if order is None:
        raise InvalidInput("工单不存在。")
    if version is not None and order.version != version:
        raise Conflict()
    check(order, action, actor)
    before = State(order.state)
    after = target_state(order, action)
    with db.session.no_autoflush:  # one flush at commit: the version moves by exactly one
        note, data = EFFECTS[action](order, actor, at, params)
        order.state = after
        order.updated_at = at
        order.version += 1
        refresh_next_due(order, policies()[order.urgency])
        _mark_units_open(order, before, after)
    order.events.append(
        OrderEvent(at=at, actor_id=actor.id, action=action, from_state=before, to_state=after,
                   note=note, data=data)
    )
    return order


def _mark_units_open(order: Order, before: State, after: State) -> None:
    """Keep ``OrderUnit.order_open`` true exactly while the order is in ASSIST_STATES (a dispatch adds
    parts: they are marked too)."""
    opened = after in ASSIST_STATES
    if opened or before in ASSIST_STATES:
        for part in order.units:
            part.order_open = opened


@contextmanager
def _one_transaction():
    """Commit what the block did, or roll all of it back; a lost race or a lock held too long by the
    other writer becomes Conflict."""
    try:
        yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict()
    except OperationalError as exc:
        db.session.rollback()
        if "lock" in str(exc).lower():
            raise Conflict()
        raise
    except Exception:
        db.session.rollback()
        raise


def reassign_handler(order: Order, to_user, actor, kind: str, note: str, at: datetime) -> None:
    """Make ``to_user`` the one who answers for the order (takeover, handover), as an event on it.
    Adds to the session; the caller commits together with its own record (e.g. the handover)."""
    from_id = order.handler_id
    order.handler_id = to_user.id
    order.version += 1
    order.updated_at = at
    order.events.append(OrderEvent(
        at=at, actor_id=actor.id if actor else None, action=kind, from_state=order.state, to_state=order.state,
        note=note, data={"from_user_id": from_id, "to_user_id": to_user.id},
    ))


def _required(data: dict, key: str, what: str, limit: int) -> str:
    value = (data.get(key) or "").strip()
    if not value:
        raise InvalidInput(f"请填写{what}。")
    if len(value) > limit:
        raise InvalidInput(f"{what}过长（最多{limit}字）。")
    return value


def _choice(data: dict, key: str, vocab: dict, what: str) -> str:
    value = data.get(key)
    if value not in vocab:
        raise InvalidInput(f"请选择有效的{what}。")
    return value


def _category_id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        category = db.session.get(Category, int(value))
    except (TypeError, ValueError):
        category = None
    if category is None:
        raise InvalidInput("请选择有效的诉求分类。")
    return category.id
