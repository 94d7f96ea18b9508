"""The portal's own jobs: the deadline watch (notices once, system supervision once), the calendar
coverage warning, the takeover check and retraining; and ``jobs run-once`` / ``jobs list``."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.deadlines.queries import work_calendar
from portal.extensions import db
from portal.jobs import builtin
from portal.jobs.models import JobRun
from portal.notifications.models import Notification
from portal.supervision.models import Supervision
from tests.fixtures.statements import recorded_statements


def notices(kind=None, user=None):
    query = select(Notification)
    if kind:
        query = query.where(Notification.kind == kind)
    if user:
        query = query.where(Notification.user_id == user.id)
    return db.session.scalars(query.order_by(Notification.id)).all()


def test_due_soon_and_overdue_are_told_once(roster, district, make_order):
    order = make_order("dispatched")
    assert order.handler_id == district.handler.id
    soon_at = order.warn_at + timedelta(minutes=1)
    assert builtin.deadline_watch(soon_at).startswith("即将到期提醒 1 条，超期提醒 0 条")
    assert builtin.deadline_watch(soon_at + timedelta(minutes=5)).startswith("即将到期提醒 0 条")
    [soon] = notices("due_soon")
    assert soon.user_id == order.handler_id and order.number in soon.text and "签收" in soon.text

    late_at = order.next_due_at + timedelta(minutes=1)
    assert builtin.deadline_watch(late_at).startswith("即将到期提醒 0 条，超期提醒 2 条")
    builtin.deadline_watch(late_at + timedelta(minutes=5))
    told = {n.user_id for n in notices("overdue")}
    assert told == {order.handler_id, district.unit_leader.id} and len(notices("overdue")) == 2


def test_orders_long_overdue_get_one_system_supervision(district, make_order, app):
    order = make_order("accepted")
    fresh = make_order("dispatched")
    at = work_calendar().add_workdays(order.next_due_at, 2) + timedelta(minutes=1)
    assert work_calendar().add_workdays(fresh.next_due_at, 2) < at  # both late enough
    app.config["SYSTEM_SUPERVISOR_USERNAME"] = district.supervisor.username
    assert builtin.deadline_watch(at).endswith("系统督办 2 件")
    supervision = db.session.scalar(select(Supervision))
    assert (supervision.level, supervision.step, supervision.reason) == ("system", "reminder", "overdue")
    assert supervision.created_by_id == district.supervisor.id and supervision.unit_id == district.chengguan.id
    assert {link.order_id for link in supervision.links} == {order.id, fresh.id}
    assert builtin.deadline_watch(at + timedelta(minutes=5)).endswith("系统督办 0 件")  # never twice
    assert db.session.scalar(select(func.count()).select_from(Supervision)) == 1


def test_system_supervision_waits_for_the_configured_working_days(district, make_order, app):
    order = make_order("accepted")
    app.config["SYSTEM_SUPERVISION_OVERDUE_WORKDAYS"] = 3
    at = work_calendar().add_workdays(order.next_due_at, 2) + timedelta(minutes=1)
    assert builtin.system_supervision(at) == "系统督办 0 件"
    app.config["SYSTEM_SUPERVISION_OVERDUE_WORKDAYS"] = 0
    assert builtin.system_supervision(at + timedelta(days=30)) == "系统督办未启用"
    assert db.session.scalar(select(func.count()).select_from(Supervision)) == 0


def test_without_a_supervisor_account_system_supervision_says_so(district, make_order, app):
    order = make_order("accepted")
    app.config["SYSTEM_SUPERVISOR_USERNAME"] = "nobody"
    at = work_calendar().add_workdays(order.next_due_at, 3)
    assert "没有可用的督查人员账号" in builtin.system_supervision(at)
    assert db.session.scalar(select(func.count()).select_from(Supervision)) == 0


def test_admins_are_warned_once_of_next_years_missing_calendar_from_december(district):
    assert builtin.calendar_coverage(datetime(2026, 11, 30, 9, 0)) == "2026年节假日数据已齐备"
    assert notices("calendar") == []
    assert builtin.calendar_coverage(datetime(2026, 12, 1, 9, 0)) == "缺少2027年节假日数据，提醒管理员 1 条"
    assert builtin.calendar_coverage(datetime(2026, 12, 2, 9, 0)) == "缺少2027年节假日数据，提醒管理员 0 条"
    [warning] = notices("calendar")
    assert warning.user_id == district.admin.id and "2027年" in warning.text


def test_the_takeover_check_passes_an_unsigned_order_to_b(roster, district, make_order):
    order = make_order("dispatched")
    assert order.handler_id == district.handler.id
    result = builtin.takeover_check(order.sign_due_at - timedelta(minutes=1))
    assert result.startswith("B角接办 1 件")
    db.session.refresh(order)
    assert order.handler_id == district.handler_b.id


def test_retraining_without_enough_history_reports_it(district):
    assert builtin.dispatch_retrain(datetime(2026, 11, 22, 3, 0)).startswith("未训练")


def test_run_once_runs_a_period_once(roster, district, make_order, runner):
    order = make_order("dispatched")
    at = f"{order.next_due_at + timedelta(minutes=6):%Y-%m-%d %H:%M}"
    first = runner.invoke(args=["jobs", "run-once", "deadline_watch", "--at", at])
    assert first.exit_code == 0 and "done" in first.output and "超期提醒 2 条" in first.output
    again = runner.invoke(args=["jobs", "run-once", "deadline_watch", "--at", at])
    assert again.exit_code == 0 and "already done" in again.output
    assert len(notices("overdue")) == 2
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "done")) == 1
    unknown = runner.invoke(args=["jobs", "run-once", "nonesuch"])
    assert unknown.exit_code != 0 and "no job 'nonesuch'" in unknown.output


def test_jobs_list_shows_every_job(runner, ctx):
    output = runner.invoke(args=["jobs", "list"]).output
    for job_id in ("deadline_watch", "takeover_check", "calendar_coverage", "dispatch_retrain"):
        assert job_id in output
    assert "每 5 分钟" in output and "never run" in output


def test_the_watch_looks_up_notices_sent_in_bulk_however_many_orders(roster, district, make_order, app):
    """Every five minutes the watch passes every open order near or past its deadline; the notices sent
    before are looked up together, so its statements do not grow with the orders watched."""
    def statements_of_a_second_watch(at):
        builtin.deadline_watch(at)
        with recorded_statements() as seen:
            builtin.deadline_watch(at + timedelta(minutes=5))
        return len(seen)

    app.config["SYSTEM_SUPERVISION_OVERDUE_WORKDAYS"] = 0
    first = make_order("dispatched")
    at = first.next_due_at + timedelta(minutes=1)
    one = statements_of_a_second_watch(at)
    for _ in range(4):
        make_order("dispatched")
    assert statements_of_a_second_watch(at + timedelta(minutes=10)) == one
    assert len(notices("overdue")) == 5 * 2


def test_a_first_watch_looks_nothing_up_per_notice(roster, district, make_order, app):
    """After a long stop the watch may owe a thousand notices at once: it looks the sent ones up together
    and does not ask the table again for each notice it adds (the SELECTs stay the same with 1 or 5
    overdue orders; only the inserts grow)."""
    def selects_of_a_first_watch(at):
        with recorded_statements() as seen:
            builtin.deadline_watch(at)
        return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT"))

    app.config["SYSTEM_SUPERVISION_OVERDUE_WORKDAYS"] = 0
    first = make_order("dispatched")
    at = first.next_due_at + timedelta(minutes=1)
    one = selects_of_a_first_watch(at)
    assert len(notices("overdue")) == 2
    later = [make_order("dispatched") for _ in range(5)]
    at = max(o.next_due_at for o in later) + timedelta(minutes=1)
    assert selects_of_a_first_watch(at) == one
    assert len(notices("overdue")) == 2 + 5 * 2
