"""The filters of order lists, read from the query string; bad values are dropped with a message."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .states import State
from .vocab import URGENCIES

DEADLINE_FILTERS = {"soon": "即将到期", "overdue": "已超期"}


@dataclass
class OrderFilters:
    state: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    urgency: str = ""
    deadline: str = ""
    start: date | None = None
    end: date | None = None
    q: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "OrderFilters":
        f = cls()
        state = args.get("state", "")
        if state in {s.value for s in State}:
            f.state = state
        f.unit_id = _int(args.get("unit"))
        f.category_id = _int(args.get("category"))
        urgency = args.get("urgency", "")
        f.urgency = urgency if urgency in URGENCIES else ""
        deadline = args.get("deadline", "")
        f.deadline = deadline if deadline in DEADLINE_FILTERS else ""
        f.start = _date(args.get("start"), "开始日期", f.problems)
        f.end = _date(args.get("end"), "结束日期", f.problems)
        if f.start and f.end and f.start > f.end:
            f.problems.append("开始日期晚于结束日期，已忽略日期条件。")
            f.start = f.end = None
        f.q = (args.get("q") or "").strip()[:100]
        f.page = max(_int(args.get("page")) or 1, 1)
        return f

    @property
    def start_at(self) -> datetime | None:
        return datetime.combine(self.start, time.min) if self.start else None

    @property
    def end_before(self) -> datetime | None:
        return datetime.combine(self.end + timedelta(days=1), time.min) if self.end else None

    def args(self, **override) -> dict:
        """The filters as query-string arguments (for paging links)."""
        values = {
            "state": self.state, "unit": self.unit_id or "", "category": self.category_id or "",
            "urgency": self.urgency, "deadline": self.deadline,
            "start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else "",
            "q": self.q, "page": self.page,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value, what: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{what}格式不正确（应为 2026-10-08），已忽略。")
        return None
