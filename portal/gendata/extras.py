"""A few supervisions (督办) and consultations (会商) on the generated orders, made through the real
operations (so their events are chained and the orders' timelines show them), back-dated before
``as_of``: reminders and supervisions on overdue orders, some answered and accepted, one sent back, a
few escalated (and, when few orders are overdue, some on unsatisfied ones); consultations on recent
unsatisfied orders, requested by units or opened by the office.
"""
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import exists, select

from ..auth.models import User
from ..consultation import operations as consultation
from ..consultation.models import ConsultationOrder
from ..extensions import db
from ..orders.models import Order, ReturnVisit
from ..orders.states import UNIT_STATES
from ..supervision import operations as supervision
from ..supervision.models import SupervisionOrder

REQUIREMENTS = {
    "overdue": "工单已超期未办结，请立即组织核查处置，并在平台上反馈办理情况。",
    "unsatisfied": "群众对办理结果不满意。请分管负责人带队上门核实，逐项解决诉求，并反馈群众意见。",
}
ANSWERS = ("已安排专人到现场核查处置，问题已整改到位，并已电话回复群众，群众表示认可。",
           "分管负责人带队上门走访，督促责任主体限期整改，目前已完成整改，后续将加强日常巡查。")
MEETING_PLACE = "区政务服务中心三楼会议室"


def seed_supervisions(people, code_of: dict, as_of: datetime, count: int, rng: Random) -> int:
    """Open ``count`` supervisions: on overdue orders (the oldest deadlines first), and when there are
    not enough of those, on recent orders whose citizens were unsatisfied; return how many."""
    issuer = db.session.get(User, people.supervisors[0])
    free = ~exists().where(SupervisionOrder.order_id == Order.id)
    overdue = db.session.scalars(
        select(Order).where(Order.state.in_([s.value for s in UNIT_STATES]), Order.next_due_at < as_of, free)
        .order_by(Order.next_due_at).limit(count)).all()
    unsatisfied = db.session.scalars(
        select(Order).where(exists().where(ReturnVisit.order_id == Order.id, ReturnVisit.satisfaction == "unsatisfied"),
                            Order.lead_unit_id.is_not(None), Order.received_at > as_of - timedelta(days=60), free)
        .order_by(Order.received_at.desc()).limit(count - len(overdue))).all() if len(overdue) < count else []
    made = 0
    for i, order in enumerate(overdue + unsatisfied):
        reason = "overdue" if order in overdue else "unsatisfied"
        at = _between(order.next_due_at if reason == "overdue" else order.updated_at, as_of, rng)
        step, level = ("reminder", "system") if i % 3 else ("supervision", "oa")
        created = supervision.open_supervisions(issuer, [order.id], step=step, level=level, reason=reason,
                                                requirements=REQUIREMENTS[reason],
                                                answer_due=(at + timedelta(days=5)).date(), at=at)
        made += len(created)
        record, code = created[0], code_of[order.lead_unit_id]
        answered = _between(at, as_of, rng)
        if i % 4 == 1 and answered < as_of:
            supervision.answer(db.session.get(User, people.by_unit[code]["a"]), record.id, rng.choice(ANSWERS),
                               at=answered)
            supervision.decide(issuer, record.id, i % 8 != 5, "处置到位，同意办结。" if i % 8 != 5 else
                               "反馈过于笼统，未写明处置时间、措施和结果，请补充。", at=_between(answered, as_of, rng))
        elif i % 4 == 2 and step == "reminder":
            supervision.escalate(issuer, record.id, requirements="催办后仍未办结。请于3个工作日内处置到位并书面报送结果。",
                                 answer_due=(as_of + timedelta(days=3)).date(), at=_between(at, as_of, rng))
    return made


def seed_consultations(people, code_of: dict, as_of: datetime, count: int, rng: Random) -> int:
    """Open ``count`` consultations on recent unsatisfied orders of one lead unit each; return how many."""
    unsatisfied = exists().where(ReturnVisit.order_id == Order.id, ReturnVisit.satisfaction == "unsatisfied")
    rows = db.session.scalars(
        select(Order).where(unsatisfied, Order.lead_unit_id.is_not(None),
                            Order.received_at > as_of - timedelta(days=90),
                            ~exists().where(ConsultationOrder.order_id == Order.id),
                            ~exists().where(SupervisionOrder.order_id == Order.id))
        .order_by(Order.received_at.desc()).limit(count * 4)).all()
    by_unit: dict[int, list[Order]] = {}
    for order in rows:
        by_unit.setdefault(order.lead_unit_id, []).append(order)
    office = db.session.get(User, people.dispatchers[0])
    made = 0
    for unit_id, orders in list(by_unit.items())[:count]:
        orders = orders[:2]
        code = code_of[unit_id]
        title = f"{orders[0].category.name if orders[0].category else ''}类诉求反复不满意问题会商"[:60]
        summary = (f"{orders[0].lead_unit.name}承办的{len(orders)}件工单回访不满意，问题涉及多个部门职责，"
                   "单独处置难以解决，需组织相关单位会商研判。")
        at = _between(max(o.updated_at for o in orders), as_of, rng)
        if made % 2:
            consultation.request_case(db.session.get(User, people.by_unit[code]["a"]), [o.id for o in orders],
                                      "joint", title, summary, at=at)
        else:
            case = consultation.open_case(office, [o.id for o in orders], "joint", title, summary, at=at)
            meeting_at = (as_of + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
            consultation.invite(office, case, [unit_id], [people.leaders[0]], meeting_at, MEETING_PLACE,
                                at=_between(at, as_of, rng))
        made += 1
    return made


def _between(start: datetime, end: datetime, rng: Random) -> datetime:
    start = max(start, end - timedelta(days=20))
    return (start + (end - start) * rng.uniform(0.1, 0.9)).replace(microsecond=0)

