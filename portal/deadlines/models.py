"""The deadline policy by urgency (the 1-3-7 method) and the holiday calendar the admin loads."""
from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DeadlinePolicy(db.Model):
    """Time allowed for each step, by urgency; counted in working days or in clock hours."""

    __tablename__ = "deadline_policies"

    urgency: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit: Mapped[str] = mapped_column(String(10))  # workday | hour
    sign_for: Mapped[int]  # sign for (签收)
    first_feedback: Mapped[int]  # first feedback (首次反馈)
    reply: Mapped[int]  # handle and reply (办理答复)
    complex_reply: Mapped[int]  # complex cases: a plan (复杂疑难 提出方案)
    warn_minutes: Mapped[int]  # how long before a deadline an order turns "due soon"
    updated_at: Mapped[datetime | None]


class CalendarYear(db.Model):
    """A year whose official holiday schedule the admin has loaded."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    loaded_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(200))


class CalendarDay(db.Model):
    """A day that differs from Monday-to-Friday: a public holiday or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    workday: Mapped[bool]  # False: a public holiday; True: a make-up working weekend day
    name: Mapped[str] = mapped_column(String(40))
