"""Sealing events as they are written, and refusing any change or deletion of a sealed one.

A mapper ``before_insert`` hook gives each new event the next ``seq`` of its chain and its hashes. The
head of each chain touched in a flush is read once from the database and then kept for that flush, so
several events of one order in one transaction chain to each other. On PostgreSQL, writers to one
chain take turns (a transaction-scoped advisory lock per chain); on SQLite the head is read under the
database's write lock. Either way a unique constraint forbids two events with the same ``seq`` in a chain.
"""
import zlib

from sqlalchemy import and_, event, func, select, text
from sqlalchemy.orm import Session, object_session

from .chain import GENESIS, ChainedEvent, content_of, seal

_HEADS = "audit_chain_heads"


class AuditViolation(RuntimeError):
    """Something tried to change or delete a sealed event."""


def _next(session: Session, connection, model, key) -> tuple[int, str]:
    heads = session.info.setdefault(_HEADS, {})
    head = heads.get((model, key))
    if head is None:
        head = _read_heads(connection, model, [int(key)])[int(key)]
    return head


def _lock_key(model) -> int:
    return zlib.crc32(model.__tablename__.encode()) & 0x7FFFFFFF or 1


def _read_heads(connection, model, keys: list[int]) -> dict[int, tuple[int, str]]:
    """The heads (seq, hash) of the chains ``keys`` of ``model``, read after taking their turn to write:
    on PostgreSQL a transaction-scoped advisory lock per chain, in key order (two writers of several
    chains wait for each other instead of deadlocking), so the head is read after the previous writer
    has committed; on SQLite the database's write lock (a write statement that changes nothing starts
    the write transaction, waiting for the writer holding it)."""
    one = len(keys) == 1  # the common case (an action on one order): the simplest statements, ~0.3 ms less
    if connection.dialect.name == "postgresql":
        if one:
            connection.execute(text("SELECT pg_advisory_xact_lock(:table, :key)"),
                               {"table": _lock_key(model), "key": keys[0]})
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:table, k) FROM unnest(CAST(:keys AS integer[]))"
                                    " AS k ORDER BY k"), {"table": _lock_key(model), "keys": sorted(keys)})
    elif connection.dialect.name == "sqlite":
        connection.execute(text("UPDATE audit_checkpoints SET id = id WHERE 0"))
    column = getattr(model, model.__chain_key__)
    if one:
        query = select(column, model.seq, model.hash).where(column == keys[0]).order_by(model.seq.desc()).limit(1)
    else:
        latest = (select(column.label("key"), func.max(model.seq).label("seq")).where(column.in_(keys))
                  .group_by(column).subquery())
        query = select(column, model.seq, model.hash).join(latest, and_(column == latest.c.key,
                                                                        model.seq == latest.c.seq))
    found = {row[0]: (row[1], row[2]) for row in connection.execute(query)}
    return {key: found.get(key, (0, GENESIS)) for key in keys}


def prime_heads(session: Session, model, keys) -> None:
    """Read the heads of many chains of ``model`` at once, for the next flush: an operation about to write
    one event on each of several hundred orders (the system supervision) would otherwise read each head
    with a statement of its own when the flush seals it. The heads are kept until the next flush ends, as
    ``_next`` keeps the ones it reads."""
    heads = session.info.setdefault(_HEADS, {})
    keys = sorted({int(k) for k in keys if (model, int(k)) not in heads})
    if keys:
        for key, head in _read_heads(session.connection(), model, keys).items():
            heads[(model, key)] = head


def _seal_new(mapper, connection, target) -> None:
    model = type(target)
    key = getattr(target, model.__chain_key__)
    session = object_session(target)
    seq, prev = _next(session, connection, model, key)
    target.seq, target.prev_hash = seq + 1, prev
    target.hash = seal(model.__tablename__, key, target.seq, prev, content_of(model, target))
    session.info[_HEADS][(model, key)] = (target.seq, target.hash)


def seal_first_events(model, rows: list[dict]) -> list[dict]:
    """Rows for a bulk INSERT of events that each open a new chain (a new order's take-in)."""
    sealed = []
    for row in rows:
        key = row[model.__chain_key__]
        row = {**row, "seq": 1, "prev_hash": GENESIS}
        row["hash"] = seal(model.__tablename__, key, 1, GENESIS, content_of(model, row))
        sealed.append(row)
    return sealed


@event.listens_for(ChainedEvent, "before_insert", propagate=True)
def _before_insert(mapper, connection, target):
    _seal_new(mapper, connection, target)


@event.listens_for(Session, "after_flush")
def _forget_heads(session, flush_context):
    session.info.pop(_HEADS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_heads_on_rollback(session, previous_transaction):
    session.info.pop(_HEADS, None)


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, ChainedEvent):
            raise AuditViolation(f"{type(obj).__tablename__} #{obj.id} is part of the audit record and cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, ChainedEvent) and session.is_modified(obj, include_collections=False):
            raise AuditViolation(f"{type(obj).__tablename__} #{obj.id} is part of the audit record and cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    if state.is_update or state.is_delete:
        for mapper in state.all_mappers:
            if issubclass(mapper.class_, ChainedEvent):
                raise AuditViolation(f"{mapper.class_.__tablename__} is append-only: no UPDATE or DELETE")
