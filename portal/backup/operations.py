"""``backup`` and ``restore`` of the instance the app is configured for: the database, then the
attachment store, then the manifest; a restore is checked against the manifest and the audit chains."""
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from . import postgres, sqlite
from .manifest import NAME as MANIFEST, BackupError, Manifest, sha256_of

ATTACHMENTS = "attachments"


def backup(out_dir: Path) -> Manifest:
    """Save the database and the attachment store into ``out_dir`` (made if missing). A folder holding an
    earlier backup gets a new database dump and manifest; of the attachments, only the files it lacks
    are copied (the store is content-addressed: a file's name is its content's hash)."""
    url, kind = _database()
    out_dir.mkdir(parents=True, exist_ok=True)
    dump_name = sqlite.DUMP if kind == "sqlite" else postgres.DUMP
    partial = out_dir / f".{dump_name}.partial"
    tool_line = None
    try:
        if kind == "sqlite":
            counts, revision = sqlite.dump(url, partial)
        else:
            counts, revision, tool_line = postgres.dump(url, partial, current_app.config.get("BACKUP_PG_BINDIR"))
        (out_dir / MANIFEST).unlink(missing_ok=True)  # no folder pairs a new dump with an old manifest
        os.replace(partial, out_dir / dump_name)
    finally:
        partial.unlink(missing_ok=True)
    for other in {sqlite.DUMP, postgres.DUMP} - {dump_name}:  # a folder reused across kinds
        (out_dir / other).unlink(missing_ok=True)
    # After the dump: a file is in the store before the row naming it is committed, so every file the
    # dumped rows name is there to copy.
    files = copy_missing(_store(), out_dir / ATTACHMENTS)
    manifest = Manifest(
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), database=kind, dump=dump_name,
        dump_sha256=sha256_of(out_dir / dump_name), dump_bytes=(out_dir / dump_name).stat().st_size,
        alembic_revision=revision, counts=counts, attachments=files, tool=tool_line)
    manifest.write(out_dir)
    return manifest


@dataclass
class Restored:
    manifest: Manifest
    copied_files: int = 0
    problems: list[str] = field(default_factory=list)


def restore(backup_dir: Path) -> Restored:
    """Load a backup into the configured database, which must be empty, and its files into the store; then
    compare the row counts with the manifest, look for every attachment's file and verify the audit
    chains. Refuses (BackupError, nothing changed) a damaged backup, another database kind, or a target
    holding rows. Problems found after loading are returned."""
    manifest = Manifest.read(backup_dir)
    url, kind = _database()
    if manifest.database != kind:
        raise BackupError(f"the backup is of a {manifest.database} database; the portal is configured for "
                          f"{kind} (PORTAL_SQLALCHEMY_DATABASE_URI)")
    dump_file = backup_dir / manifest.dump
    if not dump_file.is_file():
        raise BackupError(f"{dump_file} is missing")
    if sha256_of(dump_file) != manifest.dump_sha256:
        raise BackupError(f"{dump_file} does not match the sha256 in the manifest: the backup is damaged")
    busy = target_tables_with_rows()
    if busy:
        raise BackupError("restore needs an empty database; these tables hold rows: " + ", ".join(busy))
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        sqlite.restore(dump_file, url)
    else:
        postgres.restore(dump_file, url, current_app.config.get("BACKUP_PG_BINDIR"), manifest.tool)
    db.engine.dispose()  # connections opened before the load would see the old schema
    files = copy_missing(backup_dir / ATTACHMENTS, _store())
    restored = Restored(manifest, files["copied"])
    restored.problems += _count_problems(manifest, url, kind)
    restored.problems += _missing_attachments()
    restored.problems += _audit_problems()
    return restored


def target_tables_with_rows() -> list[str]:
    """The configured database's tables that hold rows (alembic's revision row aside)."""
    url, kind = _database()
    return sqlite.tables_with_rows(url) if kind == "sqlite" else postgres.tables_with_rows(url)


def copy_missing(source: Path, target: Path) -> dict[str, int]:
    """Copy every file under ``source`` that ``target`` lacks (or holds with another size) to the same
    place under ``target``, each through a temporary name. Returns the files and bytes under ``source``
    and how many were copied."""
    files = size = copied = 0
    if not source.is_dir():
        return {"files": 0, "bytes": 0, "copied": 0}
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith("."):  # .upload-* temporaries of the store
            continue
        files += 1
        size += path.stat().st_size
        destination = target / path.relative_to(source)
        if destination.is_file() and destination.stat().st_size == path.stat().st_size:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        temp = destination.with_name(f".{destination.name}.partial")
        shutil.copyfile(path, temp)
        os.replace(temp, destination)
        copied += 1
    return {"files": files, "bytes": size, "copied": copied}


def _database():
    url = db.engine.url
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"backups cover SQLite and PostgreSQL, not {kind}")
    return url, kind


def _store() -> Path:
    from ..attachments import storage

    return storage.root()


def _count_problems(manifest: Manifest, url, kind: str) -> list[str]:
    counts = (sqlite if kind == "sqlite" else postgres).counts_of(url)
    return [f"table {name}: {counts.get(name)} rows restored, {expected} in the backup"
            for name, expected in sorted(manifest.counts.items()) if counts.get(name) != expected]


def _missing_attachments() -> list[str]:
    from ..attachments import storage
    from ..attachments.models import Attachment

    hashes = db.session.scalars(select(Attachment.sha256).distinct()).all()
    return [f"attachment file {sha} is missing from the store" for sha in hashes
            if not storage.path_for(sha).is_file()]


def _audit_problems() -> list[str]:
    from ..audit.verify import verify

    _, problems = verify()
    db.session.rollback()
    return [f"audit: {problem}" for problem in problems]
