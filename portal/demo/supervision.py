"""The demo's supervision: reminders, supervisions and a reprimand over the last two weeks, with numbered
notices (one corrected), the units' answers (one sent back, one accepted) and an attachment, all through
the real operations, back-dated."""
import struct
import zlib
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import exists, select

from ..extensions import db
from ..orders.models import Order, ReturnVisit
from ..supervision import operations
from ..supervision.models import SupervisionOrder


def seed_supervision(staff, units: dict, at: datetime, rng: Random) -> None:
    sup = staff.supervisor
    taken: set[int] = set()

    def day(ago: float, hour: int = 9) -> datetime:
        when = (at - timedelta(days=ago)).replace(hour=hour, minute=rng.randrange(0, 50), second=0, microsecond=0)
        return min(when, at - timedelta(minutes=30))  # never in the future

    def pick(code: str, kind: str, n: int = 1) -> list[Order]:
        query = select(Order).where(Order.lead_unit_id == units[code].id, Order.state != "received",
                                    Order.id.not_in(taken or {0}),
                                    ~exists().where(SupervisionOrder.order_id == Order.id))
        if kind == "overdue":
            query = query.where(Order.next_due_at.is_not(None), Order.next_due_at < at)
        elif kind == "unsatisfied":
            query = query.where(exists().where(ReturnVisit.order_id == Order.id,
                                               ReturnVisit.satisfaction == "unsatisfied"))
        elif kind == "repeated":
            query = query.where(Order.is_repeat.is_(True))
        orders = db.session.scalars(query.order_by(Order.received_at).limit(n)).all()
        if len(orders) < n:  # a small demo may lack the kind: any of the unit's dispatched orders then
            orders += db.session.scalars(select(Order).where(
                Order.lead_unit_id == units[code].id, Order.state != "received",
                Order.id.not_in(taken | {o.id for o in orders} or {0}))
                .order_by(Order.received_at.desc()).limit(n - len(orders))).all()
        taken.update(o.id for o in orders)
        return orders

    def open_(orders, ago, **fields):
        when = day(ago)
        fields.setdefault("answer_due", (when + timedelta(days=5)).date())
        return operations.open_supervisions(sup, [o.id for o in orders], at=when, **fields)

    people = staff.by_unit
    cgj, zjj = pick("cgj", "overdue", 2), pick("zjj", "unsatisfied")
    inspected = pick("scjg", "overdue") + pick("chengguan", "overdue")
    nanhu, fresh = pick("nanhu", "repeated"), pick("cgj", "overdue")
    # In the order things happened, so the notices' numbers rise with their dates.
    # 城管局: a reminder on two overdue orders (11 days ago) ...
    reminder = open_(cgj, 11, step="reminder", level="system", reason="overdue",
                     requirements="工单已超期未办结，请立即组织核查处置，并在平台上反馈办理情况。")[0] if cgj else None
    # 住建局: an OA supervision on an unsatisfied order ...
    oa = open_(zjj, 9, step="supervision", level="oa", reason="unsatisfied", issue_notice=True,
               requirements="群众对办理结果不满意。请分管负责人带队上门核实，逐项解决诉求，并反馈群众意见。")[0] if zjj else None
    # 南湖街道: a leader-led supervision on a repeated complaint ...
    led = open_(nanhu, 8, step="supervision", level="leader", lead_leader_id=staff.leader.id, reason="repeated",
                issue_notice=True,
                requirements="同一事项反复投诉。请主要负责人牵头研究，拿出根本解决方案。")[0] if nanhu else None
    # ... the reminder still unsolved: escalated to a supervision with a notice
    upper = operations.escalate(sup, reminder.id, at=day(7),
                                requirements="催办后仍未办结。请于3个工作日内现场处置到位，书面报送处置结果、"
                                             "责任人和长效管理措施。",
                                answer_due=day(7).date() + timedelta(days=5)) if reminder else None
    if oa:  # answered and accepted: closed
        operations.answer(people["zjj"]["a"], oa.id,
                          "分管副局长带队上门走访，督促物业公司更换故障水泵，已恢复正常供水；群众表示满意。",
                          at=day(6, 14))
        operations.decide(sup, oa.id, True, "处置到位，同意办结。", at=day(5, 11))
    if upper:  # a thin answer, sent back
        operations.answer(people["cgj"]["a"], upper.id, "已安排执法中队处理，近期将处理完毕。", at=day(5, 15))
        operations.decide(sup, upper.id, False, "反馈过于笼统，未写明处置时间、措施和结果，请补充现场照片。",
                          at=day(4, 10))
    if inspected:  # 作风监督员明察暗访 on two units at once: one record and one notice each
        created = open_(inspected, 3, step="supervision", level="inspector", unannounced=True, reason="thin_reply",
                        issue_notice=True,
                        requirements="作风监督员暗访发现答复内容空泛、与现场情况不符。请重新核查，如实答复，"
                                     "并说明原答复经办人及审核人。")
        # the first notice had the wrong deadline: a correcting notice cites it
        operations.issue_notice(sup, created[0].id, "原通知单反馈期限有误，更正为本通知单所载日期。", at=day(3, 11))
    if led:  # still unsolved: a public reprimand
        operations.escalate(sup, led.id, at=day(1, 10), level="leader", lead_leader_id=staff.leader.id,
                            requirements="督办期满仍未解决，予以通报。请于2个工作日内报送整改方案和责任追究情况。",
                            answer_due=day(1).date() + timedelta(days=3))
    if upper:  # answered again, in detail, with a photo: waiting for review
        operations.answer(people["cgj"]["lead"], upper.id,
                          "执法中队连续三晚在建设路开展夜间整治，清理露天烧烤摊点7处，暂扣烧烤炉具4套，"
                          "约谈经营户12户并签订承诺书；已安排专人每晚巡查，已电话回复市民。现场照片见附件。",
                          [("现场整治照片.png", _png())], at=day(1, 16))
    if fresh:  # a reminder today, no notice yet
        open_(fresh, 0, step="reminder", level="system", reason="overdue",
              requirements="工单即将超期，请抓紧办理并及时反馈。")
    db.session.commit()


def _png(width: int = 48, height: int = 32) -> bytes:
    """A small grey PNG, standing in for a photo."""
    raw = b"".join(b"\x00" + bytes([180, 190, 200]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


__all__ = ["seed_supervision"]
