"""Two real scheduler processes on one database (SQLite here; PostgreSQL when PORTAL_TEST_DATABASE_URL is
set): one acts, the other stands by; killed, the first's lease passes to the second, which catches up the
periods missed meanwhile; every period runs once."""
import signal
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.jobs.lease import LEASE_NAME, wall_now
from portal.jobs.models import JobLease, JobRun


def _seconds(periods):
    return [datetime.fromisoformat(p) for p in periods]


def test_two_schedulers_run_each_period_once_and_the_lease_passes_when_one_is_killed(schedulers, ctx):
    first, second = schedulers.start("A"), schedulers.start("B")

    # both running, one acting: three periods, all by one process
    lines = schedulers.wait_for(lambda rows: rows if len({p for p, _ in rows}) >= 3 else None,
                                what="three probe periods")
    pids = {pid for _, pid in lines}
    assert len(pids) == 1, lines
    holder, standby = (first, second) if first.pid in pids else (second, first)
    assert standby.poll() is None  # the other one is alive, standing by

    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=15)
    killed_at = len(schedulers.lines())
    schedulers.wait_for(lambda rows: [r for r in rows if r[1] == standby.pid][2:] or None,
                        what="the standby to take over and run three periods")
    assert schedulers.stop("B" if standby is second else "A") == 0  # SIGTERM: a clean stop

    lines = schedulers.lines()
    assert {pid for _, pid in lines[:killed_at]} == {holder.pid}
    assert {pid for _, pid in lines[killed_at:]} == {standby.pid}
    periods = [p for p, _ in lines]
    # a period may run twice only if the holder died between the job and its record: then it is the last
    # period the killed holder ran, run again by the standby
    repeated = {p for p in periods if periods.count(p) > 1}
    assert repeated <= {lines[killed_at - 1][0]}
    times = sorted(set(_seconds(periods)))
    # no period skipped, even those that fell while nobody held the lease (caught up on taking over)
    assert times == [times[0] + timedelta(seconds=i) for i in range(len(times))]

    with db.engine.connect() as conn:
        done = conn.execute(select(JobRun.period, func.count()).where(JobRun.job_id == "probe", JobRun.status == "done")
                            .group_by(JobRun.period)).all()
        lease = conn.execute(select(JobLease).where(JobLease.name == LEASE_NAME)).one()
    assert sorted(p for p, _ in done) == sorted(set(periods)) and all(n == 1 for _, n in done)
    assert lease.holder == ("B" if standby is second else "A")
    assert lease.expires_at < wall_now()  # a clean stop released the lease for the next scheduler
