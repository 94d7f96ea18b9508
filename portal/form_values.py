"""Reading numbers, dates and times typed into forms and query strings: None when absent or unreadable."""
from datetime import date, datetime

DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")  # datetime-local inputs first


# A typed number beyond this is no id, count or page of the portal's; refusing it keeps the database's
# integers (and OFFSET) from overflowing, which is an error on SQLite and PostgreSQL alike.
LARGEST = 2**31 - 1
MAX_PAGE = 100_000


def int_or_none(value) -> int | None:
    """An integer as typed, None when absent, unreadable or beyond ±LARGEST."""
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or -LARGEST <= number <= LARGEST else None


def page_number(value) -> int:
    """A list's page from the query string: 1 when absent or unreadable, at most MAX_PAGE."""
    return min(max(int_or_none(value) or 1, 1), MAX_PAGE)


def date_or_none(value, what: str, problems: list[str]) -> date | None:
    """A date as 2026-10-08; an unreadable one adds a message (Chinese) naming ``what`` to ``problems``."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{what}格式不正确（应为 2026-10-08），已忽略。")
        return None


def datetime_or_none(value: str | None) -> datetime | None:
    """A time from a datetime-local input (2026-11-24T15:30), or typed as 2026-11-24 15:30 or 2026-11-24."""
    value = (value or "").strip()
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
