"""What the office has published: ranking snapshots and orders shown through Open311.

A ``PublishedRanking`` is a frozen snapshot of one month's or quarter's unit ranking: the rates, composite
and rank of every unit as computed at publication, the formula texts and the parameters' version. Nothing
recomputes it. A period is published once; a later correction is a new row with the next ``version``
and its reason (``correction_of`` the row it replaces), and the public page shows the latest with a note.

A ``PublicRequest`` marks one order as public (GeoReport v2 "service request"): a summary text the office
approved (by default the content with phone numbers, names and house numbers removed) and the address
cut to the street. Withdrawing keeps the row with ``withdrawn_at`` set, so Open311 stops showing it.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..orders.models import Order

PERIOD_KINDS = {"month": "月度", "quarter": "季度"}


class PublishedRanking(db.Model):
    __tablename__ = "published_rankings"
    __table_args__ = (UniqueConstraint("period_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_key: Mapped[str] = mapped_column(String(30), index=True)  # 2026-10, 2026-Q3
    period_kind: Mapped[str] = mapped_column(String(10))  # month | quarter
    period_label: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    as_of: Mapped[datetime]  # the data snapshot the figures were computed at
    published_at: Mapped[datetime]
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    figures: Mapped[dict] = mapped_column(JSON)  # rows, district total, formulas, parameters
    correction_of_id: Mapped[int | None] = mapped_column(ForeignKey("published_rankings.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)

    published_by: Mapped[User] = relationship()


class PublicRequest(db.Model):
    __tablename__ = "public_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text)  # the public description, no personal data
    address: Mapped[str] = mapped_column(String(200))  # cut to the street, no house numbers
    published_at: Mapped[datetime] = mapped_column(index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(lazy="joined")
    published_by: Mapped[User] = relationship()
