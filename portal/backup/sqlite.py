"""SQLite: copy the database file through SQLite's online backup API, which reads one consistent
snapshot while the portal goes on writing (write-ahead log), and copy it back the same way."""
import sqlite3
from pathlib import Path

from .manifest import BackupError

DUMP = "portal.sqlite3"


def database_path(url) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {url.database!r}: not a file")
    return Path(url.database)


def dump(url, out: Path) -> tuple[dict[str, int], str | None]:
    """Copy the database into ``out``; return the row counts and the alembic revision of the copy."""
    source = database_path(url)
    if not source.is_file():
        raise BackupError(f"there is no database file at {source}")
    out.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy in {out} fails SQLite's quick_check")
        return row_counts(dst), _revision(dst)
    finally:
        dst.close()
        src.close()


def tables_with_rows(url) -> list[str]:
    path = database_path(url)
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=30)
    try:
        ignored = _shadow_tables(conn) | {"alembic_version"}
        return sorted(name for name, count in row_counts(conn).items() if count and name not in ignored)
    finally:
        conn.close()


def counts_of(url) -> dict[str, int]:
    conn = sqlite3.connect(database_path(url), timeout=30)
    try:
        return row_counts(conn)
    finally:
        conn.close()


def restore(backup_file: Path, url) -> None:
    """Replace the (empty) target database with the backup's pages. The caller checked it is empty and
    closed its own connections."""
    target = database_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(backup_file)
    dst = sqlite3.connect(target, timeout=30)
    try:
        dst.execute("PRAGMA journal_mode=DELETE")  # a WAL target refuses pages of another size
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # as the portal opens it
    finally:
        dst.close()
        src.close()


def row_counts(conn) -> dict[str, int]:
    """Rows per table. Virtual tables (a full-text index) are left out: their shadow tables hold the rows."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    counts = {}
    for name in names:
        table = '"' + name.replace('"', '""') + '"'
        query = f"SELECT count(*) FROM {table}"  # nosec B608  # a quoted name from sqlite_master
        counts[name] = conn.execute(query).fetchone()[0]
    return counts


def _shadow_tables(conn) -> set[str]:
    """The tables behind virtual tables (``orders_search_config``...): an empty index has rows there."""
    virtual = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name for name in names for v in virtual if name.startswith(f"{v}_")}


def _revision(conn) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None
