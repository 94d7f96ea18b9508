"""The manifest of a backup folder: what was saved, when, and the figures a restore is checked against."""
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

NAME = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (English) says why. Nothing was changed."""


@dataclass
class Manifest:
    created_at: str  # UTC, ISO 8601
    database: str  # sqlite | postgresql
    dump: str  # the dump's file name in the folder
    dump_sha256: str
    dump_bytes: int
    alembic_revision: str | None
    counts: dict[str, int]  # rows per table, as dumped
    attachments: dict[str, int] = field(default_factory=dict)  # files, bytes
    tool: str | None = None  # pg_dump --version (PostgreSQL)
    format: int = FORMAT

    @property
    def orders(self) -> int:
        return self.counts.get("orders", 0)

    @property
    def events(self) -> int:
        return self.counts.get("order_events", 0)

    def write(self, folder: Path) -> None:
        """Written last and atomically: a folder with a manifest holds a complete backup."""
        temp = folder / f".{NAME}.partial"
        temp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        os.replace(temp, folder / NAME)

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        path = folder / NAME
        if not path.is_file():
            raise BackupError(f"{folder} is not a backup: it has no {NAME}")
        try:
            data = json.loads(path.read_text())
            manifest = cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{path} is not a readable manifest: {exc}")
        if manifest.format != FORMAT:
            raise BackupError(f"{path} has format {manifest.format}; this portal reads format {FORMAT}")
        return manifest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
