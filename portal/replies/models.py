"""Standard replies (标准通稿): the office's public answers to common matters, their versions and uses.

A ``StandardReply`` is the matter's entry in the library; what it says lives in its versions. A
``StandardReplyVersion`` is written as a draft, submitted, and published on approval; once published
its text never changes (a caller who was given it can be shown exactly what they were given). Editing
a published reply makes the next version, a draft, while the published one stays in force until the
new one is approved (it is then "superseded"). At most one version of a reply is published.

A ``StandardReplyUse`` records that an answer went out with a standard reply: which version, on which
order, by whom, when, as the office's direct answer or as a unit's reply, and whether the text was sent
as it stood.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..audit.chain import ChainedEvent
from ..extensions import db
from ..orders.models import Category, Order
from ..units.models import Unit
from .states import STATE_LABELS, USE_KINDS, VersionState


class StandardReply(db.Model):
    __tablename__ = "standard_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    created_by: Mapped[User] = relationship()
    versions: Mapped[list["StandardReplyVersion"]] = relationship(
        back_populates="reply", order_by="StandardReplyVersion.number")
    events: Mapped[list["StandardReplyEvent"]] = relationship(
        back_populates="reply", order_by="StandardReplyEvent.id")

    @property
    def published(self) -> "StandardReplyVersion | None":
        """The version in force, if any."""
        return next((v for v in self.versions if v.state == VersionState.PUBLISHED), None)

    @property
    def working(self) -> "StandardReplyVersion | None":
        """The version being written or awaiting approval (draft or submitted), if any."""
        return next((v for v in self.versions if v.state in (VersionState.DRAFT, VersionState.SUBMITTED)), None)

    @property
    def latest(self) -> "StandardReplyVersion":
        return self.versions[-1]

    @property
    def shown(self) -> "StandardReplyVersion":
        """The version a list shows: the published one, else the latest."""
        return self.published or self.latest


class StandardReplyVersion(db.Model):
    __tablename__ = "standard_reply_versions"
    __table_args__ = (
        UniqueConstraint("reply_id", "number", name="uq_standard_reply_versions_reply_number"),
        Index("ix_standard_reply_versions_state_category", "state", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("standard_replies.id"), index=True)
    number: Mapped[int]  # 1, 2, ... within the reply
    state: Mapped[str] = mapped_column(String(12), default=VersionState.DRAFT)
    title: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    keywords: Mapped[str] = mapped_column(String(300))  # 、 or , separated (dispatching.matching.split_keywords)
    answer: Mapped[str] = mapped_column(Text)  # the public answer
    policy_name: Mapped[str] = mapped_column(String(200))  # 文件名称
    policy_number: Mapped[str | None] = mapped_column(String(100))  # 文号
    policy_clause: Mapped[str | None] = mapped_column(String(200))  # 条款
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # shown to the public, not the name
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # superseded or withdrawn
    note: Mapped[str | None] = mapped_column(Text)  # the last send-back or withdrawal reason

    reply: Mapped[StandardReply] = relationship(back_populates="versions")
    category: Mapped[Category] = relationship(lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    author_unit: Mapped[Unit | None] = relationship()
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def policy(self) -> str:
        """文件名称（文号）条款, as cited."""
        text = f"《{self.policy_name.strip('《》')}》"
        if self.policy_number:
            text += f"（{self.policy_number}）"
        if self.policy_clause:
            text += self.policy_clause
        return text


class StandardReplyEvent(ChainedEvent, db.Model):
    """One step in a reply's life: drafted, edited, submitted, sent back, approved, withdrawn, revised."""

    __tablename__ = "standard_reply_events"
    __chain_key__ = "reply_id"
    __chain_fields__ = ("version_id", "at", "actor_id", "action", "from_state", "to_state", "note")

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("standard_replies.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_reply_versions.id"))
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(12))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    reply: Mapped[StandardReply] = relationship(back_populates="events")
    version: Mapped[StandardReplyVersion] = relationship()
    actor: Mapped[User] = relationship(lazy="joined")


class StandardReplyUse(db.Model):
    __tablename__ = "standard_reply_uses"
    __table_args__ = (Index("ix_standard_reply_uses_reply_at", "reply_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("standard_replies.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_reply_versions.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # direct_answer | unit_reply
    verbatim: Mapped[bool] = mapped_column(default=False)  # the text went out as it stood

    version: Mapped[StandardReplyVersion] = relationship()
    order: Mapped[Order] = relationship()
    user: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return USE_KINDS[self.kind]
