"""Read side of the export records: the filtered, paged list (newest first) and the filters' choices."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from ..form_values import int_or_none
from ..list_filters import ListFilters
from .models import KINDS, ExportRecord


@dataclass
class ExportFilters(ListFilters):
    """start and end bound the day of the export."""
    user_id: int | None = None
    kind: str = ""

    @classmethod
    def from_args(cls, args) -> "ExportFilters":
        f = cls()
        f.user_id = int_or_none(args.get("user"))
        if args.get("user") and f.user_id is None:
            f.problems.append("导出人无法识别，已忽略该条件。")
        kind = args.get("kind", "")
        f.kind = kind if kind in KINDS else ""
        f.read_common(args, "导出起始日期", "导出截止日期")
        return f

    def args(self, **override) -> dict:
        return self.query_args({"user": self.user_id or "", "kind": self.kind}, override)


def page(f: ExportFilters, size: int) -> tuple[list[ExportRecord], bool]:
    query = select(ExportRecord).options(selectinload(ExportRecord.user), selectinload(ExportRecord.unit))
    if f.user_id:
        query = query.where(ExportRecord.user_id == f.user_id)
    if f.kind:
        query = query.where(ExportRecord.kind == f.kind)
    query = f.within_dates(query, ExportRecord.at)
    query = query.order_by(ExportRecord.at.desc(), ExportRecord.id.desc())
    rows = db.session.scalars(query.limit(size + 1).offset((f.page - 1) * size)).all()
    return rows[:size], len(rows) > size


def exporters() -> list[User]:
    """The people who have exported something (the user filter's choices)."""
    ids = select(ExportRecord.user_id).distinct()
    return db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)).all()
