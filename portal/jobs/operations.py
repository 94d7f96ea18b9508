"""Running a job for a period, and everything else that writes job runs.

``run_period`` is the one place a job runs: it skips a period already done, records the run, calls the
job, and records the result or the error. The partial unique index on done runs makes a second "done"
for one period impossible, whichever process gets there second.
"""
import logging
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role
from ..clock import now
from ..extensions import db
from .lease import wall_now
from .models import JobRun
from .registry import Job, jobs_for

log = logging.getLogger(__name__)
HANDLED = ("done", "missed")  # statuses that move a job's catch-up frontier


class JobError(Exception):
    """A refused request (unknown job, no permission); the message is Chinese and shown to the user."""


def done_run(job_id: str, period: str) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job_id == job_id, JobRun.period == period,
                                                  JobRun.status == "done"))


def run_period(job: Job, scheduled_at: datetime, *, trigger: str = "schedule", holder: str | None = None,
               run: JobRun | None = None, manual: bool = False) -> JobRun | None:
    """Run ``job`` for the period starting at ``scheduled_at``; None when that period is done already.
    ``run``: a requested run (from the jobs page) to carry out instead of a new record."""
    period = job.period_of(scheduled_at) if not manual else run.period
    if not manual and done_run(job.id, period) is not None:
        db.session.commit()
        return None
    started = wall_now()
    if run is None:
        run = JobRun(job_id=job.id, period=period, scheduled_at=scheduled_at, trigger=trigger, manual=manual)
        db.session.add(run)
    run.status, run.holder, run.started_at = "running", holder, started
    db.session.commit()
    run_id = run.id
    clock = time.perf_counter()
    try:
        result = job.run(scheduled_at)
    except Exception as exc:  # a job's failure is recorded and shown, never raised into the scheduler
        db.session.rollback()
        log.exception("job %s failed for %s", job.id, period)
        return _finish(run_id, "failed", clock, error=f"{type(exc).__name__}: {exc}"[:4000])
    return _finish(run_id, "done", clock, result=str(result or "")[:4000])


def _finish(run_id: int, status: str, clock: float, result: str | None = None, error: str | None = None) -> JobRun:
    run = db.session.get(JobRun, run_id)
    run.status, run.result, run.error = status, result, error
    run.finished_at = wall_now()
    run.duration_ms = int((time.perf_counter() - clock) * 1000)
    try:
        db.session.commit()
    except IntegrityError:  # another process recorded this period done first
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.status, run.error, run.finished_at = "skipped", "该周期已由另一个调度进程完成。", wall_now()
        db.session.commit()
    return run


def frontier(job_id: str) -> datetime | None:
    """The latest scheduled period that is done (or given up as missed), manual runs aside."""
    return db.session.scalar(select(func.max(JobRun.scheduled_at)).where(
        JobRun.job_id == job_id, JobRun.status.in_(HANDLED), JobRun.manual.is_(False)))


def due_periods(job: Job, at: datetime) -> tuple[list[datetime], list[datetime]]:
    """(periods to run now, oldest first; periods given up as missed) for ``job`` at ``at``.

    Every period after the frontier up to ``at`` is due. A cumulative job runs only the latest (it covers
    the others). Otherwise at most ``job.catch_up`` of the latest run; older ones are recorded missed.
    """
    due = job.periods_between(frontier(job.id), at)
    if job.cumulative:
        return due[-1:], []
    keep = max(job.catch_up, 1)
    return due[-keep:], due[:-keep]


def run_due(job: Job, at: datetime, holder: str | None = None, still_held=lambda: True) -> list[JobRun]:
    """Run every due period of ``job`` in order; stop at the first failure (later periods wait for it,
    so none is skipped) or when the lease is lost. Returns the runs made."""
    due, missed = due_periods(job, at)
    for scheduled_at in missed:
        _record_missed(job, scheduled_at, holder)
    latest = job.period_start(at)
    runs = []
    for scheduled_at in due:
        if not still_held():
            break
        run = run_period(job, scheduled_at, trigger="schedule" if scheduled_at == latest else "catch_up",
                         holder=holder)
        if run is not None:
            runs.append(run)
            if run.status == "failed":
                break
    return runs


def _record_missed(job: Job, scheduled_at: datetime, holder: str | None) -> None:
    period = job.period_of(scheduled_at)
    exists = db.session.scalar(select(JobRun.id).where(JobRun.job_id == job.id, JobRun.period == period,
                                                       JobRun.status.in_(HANDLED)))
    if exists is None:
        at = wall_now()
        db.session.add(JobRun(
            job_id=job.id, period=period, scheduled_at=scheduled_at, status="missed", trigger="catch_up",
            holder=holder, started_at=at, finished_at=at,
            error=f"调度进程停止期间错过，超出补跑上限（最近 {job.catch_up} 个周期）。可用命令补跑："
                  f"flask --app portal jobs run-once {job.id} --at '{scheduled_at:%Y-%m-%d %H:%M:%S}'"))
    db.session.commit()


def interrupt_stale(holder: str) -> int:
    """Runs left "running" by another (dead) scheduler: mark them interrupted. Their periods stay due."""
    result = db.session.execute(update(JobRun).where(JobRun.status == "running", JobRun.holder != holder)
                                .values(status="interrupted", finished_at=wall_now(),
                                        error="调度进程在运行中停止，该周期将重新运行。"))
    db.session.commit()
    return result.rowcount


def request_run(actor, job_id: str) -> JobRun:
    """An admin asks for a run now. The web process never runs jobs: it records the request, and the
    scheduler process carries it out within a heartbeat."""
    if actor is None or actor.role != Role.ADMIN:
        raise JobError("只有系统管理员可以手动运行任务。")
    jobs = jobs_for(current_app)
    if job_id not in jobs:
        raise JobError("没有这个任务。")
    pending = db.session.scalar(select(JobRun).where(JobRun.job_id == job_id, JobRun.manual.is_(True),
                                                     JobRun.status.in_(("requested", "running"))))
    if pending is not None:
        raise JobError(f"“{jobs[job_id].name}”已有一次手动运行在等待或进行中，请稍候。")
    at = now()
    run = JobRun(job_id=job_id, period=f"手动 {at:%Y-%m-%d %H:%M:%S}", scheduled_at=at, status="requested",
                 trigger="manual", manual=True, requested_by_id=actor.id, requested_at=at)
    db.session.add(run)
    db.session.commit()
    return run


def requested_runs() -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).where(JobRun.status == "requested").order_by(JobRun.id)))


def run_requested(run_id: int, holder: str | None = None) -> JobRun | None:
    """Carry out a requested run (in the scheduler process). Claims it first, so it runs once."""
    claimed = db.session.execute(update(JobRun).where(JobRun.id == run_id, JobRun.status == "requested")
                                 .values(status="running", holder=holder))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    run = db.session.get(JobRun, run_id)
    job = jobs_for(current_app).get(run.job_id)
    if job is None:
        run.status, run.error = "failed", "任务已不存在。"
        db.session.commit()
        return run
    return run_period(job, run.scheduled_at, trigger="manual", holder=holder, run=run, manual=True)
