"""One stored set of computed figures: a kind and a key name what it is, ``computed_at`` when it was
true. The payload holds counted facts, not rates, so the assessment configuration in force when a page
reads them turns them into rates (a changed formula shows at once)."""
from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class FigureSnapshot(db.Model):
    __tablename__ = "figure_snapshots"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_figure_snapshots_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "assessment_month", "dashboard"
    key: Mapped[str] = mapped_column(String(40))  # the period's key ("2026-11"), or "district"
    computed_at: Mapped[datetime]  # the figures' as-of time (local, naive)
    payload: Mapped[dict] = mapped_column(JSON)
    duration_ms: Mapped[int] = mapped_column(default=0)  # what computing it cost, for the operator
