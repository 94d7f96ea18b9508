"""The report jobs through the scheduler's own CLI: the report of the period just ended, snapshot at the
scheduled time; a second run (or a run of the same period from another scheduler) makes nothing new."""
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.jobs.operations import run_period
from portal.jobs.registry import jobs_for
from portal.reports.models import HotTopic, Report


def test_the_jobs_are_registered(app):
    jobs = jobs_for(app)
    for name in ("hot_topics", "report_weekly_summary", "report_weekly_ranking", "report_monthly_notice",
                 "report_monthly_unsolved", "report_quarterly_publication", "report_yearly_evaluation"):
        assert name in jobs, name


def test_a_report_job_makes_last_periods_report_once(app, rate_world):
    job = jobs_for(app)["report_weekly_ranking"]
    start = job.period_start(datetime(2026, 11, 30, 7, 15))
    run = run_period(job, start, trigger="cli", holder="test")
    assert run.status == "done", run.error
    report = db.session.scalar(select(Report))
    assert (report.kind, report.period_key, report.as_of) == ("weekly_ranking", "2026-W48",
                                                            datetime(2026, 11, 30, 7, 10))
    assert run_period(job, start, trigger="cli", holder="test") is None  # the period is done
    # the job's own write is idempotent too (a crash between its commit and the run record's)
    pdf = report.pdf
    job.run(start)
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1
    assert db.session.scalar(select(Report)).pdf == pdf


def test_the_hot_topic_job(app, district, received_orders, make_category):
    flood = make_category("防汛排涝")
    received_orders(9, datetime(2026, 11, 23, 8, 0), category=flood)
    job = jobs_for(app)["hot_topics"]
    run = run_period(job, job.period_start(datetime(2026, 11, 24, 9, 0)), holder="test")
    assert run.status == "done" and run.result == "新增热点预警 1 条", run.error
    assert job.run(datetime(2026, 11, 24, 9, 0)) == "无新增热点预警"
    assert db.session.scalar(select(HotTopic.name)) == "防汛排涝"
