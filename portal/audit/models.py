"""Checkpoints: a dated digest of each event table up to an id, themselves chained. Removing the last
events of a chain leaves the chain itself consistent; the latest checkpoint still counts them."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AuditCheckpoint(db.Model):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    table_name: Mapped[str] = mapped_column(String(60), index=True)
    upto_id: Mapped[int]  # the events with id <= upto_id ...
    events: Mapped[int]  # ... how many there were
    digest: Mapped[str] = mapped_column(String(64))  # sha256 over their hashes in id order
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
