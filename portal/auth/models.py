"""People who log in, their roles, and the record of log-in attempts used for throttling."""
from datetime import datetime
from enum import StrEnum

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..units.models import Unit


class Role(StrEnum):
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    HANDLER = "handler"
    UNIT_LEADER = "unit_leader"
    LEADER = "leader"
    DEPUTY = "deputy"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.DISPATCHER: "热线办派单员",
    Role.SUPERVISOR: "督查人员",
    Role.HANDLER: "承办人",
    Role.UNIT_LEADER: "单位负责人",
    Role.LEADER: "区领导",
    Role.DEPUTY: "人大代表",
    Role.ADMIN: "系统管理员",
}

# Roles that belong to a handling unit and only see that unit's orders.
UNIT_ROLES = {Role.HANDLER, Role.UNIT_LEADER}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Raised on a password change or reset: sessions opened before it end (portal/security/sessions.py).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an admin's reset: the user must choose a new password before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session keeps: the id and the session version, so a password change ends old sessions."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(db.Model):
    """One log-in attempt; recent failures per account and per address throttle new attempts."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    success: Mapped[bool]
