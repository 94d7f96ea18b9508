"""Applying the deadline policy to an order: its due times, its next deadline, its colour."""
from datetime import datetime, timedelta

from ..calendar import WorkCalendar, add_hours
from .models import DeadlinePolicy

NORMAL, SOON, OVERDUE = "normal", "soon", "overdue"
STATUS_LABELS = {NORMAL: "正常", SOON: "即将到期", OVERDUE: "已超期"}


def due_after(policy: DeadlinePolicy, cal: WorkCalendar, start: datetime, amount: int) -> datetime:
    if policy.unit == "hour":
        return add_hours(start, amount)
    return cal.add_workdays(start, amount)


def set_due_times(order, policy: DeadlinePolicy, cal: WorkCalendar, start: datetime) -> None:
    """Deadlines counted from ``start`` (dispatch or reopen): sign for, first feedback, reply."""
    order.sign_due_at = due_after(policy, cal, start, policy.sign_for)
    order.feedback_due_at = due_after(policy, cal, start, policy.first_feedback)
    reply = policy.complex_reply if order.is_complex else policy.reply
    order.reply_due_at = due_after(policy, cal, start, reply)


def refresh_next_due(order, policy: DeadlinePolicy) -> None:
    """Keep ``next_due_at``/``warn_at`` in step with the state, so lists can filter on them by index."""
    state = order.state
    due = None
    if state == "dispatched":
        due = order.sign_due_at
    elif state in ("accepted", "return_requested"):
        due = order.reply_due_at if order.first_feedback_at else _earliest(order.feedback_due_at, order.reply_due_at)
    order.next_due_at = due
    order.warn_at = due - timedelta(minutes=policy.warn_minutes) if due else None


def status(order, at: datetime) -> str | None:
    """normal / soon / overdue for an order with a running deadline, else None."""
    if order.next_due_at is None:
        return None
    if at > order.next_due_at:
        return OVERDUE
    if order.warn_at and at >= order.warn_at:
        return SOON
    return NORMAL


def _earliest(*times):
    present = [t for t in times if t]
    return min(present) if present else None
