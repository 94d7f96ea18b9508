"""Bulk loading of generated rows: COPY on PostgreSQL, ``executemany`` on SQLite, one transaction per
chunk; ``finish`` brings the id sequences up to date and refreshes the planner's statistics (ANALYZE).

The free-text search index (``portal.search.index``) is built once at the end instead of row by row:
on SQLite the insert trigger is set aside during the load and the FTS table filled by one INSERT ...
SELECT (twenty times faster); on PostgreSQL the GIN index is dropped and created again. On PostgreSQL
the foreign keys of the loaded tables are dropped too and added back at the end, which checks every row
in one pass instead of one lookup per row and key (four times faster).

Values are written as SQLAlchemy itself writes them (SQLite: datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff``
text, booleans as 0/1; both: JSON as text), so the rows read back exactly like rows the portal wrote.
"""
import json
import time
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, text

from ..extensions import db
from ..copy_rows import copy_rows
from ..search import index as search_index
from ..orders.models import DispatchRecord, Order, OrderEvent, OrderLink, OrderRequest, OrderUnit, ReturnVisit

# Parents before children: foreign keys hold at every statement.
TABLES = (("orders", Order), ("events", OrderEvent), ("units", OrderUnit), ("requests", OrderRequest),
          ("visits", ReturnVisit), ("dispatches", DispatchRecord), ("links", OrderLink))


def _sqlite_datetime(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _identity(value):
    return value


class Loader:
    """Writes chunks of rows into the session's database; counts what it wrote."""

    def __init__(self):
        self.dialect = db.session.get_bind().dialect.name
        self.written: dict[str, int] = {name: 0 for name, _model in TABLES}
        self.seconds = 0.0  # spent writing
        if self.dialect == "sqlite":
            # Bulk load: no fsync per transaction (a crash mid-load loses the load, nothing else), a larger
            # page cache for the index updates. Restored by ``finish``.
            db.session.execute(text("PRAGMA synchronous=OFF"))
            db.session.execute(text("PRAGMA cache_size=-200000"))
            db.session.commit()
        self._set_search_index_aside()
        self.foreign_keys = self._drop_foreign_keys() if self.dialect == "postgresql" else []

    def load(self, rows) -> int:
        """Insert one chunk in one transaction; the number of rows written."""
        count, started = 0, time.perf_counter()
        for name, model in TABLES:
            batch = getattr(rows, name)
            if batch:
                self._insert(model.__table__, batch)
                self.written[name] += len(batch)
                count += len(batch)
        db.session.commit()
        self.seconds += time.perf_counter() - started
        return count

    def _insert(self, table, rows: list[dict]) -> None:
        columns = [c for c in table.columns if c.name in rows[0]]
        names = [c.name for c in columns]
        if self.dialect == "postgresql":
            convert = [_json if isinstance(c.type, JSON) else _identity for c in columns]
            copy_rows(table.name, names, ([f(row[n]) for f, n in zip(convert, names)] for row in rows))
            return
        connection = db.session.connection().connection.driver_connection
        convert = [_sqlite_datetime if isinstance(c.type, DateTime) else _json if isinstance(c.type, JSON)
                   else int if isinstance(c.type, Boolean) else _identity for c in columns]
        pairs = list(zip(convert, names))
        sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'  # nosec B608  # the model's own table and column names
        cursor = connection.cursor()
        cursor.executemany(sql, [tuple(f(row[n]) if row[n] is not None else None for f, n in pairs) for row in rows])
        cursor.close()

    def _set_search_index_aside(self) -> None:
        if self.dialect == "sqlite":
            self.search_ddl = db.session.scalar(text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'orders_search_insert'"))
            if self.search_ddl:
                db.session.execute(text("DROP TRIGGER orders_search_insert"))
        elif self.dialect == "postgresql":
            self.search_ddl = db.session.scalar(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": search_index.PG_INDEX})
            if self.search_ddl:
                db.session.execute(text(f'DROP INDEX "{search_index.PG_INDEX}"'))
        db.session.commit()

    def _restore_search_index(self) -> None:
        if not getattr(self, "search_ddl", None):
            return
        if self.dialect == "sqlite":
            table = search_index.SQLITE_TABLE
            db.session.execute(text(f"INSERT INTO {table}(rowid, content, address) "  # nosec B608  # a constant name
                                    "SELECT id, content || char(31), address || char(31) FROM orders"))
        elif self.dialect == "postgresql":
            db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # one pass for the GIN build
        db.session.execute(text(self.search_ddl))  # the trigger or the index, as it was
        db.session.commit()
        self.search_ddl = None

    def _drop_foreign_keys(self) -> list[tuple[str, str, str]]:
        """Drop the foreign keys of the loaded tables; return (table, name, definition) to add them back."""
        names = [model.__tablename__ for _name, model in TABLES]
        keys = db.session.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(:names)"), {"names": names}).all()
        for table, name, _definition in keys:
            db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        db.session.commit()
        return [tuple(k) for k in keys]

    def restore(self) -> None:
        """Put back what the load set aside (foreign keys, search index); safe to call twice."""
        self._restore_search_index()
        for table, name, definition in self.foreign_keys:
            db.session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        self.foreign_keys = []
        db.session.commit()

    def finish(self) -> None:
        """What was set aside, sequences past the ids given explicitly (PostgreSQL), statistics for the
        planner, durability back."""
        self.restore()
        if self.dialect == "postgresql":
            db.session.execute(text("SELECT setval(pg_get_serial_sequence('orders', 'id'), "
                                    "(SELECT coalesce(max(id), 0) + 1 FROM orders), false)"))
            db.session.commit()
            for name, model in TABLES:
                db.session.execute(text(f'ANALYZE "{model.__tablename__}"'))
            db.session.commit()
            return
        db.session.execute(text("PRAGMA synchronous=FULL"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
