"""The demo's consultation meetings: a joint consultation decided and applied, with its follow-up items
(one done, one open, one overdue) and its notice and minutes; and a responsibility review (联席研判) whose
ruling is on the responsibility list, all items done and the case closed. Through the real operations,
back-dated; called after ``seed_consultation`` so its cases keep their orders."""
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import exists, select

from ..consultation import documents, meetings, operations
from ..consultation.models import ConsultationOrder
from ..extensions import db
from ..orders.models import Order
from .consultation import _day, _Picker

PLACE = "区政务服务中心三楼会议室"


def seed_consultation_meetings(staff, units: dict, at: datetime, rng: Random) -> None:
    _applied(staff, units, at)
    # orders received before the review was opened (the picker takes those 8 days older than its date)
    _ruled(staff, units, _Picker(units, at - timedelta(days=33)), at)


def _convene(office, case, unit_ids, meeting_at, invited_at):
    operations.invite(office, case, unit_ids, [], meeting_at, PLACE, at=invited_at)
    documents.issue_notice(office, case, at=invited_at + timedelta(minutes=20))


def _present(case, *absent_codes, units=None):
    absent = {units[c].id for c in absent_codes} if units else set()
    return [{"invitation_id": i.id, "present": i.unit_id not in absent,
             "attendee": None if i.unit_id in absent else f"{i.name}分管负责人"} for i in case.meeting.invitations]


def _open_orders(unit, received_before: datetime, untouched_after: datetime, n: int) -> list[Order]:
    """Orders the unit still holds, received and last changed in time for the case, in no case yet."""
    return db.session.scalars(select(Order).where(
        Order.lead_unit_id == unit.id, Order.state.in_(["dispatched", "accepted", "replied"]),
        Order.received_at < received_before, Order.updated_at < untouched_after,
        ~exists().where(ConsultationOrder.order_id == Order.id))
        .order_by(Order.received_at).limit(n)).all()


def _applied(staff, units: dict, at: datetime) -> None:
    """府前街's restaurant fumes, held by 区城管局: the meeting gives the lead to 区生态环境分局, with 区城管局
    and 城关街道 assisting; the orders are reassigned, one item is done, one overdue, the rest open."""
    opened, applied = _day(at, 1, 8, 30), _day(at, 1, 17, 30)
    orders = _open_orders(units["cgj"], opened, applied, 2) or _Picker(units, opened).pick("cgj", 2)
    if not orders:
        return
    office = staff.dispatchers[0]
    case = operations.open_case(office, [o.id for o in orders], "joint", "府前街餐饮油烟扰民综合整治",
                                "府前街沿街餐饮店油烟直排、夜间噪音，居民多次投诉。油烟净化归生态环境，占道外摆归城管，"
                                "商户登记和日常巡查在街道，单一部门处置后反复回潮，需联合会商。", at=opened)
    _convene(office, case, [units[c].id for c in ("sthj", "cgj", "chengguan", "scjg")], _day(at, 1, 14, 30),
             _day(at, 1, 8, 40))
    for code, text in (("cgj", "占道外摆由我局清理，但油烟净化设施的检测和处罚属生态环境部门职责，建议由其牵头。"),
                       ("chengguan", "街道可建立商户台账并组织签订承诺书，配合各部门联合检查。")):
        operations.submit_opinion(staff.by_unit[code]["a"], case, text, at=_day(at, 1, 11, 0))
    # the lead's first item was due the day of the meeting (overdue now); 区城管局's is done
    due = {"sthj": (at - timedelta(days=1)).date(), "cgj": (at + timedelta(days=2)).date(),
           "chengguan": (at + timedelta(days=5)).date()}
    duties = [{"unit_id": units["sthj"].id, "duty": "牵头对府前街餐饮店油烟净化设施逐户检测，未达标的限期整改", "due": due["sthj"]},
              {"unit_id": units["cgj"].id, "duty": "清理占道外摆，夜间22时后加强巡查", "due": due["cgj"]},
              {"unit_id": units["chengguan"].id, "duty": "建立商户台账，组织商户签订承诺书", "due": due["chengguan"]}]
    decisions = [{"order_id": orders[0].id, "lead_unit_id": units["sthj"].id,
                  "assist_unit_ids": [units["cgj"].id, units["chengguan"].id], "duties": duties}]
    decisions += [{"order_id": o.id, "lead_unit_id": units["sthj"].id, "assist_unit_ids": [],
                   "duties": [{"unit_id": units["sthj"].id, "duty": "对该店油烟净化设施复测并答复诉求人",
                               "due": (at + timedelta(days=3)).date()}]} for o in orders[1:]]
    meetings.record_meeting(office, case, _present(case, "scjg", units=units),
                            "会议由区热线办主持。各单位通报了府前街餐饮油烟问题的处置情况。会议议定：由区生态环境分局牵头，"
                            "对沿街餐饮店油烟净化设施开展专项检测；区城管局负责清理占道外摆；城关街道建立商户台账。"
                            "各单位按期限完成并在平台反馈，区热线办跟踪督办。", decisions, at=_day(at, 1, 16, 30))
    documents.issue_minutes(office, case, at=_day(at, 1, 17, 0))
    meetings.apply_decisions(office, case, at=applied)
    done = next(t for t in case.tasks if t.unit_id == units["cgj"].id)
    meetings.complete_task(staff.by_unit["cgj"]["a"], done, "已清理外摆摊点12处，夜间巡查纳入中队排班。",
                           at=at - timedelta(minutes=30))


RULING = {"matter": "电动自行车楼道违规充电", "keywords": "电动自行车、电动车、电瓶车、飞线充电、楼道充电"}


def _ruled(staff, units: dict, picker: _Picker, at: datetime) -> None:
    """A joint review settles who leads on e-bikes charged in stairwells: on the list, every item done, closed."""
    orders = picker.pick("xfdd") + picker.pick("fczx") or picker.pick("zjj", 2)
    if not orders:
        return
    office = staff.dispatchers[0]
    case = operations.open_case(office, [o.id for o in orders], "responsibility", "电动自行车楼道充电职责划分",
                                "居民楼道飞线充电投诉多，消防、房产、街道互相推诿，工单多次回退，需联席研判确定主协办。",
                                at=_day(at, 40, 9, 0))
    _convene(office, case, [units[c].id for c in ("xfdd", "fczx", "yjj")], _day(at, 36, 14, 30), _day(at, 40, 9, 30))
    due = (at - timedelta(days=30)).date()
    lead, assists = units["xfdd"].id, [units["fczx"].id, units["yjj"].id]
    decisions = [{"order_id": o.id, "lead_unit_id": lead, "assist_unit_ids": assists,
                  "duties": [{"unit_id": lead, "duty": "上门检查并督促清理楼道充电线路", "due": due},
                             {"unit_id": assists[0], "duty": "督促物业在小区增设集中充电桩", "due": due},
                             {"unit_id": assists[1], "duty": "将楼道充电纳入安全隐患排查", "due": due}]} for o in orders]
    rulings = [{**RULING, "category_id": None, "lead_unit_id": lead, "assist_unit_ids": assists}]
    meetings.record_meeting(office, case, _present(case),
                            "经联席研判，居民楼道电动自行车违规充电属消防安全隐患，由区消防救援大队主办，区房产服务中心"
                            "督促物业配合，区应急管理局纳入隐患排查。今后同类工单按此派发。", decisions, rulings,
                            at=_day(at, 36, 16, 30))
    documents.issue_minutes(office, case, at=_day(at, 35, 10, 0))
    meetings.apply_decisions(office, case, at=_day(at, 35, 10, 30))
    for task in list(case.tasks):
        code = next(c for c in ("xfdd", "fczx", "yjj") if units[c].id == task.unit_id)
        meetings.complete_task(staff.by_unit.get(code, {}).get("a") or office, task, "已按纪要完成，详见工单答复。",
                               at=_day(at, 31, 16, 0))
    meetings.close_case(office, case, at=_day(at, 29, 9, 0))
