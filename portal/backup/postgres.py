"""PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot (the row counts in the manifest are
read in that same snapshot), and ``pg_restore`` in one transaction."""
import os
import re
import shutil
import subprocess  # nosec B404  # pg_dump and pg_restore, run with argument lists, never a shell
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from .manifest import BackupError

DUMP = "portal.dump"


def tool(name: str, bindir: str | None) -> str:
    """The path of pg_dump or pg_restore: in ``bindir`` (BACKUP_PG_BINDIR) if given, else on the PATH."""
    found = shutil.which(name, path=bindir) if bindir else shutil.which(name)
    if not found:
        where = f"in {bindir} (BACKUP_PG_BINDIR)" if bindir else "on the PATH"
        raise BackupError(f"{name} not found {where}: install PostgreSQL's client programs "
                          f"(Debian: apt-get install postgresql-client)")
    return found


def tool_version(path: str) -> tuple[int, str]:
    """(major version, the version line) of a PostgreSQL client program."""
    command = [path, "--version"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)  # nosec B603  # fixed program, no shell
    line = result.stdout.strip()
    match = re.search(r"\)\s*(\d+)", line)
    if result.returncode or not match:
        raise BackupError(f"could not read the version of {path}: {line or result.stderr.strip()}")
    return int(match.group(1)), line


def dump(url, out: Path, bindir: str | None) -> tuple[dict[str, int], str | None, str]:
    """Dump the database into ``out``; return the row counts, the alembic revision and pg_dump's version."""
    pg_dump = tool("pg_dump", bindir)
    major, line = tool_version(pg_dump)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            server = conn.execute(text("SHOW server_version_num")).scalar()
            if major < int(server) // 10000:
                raise BackupError(f"{line} is older than the server (PostgreSQL {int(server) // 10000}); "
                                  f"use a pg_dump of at least that version (BACKUP_PG_BINDIR)")
            counts = row_counts(conn)
            revision = _revision(conn)
            out.unlink(missing_ok=True)
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={out}",
                  f"--dbname={_libpq_url(url)}"], url, "pg_dump")
            conn.rollback()  # the snapshot was held until pg_dump had read it
    finally:
        engine.dispose()
    return counts, revision, line


def tables_with_rows(url) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(name for name, count in row_counts(conn, exists_only=True).items()
                          if count and name != "alembic_version")
    finally:
        engine.dispose()


def counts_of(url) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return row_counts(conn)
    finally:
        engine.dispose()


def restore(backup_file: Path, url, bindir: str | None, dumped_by: str | None) -> None:
    """Load the dump into the (empty) target database in one transaction; the target's own empty tables,
    if it has any (``flask db upgrade`` was run), are dropped first and made again from the dump."""
    pg_restore = tool("pg_restore", bindir)
    major, line = tool_version(pg_restore)
    dumped_major = int(re.search(r"\)\s*(\d+)", dumped_by).group(1)) if dumped_by else 0
    if major < dumped_major:
        raise BackupError(f"{line} cannot read a dump made by {dumped_by}; use a newer pg_restore (BACKUP_PG_BINDIR)")
    engine = create_engine(url)
    try:
        has_tables = bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    clean = ["--clean", "--if-exists"] if has_tables else []
    _run([pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", *clean,
          f"--dbname={_libpq_url(url)}", str(backup_file)], url, "pg_restore")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))  # pg_restore leaves the planner without statistics
    finally:
        engine.dispose()


def _libpq_url(url) -> str:
    """The URL for libpq: no SQLAlchemy driver name, no password (that goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(args: list[str], url, name: str) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(args, capture_output=True, text=True, env=env)  # nosec B603  # fixed program, no shell
    if result.returncode:
        raise BackupError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def row_counts(conn, exists_only: bool = False) -> dict[str, int]:
    names = inspect(conn).get_table_names()
    counts = {}
    for name in sorted(names):
        table = '"' + name.replace('"', '""') + '"'
        if exists_only:
            query = f"SELECT EXISTS (SELECT 1 FROM {table})"  # nosec B608  # a quoted table name from the catalog
        else:
            query = f"SELECT count(*) FROM {table}"  # nosec B608  # a quoted table name from the catalog
        counts[name] = int(conn.execute(text(query)).scalar())
    return counts


def _revision(conn) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
