"""Deputies' monthly lists (代表月度推送清单): versions, their matters, recipients, and deputies' remarks.

A month has one or more versions of its list. Version 1 is a draft until a dispatcher publishes it; a
published version never changes. A later edit starts a new draft version copied from the latest
published one, which is published in turn; every version is kept and can be viewed.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..orders.models import Order
from .states import REMARK_KINDS, STATE_LABELS


class DeputyList(db.Model):
    __tablename__ = "deputy_lists"
    __table_args__ = (UniqueConstraint("month", "version", name="uq_deputy_lists_month_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft | published
    all_deputies: Mapped[bool] = mapped_column(default=True)  # False: only the chosen recipients
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("deputy_lists.id"))  # the version copied
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]

    items: Mapped[list["DeputyListItem"]] = relationship(
        back_populates="deputy_list", order_by="DeputyListItem.position", cascade="all, delete-orphan")
    recipients: Mapped[list["DeputyListRecipient"]] = relationship(
        back_populates="deputy_list", order_by="DeputyListRecipient.id", cascade="all, delete-orphan")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    previous: Mapped["DeputyList | None"] = relationship(remote_side=[id])

    @property
    def title(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月人大代表推送清单"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_draft(self) -> bool:
        return self.state == "draft"


class DeputyListItem(db.Model):
    """One matter on a list: an order, why it was proposed, the office's note for deputies, its place."""

    __tablename__ = "deputy_list_items"
    __table_args__ = (UniqueConstraint("list_id", "order_id", name="uq_deputy_list_items_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("deputy_lists.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # ["本月同一地址同类诉求4件", ...]
    note: Mapped[str | None] = mapped_column(Text)  # 给代表的说明

    deputy_list: Mapped[DeputyList] = relationship(back_populates="items")
    order: Mapped[Order] = relationship(lazy="joined")


class DeputyListRecipient(db.Model):
    """A deputy who receives a list. For "all deputies" the rows are filled in when the list is published."""

    __tablename__ = "deputy_list_recipients"
    __table_args__ = (UniqueConstraint("list_id", "deputy_id", name="uq_deputy_list_recipients_pair"),
                      Index("ix_deputy_list_recipients_deputy", "deputy_id", "list_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("deputy_lists.id"))
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    deputy_list: Mapped[DeputyList] = relationship(back_populates="recipients")
    deputy: Mapped[User] = relationship(lazy="joined")


class DeputyRemark(db.Model):
    """代表意见 or a request for an on-site meeting (申请现场会商/有请诉求人到场) on a matter of a list."""

    __tablename__ = "deputy_remarks"
    __table_args__ = (Index("ix_deputy_remarks_order", "order_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    list_id: Mapped[int] = mapped_column(ForeignKey("deputy_lists.id"))
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # remark | meeting
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    deputy: Mapped[User] = relationship(lazy="joined")
    deputy_list: Mapped[DeputyList] = relationship()

    @property
    def kind_label(self) -> str:
        return REMARK_KINDS[self.kind]
