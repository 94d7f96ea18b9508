"""The admins' jobs page: every job with its schedule, last run, result and error and next run, whether a
scheduler runs; "立即运行" records a request the scheduler process carries out (never the web process)."""
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import operations
from portal.jobs.lease import Lease
from portal.jobs.models import JobRun

HX = {"HX-Request": "true"}


def test_the_page_shows_each_job_its_last_run_and_whether_a_scheduler_runs(district, login):
    db.session.add(JobRun(job_id="deadline_watch", period="2026-11-24 09:55", scheduled_at=datetime(2026, 11, 24, 9, 55),
                          status="failed", trigger="schedule", holder="web1:42", started_at=datetime(2026, 11, 24, 9, 55),
                          finished_at=datetime(2026, 11, 24, 9, 55, 1), duration_ms=1300,
                          error="OperationalError: 数据库已锁定"))
    db.session.commit()
    client = login(district.admin)
    body = client.get("/jobs/").get_data(as_text=True)
    for text in ("时限监控与系统督办", "A/B角接办检查", "节假日日历检查", "派单模型重新训练", "每 5 分钟", "每周日 03:00",
                 "OperationalError: 数据库已锁定", "1.3 秒", "失败", "尚未运行", "调度进程未运行", "立即运行"):
        assert text in body, text
    Lease("vm:1234:abc", ttl=60).refresh()
    body = client.get("/jobs/", headers=HX).get_data(as_text=True)
    assert "调度进程运行中" in body and "vm:1234:abc" in body and "<html" not in body


def test_run_now_is_recorded_for_the_scheduler_and_carried_out_there(district, login):
    client = login(district.admin)
    body = client.post("/jobs/calendar_coverage/run", headers=HX).get_data(as_text=True)
    assert "已请求运行“节假日日历检查”" in body
    run = db.session.scalar(select(JobRun))
    assert (run.status, run.manual, run.requested_by_id) == ("requested", True, district.admin.id)
    again = client.post("/jobs/calendar_coverage/run", headers=HX).get_data(as_text=True)
    assert "已有一次手动运行在等待或进行中" in again
    # the scheduler process picks it up at its next heartbeat
    [pending] = operations.requested_runs()
    done = operations.run_requested(pending.id, holder="sched")
    assert done.status == "done" and "节假日数据" in done.result
    assert operations.run_requested(pending.id, holder="other") is None  # claimed once
    assert client.post("/jobs/nonesuch/run").status_code == 404


def test_only_admins_see_the_page_or_run_jobs(district, login, client):
    for role in ("dispatcher", "supervisor", "leader", "handler", "unit_leader", "deputy"):
        c = login(district.people[role])
        assert c.get("/jobs/").status_code == 403
        assert c.post("/jobs/deadline_watch/run").status_code == 403
    assert db.session.scalar(select(JobRun)) is None
    client.post("/logout")
    assert client.post("/jobs/deadline_watch/run").status_code == 302
