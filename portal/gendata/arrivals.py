"""When orders come in: how many on each day of the span, and at what time of day.

A day's share grows year on year (``GROWTH``), follows the season (``MONTHS``: a summer peak, the Spring
Festival month low), the week (``WEEKDAYS``: Mondays busiest, Sundays quietest) and the public holidays
(the Spring Festival week much quieter than the others); a little noise keeps days from looking alike.
The counts of all days add up to exactly the number asked for.
"""
from datetime import date, datetime, time, timedelta
from random import Random

import chinese_calendar

from ..demo.timeline import CALL_HOURS

GROWTH = 1.08  # a year on the year before
MONTHS = {1: 0.92, 2: 0.8, 3: 0.95, 4: 0.98, 5: 1.03, 6: 1.12, 7: 1.25, 8: 1.24, 9: 1.06, 10: 0.95, 11: 1.0,
          12: 1.05}
WEEKDAYS = (1.15, 1.08, 1.05, 1.04, 1.0, 0.8, 0.76)
SPRING_FESTIVAL, OTHER_HOLIDAY = 0.55, 0.8


def day_weight(day: date, start: date, rng: Random) -> float:
    weight = GROWTH ** ((day - start).days / 365.25) * MONTHS[day.month] * WEEKDAYS[day.weekday()]
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the package does not know: no holidays
        on_holiday, name = False, None
    if on_holiday and name:
        weight *= SPRING_FESTIVAL if name == chinese_calendar.Holiday.spring_festival.value else OTHER_HOLIDAY
    return weight * rng.uniform(0.9, 1.1)


def daily_counts(total: int, years: float, as_of: datetime, rng: Random) -> list[tuple[date, int]]:
    """(day, orders that day) for every day of the ``years`` up to ``as_of`` (its day counted only up to
    its hour), adding up to ``total``."""
    end = as_of.date()
    start = end - timedelta(days=max(1, round(years * 365.25)) - 1)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    weights = [day_weight(day, start, rng) for day in days]
    weights[-1] *= sum(CALL_HOURS[:as_of.hour]) / sum(CALL_HOURS) or 0.001
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    # Largest remainders get the orders still to place, so the days add up to ``total``.
    for i in sorted(range(len(days)), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return list(zip(days, counts))


def times_of_day(day: date, n: int, as_of: datetime, rng: Random) -> list[datetime]:
    """``n`` moments on ``day`` at the hours people call, in order, none after ``as_of``."""
    hours = range(24) if day < as_of.date() else range(max(1, as_of.hour))
    weights = [CALL_HOURS[h] or 0.2 for h in hours]
    picked = rng.choices(list(hours), weights=weights, k=n)
    moments = sorted(datetime.combine(day, time(h, rng.randrange(60), rng.randrange(60))) for h in picked)
    return [min(m, as_of - timedelta(minutes=1)) for m in moments]
