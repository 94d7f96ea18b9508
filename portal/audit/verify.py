"""Walking the record: every chain recomputed from the database, and the latest checkpoint of each
table compared with what is there now. Reads only; streams rows so a million events fit in memory."""
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from .chain import GENESIS, chained_models, seal
from .models import AuditCheckpoint
from .reseal import row_sealer


@dataclass(frozen=True)
class Problem:
    table: str
    key: object  # the record's id (order, supervision, ...); None for a checkpoint problem
    event_id: int | None
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.table} chain {self.key}" if self.key is not None else self.table
        at = f" event id {self.event_id} (seq {self.seq})" if self.event_id is not None else ""
        return f"{where}:{at} {self.what}"


@dataclass
class Walked:
    table: str
    chains: int = 0
    events: int = 0


def verify(batch: int = 5000) -> tuple[list[Walked], list[Problem]]:
    walked, problems = [], []
    for model in chained_models():
        counts = Walked(model.__tablename__)
        problems += _walk_chains(model, counts, batch)
        problems += _check_checkpoint(model)
        walked.append(counts)
    problems += _check_checkpoint_chain()
    return walked, problems


def _walk_chains(model, counts: Walked, batch: int) -> list[Problem]:
    table, key_column = model.__tablename__, getattr(model, model.__chain_key__)
    columns = [model.id, key_column, model.seq, model.prev_hash, model.hash] + \
              [getattr(model, name) for name in model.__chain_fields__]
    reseal = row_sealer(model, db.session.connection().dialect, first=5)
    problems, key, expected_seq, prev = [], object(), 1, GENESIS
    chains = events = 0
    for rows in _raw_batches(select(*columns).order_by(key_column, model.seq, model.id), batch):
        events += len(rows)
        for row in rows:
            event_id, chain_key, seq, prev_hash, hash_ = row[0], row[1], row[2], row[3], row[4]
            if chain_key != key:
                key, expected_seq, prev = chain_key, 1, GENESIS
                chains += 1
            if seq != expected_seq:
                what = (f"events missing before it: seq {expected_seq} expected" if seq > expected_seq
                        else f"seq {seq} repeated or out of order")
                problems.append(Problem(table, key, event_id, seq, what))
            elif prev_hash != prev:
                problems.append(Problem(table, key, event_id, seq,
                                        "does not follow the previous event (removed, inserted or reordered)"))
            if reseal(key, seq, prev_hash, row) != hash_:
                problems.append(Problem(table, key, event_id, seq, "content changed after it was recorded"))
            expected_seq, prev = seq + 1, hash_
    counts.chains += chains
    counts.events += events
    return problems


def _raw_batches(query, batch: int):
    """The query's rows straight from the database driver, ``batch`` at a time, in the session's
    transaction: no result processing per row (the caller decodes what it needs), and on PostgreSQL a
    server-side cursor, so a table of millions of events streams in constant memory."""
    connection = db.session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="audit_walk")
        cursor.itersize = batch
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def table_digest(model, upto_id: int, batch: int = 5000) -> tuple[int, str]:
    """How many events have id <= upto_id, and the sha256 over their hashes in id order."""
    digest, count = hashlib.sha256(), 0
    for rows in _raw_batches(select(model.hash).where(model.id <= upto_id).order_by(model.id), batch):
        digest.update("".join([value for (value,) in rows]).encode("ascii"))  # same bytes as one update per hash
        count += len(rows)
    return count, digest.hexdigest()


def _check_checkpoint(model) -> list[Problem]:
    latest = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.table_name == model.__tablename__)
                                .order_by(AuditCheckpoint.id.desc()).limit(1)).first()
    if latest is None:
        return []
    count, digest = table_digest(model, latest.upto_id)
    if count != latest.events:
        what = (f"{latest.events - count} event(s) missing" if count < latest.events
                else f"{count - latest.events} event(s) inserted")
        return [Problem(model.__tablename__, None, None, None,
                        f"{what} against checkpoint #{latest.id} of {latest.at:%Y-%m-%d %H:%M} "
                        f"({latest.events} events up to id {latest.upto_id}, now {count})")]
    if digest != latest.digest:
        return [Problem(model.__tablename__, None, None, None,
                        f"events up to id {latest.upto_id} differ from checkpoint #{latest.id} of {latest.at:%Y-%m-%d %H:%M}")]
    return []


def checkpoint_hash(row: AuditCheckpoint) -> str:
    return seal("audit_checkpoints", row.table_name, row.id, row.prev_hash,
                {"at": row.at, "upto_id": row.upto_id, "events": row.events, "digest": row.digest})


def _check_checkpoint_chain() -> list[Problem]:
    problems, prev = [], GENESIS
    for row in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        if row.prev_hash != prev or checkpoint_hash(row) != row.hash:
            problems.append(Problem("audit_checkpoints", None, row.id, None, "checkpoint changed or removed"))
        prev = row.hash
    return problems


def write_checkpoints(at: datetime) -> list[AuditCheckpoint]:
    """One checkpoint per event table, chained to the last one; the caller commits."""
    written = []
    prev = db.session.scalar(select(AuditCheckpoint.hash).order_by(AuditCheckpoint.id.desc()).limit(1)) or GENESIS
    for model in chained_models():
        upto = db.session.scalar(select(func.max(model.id))) or 0
        count, digest = table_digest(model, upto)
        row = AuditCheckpoint(at=at, table_name=model.__tablename__, upto_id=upto, events=count, digest=digest,
                              prev_hash=prev, hash="")
        db.session.add(row)
        db.session.flush()
        row.hash = checkpoint_hash(row)
        prev = row.hash
        written.append(row)
    return written
