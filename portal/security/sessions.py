"""Sessions: they end after inactivity, after an absolute lifetime, and when the password changes.

* ``SESSION_IDLE_MINUTES`` without a request from the user (static files, public pages, the API and
  background polling such as the notification bell do not count) ends the session; so does
  ``PERMANENT_SESSION_LIFETIME`` since log-in, however active. The next page asks to log in again with
  "登录已超时，请重新登录。"; an htmx request gets ``HX-Redirect`` to the log-in page.
* The session keeps the user's id with the user's ``session_version`` (``User.get_id``); a password change
  or an admin's reset raises the version, so every other session of that user stops loading the user.
* A user whose password an admin reset (``must_change_password``) can reach only the password page and
  log-out until a new password is set; htmx requests are sent there with ``HX-Redirect``.

Requests that htmx makes by itself (polling) carry ``X-Background-Request: 1``, set by portal.js for
elements marked ``data-background``; they neither count as activity nor end a session early.
"""
import functools
from datetime import datetime

from flask import Flask, current_app, flash, g, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..clock import now
from ..extensions import db
from ..htmx import redirect as hx_redirect

EXPIRED_MESSAGE = "登录已超时，请重新登录。"
BACKGROUND_HEADER = "X-Background-Request"
# The last activity moves in steps of a minute: the session cookie is signed and sent again once a
# minute of activity, not with every response (idle expiry is counted in tens of minutes).
ACTIVITY_STEP_SECONDS = 60
# Endpoints a user who must change the password may still reach.
WHILE_MUST_CHANGE = {"auth.change_password", "auth.logout", "auth.login", "static"}


@functools.cache
def _user_with_unit():
    """The user by id with the unit (the navbar shows it on every page): one statement built once, as
    ``session.get`` with loader options builds its statement again on every request."""
    from ..auth.models import User

    return select(User).options(joinedload(User.unit)).where(User.id == bindparam("id"))


def load_user(session_id: str):
    """The user for a session's ``_user_id`` (``"<id>:<session_version>"``), or None when the user's
    session version has moved on (password changed or reset) or the value is not in that form."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.execute(_user_with_unit(), {"id": int(user_id)}).scalar_one_or_none()
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


def _stamp(at: datetime) -> int:
    return int(at.timestamp())


def _applies() -> bool:
    """Staff pages only: not static files, not the token-authenticated API, not public pages."""
    from ..public.access import is_public_endpoint

    endpoint = request.endpoint or ""
    if endpoint == "static" or request.path.startswith("/api/"):
        return False
    return not is_public_endpoint(current_app, endpoint)


def _started(sender, user, **extra):
    """On log-in: the session's start and last activity."""
    stamp = _stamp(now())
    session["login_at"] = stamp
    session["last_seen"] = stamp


def end_stale_session():
    """Before each request: log out a session idle for too long or older than its lifetime."""
    if "_user_id" not in session or not _applies():
        return None
    config = current_app.config
    current = _stamp(now())
    idle_minutes = config.get("SESSION_IDLE_MINUTES")
    lifetime = config.get("PERMANENT_SESSION_LIFETIME")
    last_seen, login_at = session.get("last_seen"), session.get("login_at")
    idle = bool(idle_minutes) and isinstance(last_seen, int) and current - last_seen > idle_minutes * 60
    too_old = (lifetime is not None and isinstance(login_at, int)
               and current - login_at > lifetime.total_seconds())
    if not (idle or too_old):
        return None
    logout_user()
    session.pop("last_seen", None)
    session.pop("login_at", None)
    g.session_expired = True  # the log-in redirect shows this message instead of "请先登录。"
    flash(EXPIRED_MESSAGE, "warning")
    return None


def require_new_password():
    """Before each request: a user who must change the password goes to the password page."""
    if "_user_id" not in session or not _applies():
        return None
    if request.endpoint in WHILE_MUST_CHANGE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        if request.headers.get(BACKGROUND_HEADER) == "1":
            return "", 204  # a poll from the password page itself (the bell): nothing, not a redirect loop
        return hx_redirect(url_for("auth.change_password"))
    return None


def note_activity(response):
    """After each request from a logged-in user (not a background poll): the last activity is now."""
    if ("_user_id" in session and not g.get("session_expired") and _applies()
            and request.headers.get(BACKGROUND_HEADER) != "1"):
        stamp, last_seen = _stamp(now()), session.get("last_seen")
        if not isinstance(last_seen, int) or stamp - last_seen >= ACTIVITY_STEP_SECONDS:
            session["last_seen"] = stamp
    return response


def register(app: Flask) -> None:
    user_logged_in.connect(_started, app)
    app.before_request(end_stale_session)
    app.before_request(require_new_password)
    app.after_request(note_activity)
