"""The scheduler process: ``flask --app portal jobs run``. Never imported by the web process.

An APScheduler ``BlockingScheduler`` with one entry per job (its trigger) and one for the lease:

- every ``JOBS_HEARTBEAT_SECONDS`` the lease entry takes or renews the lease. A process that does not
  hold it stays idle, polling; the moment it gets the lease it marks runs a dead holder left "running"
  as interrupted and catches up every job's missed periods.
- when a job's trigger fires, the holder runs each due period of that job (``operations.run_due``);
  a process without the lease does nothing.
- requested runs (the jobs page's "立即运行") are carried out at the next heartbeat.

Jobs run in a small thread pool, each in its own application context; a lock per job keeps one job's
runs in order within the process, and the done-run unique index keeps them once across processes.
"""
import logging
import signal
import threading
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from ..clock import now
from ..extensions import db
from . import operations
from .lease import Lease
from .registry import jobs_for

log = logging.getLogger("portal.jobs")


class Scheduler:
    def __init__(self, app, holder: str | None = None):
        self.app = app
        self.jobs = jobs_for(app)
        heartbeat = float(app.config.get("JOBS_HEARTBEAT_SECONDS", 10))
        ttl = float(app.config.get("JOBS_LEASE_SECONDS", max(3 * heartbeat, 1)))
        self.heartbeat = heartbeat
        self.lease = Lease(holder, ttl=ttl)
        self.locks = {job_id: threading.Lock() for job_id in self.jobs}
        tz = ZoneInfo(app.config.get("TIMEZONE", "Asia/Shanghai"))
        self.scheduler = BlockingScheduler(
            timezone=tz, executors={"default": ThreadPoolExecutor(int(app.config.get("JOBS_THREADS", 4))),
                                   "lease": ThreadPoolExecutor(1)},  # the heartbeat never waits for a job
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    @property
    def holder(self) -> str:
        return self.lease.holder

    def start(self) -> None:
        """Block until SIGTERM/SIGINT; release the lease on the way out."""
        self.scheduler.add_job(self.tick, "interval", seconds=self.heartbeat, id="__lease__", executor="lease",
                               next_run_time=self._aware_now())
        for job in self.jobs.values():
            self.scheduler.add_job(self.fire, args=[job.id, "schedule"], id=job.id, name=job.name,
                                   **job.trigger.apscheduler_kwargs())
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.scheduler.shutdown(wait=False))
        log.info("scheduler %s: %d jobs, heartbeat %.1fs, lease %ss", self.holder, len(self.jobs),
                 self.heartbeat, self.lease.ttl.total_seconds())
        try:
            self.scheduler.start()
        finally:
            with self.app.app_context():
                self.lease.release()
            log.info("scheduler %s stopped", self.holder)

    def _aware_now(self):
        from datetime import datetime

        return datetime.now(self.scheduler.timezone)

    def tick(self) -> None:
        """Take or renew the lease; on taking it, catch up; while holding it, run requested runs."""
        with self.app.app_context():
            was_held = self.lease.held
            held = self.lease.refresh()
            if held and not was_held:
                log.info("scheduler %s holds the lease", self.holder)
                stale = operations.interrupt_stale(self.holder)
                if stale:
                    log.info("marked %d runs of a stopped scheduler interrupted", stale)
                for job_id in self.jobs:
                    self.scheduler.add_job(self.fire, args=[job_id, "catch_up"], id=f"catch_up:{job_id}",
                                           replace_existing=True)
            elif was_held and not held:
                log.warning("scheduler %s lost the lease; standing by", self.holder)
            if held:
                for run in operations.requested_runs():
                    self.scheduler.add_job(self.run_requested, args=[run.id], id=f"manual:{run.id}",
                                           replace_existing=True)
            db.session.remove()

    def fire(self, job_id: str, why: str) -> None:
        if not self.lease.held:
            return
        job = self.jobs[job_id]
        with self.locks[job_id], self.app.app_context():
            try:
                runs = operations.run_due(job, now(), holder=self.holder, still_held=self.lease.confirm)
                for run in runs:
                    log.info("%s %s [%s] %s in %sms: %s", job_id, run.period, run.trigger, run.status,
                             run.duration_ms, run.error or run.result)
            finally:
                db.session.remove()

    def run_requested(self, run_id: int) -> None:
        with self.app.app_context():
            try:
                run = operations.run_requested(run_id, holder=self.holder)
                if run is not None:
                    log.info("%s manual run %s: %s", run.job_id, run.status, run.error or run.result)
            finally:
                db.session.remove()


def run_forever(app, holder: str | None = None) -> None:
    Scheduler(app, holder).start()
