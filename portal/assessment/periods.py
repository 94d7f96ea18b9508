"""Assessment periods: a week, month, quarter, year or a range of dates, as [start, end) in local time.

A period has a key that names it in URLs and stored records ("2026-W47", "2026-11", "2026-Q4", "2026",
"2026-11-01_2026-11-15") and a Chinese label for pages and documents.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

KINDS = {"week": "周", "month": "月", "quarter": "季度", "year": "年", "range": "时间段"}


class PeriodError(ValueError):
    """A period that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime
    end: datetime  # exclusive
    key: str
    label: str

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def previous(self) -> "Period":
        return containing(self.kind, self.start.date() - timedelta(days=1)) if self.kind != "range" else self

    def next(self) -> "Period":
        return containing(self.kind, self.end.date()) if self.kind != "range" else self


def _at(d: date) -> datetime:
    return datetime.combine(d, time())


def containing(kind: str, day: date) -> Period:
    """The period of ``kind`` (week/month/quarter/year) that contains ``day``."""
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        sunday = monday + timedelta(days=6)
        return Period(kind, _at(monday), _at(monday + timedelta(days=7)), f"{year}-W{week:02d}",
                      f"{year}年第{week}周（{monday:%m.%d}—{sunday:%m.%d}）")
    if kind == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(kind, _at(start), _at(end), f"{start:%Y-%m}", f"{start.year}年{start.month}月")
    if kind == "quarter":
        q = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * q - 2, 1)
        end = date(day.year + 1, 1, 1) if q == 4 else date(day.year, 3 * q + 1, 1)
        return Period(kind, _at(start), _at(end), f"{day.year}-Q{q}", f"{day.year}年第{q}季度")
    if kind == "year":
        return Period(kind, _at(date(day.year, 1, 1)), _at(date(day.year + 1, 1, 1)), str(day.year), f"{day.year}年")
    raise PeriodError("请选择周、月、季度、年或时间段。")


def date_range(first: date, last: date) -> Period:
    if last < first:
        raise PeriodError("结束日期不能早于开始日期。")
    if (last - first).days > 3660:
        raise PeriodError("时间段不能超过十年。")
    return Period("range", _at(first), _at(last + timedelta(days=1)), f"{first:%Y-%m-%d}_{last:%Y-%m-%d}",
                  f"{first:%Y.%m.%d}—{last:%Y.%m.%d}")


_PATTERNS = [
    (re.compile(r"^(\d{4})-W(\d{1,2})$"), "week"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
]


def parse(key: str) -> Period:
    """The period a key names; PeriodError if it names none."""
    key = (key or "").strip()
    try:
        if "_" in key:
            first, last = key.split("_", 1)
            return date_range(date.fromisoformat(first), date.fromisoformat(last))
        for pattern, kind in _PATTERNS:
            m = pattern.match(key)
            if not m:
                continue
            year = int(m.group(1))
            if kind == "week":
                return containing("week", date.fromisocalendar(year, int(m.group(2)), 1))
            if kind == "quarter":
                return containing("quarter", date(year, 3 * int(m.group(2)) - 2, 1))
            if kind == "month":
                return containing("month", date(year, int(m.group(2)), 1))
            return containing("year", date(year, 1, 1))
    except ValueError:
        pass
    raise PeriodError(f"无法识别的期间：{key}")
