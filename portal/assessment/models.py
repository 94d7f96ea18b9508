"""Assessment configuration (formula parameters, composite weights) and exclusions (剔除)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..orders.models import Order
from ..units.models import Unit


class AssessmentConfig(db.Model):
    """The district's formulas: one row per change; the newest row is in force. Keeping the old rows
    lets a figure computed earlier be recomputed with the settings it was computed with."""

    __tablename__ = "assessment_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    params: Mapped[dict] = mapped_column(JSON)  # {"basic_weight": 1.0, "partly_resolution": 0.0, ...}
    weights: Mapped[dict] = mapped_column(JSON)  # {"satisfaction_process": 0.3, ...}
    saved_at: Mapped[datetime]
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    saved_by: Mapped[User | None] = relationship()


EXCLUSION_STATUS = {"pending": "待审批", "approved": "已同意剔除", "refused": "不予剔除", "withdrawn": "已撤回"}


class Exclusion(db.Model):
    """A unit's request to leave an order out of assessment (剔除), and the office's decision."""

    __tablename__ = "assessment_exclusions"
    __table_args__ = (Index("ix_assessment_exclusions_status_decided", "status", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    reason_kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship()
    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return EXCLUSION_STATUS.get(self.status, self.status)

    @property
    def reason_label(self) -> str:
        return EXCLUSION_REASONS.get(self.reason_kind, self.reason_kind)


# Seed 000: demands against law or policy, matters that need long investigation, "两难" matters, and
# callers who use the hotline for illegitimate gain; seed 002: malicious or harassing calls.
EXCLUSION_REASONS = {
    "law_policy": "诉求违反法律法规或政策规定",
    "abuse": "恶意投诉、骚扰或借热线谋取不当利益",
    "not_jurisdiction": "不属于本区职责范围",
    "duplicate": "重复诉求已另单办理",
    "other": "其他",
}


# The assessment's range scans: orders by dispatch time and reply deadline, visits by time. (Orders by
# receipt time and dispatch records by time are indexed by their own areas.)
from ..orders.models import ReturnVisit  # noqa: E402

Index("ix_orders_dispatched_at", Order.dispatched_at)
Index("ix_orders_reply_due_at", Order.reply_due_at)
Index("ix_return_visits_at", ReturnVisit.at)
