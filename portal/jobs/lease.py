"""The database lease that lets one scheduler process act at a time.

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held by a connection the lease
  keeps open. When the process dies its connection closes and the server frees the lock at once.
- SQLite (or any other database): the ``job_leases`` row, taken by one atomic UPDATE when it is free,
  ours, or expired, and renewed by the heartbeat. A dead holder stops renewing; after ``ttl`` another
  process takes it over.

Either way the holder writes the row (holder, heartbeat) so the jobs page can show who is running.
Lease times are wall-clock times (never the fixed clock tests and demos may set).
"""
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from .models import JobLease

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
ADVISORY_KEY = 1_234_500_007  # the portal's scheduler lock; advisory locks are per database


def wall_now() -> datetime:
    tz = current_app.config.get("TIMEZONE", "Asia/Shanghai")
    return datetime.now(ZoneInfo(tz)).replace(tzinfo=None)


def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """Call ``refresh()`` every heartbeat: it takes the lease when free and renews it when held, and
    returns whether this process holds it. ``held`` is the answer of the last refresh."""

    def __init__(self, holder: str | None = None, ttl: float = 30.0):
        self.holder = holder or new_holder_id()
        self.ttl = timedelta(seconds=ttl)
        self.held = False
        self._conn = None  # PostgreSQL: the connection that owns the advisory lock

    @property
    def postgres(self) -> bool:
        return db.engine.dialect.name == "postgresql"

    def refresh(self) -> bool:
        try:
            self.held = self._refresh_postgres() if self.postgres else self._refresh_row(conditional=True)
        except SQLAlchemyError:
            log.exception("lease refresh failed")
            db.session.rollback()
            self._drop_connection()
            self.held = False
        return self.held

    def confirm(self) -> bool:
        """Check, just before running a period, that the lease is still ours."""
        if not self.held:
            return False
        try:
            if self.postgres:
                self._conn.execute(text("SELECT 1"))
                return True
            row = db.session.execute(select(JobLease.holder, JobLease.expires_at)
                                     .where(JobLease.name == LEASE_NAME)).first()
            db.session.commit()
            return row is not None and row.holder == self.holder and row.expires_at > wall_now()
        except SQLAlchemyError:
            db.session.rollback()
            return False

    def release(self) -> None:
        if not self.held:
            return
        try:
            if self.postgres:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            # let a standby take over at once instead of after the ttl
            db.session.execute(update(JobLease).where(JobLease.name == LEASE_NAME, JobLease.holder == self.holder)
                               .values(expires_at=wall_now() - timedelta(seconds=1)))
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
        self._drop_connection()
        self.held = False

    # --- PostgreSQL ----------------------------------------------------------------------------------

    def _refresh_postgres(self) -> bool:
        if self._conn is None:
            self._conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if self.held:
            self._conn.execute(text("SELECT 1"))  # the lock lives as long as this connection
            got = True
        else:
            got = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
        if got:
            self._refresh_row(conditional=False)
        return got

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except SQLAlchemyError:
                pass
            self._conn = None

    # --- the row ---------------------------------------------------------------------------------------

    def _refresh_row(self, conditional: bool) -> bool:
        """Take or renew the row. ``conditional``: only if it is ours or expired (the SQLite lease)."""
        at = wall_now()
        values = {"holder": self.holder, "heartbeat_at": at, "expires_at": at + self.ttl}
        statement = update(JobLease).where(JobLease.name == LEASE_NAME)
        if conditional:
            statement = statement.where((JobLease.holder == self.holder) | (JobLease.expires_at < at))
        ours_before = self.held
        result = db.session.execute(statement.values(**values))
        if result.rowcount == 0:
            exists = db.session.scalar(select(JobLease.name).where(JobLease.name == LEASE_NAME))
            if exists is not None:
                db.session.commit()
                return False
            db.session.add(JobLease(name=LEASE_NAME, acquired_at=at, **values))
            try:
                db.session.commit()
            except IntegrityError:  # another process inserted it first
                db.session.rollback()
                return False
            return True
        if not ours_before:
            db.session.execute(update(JobLease).where(JobLease.name == LEASE_NAME).values(acquired_at=at))
        db.session.commit()
        return True


def lease_row() -> JobLease | None:
    return db.session.get(JobLease, LEASE_NAME)
