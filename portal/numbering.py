"""Document numbers (文号): one counter per series and year, without gap or duplicate.

``allocate_number("supervision", 2026)`` returns the next number of the series inside the caller's
transaction. It is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement: on PostgreSQL the
row stays locked until the caller commits, so a second transaction issuing at the same moment waits and
then gets the next number; on SQLite the statement takes the database's write lock, which does the same.
If the caller rolls back, the number goes back with it, so issued numbers have no gaps.

``format_number(pattern, year, n)`` prints a number, e.g. ``督字〔2026〕第0001号`` with the pattern
``"督字〔{year}〕第{n:04d}号"``; each series has its pattern in the configuration
(``SUPERVISION_NUMBER_FORMAT``, ``TALK_NUMBER_FORMAT``, ...; see ``number_pattern``).
"""
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class DocumentCounter(db.Model):
    """The last number issued in a series (``supervision``, ``talk``, ...) for a year."""

    __tablename__ = "document_counters"
    __table_args__ = (UniqueConstraint("series", "year", name="uq_document_counters_series_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(30))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


def allocate_number(series: str, year: int) -> int:
    """The next number of ``series`` for ``year``, taken inside the caller's transaction (no commit)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = DocumentCounter.__table__
    statement = (
        insert(table)
        .values(series=series, year=year, last=1)
        .on_conflict_do_update(index_elements=[table.c.series, table.c.year], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return db.session.execute(statement).scalar_one()


def format_number(pattern: str, year: int, n: int) -> str:
    """``pattern`` filled with ``year`` and ``n`` (str.format fields ``{year}`` and ``{n}``)."""
    return pattern.format(year=year, n=n)


def number_pattern(series: str) -> str:
    """The configured pattern of a series: ``<SERIES>_NUMBER_FORMAT``, or a plain default."""
    from flask import current_app

    return current_app.config.get(f"{series.upper()}_NUMBER_FORMAT") or "〔{year}〕第{n:04d}号"
