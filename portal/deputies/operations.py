"""The only code that changes deputies' lists: open a month's list, pick, annotate and order its matters,
choose recipients, publish (frozen), start a new version, and deputies' remarks and meeting requests.

Each operation takes the actor explicitly (and ``at``, for back-dated demo data; default now), checks the
rule, writes, notifies and commits. A refusal raises ``Refused`` with a Chinese message and changes nothing.
"""
import re
from datetime import datetime

from sqlalchemy import func, select, update

from ..assessment.periods import parse
from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Order, OrderEvent
from .candidates import propose
from .models import DeputyList, DeputyListItem, DeputyListRecipient, DeputyRemark
from .states import REMARK_KINDS, Refused, State, check_editable

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_ITEMS = 60
NOTE_LIMIT = 500
REMARK_LIMIT = 1000
CHOSEN_REASON = "热线办选定"


def _require_dispatcher(actor: User) -> None:
    if actor.role != Role.DISPATCHER:
        raise Refused(f"您的角色（{actor.role_label}）不能编辑代表推送清单。")


def open_list(actor: User, month: str, at: datetime | None = None) -> DeputyList:
    """Start version 1 of ``month``'s list (``2026-11``) as a draft."""
    _require_dispatcher(actor)
    month = (month or "").strip()
    if not MONTH.match(month):
        raise Refused("月份格式不正确，应为 2026-11。")
    if db.session.scalar(select(DeputyList.id).where(DeputyList.month == month).limit(1)):
        raise Refused(f"{month} 的清单已存在，请在原清单上修改或生成新版本。")
    at = at or now()
    found = DeputyList(month=month, version=1, state=State.DRAFT, all_deputies=True, created_by_id=actor.id,
                       created_at=at, updated_at=at)
    db.session.add(found)
    db.session.commit()
    return found


def add_item(actor: User, list_id: int, order_id: int, at: datetime | None = None) -> DeputyListItem:
    """Put an order on a draft list, with the reasons the portal proposed it for (or “热线办选定”)."""
    _require_dispatcher(actor)
    found = _load(list_id)
    check_editable(found)
    order = db.session.get(Order, order_id)
    if order is None:
        raise Refused("工单不存在。")
    if any(item.order_id == order.id for item in found.items):
        raise Refused(f"工单 {order.number} 已在清单中。")
    if len(found.items) >= MAX_ITEMS:
        raise Refused(f"一份清单最多{MAX_ITEMS}件事项。")
    reasons = next((c.texts for c in propose(parse(found.month), at, only=order.id)), None)
    item = DeputyListItem(order_id=order.id, reasons=reasons or [CHOSEN_REASON],
                          position=max((i.position for i in found.items), default=0) + 1)
    found.items.append(item)
    found.updated_at = at or now()
    db.session.commit()
    return item


def edit_item(actor: User, item_id: int, op: str, note: str | None = None, at: datetime | None = None) -> DeputyList:
    """``op``: "note" (the office's note for deputies), "up" / "down" (its place), "remove"."""
    _require_dispatcher(actor)
    item = db.session.get(DeputyListItem, item_id)
    if item is None:
        raise Refused("清单事项不存在。")
    found = _load(item.list_id)
    check_editable(found)
    items = list(found.items)
    if op == "note":
        note = (note or "").strip()
        if len(note) > NOTE_LIMIT:
            raise Refused(f"说明过长（最多{NOTE_LIMIT}字）。")
        item.note = note or None
    elif op in ("up", "down"):
        i = items.index(item)
        j = i - 1 if op == "up" else i + 1
        if 0 <= j < len(items):
            items[i], items[j] = items[j], items[i]
    elif op == "remove":
        found.items.remove(item)
        items.remove(item)
    else:
        raise Refused("不支持的操作。")
    for position, row in enumerate(items, start=1):
        row.position = position
    found.updated_at = at or now()
    db.session.commit()
    return found


def set_recipients(actor: User, list_id: int, all_deputies: bool, deputy_ids=(), at: datetime | None = None) -> DeputyList:
    """Who receives the list: every deputy (filled in on publishing), or the deputies chosen."""
    _require_dispatcher(actor)
    found = _load(list_id)
    check_editable(found)
    chosen = []
    if not all_deputies:
        ids = sorted({int(i) for i in deputy_ids})
        chosen = db.session.scalars(select(User).where(User.id.in_(ids), User.role == Role.DEPUTY.value,
                                                       User.active.is_(True))).all() if ids else []
        if len(chosen) != len(ids):
            raise Refused("所选人员不是在册的人大代表。")
        if not chosen:
            raise Refused("请至少选择一位人大代表，或选择“全体代表”。")
    found.all_deputies = bool(all_deputies)
    found.recipients = [DeputyListRecipient(deputy_id=u.id) for u in chosen]
    found.updated_at = at or now()
    db.session.commit()
    return found


def publish(actor: User, list_id: int, at: datetime | None = None) -> DeputyList:
    """Freeze the draft and push it: its orders become visible to deputies (``Order.deputy_pushed``), the
    recipients (all active deputies, or those chosen) are recorded and notified."""
    _require_dispatcher(actor)
    found = _load(list_id)
    check_editable(found)
    if not found.items:
        raise Refused("清单中还没有事项，不能发布。")
    at = at or now()
    if found.all_deputies:
        deputies = db.session.scalars(select(User).where(User.role == Role.DEPUTY.value, User.active.is_(True))
                                      .order_by(User.id)).all()
        if not deputies:
            raise Refused("系统中没有在册的人大代表账号，无法推送。")
        found.recipients = [DeputyListRecipient(deputy_id=u.id) for u in deputies]
        db.session.flush()
    elif not found.recipients:
        raise Refused("请选择接收清单的人大代表。")
    found.state = State.PUBLISHED
    found.published_by_id, found.published_at, found.updated_at = actor.id, at, at
    order_ids = [item.order_id for item in found.items]
    db.session.execute(update(Order).where(Order.id.in_(order_ids)).values(deputy_pushed=True)
                       .execution_options(synchronize_session=False))
    what = f"{found.title}（第{found.version}版）"
    for item in found.items:
        db.session.add(OrderEvent(order_id=item.order_id, at=at, actor_id=actor.id, action="deputy_push",
                                  from_state=item.order.state, to_state=item.order.state,
                                  note=f"列入{what}", data={"deputy_list_id": found.id}))
    for recipient in found.recipients:
        notify(recipient.deputy_id, "deputy_list", f"{what}已推送给您，共{len(found.items)}件事项，请登录查看办理进展。",
               at=at)
    db.session.commit()
    return found


def new_version(actor: User, list_id: int, at: datetime | None = None) -> DeputyList:
    """A draft of the next version, copied from the month's latest published version (which stays as it is)."""
    _require_dispatcher(actor)
    source = _load(list_id)
    if source.state != State.PUBLISHED:
        raise Refused("只能从已发布的清单生成新版本。")
    latest = db.session.scalar(select(func.max(DeputyList.version)).where(DeputyList.month == source.month))
    if latest != source.version:
        raise Refused(f"{source.month} 已有第{latest}版，请在最新版本上修改。")
    at = at or now()
    draft = DeputyList(month=source.month, version=source.version + 1, state=State.DRAFT,
                       all_deputies=source.all_deputies, previous_id=source.id, created_by_id=actor.id,
                       created_at=at, updated_at=at)
    draft.items = [DeputyListItem(order_id=i.order_id, position=i.position, reasons=list(i.reasons or []),
                                  note=i.note) for i in source.items]
    if not source.all_deputies:
        draft.recipients = [DeputyListRecipient(deputy_id=r.deputy_id) for r in source.recipients]
    db.session.add(draft)
    db.session.commit()
    return draft


def add_remark(actor: User, list_id: int, order_id: int, kind: str, text: str,
               at: datetime | None = None) -> DeputyRemark:
    """A deputy's remark (代表意见) or on-site meeting request on a matter of a list pushed to them; the
    order's handler and the dispatchers are told."""
    from .queries import is_recipient

    found = db.session.get(DeputyList, list_id)
    if actor.role != Role.DEPUTY or found is None or not is_recipient(actor, found):
        raise Refused("只有接收该清单的人大代表才能提出意见。")
    item = next((i for i in found.items if i.order_id == order_id), None)
    if item is None:
        raise Refused("该事项不在这份清单中。")
    if kind not in REMARK_KINDS:
        raise Refused("请选择意见类型。")
    text = (text or "").strip()
    if len(text) < 4:
        raise Refused("请填写意见内容（至少4个字）。")
    if len(text) > REMARK_LIMIT:
        raise Refused(f"意见内容过长（最多{REMARK_LIMIT}字）。")
    at = at or now()
    order = item.order
    remark = DeputyRemark(order_id=order.id, list_id=found.id, deputy_id=actor.id, kind=kind, text=text, created_at=at)
    db.session.add(remark)
    db.session.add(OrderEvent(order_id=order.id, at=at, actor_id=actor.id, action=f"deputy_{kind}",
                              from_state=order.state, to_state=order.state, note=text))
    message = f"人大代表{actor.name}对工单 {order.number} {'提出意见' if kind == 'remark' else '申请现场会商'}：{text[:60]}"
    told = set()
    dispatchers = db.session.scalars(select(User.id).where(User.role == Role.DISPATCHER.value,
                                                           User.active.is_(True))).all()
    for user_id in [order.handler_id, *dispatchers]:
        if user_id and user_id not in told:
            told.add(user_id)
            notify(user_id, "deputy_remark", message, order_id=order.id, at=at)
    db.session.commit()
    return remark


def _load(list_id: int) -> DeputyList:
    found = db.session.get(DeputyList, list_id, with_for_update={"of": DeputyList}, populate_existing=True)
    if found is None:
        raise Refused("清单不存在。")
    return found
