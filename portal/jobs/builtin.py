"""The portal's own scheduled jobs. Each is safe to run twice for one period: notifications carry a
dedupe key, system supervision skips orders already supervised for their current deadline, the takeover
check moves only orders still due to move, and retraining just replaces the model file.

- ``deadline_watch`` (every 5 minutes): handlers told once when an order is due soon, handlers and the
  unit's leaders told once when it is overdue, and orders overdue by more than
  ``SYSTEM_SUPERVISION_OVERDUE_WORKDAYS`` working days put under system supervision (系统督办).
- ``takeover_check`` (every 5 minutes): ``roster.takeover.check_takeovers``.
- ``calendar_coverage`` (daily): admins told once per year when this year, or from December 1 next year,
  has no holiday data.
- ``dispatch_retrain`` (weekly): the dispatch suggestion model trained again on the latest orders.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..auth.models import Role, User
from ..extensions import db
from ..notifications.models import Notification
from ..notifications.operations import notify
from ..orders.models import Order
from ..orders.states import State
from .registry import Cron, Every, Job, register

WATCHED = [State.DISPATCHED, State.ACCEPTED, State.RETURN_REQUESTED]  # the states with a running deadline


def deadline_watch(at: datetime) -> str:
    soon, overdue = _deadline_notices(at)
    supervised = system_supervision(at)
    return f"即将到期提醒 {soon} 条，超期提醒 {overdue} 条；{supervised}"


def _deadline_notices(at: datetime) -> tuple[int, int]:
    """Every notice the open orders call for, with the notices sent already (their dedupe keys) looked up
    in a few statements: the watch runs every five minutes over every open order near or past its
    deadline, and nearly all of those were told before."""
    orders = db.session.scalars(select(Order).where(
        Order.state.in_(WATCHED), Order.next_due_at.is_not(None), Order.warn_at <= at)).all()
    leaders = _unit_people(Role.UNIT_LEADER, {o.lead_unit_id for o in orders if o.next_due_at < at})
    handlers = _unit_people(Role.HANDLER, {o.lead_unit_id for o in orders if not o.handler_id})
    notices = []  # (kind, user, text, order, dedupe key)
    for order in orders:
        what = "签收" if order.state == State.DISPATCHED else ("首次反馈" if not order.first_feedback_at else "答复")
        stamp = f"{order.next_due_at:%Y%m%d%H%M}"
        due = f"{order.next_due_at:%-m月%-d日 %H:%M}"
        told = {order.handler_id} if order.handler_id else handlers.get(order.lead_unit_id, set())
        if order.next_due_at >= at:
            notices += [("due_soon", user_id, f"工单{order.number}即将到期，请于{due}前{what}", order.id,
                         f"due_soon:{order.id}:{user_id}:{stamp}") for user_id in told]
        else:
            told = told | leaders.get(order.lead_unit_id, set())
            notices += [("overdue", user_id, f"工单{order.number}已超期（应于{due}前{what}），请尽快办理", order.id,
                         f"overdue:{order.id}:{user_id}:{stamp}") for user_id in told]
    sent = _sent_keys([key for *_, key in notices])
    counts = {"due_soon": 0, "overdue": 0}
    for kind, user_id, text, order_id, key in notices:
        if key not in sent and notify(user_id, kind, text, order_id=order_id, at=at, dedupe_key=key,
                                      key_checked=True):
            counts[kind] += 1
    db.session.commit()
    return counts["due_soon"], counts["overdue"]


def _sent_keys(keys: list[str], chunk: int = 500) -> set[str]:
    """Those of ``keys`` some notification carries already."""
    sent: set[str] = set()
    for start in range(0, len(keys), chunk):
        sent.update(db.session.scalars(select(Notification.dedupe_key).where(
            Notification.dedupe_key.in_(keys[start:start + chunk]))))
    return sent


def _unit_people(role: Role, unit_ids: set[int]) -> dict[int, set[int]]:
    """{unit id: ids of its active users with ``role``}."""
    found: dict[int, set[int]] = {}
    unit_ids = unit_ids - {None}
    if unit_ids:
        for user_id, unit_id in db.session.execute(select(User.id, User.unit_id).where(
                User.unit_id.in_(unit_ids), User.role == role, User.active.is_(True))):
            found.setdefault(unit_id, set()).add(user_id)
    return found


def system_supervisor() -> User | None:
    """Who system supervisions are opened in the name of (and who follows them up): the active
    supervisor named by ``SYSTEM_SUPERVISOR_USERNAME``, else the longest-serving active supervisor."""
    username = current_app.config.get("SYSTEM_SUPERVISOR_USERNAME")
    query = select(User).where(User.role == Role.SUPERVISOR, User.active.is_(True))
    if username:
        return db.session.scalar(query.where(User.username == username))
    return db.session.scalar(query.order_by(User.id).limit(1))


def system_supervision(at: datetime) -> str:
    """Open a system reminder (系统督办, level "system") on each order overdue by more than the configured
    working days that is not under supervision already and was not system-supervised since its current
    deadline passed."""
    from ..deadlines.queries import work_calendar
    from ..supervision import operations as supervision
    from ..supervision.models import Supervision, SupervisionOrder
    from ..supervision.states import ACTIVE_STATES, Refused

    days = current_app.config.get("SYSTEM_SUPERVISION_OVERDUE_WORKDAYS")
    if not days:
        return "系统督办未启用"
    cal = work_calendar()
    orders = [o for o in db.session.scalars(select(Order).where(
        Order.state.in_(WATCHED), Order.lead_unit_id.is_not(None), Order.next_due_at < at).order_by(Order.id))
        if cal.add_workdays(o.next_due_at, int(days)) <= at]
    if not orders:
        return "系统督办 0 件"
    rows = db.session.execute(
        select(SupervisionOrder.order_id, Supervision.state, Supervision.level, Supervision.created_at)
        .join(Supervision, Supervision.id == SupervisionOrder.supervision_id)
        .where(SupervisionOrder.order_id.in_([o.id for o in orders]))).all()
    active = {s.value for s in ACTIVE_STATES}
    due_at = {o.id: o.next_due_at for o in orders}
    skip = {r.order_id for r in rows if r.state in active
            or (r.level == "system" and r.created_at >= due_at[r.order_id])}
    ids = [o.id for o in orders if o.id not in skip]
    if not ids:
        return "系统督办 0 件"
    actor = system_supervisor()
    if actor is None:
        return f"有 {len(ids)} 件工单应系统督办，但没有可用的督查人员账号（SYSTEM_SUPERVISOR_USERNAME）"
    opened = 0
    answer_due = cal.add_workdays(at, int(current_app.config.get("SYSTEM_SUPERVISION_ANSWER_WORKDAYS", 2))).date()
    for start in range(0, len(ids), supervision.MAX_ORDERS):
        batch = ids[start:start + supervision.MAX_ORDERS]
        try:
            supervision.open_supervisions(
                actor, batch, step=current_app.config.get("SYSTEM_SUPERVISION_STEP", "reminder"), level="system",
                reason="overdue", answer_due=answer_due, at=at,
                requirements=f"该工单已超过办理时限{days}个工作日以上仍未办结，请立即办理并按期反馈办理情况。")
        except Refused as exc:
            db.session.rollback()
            return f"系统督办未能发起：{exc}"
        opened += len(batch)  # every order of the batch is linked once (or nothing is opened)
    return f"系统督办 {opened} 件"


def takeover_check(at: datetime) -> str:
    from ..roster.takeover import check_takeovers

    result = check_takeovers(at)
    return f"B角接办 {len(result.taken_over)} 件，到期提醒B角 {len(result.alerted)} 条"


def calendar_coverage(at: datetime) -> str:
    from ..deadlines.queries import work_calendar

    cal = work_calendar()
    years = [at.year] + ([at.year + 1] if at.month == 12 else [])
    missing = [year for year in years if not cal.has_data(year)]
    if not missing:
        return "、".join(f"{y}年" for y in years) + "节假日数据已齐备"
    admins = db.session.scalars(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))).all()
    sent = 0
    for year in missing:
        for admin_id in admins:
            if notify(admin_id, "calendar", f"{year}年的节假日安排尚未导入，工作日时限将按普通周末计算。"
                                            "请在“节假日日历”中导入国务院办公厅公布的安排。",
                      at=at, dedupe_key=f"calendar:{year}:{admin_id}"):
                sent += 1
    db.session.commit()
    return f"缺少{'、'.join(f'{y}年' for y in missing)}节假日数据，提醒管理员 {sent} 条"


def dispatch_retrain(at: datetime) -> str:
    from ..dispatching.classifier import TrainingError, train

    try:
        info = train()
    except TrainingError as exc:
        return f"未训练：{exc}"
    return f"用 {info['n_orders']} 件工单训练，{len(info['classes'])} 个承办单位，耗时 {info['seconds']} 秒"


register(Job("deadline_watch", "时限监控与系统督办", Every(minutes=5), deadline_watch, cumulative=True,
             description="即将到期、已超期工单提醒承办人和单位负责人（各一次）；超期超过规定工作日的工单自动发起系统督办"))
register(Job("takeover_check", "A/B角接办检查", Every(minutes=5), takeover_check, cumulative=True,
             description="A角超过签收时限一定比例仍未签收的工单转B角接办；即将到期提醒B角"))
register(Job("calendar_coverage", "节假日日历检查", Cron(hour=9), calendar_coverage, cumulative=True,
             description="本年（12月1日起含下一年）没有节假日数据时提醒系统管理员"))
register(Job("dispatch_retrain", "派单模型重新训练", Cron(day_of_week="sun", hour=3), dispatch_retrain,
             cumulative=True, description="用最新的已办结工单重新训练智能派单建议模型"))
