"""When things happen in a demo order's life: plausible gaps between steps, in office hours, never later
than now; and where to place a dispatch so that a deadline falls due soon."""
from datetime import datetime, time, timedelta
from random import Random

from ..calendar import WorkCalendar
from ..deadlines.rules import due_after

# Minutes from the previous step, normal urgency: (shortest, longest).
GAPS = {
    "take_in": (3, 40), "direct_answer": (5, 90), "dispatch": (15, 240), "dispatch_wrong": (15, 240),
    "sign_for": (20, 420), "first_feedback": (20, 360), "contribute": (60, 1200), "reply": (600, 3000),
    "reply_thin": (120, 1440), "request_return": (20, 300), "approve_return": (30, 300),
    "reject_return": (30, 300), "request_extension": (300, 1500), "approve_extension": (60, 480),
    "reject_extension": (60, 480), "approve_reply": (30, 1200), "send_back": (30, 600),
    "visit": (240, 2880), "visit_bad": (240, 2880), "reopen": (30, 1440), "close": (5, 600),
}
URGENCY_SCALE = {"normal": 1.0, "urgent": 0.3, "critical": 0.08}
# Follow-up by the office (visits, closing, reopening) is done in office hours whatever the urgency.
FOLLOW_UP = frozenset({"visit", "visit_bad", "close", "reopen", "approve_reply", "send_back"})
OFFICE_OPENS, OFFICE_CLOSES = time(8, 30), time(18, 0)
# Urgent matters are worked at once, but on the day's long shift, not at three in the morning.
SHIFT_STARTS, SHIFT_ENDS = time(7, 0), time(22, 0)
# Hours at which citizens call (weights for 0:00 ... 23:00).
CALL_HOURS = (1, 1, 0, 0, 0, 1, 2, 5, 10, 12, 12, 10, 7, 6, 9, 10, 10, 9, 7, 7, 6, 4, 3, 2)


class Timeline:
    """One order's clock: each step comes a plausible while after the last, never after ``now``."""

    def __init__(self, rng: Random, cal: WorkCalendar, now: datetime, start: datetime, urgency: str):
        self.rng, self.cal, self.now, self.t = rng, cal, now, start
        self.scale = URGENCY_SCALE[urgency]
        self.urgency = urgency

    def next(self, step: str, at: datetime | None = None) -> datetime:
        if at is None:
            lo, hi = GAPS[step]
            minutes = self.rng.uniform(lo, hi) * self.scale
            if self.rng.random() < 0.07:  # now and then someone is slow, and a deadline is missed
                minutes *= self.rng.uniform(2, 4)
            at = self.t + timedelta(minutes=minutes)
            if self.urgency == "normal" or step in FOLLOW_UP:
                at = self._in_office_hours(at)
            elif self.urgency == "urgent" or step not in ("dispatch", "sign_for", "first_feedback"):
                at = self._in_shift(at)
        if at >= self.now:  # squeeze the rest of the story in before now
            at = self.t + (self.now - self.t) * self.rng.uniform(0.3, 0.7)
        self.t = max(at, self.t).replace(microsecond=0)
        return self.t

    def _in_shift(self, at: datetime) -> datetime:
        if at.time() >= SHIFT_ENDS:
            at = datetime.combine(at.date() + timedelta(days=1), time(0))
        if at.time() < SHIFT_STARTS:
            at = datetime.combine(at.date(), SHIFT_STARTS) + timedelta(minutes=self.rng.uniform(0, 60))
        return at

    def _in_office_hours(self, at: datetime) -> datetime:
        rng = self.rng
        if at.time() >= OFFICE_CLOSES and rng.random() < 0.85:
            at = datetime.combine(at.date() + timedelta(days=1), time(0))
        if not self.cal.is_workday(at.date()) and rng.random() < 0.85:
            at = datetime.combine(self.cal.next_workday(at.date()), time(0))
        if at.time() < OFFICE_OPENS:
            at = datetime.combine(at.date(), OFFICE_OPENS) + timedelta(minutes=rng.uniform(0, 90))
        return at


def received_time(rng: Random, now: datetime, age: tuple[float, float]) -> datetime:
    """A moment ``age`` days (a range) before now, at an hour when people call."""
    lo, hi = age
    if hi <= 1:
        return (now - timedelta(days=rng.uniform(lo, hi), minutes=5)).replace(microsecond=0)
    day = (now - timedelta(days=rng.uniform(lo, hi))).date()
    hour = rng.choices(range(24), weights=CALL_HOURS)[0]
    at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
    if at > now - timedelta(days=lo):  # at least ``lo`` days ago, so the story has time to unfold
        at -= timedelta(days=1)
    return at


def dispatch_for_due_soon(rng: Random, cal: WorkCalendar, now: datetime, policy, which: str) -> datetime | None:
    """A dispatch time from which the ``which`` deadline ("sign_for" or "reply") falls due within the
    policy's warning time from now, so that the order shows as due soon; office hours preferred.
    None when there is none (deadlines in working days cannot fall due soon in the small hours or on a
    holiday)."""
    amount = policy.sign_for if which == "sign_for" else policy.reply
    window = timedelta(minutes=policy.warn_minutes)
    margin = min(timedelta(minutes=10), window / 4)
    office, anytime = [], []
    start = now.replace(second=0, microsecond=0)
    for step in range(1, 14 * 24 * 4):
        t0 = start - timedelta(minutes=15 * step)
        due = due_after(policy, cal, t0, amount)
        if now + margin < due < now + window - margin:
            (office if cal.is_workday(t0.date()) and OFFICE_OPENS <= t0.time() <= time(17, 30)
             else anytime).append(t0)
    candidates = office or anytime
    return rng.choice(candidates) if candidates else None
