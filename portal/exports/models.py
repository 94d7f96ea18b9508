"""One row per file exported: who, as what role and unit, when, which export with which parameters, how
many rows, the file's name, size and SHA-256, and the address it went to."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import ROLE_LABELS
from ..extensions import db

# The exports, by the endpoint that serves them: what the records page calls each.
KINDS = {
    "ledger.export_xlsx": "重点问题台帐（Excel）",
    "ledger.export_pdf": "重点问题台帐（PDF）",
    "assessment.export": "考核结果（Excel）",
    "reports.pdf": "报表（PDF）",
    "reports.xlsx": "报表（Excel）",
    "dispatching.export_list": "首接负责清单（Excel）",
    "deputies.list_pdf": "代表推送清单（PDF）",
    "supervision.notice": "督办通知单（PDF）",
    "supervision.print_notices": "督办通知单合并打印（PDF）",
    "consultation_meetings.document": "会商文书（PDF）",
    "talks.notice": "约谈通知书（PDF）",
}


class ExportRecord(db.Model):
    __tablename__ = "export_records"
    __table_args__ = (Index("ix_export_records_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))  # the role at the time of the export
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the unit at the time of the export
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)  # the endpoint, a key of KINDS
    params: Mapped[dict] = mapped_column(JSON)  # the query string and the path's ids
    row_count: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User")
    unit = relationship("Unit")

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
