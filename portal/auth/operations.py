"""Log-in with throttling, and creating users."""
from datetime import datetime

from sqlalchemy import func

from ..clock import now
from ..extensions import db
from ..units.models import Unit
from .models import LoginAttempt, Role, User


class LoginRefused(Exception):
    """Wrong credentials or too many recent failures; the message is for the user."""


def authenticate(username: str, password: str, address: str, *, max_failures: int, window) -> User:
    """Return the user for good credentials; record the attempt either way.

    After ``max_failures`` failures within ``window`` for one account or from one address, further
    attempts are refused without checking the password until the window has passed.
    """
    at = now()
    username = (username or "").strip()
    since = at - window
    failures = db.session.scalar(
        db.select(func.count(LoginAttempt.id)).where(
            LoginAttempt.success.is_(False),
            LoginAttempt.at >= since,
            (LoginAttempt.username == username) | (LoginAttempt.address == address),
        )
    )
    if failures >= max_failures:
        raise LoginRefused(f"登录失败次数过多，请{int(window.total_seconds() // 60)}分钟后再试。")
    user = db.session.scalar(db.select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username[:40], address=address[:64], at=at, success=ok))
    db.session.commit()
    if not ok:
        raise LoginRefused("用户名或密码错误，或账号已停用。")
    return user


def create_user(username: str, name: str, role: str, password: str, unit: Unit | None = None,
                phone: str | None = None, at: datetime | None = None) -> User:
    """Add a user; raise ValueError (English, for operators) on bad input."""
    username = (username or "").strip()
    if not username or len(username) > 40:
        raise ValueError("username must be 1-40 characters")
    if role not in {r.value for r in Role}:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}")
    if Role(role) in (Role.HANDLER, Role.UNIT_LEADER) and unit is None:
        raise ValueError(f"a {role} must belong to a unit")
    if len(password or "") < 8:
        raise ValueError("password must have at least 8 characters")
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, name=name or username, role=role, unit=unit, phone=phone,
                created_at=at or now())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def set_user_active(user: User, active: bool) -> User:
    user.active = active
    db.session.commit()
    return user


def reset_password(user: User) -> str:
    """Give the user a new random password and return it (shown once to the admin)."""
    import secrets

    password = secrets.token_urlsafe(9)
    user.set_password(password)
    db.session.commit()
    return password
