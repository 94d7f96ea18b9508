"""Request counters for rate limits, kept in the database so every web worker sees the same count."""
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateWindow(db.Model):
    """How many requests one key (a token, an address) made in one fixed window of time."""

    __tablename__ = "rate_windows"
    __table_args__ = (Index("ix_rate_windows_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=1)
