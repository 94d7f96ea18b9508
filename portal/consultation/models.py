"""Joint consultation (会商) cases: their orders, meetings (one per round), invitations and opinions,
decisions and follow-up items, responsibility rulings, issued documents and their own events.

A ``Consultation`` gathers one or more orders about one matter. Each round of it is a
``ConsultationMeeting``: round 1 is the consultation (or joint review); escalating to the executive
meeting adds the next round with a brief, so the case keeps its whole history. A meeting invites units
and leaders (``ConsultationInvitation``, which carries the written opinion and the attendance), records
minutes, and decides: for each order the lead and assisting units with what each must do and by when
(``ConsultationDecision``, its ``duties``), and, in a responsibility review, lead/assist rules for a class
of matters (``ConsultationRuling``) that update the responsibility list. Applying the decisions opens one
``ConsultationTask`` (follow-up item) per duty. Documents are stored as issued (PDF bytes, sha256).
"""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..audit.chain import ChainedEvent
from ..extensions import db
from ..orders.models import Category, Order
from ..units.models import Unit
from .states import ACTION_LABELS, KINDS, STATE_LABELS, STATE_COLOURS


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # joint | responsibility | executive (see states.KINDS)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)  # the matter and why no single unit can settle it
    state: Mapped[str] = mapped_column(String(12))
    round: Mapped[int] = mapped_column(default=1)  # the current meeting's round (2 after an escalation)
    requested_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # who answers for the case
    taken_over_at: Mapped[datetime | None]  # 领办: the leader became the owner
    decline_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    requested_by_unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    links: Mapped[list["ConsultationOrder"]] = relationship(back_populates="consultation",
                                                            cascade="all, delete-orphan",
                                                            order_by="ConsultationOrder.id")
    meetings: Mapped[list["ConsultationMeeting"]] = relationship(back_populates="consultation",
                                                                 order_by="ConsultationMeeting.round")
    tasks: Mapped[list["ConsultationTask"]] = relationship(back_populates="consultation",
                                                           order_by="ConsultationTask.id")
    documents: Mapped[list["ConsultationDocument"]] = relationship(back_populates="consultation",
                                                                   order_by="ConsultationDocument.id")
    events: Mapped[list["ConsultationEvent"]] = relationship(back_populates="consultation",
                                                             order_by="ConsultationEvent.id")

    @property
    def orders(self) -> list[Order]:
        return [link.order for link in self.links]

    @property
    def meeting(self) -> "ConsultationMeeting | None":
        """The current round's meeting."""
        return next((m for m in self.meetings if m.round == self.round), None)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def state_colour(self) -> str:
        return STATE_COLOURS[self.state]


class ConsultationOrder(db.Model):
    __tablename__ = "consultation_orders"
    __table_args__ = (UniqueConstraint("consultation_id", "order_id", name="uq_consultation_orders_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)

    consultation: Mapped[Consultation] = relationship(back_populates="links")
    order: Mapped[Order] = relationship(lazy="joined")


class ConsultationMeeting(db.Model):
    """One round: the consultation (or joint review), or after an escalation the executive meeting."""

    __tablename__ = "consultation_meetings"
    __table_args__ = (UniqueConstraint("consultation_id", "round", name="uq_consultation_meetings_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    round: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # the case's kind in this round
    scheduled_at: Mapped[datetime | None]
    place: Mapped[str | None] = mapped_column(String(120))
    opinions_due: Mapped[datetime | None]  # written opinions before this moment (default: the meeting)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The executive meeting's brief (提交常务会的材料): summary, the units' positions, the options.
    brief_summary: Mapped[str | None] = mapped_column(Text)
    brief_positions: Mapped[str | None] = mapped_column(Text)
    brief_options: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)  # 会议纪要
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    consultation: Mapped[Consultation] = relationship(back_populates="meetings")
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    invitations: Mapped[list["ConsultationInvitation"]] = relationship(back_populates="meeting",
                                                                       order_by="ConsultationInvitation.id")
    decisions: Mapped[list["ConsultationDecision"]] = relationship(back_populates="meeting",
                                                                   order_by="ConsultationDecision.id")
    rulings: Mapped[list["ConsultationRuling"]] = relationship(back_populates="meeting",
                                                               order_by="ConsultationRuling.id")

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


class ConsultationInvitation(db.Model):
    """An invited unit (or leader): its written opinion (书面意见), reminders, and attendance."""

    __tablename__ = "consultation_invitations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "unit_id", name="uq_consultation_invitations_unit"),
        UniqueConstraint("meeting_id", "user_id", name="uq_consultation_invitations_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # a unit, or
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # a leader
    invited_at: Mapped[datetime]
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opinion_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None]
    present: Mapped[bool | None]  # attendance, recorded with the minutes
    attendee: Mapped[str | None] = mapped_column(String(120))  # who came (name, post)

    meeting: Mapped[ConsultationMeeting] = relationship(back_populates="invitations")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    opinion_by: Mapped[User | None] = relationship(foreign_keys=[opinion_by_id])

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.user.name


class ConsultationDecision(db.Model):
    """What the meeting decided for one order (or, without an order, for the matter as a whole).

    ``duties`` lists what each unit must do and by when:
    ``[{"unit_id": 3, "part": "lead" | "assist", "duty": "...", "due": "2026-12-04"}, ...]``.
    """

    __tablename__ = "consultation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assist_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    duties: Mapped[list] = mapped_column(JSON, default=list)
    applied_at: Mapped[datetime | None]

    meeting: Mapped[ConsultationMeeting] = relationship(back_populates="decisions")
    order: Mapped[Order | None] = relationship()
    lead_unit: Mapped[Unit] = relationship()


class ConsultationRuling(db.Model):
    """A responsibility review's rule for a class of matters; applying it writes the responsibility list."""

    __tablename__ = "consultation_rulings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id"), index=True)
    matter: Mapped[str] = mapped_column(String(120))
    keywords: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assist_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("responsibility_items.id"))  # once applied
    applied_at: Mapped[datetime | None]

    meeting: Mapped[ConsultationMeeting] = relationship(back_populates="rulings")
    category: Mapped[Category | None] = relationship()
    lead_unit: Mapped[Unit] = relationship()


class ConsultationTask(db.Model):
    """A follow-up item (落实事项): what one unit must do by a date, tracked to done."""

    __tablename__ = "consultation_tasks"
    __table_args__ = (Index("ix_consultation_tasks_open_due", "done_at", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_decisions.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    part: Mapped[str] = mapped_column(String(10))  # lead | assist
    duty: Mapped[str] = mapped_column(Text)
    due: Mapped[date]
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_note: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="tasks")
    unit: Mapped[Unit] = relationship(lazy="joined")
    order: Mapped[Order | None] = relationship()
    done_by: Mapped[User | None] = relationship()

    @property
    def overdue(self) -> bool:
        from ..clock import now

        return self.done_at is None and self.due < now().date()


class ConsultationDocument(db.Model):
    """An issued document: the consultation notice (会商通知), the minutes (会议纪要) or the brief."""

    __tablename__ = "consultation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id"))
    kind: Mapped[str] = mapped_column(String(10))  # notice | minutes | brief
    number: Mapped[str] = mapped_column(String(60), unique=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

    consultation: Mapped[Consultation] = relationship(back_populates="documents")
    meeting: Mapped[ConsultationMeeting] = relationship()
    issued_by: Mapped[User] = relationship()


class ConsultationEvent(ChainedEvent, db.Model):
    """One step in the case's own life (see states.Action); never changed afterwards."""

    __tablename__ = "consultation_events"
    __chain_key__ = "consultation_id"
    __chain_fields__ = ("at", "actor_id", "action", "from_state", "to_state", "note", "data")

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    consultation: Mapped[Consultation] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
