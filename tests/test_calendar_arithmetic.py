"""Working-day arithmetic on the Chinese calendar, and the deadline rules applied to an order.

Pure: a WorkCalendar built by hand, policies with the shipped defaults, orders as plain objects.
2026 comes from the chinese_calendar package: National Day 10-01..10-07 off, Sunday 09-20 and
Saturday 10-10 make-up working days; 2027 is beyond the package.
"""
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from portal.calendar import END_OF_DAY, WorkCalendar, add_hours
from portal.deadlines.models import DeadlinePolicy
from portal.deadlines.queries import DEFAULT_POLICIES
from portal.deadlines.rules import NORMAL, OVERDUE, SOON, due_after, refresh_next_due, set_due_times, status


def policy(urgency: str) -> DeadlinePolicy:
    return DeadlinePolicy(urgency=urgency, **DEFAULT_POLICIES[urgency])


def order(**fields):
    base = dict(state="dispatched", is_complex=False, first_feedback_at=None, sign_due_at=None,
                feedback_due_at=None, reply_due_at=None, next_due_at=None, warn_at=None)
    return SimpleNamespace(**{**base, **fields})


@pytest.fixture
def cal():
    return WorkCalendar()


# --- the 2026 National Day holiday, from the package ---------------------------------------------------

def test_national_day_2026_days(cal):
    assert all(not cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    assert cal.is_workday(date(2026, 10, 10))  # Saturday, make-up working day
    assert not cal.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert cal.has_data(2026)


@pytest.mark.parametrize("n, due", [
    (0, datetime(2026, 9, 30, 10, 0)),
    (1, datetime(2026, 10, 8, 10, 0)),  # the whole holiday is skipped
    (2, datetime(2026, 10, 9, 10, 0)),
    (3, datetime(2026, 10, 10, 10, 0)),  # Saturday, but a make-up working day
    (4, datetime(2026, 10, 12, 10, 0)),  # Sunday 10-11 is off
    (7, datetime(2026, 10, 15, 10, 0)),
])
def test_add_workdays_across_national_day(cal, n, due):
    assert cal.add_workdays(datetime(2026, 9, 30, 10, 0), n) == due


def test_make_up_sunday_counts_as_a_working_day(cal):
    # Friday 09-18 + 1 is Sunday 09-20 (make-up day), not Monday 09-21
    assert cal.add_workdays(datetime(2026, 9, 18, 16, 30), 1) == datetime(2026, 9, 20, 16, 30)
    # and the Mid-autumn days 09-25..09-27 are skipped: Thursday 09-24 + 1 = Monday 09-28
    assert cal.add_workdays(datetime(2026, 9, 24, 9, 0), 1) == datetime(2026, 9, 28, 9, 0)


def test_order_arriving_on_a_holiday_is_due_at_the_end_of_the_nth_working_day(cal):
    arrived = datetime(2026, 10, 3, 15, 30)  # in the middle of the holiday
    assert cal.add_workdays(arrived, 1) == datetime.combine(date(2026, 10, 8), END_OF_DAY)
    assert cal.add_workdays(arrived, 3) == datetime.combine(date(2026, 10, 10), END_OF_DAY)
    assert cal.add_workdays(arrived, 0) == arrived


def test_order_arriving_on_an_ordinary_weekend(cal):
    assert cal.add_workdays(datetime(2026, 11, 28, 11, 0), 1) == datetime(2026, 11, 30, 23, 59, 59)


def test_workdays_between_counts_the_make_up_day(cal):
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 10-08, 09, 10, 12


def test_negative_days_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_workdays(datetime(2026, 9, 30, 10, 0), -1)


# --- a year without data, and a loaded year -----------------------------------------------------------

def test_year_without_data_counts_monday_to_friday(cal):
    assert not cal.has_data(2027)
    assert cal.is_workday(date(2027, 10, 1))  # a Friday: no holiday known
    assert not cal.is_workday(date(2027, 10, 2))  # Saturday
    assert cal.add_workdays(datetime(2027, 10, 1, 10, 0), 1) == datetime(2027, 10, 4, 10, 0)


def test_loaded_year_overrides_monday_to_friday():
    loaded = WorkCalendar({2027}, {
        date(2027, 10, 1): False,  # Friday, holiday
        date(2027, 10, 4): False,  # Monday, holiday
        date(2027, 10, 9): True,  # Saturday, make-up working day
    })
    assert loaded.has_data(2027)
    assert not loaded.is_workday(date(2027, 10, 1))
    assert loaded.is_workday(date(2027, 10, 9))
    assert not loaded.is_workday(date(2027, 10, 10))  # an ordinary Sunday stays off
    start = datetime(2027, 9, 30, 10, 0)  # Thursday
    assert loaded.add_workdays(start, 1) == datetime(2027, 10, 5, 10, 0)
    assert loaded.add_workdays(start, 5) == datetime(2027, 10, 9, 10, 0)  # 10-05..10-08, then Saturday 10-09


def test_loaded_year_takes_precedence_over_the_package():
    # an admin who loads 2026 with no exceptions gets plain Monday-to-Friday for 2026
    loaded = WorkCalendar({2026}, {})
    assert loaded.is_workday(date(2026, 10, 1))
    assert not loaded.is_workday(date(2026, 10, 10))


# --- critical orders, in clock hours --------------------------------------------------------------------

def test_add_hours_runs_through_holidays():
    assert add_hours(datetime(2026, 9, 30, 20, 0), 24) == datetime(2026, 10, 1, 20, 0)


def test_critical_order_due_times_in_hours(cal):
    o = order(is_complex=False)
    set_due_times(o, policy("critical"), cal, datetime(2026, 9, 30, 20, 0))
    assert o.sign_due_at == datetime(2026, 9, 30, 21, 0)
    assert o.feedback_due_at == datetime(2026, 9, 30, 22, 0)
    assert o.reply_due_at == datetime(2026, 10, 1, 20, 0)  # National Day counts for critical orders


def test_hour_policy_ignores_the_calendar(cal):
    p = policy("urgent")
    start = datetime(2026, 10, 2, 9, 0)  # a holiday
    assert due_after(p, cal, start, 4) == datetime(2026, 10, 2, 13, 0)


# --- the rules with the default policies ----------------------------------------------------------------

def test_normal_order_follows_1_3_7(cal):
    o = order()
    set_due_times(o, policy("normal"), cal, datetime(2026, 9, 30, 10, 0))
    assert o.sign_due_at == datetime(2026, 10, 8, 10, 0)
    assert o.feedback_due_at == datetime(2026, 10, 8, 10, 0)
    assert o.reply_due_at == datetime(2026, 10, 10, 10, 0)


def test_complex_order_gets_seven_working_days(cal):
    o = order(is_complex=True)
    set_due_times(o, policy("normal"), cal, datetime(2026, 9, 30, 10, 0))
    assert o.reply_due_at == datetime(2026, 10, 15, 10, 0)


def test_next_due_follows_the_state(cal):
    p = policy("normal")
    o = order()
    set_due_times(o, p, cal, datetime(2026, 11, 24, 10, 0))
    refresh_next_due(o, p)
    assert o.next_due_at == o.sign_due_at == datetime(2026, 11, 25, 10, 0)
    assert o.warn_at == datetime(2026, 11, 25, 6, 0)  # 240 minutes before

    o.state = "accepted"  # signed for, no first feedback yet: the feedback deadline comes first
    refresh_next_due(o, p)
    assert o.next_due_at == o.feedback_due_at

    o.first_feedback_at = datetime(2026, 11, 24, 15, 0)
    refresh_next_due(o, p)
    assert o.next_due_at == o.reply_due_at == datetime(2026, 11, 27, 10, 0)

    o.state = "replied"  # with the office: no unit deadline runs
    refresh_next_due(o, p)
    assert o.next_due_at is None and o.warn_at is None
    assert status(o, datetime(2030, 1, 1)) is None


def test_status_normal_soon_overdue(cal):
    p = policy("normal")
    o = order()
    set_due_times(o, p, cal, datetime(2026, 11, 24, 10, 0))
    refresh_next_due(o, p)
    due = o.next_due_at
    assert status(o, due - timedelta(minutes=241)) == NORMAL
    assert status(o, due - timedelta(minutes=240)) == SOON
    assert status(o, due) == SOON  # due at that moment, not yet late
    assert status(o, due + timedelta(seconds=1)) == OVERDUE


def test_warning_window_comes_from_the_policy(cal):
    p = policy("critical")  # warns 30 minutes ahead
    o = order()
    set_due_times(o, p, cal, datetime(2026, 11, 24, 10, 0))
    refresh_next_due(o, p)
    assert status(o, datetime(2026, 11, 24, 10, 29)) == NORMAL
    assert status(o, datetime(2026, 11, 24, 10, 30)) == SOON
    assert status(o, datetime(2026, 11, 24, 11, 1)) == OVERDUE
