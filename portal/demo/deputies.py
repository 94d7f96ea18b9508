"""The demo's deputies' lists: last month's list published (version 1, then a corrected version 2), this
month's list as a draft, a remark and an on-site meeting request from the deputy, and a few orders
received by deputies (代表转办), all through the real operations, back-dated."""
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import select

from ..assessment.periods import containing, parse
from ..deputies import operations
from ..deputies.candidates import propose
from ..extensions import db
from ..orders.models import Order

NOTES = ["该处问题已多次反映，承办单位已会同街道制定整治方案，请代表关注整改进度。",
         "涉及多个部门职责，热线办已提请会商，拟于下旬召开现场会。",
         "承办单位已承诺本月底前完成维修，请代表监督。"]
REMARKS = [("remark", "请承办单位把整改时间表告知周边居民，并在完成后组织回访。"),
           ("meeting", "建议召开现场会商，有请诉求人到场，相关单位负责同志一同参加。")]
VIA_DEPUTY_SHARE = 0.03


def seed_deputies(staff, at: datetime, rng: Random, pushed: list[Order]) -> None:
    """``pushed``: the orders the demo planner meant for deputies; they go on last month's list after the
    portal's own candidates."""
    dispatcher = staff.dispatchers[0]
    _mark_via_deputy(rng)
    this_month = containing("month", at.date())
    month, published_at = last_month_list(this_month, at)
    chosen = [c.order.id for c in propose(month, published_at)][:6]
    chosen += [o.id for o in pushed if o.id not in chosen and o.received_at < published_at][: max(0, 8 - len(chosen))]
    if not chosen:  # a young demo district: nothing was received before last month's list went out
        month, published_at = this_month, at - timedelta(hours=3)
        chosen = [o.id for o in pushed if o.received_at < published_at][:8]
    found = operations.open_list(dispatcher, month.key, at=published_at - timedelta(hours=3))
    for order_id in chosen:
        operations.add_item(dispatcher, found.id, order_id, at=published_at - timedelta(hours=2))
    for item, note in zip(found.items, NOTES):
        operations.edit_item(dispatcher, item.id, "note", note, at=published_at - timedelta(hours=1))
    if not found.items:
        return
    operations.publish(dispatcher, found.id, at=published_at)
    revised_at = published_at + min(timedelta(days=3), (at - published_at) / 3)
    v2 = operations.new_version(dispatcher, found.id, at=revised_at)
    operations.edit_item(dispatcher, v2.items[-1].id, "note", "第2版补充：承办单位已报送整改计划，请代表跟踪落实情况。", at=revised_at)
    operations.publish(dispatcher, v2.id, at=revised_at)
    for (kind, text), item in zip(REMARKS, v2.items):
        operations.add_remark(staff.deputy, v2.id, item.order_id, kind, text, at=revised_at + min(timedelta(hours=2), (at - revised_at) / 2))
    if month == this_month:
        return
    draft = operations.open_list(dispatcher, this_month.key, at=at - timedelta(hours=1))
    for candidate in propose(parse(this_month.key), at)[:3]:
        operations.add_item(dispatcher, draft.id, candidate.order.id, at=at - timedelta(minutes=30))


def last_month_list(this_month, at: datetime):
    """Last month's list, published on the third day of this month (or earlier today)."""
    return this_month.previous(), min(this_month.start + timedelta(days=2, hours=9), at - timedelta(hours=2))


def _mark_via_deputy(rng: Random) -> None:
    """A few orders were forwarded by deputies (the flag the take-in form and the city import set)."""
    ids = db.session.scalars(select(Order.id).order_by(Order.id)).all()
    for order_id in rng.sample(ids, max(1, round(len(ids) * VIA_DEPUTY_SHARE))) if ids else []:
        db.session.get(Order, order_id).via_deputy = True
    db.session.commit()
