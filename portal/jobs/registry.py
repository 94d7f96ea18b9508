"""The jobs the scheduler runs, each with a fixed id, a trigger and a period key.

An area adds its jobs in a module ``portal/<area>/jobs.py`` that calls ``register(Job(...))`` at import,
and lists that module in ``JOB_MODULES``::

    from portal.jobs.registry import Cron, Every, Job, register

    register(Job("weekly_summary", "每周汇总", Cron(day_of_week="mon", hour=8), run=make_summary))

    def make_summary(at: datetime) -> str:      # ``at``: the period's scheduled time, naive local time
        ...                                     # safe to run twice for the same ``at``
        return "生成周报 1 份"                   # a short summary, shown on the jobs page

The runner calls ``run(at)`` with the scheduled time of the period (not the wall clock), once per
period key (``period_of(at)``): a rerun of a period is refused by the database, and the job's own writes
must be idempotent as well (dedupe keys, "already made" checks), since a crash between the job's commit
and the run record's commit runs it again.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

# Modules whose import registers jobs. Areas append theirs here (one line each).
JOB_MODULES = [
    "portal.jobs.builtin",
    "portal.reports.jobs",
    "portal.consultation.jobs",
    "portal.audit.jobs",
    "portal.figures.jobs",
]

_REGISTRY: dict[str, "Job"] = {}
_ORIGIN: dict[str, str] = {}  # job id -> the module that registered it
_EPOCH = datetime(2000, 1, 3)  # a Monday, local midnight: interval periods are aligned to it
_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Every:
    """A fixed interval, aligned to local midnight of 2000-01-03: ``Every(minutes=5)`` fires at :00, :05..."""
    seconds: int = 0
    minutes: int = 0
    hours: int = 0

    @property
    def step(self) -> timedelta:
        return timedelta(seconds=self.seconds, minutes=self.minutes, hours=self.hours)

    def describe(self) -> str:
        total = int(self.step.total_seconds())
        if total % 3600 == 0:
            return f"每 {total // 3600} 小时"
        if total % 60 == 0:
            return f"每 {total // 60} 分钟"
        return f"每 {total} 秒"

    def start_of(self, at: datetime) -> datetime:
        """The start of the period ``at`` falls in."""
        step = self.step
        return _EPOCH + ((at - _EPOCH) // step) * step

    def next_after(self, at: datetime) -> datetime:
        return self.start_of(at) + self.step

    def apscheduler_kwargs(self) -> dict:
        return {"trigger": "interval", "seconds": int(self.step.total_seconds()),
                "start_date": _EPOCH.replace(tzinfo=_TZ)}


_WEEKDAYS = {"mon": "一", "tue": "二", "wed": "三", "thu": "四", "fri": "五", "sat": "六", "sun": "日"}


@dataclass(frozen=True)
class Cron:
    """Cron fields as APScheduler takes them: ``Cron(day_of_week="mon", hour=8)``; unset fields below the
    largest set one default to their minimum (minute=0, second=0), as in APScheduler."""
    month: str | int | None = None
    day: str | int | None = None
    day_of_week: str | None = None
    hour: str | int | None = None
    minute: str | int | None = 0

    def _trigger(self):
        from apscheduler.triggers.cron import CronTrigger

        fields = {k: v for k, v in (("month", self.month), ("day", self.day), ("day_of_week", self.day_of_week),
                                    ("hour", self.hour), ("minute", self.minute)) if v is not None}
        return CronTrigger(timezone=_TZ, **fields)

    def describe(self) -> str:
        time = f"{int(self.hour or 0):02d}:{int(self.minute or 0):02d}" if str(self.hour or 0).isdigit() \
            and str(self.minute or 0).isdigit() else f"{self.hour}时{self.minute}分"
        if self.month is not None and self.day is not None:
            return f"每年 {self.month} 月 {self.day} 日 {time}"
        if self.month is not None:
            return f"每年 {self.month} 月 {time}"
        if self.day is not None:
            return f"每月 {self.day} 日 {time}"
        if self.day_of_week is not None:
            days = "、".join(_WEEKDAYS.get(d.strip(), d) for d in str(self.day_of_week).split(","))
            return f"每周{days} {time}"
        if self.hour is None:
            return f"每小时第 {self.minute} 分"
        return f"每天 {time}"

    def next_after(self, at: datetime) -> datetime:
        """The first fire time strictly after ``at``."""
        aware = (at + timedelta(microseconds=1)).replace(tzinfo=_TZ)
        fire = self._trigger().get_next_fire_time(None, aware)
        return fire.astimezone(_TZ).replace(tzinfo=None)

    def start_of(self, at: datetime) -> datetime:
        """The latest fire time at or before ``at``."""
        for back in (timedelta(days=1), timedelta(days=8), timedelta(days=32), timedelta(days=367),
                     timedelta(days=5 * 366)):
            fire, last = self.next_after(at - back), None
            while fire <= at:
                last, fire = fire, self.next_after(fire)
            if last is not None:
                return last
        raise ValueError(f"no fire time of {self} within five years before {at}")

    def apscheduler_kwargs(self) -> dict:
        return {"trigger": self._trigger()}


@dataclass(frozen=True)
class Job:
    """One scheduled job.

    ``catch_up``: how many missed periods the scheduler runs when it starts after a gap; older missed
    periods are recorded as missed (shown on the jobs page) and can be run with ``jobs run-once``.
    ``cumulative``: a run covers every earlier period too (the deadline watch looks at every order each
    time), so after a gap only the latest period runs.
    """
    id: str
    name: str
    trigger: Every | Cron
    run: Callable[[datetime], str]
    description: str = ""
    catch_up: int = 12
    cumulative: bool = False
    period_key: Callable[[datetime], str] | None = field(default=None, compare=False)

    @property
    def schedule(self) -> str:
        return self.trigger.describe()

    def period_start(self, at: datetime) -> datetime:
        return self.trigger.start_of(at)

    def period_of(self, at: datetime) -> str:
        """The key of the period ``at`` belongs to (by default its scheduled time, "2026-11-23 08:00")."""
        start = self.period_start(at)
        if self.period_key is not None:
            return self.period_key(start)
        return start.isoformat(sep=" ", timespec="seconds" if isinstance(self.trigger, Every)
                               and self.trigger.step.total_seconds() < 60 else "minutes")

    def periods_between(self, after: datetime | None, until: datetime, limit: int = 1000) -> list[datetime]:
        """Scheduled times in (after, until], oldest first, at most ``limit`` (the latest ones)."""
        last = self.period_start(until)
        if after is None:
            return [last]
        found: list[datetime] = []
        fire = self.trigger.next_after(after)
        while fire <= until:
            found.append(fire)
            if len(found) > limit:
                found.pop(0)
            fire = self.trigger.next_after(fire)
        return found


def register(job: Job) -> Job:
    """Add ``job``; registering the same id twice (a module imported again) keeps the latest."""
    _REGISTRY[job.id] = job
    _ORIGIN[job.id] = sys._getframe(1).f_globals.get("__name__", job.run.__module__)
    return job


def load(extra_modules: list[str] | tuple = ()) -> dict[str, Job]:
    """Import every job module and return the jobs they registered, by id, in registration order."""
    modules = list(JOB_MODULES) + list(extra_modules)
    for name in modules:
        importlib.import_module(name)
    return {job_id: job for job_id, job in _REGISTRY.items() if _ORIGIN.get(job_id) in modules}


def jobs_for(app) -> dict[str, Job]:
    """The jobs of this app: ``JOB_MODULES`` plus the app's ``JOBS_EXTRA_MODULES`` (tests add a probe),
    limited to ``JOBS_ONLY`` when that lists job ids."""
    jobs = load(app.config.get("JOBS_EXTRA_MODULES", ()))
    only = app.config.get("JOBS_ONLY")
    return {k: v for k, v in jobs.items() if k in only} if only else jobs
