"""The demo's scheduler history: the portal's own jobs run for the last few periods before the seed's
"now", as a scheduler running all morning would have (the later runs find nothing new to do)."""
from datetime import datetime, timedelta

from ..jobs import operations
from ..jobs.registry import load

DEMO_JOBS = ("deadline_watch", "takeover_check", "calendar_coverage")


def seed_jobs(at: datetime) -> None:
    jobs = load()
    for job_id in DEMO_JOBS:
        job = jobs[job_id]
        for back in (2, 1, 0):
            start = job.period_start(at - back * timedelta(minutes=5))
            operations.run_period(job, start, holder="demo-seed")
