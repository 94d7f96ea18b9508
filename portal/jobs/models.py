"""What the scheduler records: one row per run of a job for a period, and the lease row.

A period is done at most once: a partial unique index on (job_id, period) over rows whose status is
"done" makes the database refuse a second one, whichever process tries.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

STATUSES = {
    "requested": "已请求",
    "running": "运行中",
    "done": "完成",
    "failed": "失败",
    "interrupted": "中断",
    "missed": "错过",
    "skipped": "跳过",
}
STATUS_COLOURS = {"requested": "info", "running": "primary", "done": "success", "failed": "danger",
                  "interrupted": "warning", "missed": "warning", "skipped": "secondary"}
TRIGGERS = {"schedule": "定时", "catch_up": "补跑", "manual": "手动", "cli": "命令行"}


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("uq_job_runs_job_period_done", "job_id", "period", unique=True,
              sqlite_where=text("status = 'done'"), postgresql_where=text("status = 'done'")),
        Index("ix_job_runs_job_scheduled", "job_id", "scheduled_at"),
        Index("ix_job_runs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(60))  # the period key, e.g. "2026-11-23 08:00"
    scheduled_at: Mapped[datetime]  # the period's scheduled time, which the job ran for
    status: Mapped[str] = mapped_column(String(12))
    trigger: Mapped[str] = mapped_column(String(12))  # schedule | catch_up | manual | cli
    manual: Mapped[bool] = mapped_column(default=False)  # manual runs don't move the catch-up frontier
    holder: Mapped[str | None] = mapped_column(String(120))  # which scheduler process ran it
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    requested_by = relationship("User")

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def trigger_label(self) -> str:
        return TRIGGERS.get(self.trigger, self.trigger)

    @property
    def duration_label(self) -> str:
        if self.duration_ms is None:
            return ""
        if self.duration_ms < 1000:
            return f"{self.duration_ms} 毫秒"
        return f"{self.duration_ms / 1000:.1f} 秒"


class JobLease(db.Model):
    """Who may run jobs. On SQLite the row itself is the lease (taken over once ``expires_at`` passed); on
    PostgreSQL an advisory lock is, and the row only tells the jobs page who holds it."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    expires_at: Mapped[datetime]
