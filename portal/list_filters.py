"""What every filtered list shares: a date range, a text search and the page, read from the query string.

Areas subclass ``ListFilters`` with their own fields; bad values are dropped with a message (Chinese) in
``problems``, which the list shows above its rows.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .form_values import date_or_none, page_number


@dataclass
class ListFilters:
    start: date | None = None
    end: date | None = None  # inclusive
    q: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    def read_common(self, args, start_label: str = "开始日期", end_label: str = "结束日期") -> None:
        self.start = date_or_none(args.get("start"), start_label, self.problems)
        self.end = date_or_none(args.get("end"), end_label, self.problems)
        if self.start and self.end and self.start > self.end:
            self.problems.append("开始日期晚于结束日期，已忽略日期条件。")
            self.start = self.end = None
        self.q = (args.get("q") or "").strip()[:100]
        self.page = page_number(args.get("page"))

    @property
    def q_pattern(self) -> str:
        """``q`` as a LIKE pattern matching it anywhere, its own % and _ taken literally (ESCAPE '\\')."""
        return "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    @property
    def start_at(self) -> datetime | None:
        return datetime.combine(self.start, time.min) if self.start else None

    @property
    def end_before(self) -> datetime | None:
        return datetime.combine(self.end + timedelta(days=1), time.min) if self.end else None

    def within_dates(self, query, column):
        """``query`` limited to rows whose ``column`` falls in the chosen days (both ends included)."""
        if self.start_at:
            query = query.where(column >= self.start_at)
        if self.end_before:
            query = query.where(column < self.end_before)
        return query

    def query_args(self, values: dict, override: dict) -> dict:
        """``values`` plus the common filters, with ``override`` applied, empty ones left out."""
        values = {**values, "start": self.start.isoformat() if self.start else "",
                  "end": self.end.isoformat() if self.end else "", "q": self.q, "page": self.page, **override}
        return {k: v for k, v in values.items() if v not in ("", None)}
