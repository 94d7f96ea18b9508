"""Working days on the Chinese calendar, and deadline arithmetic on them.

Which days are worked comes from three sources, in this order:
1. years the admin has loaded (``CalendarYear``/``CalendarDay``: the State Council's holiday schedule,
   public holidays and make-up working days, 调休);
2. the ``chinese_calendar`` package, which knows 2004-2026 (and raises for later years);
3. otherwise Monday to Friday, and ``has_data(year)`` is False so that admins are warned.

``WorkCalendar`` holds the loaded years in memory and is pure: the functions here take no database
session, so the arithmetic is testable with plain dates. ``deadlines.queries.work_calendar()`` builds
one from the database (once per request).
"""
from datetime import date, datetime, time, timedelta

import chinese_calendar

END_OF_DAY = time(23, 59, 59)


class WorkCalendar:
    def __init__(self, loaded_years: set[int] | None = None, days: dict[date, bool] | None = None):
        self.loaded_years = set(loaded_years or ())
        self.days = dict(days or {})  # date -> is a working day, for the loaded years' exceptions
        self._cache: dict[date, bool] = {}

    def has_data(self, year: int) -> bool:
        return year in self.loaded_years or _package_knows(year)

    def is_workday(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._is_workday(day)
        return cached

    def _is_workday(self, day: date) -> bool:
        if day.year in self.loaded_years:
            return self.days.get(day, day.weekday() < 5)
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """The moment ``n`` working days after ``start``.

        On a working day the deadline falls at the same time of day on the n-th following working day
        (Monday 10:00 + 1 = Tuesday 10:00; Friday 10:00 + 1 = Monday 10:00, or the first working day after
        a holiday). Something that arrives on a day off starts counting with the next working day, which
        is day one: it is due at the end of the n-th working day (Saturday + 1 = Monday 23:59:59).
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = start.date()
        if self.is_workday(day):
            for _ in range(n):
                day = self.next_workday(day)
            return datetime.combine(day, start.time())
        if n == 0:
            return start
        for _ in range(n):
            day = self.next_workday(day)
        return datetime.combine(day, END_OF_DAY)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in the half-open range (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds between two moments that fall on working days (a working day counts all 24 hours)."""
        if end <= start:
            return 0.0
        total, cursor = 0.0, start
        while cursor < end:
            next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time.min)
            stop = min(next_midnight, end)
            if self.is_workday(cursor.date()):
                total += (stop - cursor).total_seconds()
            cursor = stop
        return total

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working-day time after ``start`` (days off are skipped)."""
        cursor, left = start, seconds
        while True:
            if not self.is_workday(cursor.date()):
                cursor = datetime.combine(self.next_workday(cursor.date()), time.min)
                continue
            next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time.min)
            room = (next_midnight - cursor).total_seconds()
            if left <= room:
                return cursor + timedelta(seconds=left)
            left -= room
            cursor = next_midnight


def add_hours(start: datetime, hours: int) -> datetime:
    """Critical (特急) orders are counted in clock hours, holidays included."""
    return start + timedelta(hours=hours)


_known_years: dict[int, bool] = {}


def _package_knows(year: int) -> bool:
    known = _known_years.get(year)
    if known is None:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            known = True
        except NotImplementedError:
            known = False
        _known_years[year] = known
    return known
