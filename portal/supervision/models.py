"""Supervision (督办): records on orders, their notices (督办通知单) and the units' answers (whose files are
attachments, portal/attachments).

One ``Supervision`` presses one unit (the addressee) on one or several of its orders. Opening a
supervision on orders of several units makes one record per unit, so each unit has its own notice,
answer and state. The ladder (催办 → 督办 → 通报) is a chain of records: escalating closes the lower
step as "escalated" and opens the next one, citing it (``parent``).

A ``SupervisionNotice`` is stored as it was issued (the PDF bytes and their sha256) and never changes;
a correction is a new notice whose ``corrects`` points at the old one.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..audit.chain import ChainedEvent
from ..extensions import db
from ..orders.models import Order
from ..units.models import Unit
from .states import LEVELS, REASONS, STATE_LABELS, STEPS


class Supervision(db.Model):
    __tablename__ = "supervisions"
    __table_args__ = (
        Index("ix_supervisions_unit_state", "unit_id", "state"),
        Index("ix_supervisions_state_due", "state", "answer_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[str] = mapped_column(String(12))  # reminder | supervision | reprimand
    level: Mapped[str] = mapped_column(String(12))  # system | oa | inspector | leader
    unannounced: Mapped[bool] = mapped_column(default=False)  # 明察暗访 (inspector level)
    reason: Mapped[str] = mapped_column(String(12))  # overdue | unsatisfied | repeated | thin_reply | other
    requirements: Mapped[str] = mapped_column(Text)
    answer_due: Mapped[date]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    lead_leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 领导牵头督办: the leader
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("supervisions.id"), index=True)  # the lower step
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    lead_leader: Mapped[User | None] = relationship(foreign_keys=[lead_leader_id])
    parent: Mapped["Supervision | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    links: Mapped[list["SupervisionOrder"]] = relationship(back_populates="supervision", cascade="all, delete-orphan",
                                                           order_by="SupervisionOrder.id")
    notices: Mapped[list["SupervisionNotice"]] = relationship(back_populates="supervision",
                                                              order_by="SupervisionNotice.id")
    answers: Mapped[list["SupervisionAnswer"]] = relationship(back_populates="supervision",
                                                              order_by="SupervisionAnswer.id")
    events: Mapped[list["SupervisionEvent"]] = relationship(back_populates="supervision",
                                                            order_by="SupervisionEvent.id")

    @property
    def orders(self) -> list[Order]:
        return [link.order for link in self.links]

    @property
    def step_label(self) -> str:
        return STEPS[self.step]

    @property
    def level_label(self) -> str:
        label = LEVELS[self.level]
        return f"{label}（明察暗访）" if self.unannounced else label

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def notice(self) -> "SupervisionNotice | None":
        """The notice in force: the latest issued (a correction replaces the one it cites)."""
        return self.notices[-1] if self.notices else None

    @property
    def answer_overdue(self) -> bool:
        """Waiting for the unit's answer past the answer deadline."""
        from ..clock import now

        return self.state in ("open", "sent_back") and self.answer_due < now().date()

    @property
    def last_answer(self) -> "SupervisionAnswer | None":
        return self.answers[-1] if self.answers else None


class SupervisionOrder(db.Model):
    __tablename__ = "supervision_orders"
    __table_args__ = (UniqueConstraint("supervision_id", "order_id", name="uq_supervision_orders_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)

    supervision: Mapped[Supervision] = relationship(back_populates="links")
    order: Mapped[Order] = relationship(lazy="joined")


class SupervisionNotice(db.Model):
    """An issued notice: its number, the PDF exactly as issued, and the notice it corrects, if any."""

    __tablename__ = "supervision_notices"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_supervision_notices_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id"), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(60), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_notices.id"))
    correction_note: Mapped[str | None] = mapped_column(Text)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

    supervision: Mapped[Supervision] = relationship(back_populates="notices")
    issued_by: Mapped[User] = relationship()
    corrects: Mapped["SupervisionNotice | None"] = relationship(remote_side=[id])


class SupervisionAnswer(db.Model):
    """办理情况反馈: the unit's answer, and the supervisor's decision on it (accepted / sent back)."""

    __tablename__ = "supervision_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(12))  # accepted | sent_back
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    supervision: Mapped[Supervision] = relationship(back_populates="answers")
    by: Mapped[User] = relationship(foreign_keys=[by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def attachments(self) -> list:
        """The answer's files (portal/attachments)."""
        from ..attachments.queries import of_owner

        return of_owner("supervision_answer", self.id) if self.id else []


class SupervisionEvent(ChainedEvent, db.Model):
    """One step in a supervision's own life: opened, notice issued, answered, accepted, sent back, escalated."""

    __tablename__ = "supervision_events"
    __chain_key__ = "supervision_id"
    __chain_fields__ = ("at", "actor_id", "action", "from_state", "to_state", "note")

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    supervision: Mapped[Supervision] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
