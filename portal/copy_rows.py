"""PostgreSQL's COPY for bulk writes (an import's chunk, generated data), in the session's transaction.

COPY goes to the driver directly, past SQLAlchemy's statement events, so the request is told here that it
wrote (``query_plans.note_write``): a request that left such rows uncommitted is rolled back, not
committed as one that only read.
"""
from collections.abc import Iterable, Sequence

from .extensions import db
from .query_plans import note_write


def copy_rows(table_name: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` (values in the order of ``columns``) into ``table_name``."""
    note_write()
    quoted = ", ".join(f'"{c}"' for c in columns)
    driver = db.session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table_name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
