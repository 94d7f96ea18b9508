"""SQL for "this JSON list of ids holds this id", on SQLite and on PostgreSQL.

Some records keep a short list of unit ids in a JSON column (a decision's assisting units, a list entry's
assisting units). Asking which rows name a unit must stay in SQL, so that lists filter and page in the
database: SQLite reads the list with ``json_each``, PostgreSQL with jsonb containment.
"""
from sqlalchemy import exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB

from .extensions import db


def json_list_holds(column, value: int):
    """A condition: the JSON array in ``column`` contains the integer ``value``."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column.cast(JSONB).contains([value])
    items = func.json_each(column).table_valued("value").alias("items")
    return exists(select(literal_column("1")).select_from(items).where(items.c.value == value))
