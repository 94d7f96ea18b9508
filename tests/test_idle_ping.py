"""Connections to a database server are pinged before use only after being idle, and one that died while
idle is replaced without the request seeing an error."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from portal import idle_ping
from portal.extensions import db
from tests.fixtures.app import is_postgres

postgres_only = pytest.mark.skipif(not is_postgres(),
                                   reason="pings go to a database server; the PostgreSQL leg runs it")


@pytest.fixture
def pings(monkeypatch):
    """The real ping, counted."""
    done = []
    real = idle_ping.ping

    def counted(dbapi_connection):
        done.append(dbapi_connection)
        real(dbapi_connection)

    monkeypatch.setattr(idle_ping, "ping", counted)
    return done


def backdate(record) -> None:
    """Make a pooled connection (its pool record, while it is in the pool) look idle since long ago."""
    record.info[idle_ping._RETURNED] -= idle_ping.IDLE_SECONDS + 1


def test_pool_pre_ping_is_off():
    from portal import config

    assert config.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is False


@postgres_only
def test_a_connection_just_returned_is_not_pinged_and_an_idle_one_is(ctx, pings):
    engine = db.engine
    engine.dispose()  # an empty pool: one connection, made here
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert pings == []
    with engine.connect() as conn:
        record = conn.connection._connection_record
    backdate(record)  # idle since long ago, in the pool
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 2")).scalar() == 2
    assert len(pings) == 1


@postgres_only
def test_a_connection_that_died_while_idle_is_replaced(ctx):
    engine = db.engine
    engine.dispose()  # an empty pool: the next connection is the only one in it
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        record = conn.connection._connection_record
    backdate(record)  # idle since long ago, in the pool
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as other:  # the server ends it, as a restart would
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar() is True
    killer.dispose()
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    assert pid != first


def test_sqlite_connections_are_never_pinged(ctx, pings):
    if is_postgres():
        pytest.skip("the SQLite leg runs it")
    with db.engine.connect() as conn:
        record = conn.connection._connection_record
    backdate(record)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT 3")).scalar() == 3
    assert pings == []
