"""Plain DB-API connections (sqlite3, psycopg) from a SQLAlchemy URL, without SQLAlchemy in between."""
from sqlalchemy.engine import make_url


def connect(url: str):
    """A DB-API connection to the database ``url`` names (``sqlite:///...`` or ``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        return sqlite3.connect(parsed.database, check_same_thread=False)
    import psycopg

    return psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True)


def compile_literal(statement, url: str) -> str:
    """``statement`` (a SQLAlchemy select) as SQL text for ``url``'s dialect, its values written in."""
    from sqlalchemy import create_engine

    dialect = create_engine(url).dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
