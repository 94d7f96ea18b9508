"""Log-in with throttling, and creating users."""
from datetime import datetime

from ..clock import now
from ..errors import InvalidInput
from ..extensions import db
from ..security import passwords
from ..units.models import Unit
from .models import LoginAttempt, Role, User


class LoginRefused(Exception):
    """Wrong credentials or too many recent failures; the message is for the user. ``retry_after``
    (seconds) is set when the refusal is throttling."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _locked_until(condition, limit: int, since: datetime, window) -> datetime | None:
    """When the lock on ``condition`` (an account, an address) ends, or None if it is not locked: with
    ``limit`` failures in the window, at the oldest of the latest ``limit`` plus the window."""
    if limit <= 0:
        return None
    latest = db.session.scalars(
        db.select(LoginAttempt.at).where(LoginAttempt.success.is_(False), LoginAttempt.at >= since, condition)
        .order_by(LoginAttempt.at.desc()).limit(limit)
    ).all()
    return latest[-1] + window if len(latest) >= limit else None


def authenticate(username: str, password: str, address: str, *, max_failures: int, window,
                 address_max_failures: int | None = None) -> User:
    """Return the user for good credentials; record the attempt either way.

    After ``max_failures`` failures within ``window`` for one account, or ``address_max_failures``
    (default: ``max_failures``) from one address over any usernames, further attempts are refused
    without checking the password until the window has passed.
    """
    at = now()
    username = (username or "").strip()
    since = at - window
    per_address = max_failures if address_max_failures is None else address_max_failures
    ends = [t for t in (_locked_until(LoginAttempt.username == username[:40], max_failures, since, window),
                        _locked_until(LoginAttempt.address == address[:64], per_address, since, window)) if t]
    if ends:
        wait = max(1, int((max(ends) - at).total_seconds()))
        raise LoginRefused(f"登录失败次数过多，请{(wait + 59) // 60}分钟后再试。", retry_after=wait)
    user = db.session.scalar(db.select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username[:40], address=address[:64], at=at, success=ok))
    db.session.commit()
    if not ok:
        raise LoginRefused("用户名或密码错误，或账号已停用。")
    return user


def create_user(username: str, name: str, role: str, password: str, unit: Unit | None = None,
                phone: str | None = None, at: datetime | None = None, must_change_password: bool = False) -> User:
    """Add a user; raise ValueError (English, for operators) on bad input, ``PasswordRejected`` (a
    ValueError) for a password that breaks the rules. ``must_change_password``: an initial password
    someone else chose, to be replaced at the first log-in."""
    username = (username or "").strip()
    if not username or len(username) > 40:
        raise ValueError("username must be 1-40 characters")
    if role not in {r.value for r in Role}:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}")
    if Role(role) in (Role.HANDLER, Role.UNIT_LEADER) and unit is None:
        raise ValueError(f"a {role} must belong to a unit")
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise ValueError(f"user {username!r} already exists")
    passwords.check(password, username)  # PasswordRejected is a ValueError, English in str()
    user = User(username=username, name=name or username, role=role, unit=unit, phone=phone,
                created_at=at or now(), must_change_password=must_change_password)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def set_user_active(user: User, active: bool) -> User:
    user.active = active
    db.session.commit()
    return user


def reset_password(user: User) -> str:
    """Give the user a temporary random password and return it (shown once to the admin). The user's
    sessions end, and after logging in with it the user must choose a new password first."""
    password = passwords.generate()
    user.set_password(password)
    user.must_change_password = True
    user.session_version = (user.session_version or 0) + 1
    db.session.commit()
    return password


def change_password(user: User, old: str, new: str, repeated: str) -> User:
    """The user's own change: the current password, then the new one twice. Raises ``InvalidInput``
    (Chinese messages) and changes nothing if anything is wrong. Other sessions of the user end (the
    caller logs the current one in again)."""
    problems = []
    if not user.check_password(old or ""):
        problems.append("当前密码不正确。")
    if (new or "") != (repeated or ""):
        problems.append("两次输入的新密码不一致。")
    if new and old and new == old:
        problems.append("新密码不能与当前密码相同。")
    problems += [passwords.MESSAGES[code][0] for code in passwords.problems(new, user.username)]
    if problems:
        raise InvalidInput(*problems)
    user.set_password(new)
    user.must_change_password = False
    user.session_version = (user.session_version or 0) + 1
    db.session.commit()
    return user
