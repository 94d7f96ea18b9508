"""Demo data for assessment and talks: the talk rules of the seeds, a few exclusion requests (approved,
refused, pending), and last month's confirmed talk list with its notices, one talk already held."""
from datetime import timedelta
from random import Random

from sqlalchemy import select

from ..assessment.operations import AssessmentRefused, decide_exclusion, request_exclusion
from ..auth.models import Role, User
from ..extensions import db
from ..orders.models import Order, ReturnVisit
from ..talks.operations import TalkRefused, confirm_run, record_talk, save_rule
from ..talks.rules import period_for

BASIS_000 = "《全区市民服务热线整改提升工作实施方案》：每月对综合满意率排名后3位的单位进行约谈；每季度对综合满意率低于95%的单位进行约谈"
BASIS_002 = "《关于进一步做好政务服务热线工作的通知》：每周排名后2位的单位约谈；月度低于90%由分管副区长约谈，低于全区平均由区长约谈"
HANDLING = ["department", "street", "soe", "committee"]

RULES = [
    dict(name="月度综合满意率后3位约谈", period_kind="month", selection="bottom_n", n=3, holder="区政府办公室主任",
         min_visits=3, basis=BASIS_000),
    dict(name="季度综合满意率低于95%约谈", period_kind="quarter", selection="below_threshold", threshold=95,
         holder="区政府办公室主任", min_visits=3, basis=BASIS_000),
    dict(name="每周排名后2位约谈", period_kind="week", selection="bottom_n", n=2, holder="热线办主任", min_visits=2,
         basis=BASIS_002),
    dict(name="月度低于90%由分管副区长约谈", period_kind="month", selection="below_threshold", threshold=90,
         holder="分管副区长", min_visits=3, basis=BASIS_002),
    dict(name="月度低于全区平均由区长约谈", period_kind="month", selection="below_average", holder="区长",
         min_visits=3, basis=BASIS_002),
]

REASONS = [
    ("law_policy", "诉求人要求为违章搭建的阳光房补办产权手续，违反《城乡规划法》，无法满足。"),
    ("abuse", "诉求人一周内以不同号码反映同一事项12次，经核实系借投诉施压索要不当补偿。"),
    ("not_jurisdiction", "反映的高速公路服务区收费问题属省交通运输部门管辖，已告知诉求人反映渠道。"),
    ("law_policy", "诉求人要求退还已依法收缴的罚款，处罚决定已经复议维持。"),
]


def seed_assessment(staff, at, rng: Random) -> None:
    for position, values in enumerate(RULES):
        rule = save_rule(staff.admin, {"measure": "composite", "unit_kinds": HANDLING, "active": True, **values})
        rule.sort = position
    db.session.commit()
    _exclusions(staff, rng)
    _last_months_talks(staff, at)


def _exclusions(staff, rng: Random) -> None:
    unsatisfied = db.session.scalars(
        select(Order).join(ReturnVisit, ReturnVisit.order_id == Order.id)
        .where(ReturnVisit.satisfaction == "unsatisfied", Order.lead_unit_id.is_not(None))
        .order_by(Order.id)).unique().all()
    rng.shuffle(unsatisfied)
    dispatcher = staff.dispatchers[0]
    made = 0
    for order in unsatisfied:
        if made == len(REASONS):
            break
        handler = db.session.scalar(select(User).where(User.unit_id == order.lead_unit_id, User.role == Role.HANDLER,
                                                       User.active.is_(True)).order_by(User.id).limit(1))
        if handler is None:
            continue
        kind, reason = REASONS[made]
        try:
            exclusion = request_exclusion(order, handler, kind, reason)
        except AssessmentRefused:
            continue
        if made in (0, 1):
            decide_exclusion(exclusion, dispatcher, True, "经核实情况属实，同意剔除。")
        elif made == 2:
            decide_exclusion(exclusion, dispatcher, False, "属本区职责范围，应协调办理，不予剔除。")
        made += 1


def _last_months_talks(staff, at) -> None:
    """Confirm last month's bottom-3 list (as the supervisor would have on the 1st) and record one talk."""
    from ..talks.models import TalkRule

    rule = db.session.scalar(select(TalkRule).where(TalkRule.name == RULES[0]["name"]))
    period = period_for(rule, None, at.date())
    confirmed = min(at, period.end + timedelta(hours=9))  # the first morning after the month
    try:
        run = confirm_run(rule, period, staff.supervisor, as_of=confirmed)
    except TalkRefused:
        return
    first = run.cases[0]
    held = min(at, confirmed + timedelta(days=2, hours=6))
    try:
        record_talk(first, staff.supervisor, held, f"{first.unit.name}主要负责人、分管负责人、热线A角",
                    "一周内逐件回访本月不满意工单并说明原因；月底前提交整改报告；热线工作人员保持稳定，不得随意更换。")
    except TalkRefused:
        pass
