"""The ledger of key matters (重点问题工作台帐): matters registered (挂号) by the supervision office, their
progress notes, and their cancellation (销号) when solved.

An entry is open or cancelled; "overdue" is not stored but read against the target date (open and the
target date passed). Everything that happens to an entry is a ``LedgerEvent``: registration, each
progress note, cancellation and reopening, with who and when.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..audit.chain import ChainedEvent
from ..extensions import db
from ..orders.models import Order
from ..units.models import Unit

STATES = {"open": "在办", "cancelled": "已销号"}
STATE_FILTERS = {"open": "在办", "overdue": "已超期", "cancelled": "已销号"}
EVENT_KINDS = {"register": "挂号", "note": "进展", "cancel": "销号", "reopen": "恢复在办"}


class LedgerEntry(db.Model):
    """One key matter: what it is, which unit owns it, which leader answers for it, and by when."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_ledger_entries_year_seq"),
        Index("ix_ledger_entries_state_target", "state", "target_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(12), default="open")
    registered_at: Mapped[datetime] = mapped_column(index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closing_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    # Registered from a supervision (督办): the entry links back to it; at most one entry per supervision.
    supervision_id: Mapped[int | None] = mapped_column(ForeignKey("supervisions.id"), unique=True)

    supervision = relationship("Supervision")
    owner_unit: Mapped[Unit] = relationship()
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    links: Mapped[list["LedgerOrder"]] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                                      order_by="LedgerOrder.id")
    events: Mapped[list["LedgerEvent"]] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                                       order_by="LedgerEvent.id")

    @property
    def number(self) -> str:
        """The ledger number shown everywhere: 台帐〔2026〕第003号."""
        return f"台帐〔{self.year}〕第{self.seq:03d}号"

    @property
    def orders(self) -> list[Order]:
        return [link.order for link in self.links]

    def is_overdue(self, today: date) -> bool:
        return self.state == "open" and self.target_date < today

    def status(self, today: date) -> str:
        """open | overdue | cancelled, as the list's filter names them."""
        return "overdue" if self.is_overdue(today) else self.state

    @property
    def notes(self) -> list["LedgerEvent"]:
        return [e for e in self.events if e.kind == "note"]

    @property
    def latest_note(self) -> "LedgerEvent | None":
        notes = self.notes
        return notes[-1] if notes else None


class LedgerOrder(db.Model):
    """An order the matter was registered for (one matter may gather several orders)."""

    __tablename__ = "ledger_orders"
    __table_args__ = (UniqueConstraint("entry_id", "order_id", name="uq_ledger_orders_entry_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)

    entry: Mapped[LedgerEntry] = relationship(back_populates="links")
    order: Mapped[Order] = relationship()


class LedgerEvent(ChainedEvent, db.Model):
    """Something that happened to an entry: registered, a progress note, cancelled, reopened."""

    __tablename__ = "ledger_events"
    __chain_key__ = "entry_id"
    __chain_fields__ = ("kind", "at", "actor_id", "note")

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[LedgerEntry] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)
