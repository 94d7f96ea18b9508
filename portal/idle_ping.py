"""A database server's connections are tested before use only after they have been idle a while.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: one more round trip per request on
PostgreSQL (about 0.1 ms of a page's 9-11). A connection that came back to the pool a moment ago is as good
as the server that just answered it; what goes stale is one left idle (a server restarted overnight, a
firewall that drops quiet connections). So a connection idle for ``IDLE_SECONDS`` or more is pinged when
it is checked out, and a failed ping makes the pool drop it and connect again, as ``pool_pre_ping``
would. Within the window, a connection broken since its last use fails the statement that finds it out;
SQLAlchemy then invalidates the whole pool, so the worker's next request connects afresh.

SQLite's connections are to a file in the same process: they are never pinged.
"""
import time

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool

IDLE_SECONDS = 10.0
_RETURNED = "portal_returned_at"


def _is_server(dbapi_connection) -> bool:
    return not type(dbapi_connection).__module__.startswith("sqlite3")


def ping(dbapi_connection) -> None:
    """``SELECT 1`` on the DB-API connection; DisconnectionError (the pool's cue to reconnect) if it fails."""
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:  # any failure of a bare SELECT 1 means the connection is unusable
        raise exc.DisconnectionError(f"idle connection failed its ping: {error}") from error


@event.listens_for(Pool, "connect")
def _fresh(dbapi_connection, connection_record):
    """A new connection has just been opened: as good as a returned one."""
    connection_record.info[_RETURNED] = time.monotonic()


@event.listens_for(Pool, "checkin")
def _returned(dbapi_connection, connection_record):
    if connection_record is not None:
        connection_record.info[_RETURNED] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    """Before a connection is handed out: ping it when it has been idle ``IDLE_SECONDS`` or more."""
    if not _is_server(dbapi_connection):
        return
    returned = connection_record.info.get(_RETURNED)
    if returned is not None and time.monotonic() - returned < IDLE_SECONDS:
        return
    ping(dbapi_connection)
