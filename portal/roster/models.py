"""A/B roles (岗位AB角): who holds each role in a unit and since when, absences, and handovers."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.chain import ChainedEvent
from ..auth.models import User
from ..extensions import db
from ..units.models import Unit

SLOTS = {"A": "A角", "B": "B角"}
ABSENCE_KINDS = {"leave": "请假", "trip": "出差", "training": "培训", "other": "其他"}


class RosterAssignment(db.Model):
    """One person holding the A or B role of a unit from ``start_at`` until ``end_at`` (open: now)."""

    __tablename__ = "roster_assignments"
    __table_args__ = (Index("ix_roster_assignments_unit_slot_end", "unit_id", "slot", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    slot: Mapped[str] = mapped_column(String(1))  # A | B
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])


class Absence(db.Model):
    """A handler away (leave, business trip) for a period; ``stand_in`` covers when A and B are both away."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_user_period", "user_id", "start_at", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    stand_in_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    stand_in: Mapped[User | None] = relationship(foreign_keys=[stand_in_id])


class Handover(db.Model):
    """Open orders moved in one step from a person leaving a role or the unit to the successor."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    order_ids: Mapped[list] = mapped_column(JSON)
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    from_user: Mapped[User] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User] = relationship(foreign_keys=[to_user_id])


ROSTER_ACTIONS = {"assign": "调整AB角", "absence": "登记外出", "absence_cancel": "取消外出", "handover": "工单移交",
                  "leave": "人员离岗"}


class RosterEvent(ChainedEvent, db.Model):
    """One change of a unit's roster (an A/B assignment, an absence, a handover, someone leaving), in the
    unit's own chain of the audit record."""

    __tablename__ = "roster_events"
    __chain_key__ = "unit_id"
    __chain_fields__ = ("at", "actor_id", "action", "user_id", "note", "data")

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # whom the change is about
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def label(self) -> str:
        return ROSTER_ACTIONS.get(self.action, self.action)
