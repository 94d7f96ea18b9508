"""Work orders, the units on them, requests (return, extension), return visits and the event record."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..audit.chain import ChainedEvent
from ..extensions import db
from ..search import index as search_index
from ..units.models import Unit


class Category(db.Model):
    """诉求分类: the classes of matters orders are filed under."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_state_received", "state", "received_at"),
        # A unit's orders by state and deadline, with what the inbox's tabs also test (handler, warning
        # time, sent back) and the id: its tab counts and the ids of a tab's page read this index alone.
        Index("ix_orders_lead_state_due_handler", "lead_unit_id", "state", "next_due_at", "handler_id",
              "warn_at", "sent_back", "id"),
        Index("ix_orders_state_due", "state", "next_due_at"),
        Index("ix_orders_received", "received_at"),
        Index("ix_orders_category_received", "category_id", "received_at"),
        Index("ix_orders_updated", "updated_at", "id"),  # the API's changes feed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # the city platform's 工单编号
    received_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    caller_name: Mapped[str] = mapped_column(String(40), index=True)  # searched exactly
    caller_phone: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    enterprise: Mapped[bool] = mapped_column(default=False)  # 涉企
    tourism: Mapped[bool] = mapped_column(default=False)  # 旅游
    leader_instruction: Mapped[str | None] = mapped_column(Text)  # 领导批示
    deputy_pushed: Mapped[bool] = mapped_column(default=False, index=True)  # pushed to deputies
    via_deputy: Mapped[bool] = mapped_column(default=False, index=True)  # 代表转办: received by a deputy
    is_complex: Mapped[bool] = mapped_column(default=False)  # 复杂疑难: a plan within 7 working days
    source: Mapped[str] = mapped_column(String(10), default="manual")  # city | manual
    city_hash: Mapped[str | None] = mapped_column(String(64))  # the city record's content, for idempotency
    city_due_at: Mapped[datetime | None]  # 办理时限 set by the city platform
    suggested_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # 建议承办单位 from the city
    is_repeat: Mapped[bool] = mapped_column(default=False)  # 重复件: linked to earlier orders
    address_key: Mapped[str | None] = mapped_column(String(200), index=True)  # the address up to the building

    state: Mapped[str] = mapped_column(String(20), default="received")
    version: Mapped[int] = mapped_column(default=1)
    state_before_return: Mapped[str | None] = mapped_column(String(20))
    sent_back: Mapped[bool] = mapped_column(default=False)  # the last reply was sent back
    reprocess_count: Mapped[int] = mapped_column(default=0)  # 重办 rounds
    direct_answer: Mapped[bool] = mapped_column(default=False)

    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    dispatcher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dispatched_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    first_feedback_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    answer_text: Mapped[str | None] = mapped_column(Text)  # the office's direct answer

    sign_due_at: Mapped[datetime | None]
    feedback_due_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]  # the next deadline in the current state
    warn_at: Mapped[datetime | None]  # from here until next_due_at the order is due soon

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    category: Mapped[Category | None] = relationship(lazy="joined")
    suggested_unit: Mapped[Unit | None] = relationship(foreign_keys=[suggested_unit_id])
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id], lazy="joined")
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    dispatcher: Mapped[User | None] = relationship(foreign_keys=[dispatcher_id])
    units: Mapped[list["OrderUnit"]] = relationship(
        back_populates="order", order_by="OrderUnit.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["OrderEvent"]] = relationship(back_populates="order", order_by="OrderEvent.id")
    requests: Mapped[list["OrderRequest"]] = relationship(back_populates="order", order_by="OrderRequest.id")
    visits: Mapped[list["ReturnVisit"]] = relationship(back_populates="order", order_by="ReturnVisit.id")
    links: Mapped[list["OrderLink"]] = relationship(foreign_keys="OrderLink.order_id", order_by="OrderLink.id")

    # The version moves by one with every action (operations.apply sets it); SQLAlchemy adds
    # "WHERE version = <old>" to the UPDATE, so of two concurrent writers only the first succeeds.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def assisting(self) -> list["OrderUnit"]:
        return [u for u in self.units if u.part == "assist" and u.active]

    def pending_request(self, kind: str) -> "OrderRequest | None":
        return next((r for r in self.requests if r.kind == kind and r.status == "pending"), None)

    @property
    def last_visit(self) -> "ReturnVisit | None":
        return self.visits[-1] if self.visits else None


search_index.attach(Order.__table__)  # the free-text search index, made and dropped with the table


class OrderUnit(db.Model):
    """A unit on an order: the lead (主办) or an assisting unit (协办) and its part of the reply."""

    __tablename__ = "order_units"
    __table_args__ = (Index("ix_order_units_unit_order", "unit_id", "order_id"),
                      Index("ix_order_units_unit_open", "unit_id", "order_open", "part", "active", "order_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    part: Mapped[str] = mapped_column(String(10))  # lead | assist
    active: Mapped[bool] = mapped_column(default=True)  # False once returned or re-dispatched away
    contribution: Mapped[str | None] = mapped_column(Text)  # the assisting unit's part of the reply
    contributed_at: Mapped[datetime | None]
    contributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # True while the order is in an ASSIST_STATES state (kept by orders.operations on every step): a
    # unit's 协办 tab reads its few open parts through ix_order_units_unit_open instead of every part
    # it had over the years or every open order of the district.
    order_open: Mapped[bool] = mapped_column(default=False, server_default=false())

    order: Mapped[Order] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship(lazy="joined")
    contributed_by: Mapped[User | None] = relationship()


class OrderRequest(db.Model):
    """A unit's request on an order: return (回退) or extension (延期), and the office's decision."""

    __tablename__ = "order_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # return | extension
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | approved | rejected | lapsed (re-assigned)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_due_at: Mapped[datetime | None]  # extension: the new reply deadline asked for
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="requests")
    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class ReturnVisit(db.Model):
    """回访: the office calls the citizen back and records how satisfied and how resolved."""

    __tablename__ = "return_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    round: Mapped[int] = mapped_column(default=0)  # the order's reprocess round when visited
    at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    satisfaction: Mapped[str] = mapped_column(String(12))  # satisfied | basic | unsatisfied
    resolution: Mapped[str] = mapped_column(String(12))  # resolved | partly | unresolved
    reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="visits")
    by: Mapped[User] = relationship()


class OrderEvent(ChainedEvent, db.Model):
    """One step in an order's life: who, when, which action, from which state to which, and a note."""

    __tablename__ = "order_events"
    __chain_key__ = "order_id"
    __chain_fields__ = ("at", "actor_id", "action", "from_state", "to_state", "note", "data")

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class OrderLink(db.Model):
    """An order linked to an earlier one as a repeat (重复件): same phone, or same address and similar content."""

    __tablename__ = "order_links"
    __table_args__ = (UniqueConstraint("order_id", "earlier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    reason: Mapped[str] = mapped_column(String(10))  # phone | address
    score: Mapped[float]  # content similarity, 0-100
    created_at: Mapped[datetime]

    earlier: Mapped[Order] = relationship(foreign_keys=[earlier_id])


class DispatchRecord(db.Model):
    """What was suggested and what was chosen at each dispatch, and whether the unit returned it."""

    __tablename__ = "dispatch_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    dispatcher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    suggested: Mapped[list | None] = mapped_column(JSON)  # [{"unit_id", "score", "reason"}], best first
    suggestion_rank: Mapped[int | None]  # 1 = the chosen unit was the first suggestion; None = not suggested
    returned: Mapped[bool] = mapped_column(default=False)  # the unit's return was approved
