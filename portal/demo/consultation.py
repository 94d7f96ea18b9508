"""The demo's joint consultation (会商): a unit's request awaiting the office, a responsibility review being
prepared with opinions partly in, and a case escalated to the executive meeting and taken over by the
district leader; all through the real operations, back-dated. Each stage is one small function."""
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import exists, select

from ..consultation import operations
from ..consultation.models import ConsultationOrder
from ..deadlines.queries import work_calendar
from ..extensions import db
from ..orders.models import Order, ReturnVisit

PLACE = "区政务服务中心三楼会议室"


def seed_consultation(staff, units: dict, at: datetime, rng: Random) -> None:
    picker = _Picker(units, at)
    _requested(staff, picker, at)
    _preparing(staff, units, picker, at)
    _escalated(staff, units, picker, at)


class _Picker:
    """Dispatched orders of a unit not yet in any case, unsatisfied or repeated ones first."""

    def __init__(self, units: dict, at: datetime):
        self.units, self.at, self.taken = units, at, set()

    def pick(self, code: str, n: int = 1) -> list[Order]:
        unsatisfied = exists().where(ReturnVisit.order_id == Order.id, ReturnVisit.satisfaction == "unsatisfied")
        query = (select(Order).where(Order.lead_unit_id == self.units[code].id, Order.state != "received",
                                     Order.received_at < self.at - timedelta(days=8),
                                     Order.id.not_in(self.taken or {0}),
                                     ~exists().where(ConsultationOrder.order_id == Order.id))
                 .order_by(Order.state == "closed", unsatisfied.desc(), Order.is_repeat.desc(), Order.received_at).limit(n))
        orders = db.session.scalars(query).all()
        self.taken.update(o.id for o in orders)
        return orders


def _day(at: datetime, ago: float, hour: int = 9, minute: int = 0) -> datetime:
    return (at - timedelta(days=ago)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _requested(staff, picker: _Picker, at: datetime) -> None:
    """区城管局 asks for a joint consultation on a night-market complaint that keeps coming back."""
    orders = picker.pick("cgj", 2)
    if orders:
        operations.request_case(staff.by_unit["cgj"]["a"], [o.id for o in orders], "joint",
                                "建设路夜市占道经营及噪音油烟反复投诉",
                                "夜市摊点占道经营、油烟噪音扰民，群众多次投诉且回访不满意。占道由城管执法，油烟噪音涉及"
                                "生态环境，摊位规划涉及商务和街道，本局单独处置后反复回潮，申请热线办组织联合会商。",
                                at=_day(at, 1, 16, 20))


def _preparing(staff, units: dict, picker: _Picker, at: datetime) -> None:
    """A responsibility review (联席研判) of prepaid-card refunds: invited, half the opinions in, reminded."""
    orders = picker.pick("scjg") + picker.pick("jyj")
    if len(orders) < 2:
        return
    office = staff.dispatchers[0]
    case = operations.open_case(office, [o.id for o in orders], "responsibility", "预付卡退费（教育培训机构）职责划分",
                                "教培机构停业后预付卡退费投诉增多，市场监管与教育部门对主管职责各执一词，"
                                "工单多次回退，需联席研判确定主协办。", at=_day(at, 3, 10, 5))
    meeting_at = work_calendar().add_workdays(at, 2).replace(hour=9, minute=30, second=0, microsecond=0)
    operations.invite(office, case, [units[c].id for c in ("scjg", "jyj", "swu", "sfj")], [staff.leader.id],
                      meeting_at, PLACE, opinions_due=meeting_at - timedelta(hours=18), at=_day(at, 3, 10, 30))
    operations.submit_opinion(staff.by_unit["scjg"]["a"], case,
                              "对未取得办学许可、以营利为目的的培训机构，预付卡纠纷属消费维权，由市场监管局主办；"
                              "持证机构的退费由教育局主办，市场监管局协助。", at=_day(at, 2, 15, 10))
    operations.remind(office, case, at=_day(at, 1, 9, 15))


def _escalated(staff, units: dict, picker: _Picker, at: datetime) -> None:
    """南湖街道's old-estate sewage: consulted, not settled, submitted to the executive meeting, taken over."""
    orders = picker.pick("nanhu", 2) + picker.pick("zjj")
    if len(orders) < 2:
        return
    office = staff.dispatchers[0]
    case = operations.open_case(office, [o.id for o in orders], "joint", "南湖片区老旧小区雨污管网改造",
                                "老旧小区雨污合流、化粪池外溢，居民反复投诉。管网产权不清，街道、住建、水务均称非本单位"
                                "职责，需联合会商。", at=_day(at, 12, 9, 40))
    invited = [units[c].id for c in ("nanhu", "zjj", "swj", "czj")]
    operations.invite(office, case, invited, [], _day(at, 9, 14, 30), "区政府第二会议室", at=_day(at, 12, 10, 0))
    for code, text in (("nanhu", "管网为原企业自建，街道无维修资金和专业力量，建议纳入区级老旧小区改造。"),
                       ("zjj", "可将该片区列入明年老旧小区改造计划，但今年资金已无结余。"),
                       ("swj", "小区内部管网不属市政管网，水务局可提供技术指导。")):
        operations.submit_opinion(staff.by_unit[code]["a"], case, text, at=_day(at, 10, 16, 0))
    operations.escalate(office, case,
                        "南湖片区老旧小区雨污管网改造涉及资金和产权，部门会商未能达成一致，提请区政府常务会研究。",
                        "南湖街道：无资金和专业力量；区住建局：可列入明年计划；区水务局：非市政管网，提供技术指导；"
                        "区财政局：未提交意见。",
                        "方案一：今年由区财政安排应急资金先行修复，明年纳入老旧小区改造；\n"
                        "方案二：明年纳入老旧小区改造，其间由街道组织临时清掏。", at=_day(at, 6, 11, 0))
    operations.take_over(staff.leader, case, "本人牵头协调，常务会前组织现场办公。", at=_day(at, 5, 9, 0))

