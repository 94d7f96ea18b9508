"""Read side of notifications: the unread count for the navbar badge and the user's list.

Every query is limited to one user's own notifications.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Notification


def unread_count(user_id: int) -> int:
    """One COUNT over the (user_id, read_at) index; the badge asks for it every minute."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def page(user, unread_only: bool, number: int, size: int) -> tuple[list[Notification], bool]:
    """One page of the user's notifications, newest first, and whether there is a next page
    (LIMIT n+1, no total count)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = (query.options(joinedload(Notification.order))
             .order_by(Notification.created_at.desc(), Notification.id.desc())
             .limit(size + 1).offset((number - 1) * size))
    rows = db.session.scalars(query).all()
    return rows[:size], len(rows) > size


def own(user, notification_id: int) -> Notification | None:
    """The notification if it is ``user``'s, else None (the view answers 404 either way)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
