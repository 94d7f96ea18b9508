"""The responsibility list (首接负责主协办清单): matters with their lead and assisting units."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orders.models import Category
from ..units.models import Unit


class ResponsibilityItem(db.Model):
    __tablename__ = "responsibility_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter: Mapped[str] = mapped_column(String(120), unique=True)  # e.g. 占道经营
    keywords: Mapped[str] = mapped_column(Text)  # separated by spaces, commas or 、
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assist_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)  # the basis, e.g. the joint review that settled it
    active: Mapped[bool] = mapped_column(default=True)
    # The joint review (联席研判) whose ruling wrote or last changed this entry, if any.
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    updated_at: Mapped[datetime]

    category: Mapped[Category | None] = relationship()
    lead_unit: Mapped[Unit] = relationship()
