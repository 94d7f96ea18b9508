"""Stored reports and hot-topic warnings.

A ``Report`` is one kind of report for one period (unique together): the snapshot time ``as_of`` its
figures were computed at, the figures themselves (JSON, the tables as shown), and the PDF and xlsx made
from them. Regenerating it recomputes at the stored ``as_of`` and so gives the same figures.

A ``HotTopic`` (热点预警) is a category or a unit whose orders in one week rose sharply against its
previous weeks; one row per (dimension, key, week), so a detection run twice warns once.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..auth.models import User
from ..extensions import db

# kind -> (label, period kind, published to units)
REPORT_KINDS = {
    "weekly_summary": ("每周不满意及未办结工单汇总", "week", False),
    "weekly_ranking": ("每周承办单位排名", "week", False),
    "monthly_notice": ("月度工作通报", "month", True),
    "monthly_unsolved": ("屡办不成事项月度清单", "month", False),
    "quarterly_publication": ("季度办理情况公示", "quarter", True),
    "yearly_evaluation": ("年度考核评价", "year", False),
}
PUBLISHED_KINDS = frozenset(k for k, (_, _, published) in REPORT_KINDS.items() if published)
HOT_DIMENSIONS = {"category": "诉求分类", "unit": "承办单位"}


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("kind", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    period_key: Mapped[str] = mapped_column(String(30))
    period_label: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[datetime]  # the data snapshot: only what had happened by then counts
    generated_at: Mapped[datetime]
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the scheduler
    figures: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    xlsx: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    generated_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return REPORT_KINDS[self.kind][0] if self.kind in REPORT_KINDS else self.kind

    @property
    def published(self) -> bool:
        return self.kind in PUBLISHED_KINDS

    @property
    def filename_stem(self) -> str:
        return f"{self.period_label}{self.kind_label}"


class HotTopic(db.Model):
    __tablename__ = "hot_topics"
    __table_args__ = (UniqueConstraint("dimension", "key_id", "week_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10))  # category | unit
    key_id: Mapped[int]  # the category's or the unit's id
    name: Mapped[str] = mapped_column(String(80))
    week_key: Mapped[str] = mapped_column(String(10), index=True)  # 2026-W48
    week_start: Mapped[datetime]
    count: Mapped[int]
    baseline_mean: Mapped[float]
    baseline_std: Mapped[float]
    threshold: Mapped[float]
    detected_at: Mapped[datetime] = mapped_column(index=True)

    @property
    def dimension_label(self) -> str:
        return HOT_DIMENSIONS.get(self.dimension, self.dimension)
