"""The unit tree: departments, streets/townships, SOEs, management committees, communities."""
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    STREET = "street"
    SOE = "soe"
    COMMITTEE = "committee"
    COMMUNITY = "community"
    OFFICE = "office"  # the hotline office itself and other non-handling bodies

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.DEPARTMENT: "区直部门",
    UnitKind.STREET: "街道/镇",
    UnitKind.SOE: "国有企业",
    UnitKind.COMMITTEE: "管委会/开发区",
    UnitKind.COMMUNITY: "社区",
    UnitKind.OFFICE: "机关",
}


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.sort")

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS.get(UnitKind(self.kind), self.kind)

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"
