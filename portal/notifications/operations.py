"""The only code that writes notifications: ``notify`` (from inside other operations) and ``mark_read``."""
from datetime import datetime

from sqlalchemy import select, update

from ..clock import now
from ..extensions import db
from .models import KINDS, Notification

DEDUPE_KEY_LENGTH = 80  # the column's length; longer keys are refused on every database alike


def notify(user_id: int, kind: str, text: str, order_id: int | None = None, at: datetime | None = None,
           dedupe_key: str | None = None, key_checked: bool = False) -> Notification | None:
    """Add a notification for ``user_id`` to the session, without committing: the caller's operation
    commits it together with the change it is about.

    With ``dedupe_key`` nothing is added when a notification with that key exists already (in the
    database or pending in this session), so a scheduled check that runs many times notifies once.
    Returns the new notification, or None when it was a duplicate. ``key_checked``: the caller has
    looked its keys up already, all at once, and passes each key once (the deadline watch), so the
    lookup per notification is skipped.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind!r}")
    if dedupe_key is not None:
        if len(dedupe_key) > DEDUPE_KEY_LENGTH:
            raise ValueError(f"dedupe_key longer than {DEDUPE_KEY_LENGTH} characters: {dedupe_key!r}")
        if not key_checked and _key_taken(dedupe_key):
            return None
    notification = Notification(user_id=user_id, kind=kind, text=text, order_id=order_id,
                                created_at=at or now(), dedupe_key=dedupe_key)
    db.session.add(notification)
    return notification


def _key_taken(key: str) -> bool:
    # No flush here: callers such as orders.operations.apply change the order under no_autoflush and
    # expect exactly one flush, at their commit. So look at the pending objects, then at the table.
    if any(isinstance(obj, Notification) and obj.dedupe_key == key for obj in db.session.new):
        return True
    with db.session.no_autoflush:
        found = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key).limit(1))
    return found is not None


def mark_read(user, ids: list[int] | None = None, at: datetime | None = None) -> int:
    """Mark ``user``'s unread notifications read: those in ``ids``, or all of them when ``ids`` is None.
    Ids of other users' notifications are ignored. Commits; returns how many were marked."""
    if ids is not None and not ids:
        return 0
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result = db.session.execute(statement.values(read_at=at or now()))
    db.session.commit()
    return result.rowcount
