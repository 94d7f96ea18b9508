"""Running jobs by period: a done period never runs again, missed periods are caught up (bounded, and
recorded when given up), a failure holds later periods back, the lease admits one holder."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.jobs import operations
from portal.jobs.lease import Lease
from portal.jobs.models import JobLease, JobRun
from portal.jobs.registry import Cron, Every, Job

T0 = datetime(2026, 11, 24, 10, 0)


def counting_job(calls, catch_up=12, cumulative=False, fail_at=()):
    def run(at):
        if at in fail_at:
            raise RuntimeError("数据库连接中断")
        calls.append(at)
        return f"ran {at:%H:%M}"

    return Job("counter", "计数", Every(minutes=5), run, catch_up=catch_up, cumulative=cumulative)


def done_periods(job_id="counter"):
    return list(db.session.scalars(select(JobRun.period).where(JobRun.job_id == job_id, JobRun.status == "done")
                                   .order_by(JobRun.scheduled_at)))


def test_periods_of_interval_and_cron_jobs():
    every = Job("e", "e", Every(minutes=5), print)
    assert every.period_of(datetime(2026, 11, 24, 10, 7, 31)) == "2026-11-24 10:05"
    weekly = Job("w", "w", Cron(day_of_week="mon", hour=7), print)
    assert weekly.period_of(datetime(2026, 11, 24, 10, 0)) == "2026-11-23 07:00"
    assert weekly.period_of(datetime(2026, 11, 23, 6, 59)) == "2026-11-16 07:00"
    assert weekly.schedule == "每周一 07:00"
    monthly = Job("m", "m", Cron(day=1, hour=7, minute=20), print)
    assert monthly.periods_between(datetime(2026, 8, 1, 7, 20), T0) == [
        datetime(2026, 9, 1, 7, 20), datetime(2026, 10, 1, 7, 20), datetime(2026, 11, 1, 7, 20)]


def test_a_rerun_of_a_done_period_changes_nothing(ctx):
    calls = []
    job = counting_job(calls)
    assert operations.run_period(job, T0).status == "done"
    assert operations.run_period(job, T0) is None
    assert operations.run_period(job, T0 + timedelta(minutes=3)) is None  # the same period
    assert calls == [T0] and done_periods() == ["2026-11-24 10:00"]
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_the_database_refuses_a_second_done_run_of_a_period(ctx):
    for status in ("failed", "failed", "done"):
        db.session.add(JobRun(job_id="x", period="p", scheduled_at=T0, status=status, trigger="schedule"))
    db.session.commit()
    db.session.add(JobRun(job_id="x", period="p", scheduled_at=T0, status="done", trigger="schedule"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_missed_periods_are_caught_up_in_order(ctx):
    calls = []
    job = counting_job(calls)
    operations.run_period(job, T0)
    runs = operations.run_due(job, T0 + timedelta(minutes=17))  # down for three periods
    assert calls == [T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=10), T0 + timedelta(minutes=15)]
    assert [r.trigger for r in runs] == ["catch_up", "catch_up", "schedule"]
    assert operations.run_due(job, T0 + timedelta(minutes=19)) == []  # nothing due twice


def test_catch_up_is_bounded_and_the_periods_given_up_are_recorded(ctx):
    calls = []
    job = counting_job(calls, catch_up=2)
    operations.run_period(job, T0)
    calls.clear()
    operations.run_due(job, T0 + timedelta(minutes=25))
    assert calls == [T0 + timedelta(minutes=20), T0 + timedelta(minutes=25)]
    missed = db.session.scalars(select(JobRun).where(JobRun.status == "missed").order_by(JobRun.scheduled_at)).all()
    assert [m.period for m in missed] == ["2026-11-24 10:05", "2026-11-24 10:10", "2026-11-24 10:15"]
    assert "jobs run-once counter --at '2026-11-24 10:05:00'" in missed[0].error


def test_a_cumulative_job_runs_only_the_latest_missed_period(ctx):
    calls = []
    job = counting_job(calls, cumulative=True)
    operations.run_period(job, T0)
    operations.run_due(job, T0 + timedelta(hours=2))
    assert calls == [T0, T0 + timedelta(hours=2)]


def test_a_failed_period_holds_later_ones_back_and_is_retried(ctx):
    calls = []
    failing = {T0 + timedelta(minutes=5)}
    job = counting_job(calls, fail_at=failing)
    operations.run_period(job, T0)
    runs = operations.run_due(job, T0 + timedelta(minutes=10))
    assert [r.status for r in runs] == ["failed"]
    assert "RuntimeError: 数据库连接中断" in runs[0].error
    failing.clear()  # fixed
    operations.run_due(job, T0 + timedelta(minutes=10))
    assert done_periods() == ["2026-11-24 10:00", "2026-11-24 10:05", "2026-11-24 10:10"]


def test_the_first_run_of_a_job_is_its_current_period(ctx):
    calls = []
    operations.run_due(counting_job(calls), T0 + timedelta(minutes=7))
    assert calls == [T0 + timedelta(minutes=5)]


def test_a_new_holder_marks_a_dead_holders_running_runs_interrupted_and_runs_them_again(ctx):
    calls = []
    job = counting_job(calls)
    operations.run_period(job, T0)
    db.session.add(JobRun(job_id="counter", period="2026-11-24 10:05", scheduled_at=T0 + timedelta(minutes=5),
                          status="running", trigger="schedule", holder="dead"))
    db.session.commit()
    assert operations.interrupt_stale("alive") == 1
    operations.run_due(job, T0 + timedelta(minutes=5), holder="alive")
    assert done_periods()[-1] == "2026-11-24 10:05"
    assert db.session.scalar(select(JobRun.status).where(JobRun.holder == "dead")) == "interrupted"


def test_the_lease_admits_one_holder_and_passes_on_when_released(ctx):
    first, second = Lease("first", ttl=60), Lease("second", ttl=60)
    assert first.refresh() and not second.refresh()
    assert first.refresh() and not second.refresh()  # renewing keeps it
    assert first.confirm()
    first.release()
    assert second.refresh() and not first.refresh()
    assert db.session.get(JobLease, "scheduler").holder == "second"
    second.release()


def test_an_expired_sqlite_lease_is_taken_over(ctx):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL: the advisory lock goes with the holder's connection (tests/test_jobs_processes.py)")
    first, second = Lease("first", ttl=60), Lease("second", ttl=60)
    assert first.refresh()
    db.session.execute(db.update(JobLease).values(expires_at=datetime(2000, 1, 1)))  # the holder stopped renewing
    db.session.commit()
    assert second.refresh()
    assert not first.confirm() and not first.refresh()
