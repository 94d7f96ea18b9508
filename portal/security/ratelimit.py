"""Fixed-window rate limits counted in the database (one upsert per request, shared by all workers).

``hit(key, limit, seconds)`` counts one request for ``key`` in the current window of ``seconds`` and says
whether it is within ``limit``. The count is a single ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``
on SQLite and PostgreSQL alike, committed at once so the row lock is not held for the whole request.
The first request of a key's window also deletes windows that started more than a day before (so windows
may be at most a day long).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite

from ..clock import now
from ..extensions import db
from .models import RateWindow

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class RateCount:
    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window ends


def window_start(at: datetime, seconds: int) -> datetime:
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    into_day = int((at - midnight).total_seconds())
    return midnight + timedelta(seconds=into_day - into_day % seconds)


def hit(key: str, limit: int, seconds: int = 60, at: datetime | None = None) -> RateCount:
    """Count one request for ``key``; commits."""
    at = at or now()
    start = window_start(at, seconds)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateWindow).values(key=key[:100], window_start=start, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateWindow.key, RateWindow.window_start],
        set_={"hits": RateWindow.hits + 1},
    ).returning(RateWindow.hits)
    hits = db.session.execute(statement).scalar_one()
    if hits == 1:
        db.session.execute(db.delete(RateWindow).where(RateWindow.window_start < start - KEEP))
    db.session.commit()
    retry_after = max(1, int((start + timedelta(seconds=seconds) - at).total_seconds()))
    return RateCount(hits <= limit, hits, limit, retry_after)
