"""Read side of deadlines: the policy by urgency and the working calendar, from the database."""
from flask import g, has_app_context, has_request_context, request

from ..calendar import WorkCalendar
from ..clock import now
from ..extensions import db
from .models import CalendarDay, CalendarYear, DeadlinePolicy

# The 1-3-7 method (seed 000) for normal orders; urgent and critical ones in clock hours (seed 001:
# critical at once, urgent within 3 days). The admin edits these on the policy page.
DEFAULT_POLICIES = {
    "normal": dict(unit="workday", sign_for=1, first_feedback=1, reply=3, complex_reply=7, warn_minutes=240),
    "urgent": dict(unit="hour", sign_for=4, first_feedback=8, reply=72, complex_reply=120, warn_minutes=120),
    "critical": dict(unit="hour", sign_for=1, first_feedback=2, reply=24, complex_reply=72, warn_minutes=30),
}


def policies() -> dict[str, DeadlinePolicy]:
    """The policy row per urgency; defaults fill in any urgency the table lacks (not saved)."""
    rows = {p.urgency: p for p in db.session.scalars(db.select(DeadlinePolicy))}
    for urgency, values in DEFAULT_POLICIES.items():
        rows.setdefault(urgency, DeadlinePolicy(urgency=urgency, **values))
    return rows


def work_calendar() -> WorkCalendar:
    """The working calendar with the admin's loaded years; built once per request.

    The cache in ``g`` remembers which request built it: ``g`` belongs to the application context,
    which a test (or a CLI command) may keep across several requests.
    """
    if has_request_context():
        cached = g.get("work_calendar")
        if cached is not None and cached[0] is request._get_current_object():
            return cached[1]
    years = set(db.session.scalars(db.select(CalendarYear.year)))
    days = {d.day: d.workday for d in db.session.scalars(db.select(CalendarDay))} if years else {}
    cal = WorkCalendar(years, days)
    if has_request_context():
        g.work_calendar = (request._get_current_object(), cal)
    return cal


def forget_work_calendar() -> None:
    """Drop this request's cached calendar, after the holiday data changed."""
    if has_app_context():
        g.pop("work_calendar", None)


def missing_years(cal: WorkCalendar | None = None) -> list[int]:
    """Years the admin should load: this year, and next year once deadlines may run into it."""
    cal = cal or work_calendar()
    today = now().date()
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    return [y for y in years if not cal.has_data(y)]
