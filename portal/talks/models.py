"""Admonishment talks (约谈): the rules (data the admin edits), a confirmed run of a rule for a period,
and each unit caught, with its talk notice (stored, never changed) and the record of the talk."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..units.models import Unit

PERIOD_KINDS = {"week": "每周", "month": "每月", "quarter": "每季度"}
SELECTIONS = {
    "bottom_n": "排名后N位",
    "below_threshold": "低于阈值",
    "below_average": "低于全区平均",
}
HOLDERS = ["区长", "分管副区长", "区政府办公室主任", "热线办主任", "区纪委监委"]


class TalkRule(db.Model):
    __tablename__ = "talk_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    period_kind: Mapped[str] = mapped_column(String(10))  # week | month | quarter
    measure: Mapped[str] = mapped_column(String(30), default="composite")  # composite or a rate key
    selection: Mapped[str] = mapped_column(String(20))  # bottom_n | below_threshold | below_average
    n: Mapped[int | None]  # bottom_n: how many
    threshold: Mapped[float | None]  # below_threshold: in percent, e.g. 95
    holder: Mapped[str] = mapped_column(String(40))  # who holds the talk: 区长, 分管副区长, 热线办主任 ...
    unit_kinds: Mapped[list] = mapped_column(JSON)  # the unit kinds the rule looks at
    min_visits: Mapped[int] = mapped_column(default=1)  # units with fewer visited orders are not ranked
    basis: Mapped[str | None] = mapped_column(Text)  # 依据, e.g. the document the rule comes from
    active: Mapped[bool] = mapped_column(default=True)
    sort: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def period_label(self) -> str:
        return PERIOD_KINDS.get(self.period_kind, self.period_kind)

    def describe(self) -> str:
        from ..assessment.rates import MEASURES

        measure = MEASURES.get(self.measure, self.measure)
        if self.selection == "bottom_n":
            what = f"{measure}排名后{self.n}位"
        elif self.selection == "below_threshold":
            what = f"{measure}低于{self.threshold:g}%"
        else:
            what = f"{measure}低于全区平均水平"
        return f"{self.period_label}{what}的单位，由{self.holder}约谈"


class TalkRun(db.Model):
    """A rule's list for one period, confirmed by a supervisor: the figures as they were at ``as_of``."""

    __tablename__ = "talk_runs"
    __table_args__ = (UniqueConstraint("rule_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("talk_rules.id"))
    period_key: Mapped[str] = mapped_column(String(30))
    period_label: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[datetime]
    district_value: Mapped[float | None]
    rule_snapshot: Mapped[dict] = mapped_column(JSON)  # the rule as it was when confirmed
    config_id: Mapped[int | None]  # the assessment configuration used (None: the defaults)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime]

    rule: Mapped[TalkRule] = relationship()
    confirmed_by: Mapped[User] = relationship()
    cases: Mapped[list["TalkCase"]] = relationship(back_populates="run", order_by="TalkCase.id")


class TalkCase(db.Model):
    """One unit to be talked to, its talk notice (约谈通知书) and, later, the record of the talk."""

    __tablename__ = "talk_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("talk_runs.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    value: Mapped[float]
    position: Mapped[int | None]  # 1 = the worst among the units the rule ranked
    ranked: Mapped[int]  # how many units were ranked
    reason: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON)  # every rate of the unit and of the district
    notice_number: Mapped[str] = mapped_column(String(40), unique=True)
    notice_pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_at: Mapped[datetime | None]
    attendees: Mapped[str | None] = mapped_column(Text)
    agreed: Mapped[str | None] = mapped_column(Text)  # what was agreed (整改承诺)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None]

    run: Mapped[TalkRun] = relationship(back_populates="cases")
    unit: Mapped[Unit] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
