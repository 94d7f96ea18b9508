"""What the jobs page and ``jobs list`` show: each job with its last run and next run, the lease, the
latest runs."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..clock import now
from ..extensions import db
from .lease import lease_row, wall_now
from .models import JobRun
from .registry import Job, jobs_for


@dataclass
class JobRow:
    job: Job
    last: JobRun | None
    last_done: JobRun | None
    pending: JobRun | None  # a manual run requested or running
    next_at: datetime


def _latest(statuses=None, manual=None) -> dict[str, JobRun]:
    query = select(JobRun.job_id, func.max(JobRun.id))
    if statuses:
        query = query.where(JobRun.status.in_(statuses))
    if manual is not None:
        query = query.where(JobRun.manual.is_(manual))
    ids = [i for _, i in db.session.execute(query.group_by(JobRun.job_id))]
    return {r.job_id: r for r in db.session.scalars(select(JobRun).where(JobRun.id.in_(ids or [-1])))}


def overview() -> list[JobRow]:
    at = now()
    last = _latest(("done", "failed", "interrupted", "missed", "skipped", "running"))
    last_done = _latest(("done",))
    pending = _latest(("requested", "running"), manual=True)
    return [JobRow(job, last.get(job.id), last_done.get(job.id), pending.get(job.id), job.trigger.next_after(at))
            for job in jobs_for(current_app).values()]


def row_for(job_id: str) -> JobRow | None:
    return next((row for row in overview() if row.job.id == job_id), None)


def recent_runs(limit: int = 30, job_id: str | None = None) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job_id:
        query = query.where(JobRun.job_id == job_id)
    return list(db.session.scalars(query))


@dataclass
class SchedulerState:
    running: bool
    holder: str | None
    heartbeat_at: datetime | None
    acquired_at: datetime | None


def scheduler_state() -> SchedulerState:
    """Whether a scheduler holds the lease: its row was renewed within twice the heartbeat's ttl."""
    row = lease_row()
    if row is None:
        return SchedulerState(False, None, None, None)
    ttl = float(current_app.config.get("JOBS_LEASE_SECONDS", 3 * float(current_app.config.get(
        "JOBS_HEARTBEAT_SECONDS", 10))))
    alive = row.expires_at > wall_now() - timedelta(seconds=ttl)
    return SchedulerState(alive, row.holder, row.heartbeat_at, row.acquired_at)
