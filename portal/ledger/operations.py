"""The only place the ledger changes: register (挂号), progress notes, cancel (销号) and reopen.

Each operation takes the actor, checks the rule, writes the entry and its event, and commits. A refusal
raises ``LedgerRefused`` with a message for the user and changes nothing.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Order
from ..units.models import Unit, UnitKind
from . import access
from .models import LedgerEntry, LedgerEvent, LedgerOrder

TITLE_MAX = 200
TEXT_MAX = 4000
NOTE_MAX = 2000
ORDERS_MAX = 50


class LedgerRefused(Exception):
    """A ledger change that may not be made; the message says why. Nothing was changed."""


@dataclass
class Registration:
    """What a new entry is registered with (the form's fields, already typed)."""

    title: str = ""
    description: str = ""
    owner_unit_id: int | None = None
    leader_id: int | None = None
    target_date: date | None = None
    order_numbers: list[str] = field(default_factory=list)


def split_numbers(text: str) -> list[str]:
    """Order numbers typed one per line or separated by spaces, commas or 、; duplicates dropped."""
    seen: list[str] = []
    for number in re.split(r"[\s,，、;；]+", text or ""):
        if number and number not in seen:
            seen.append(number)
    return seen


def register(actor: User, data: Registration, at: datetime | None = None, supervision=None,
             orders: list[Order] | None = None) -> LedgerEntry:
    """Register a key matter (挂号). ``orders`` (objects) or ``data.order_numbers`` name the linked orders."""
    at = at or now()
    if not access.keeps(actor):
        raise LedgerRefused("只有督查人员可以登记重点问题台帐。")
    problems: list[str] = []
    title = (data.title or "").strip()
    description = (data.description or "").strip()
    if not title:
        problems.append("请填写事项名称。")
    elif len(title) > TITLE_MAX:
        problems.append(f"事项名称不能超过{TITLE_MAX}字。")
    if len(description) > TEXT_MAX:
        problems.append(f"问题描述不能超过{TEXT_MAX}字。")
    unit = db.session.get(Unit, data.owner_unit_id or 0)
    if unit is None or not unit.active or unit.kind == UnitKind.OFFICE:
        problems.append("请选择责任单位（在用的承办单位）。")
        unit = None
    leader = db.session.get(User, data.leader_id or 0)
    if leader is None or not leader.active or leader.role not in (Role.LEADER, Role.UNIT_LEADER):
        problems.append("请选择责任领导（区领导或单位负责人）。")
    elif leader.role == Role.UNIT_LEADER and unit is not None and leader.unit_id != unit.id:
        problems.append(f"{leader.name}不是{unit.name}的负责人：单位负责人只能牵头本单位的事项。")
    if data.target_date is None:
        problems.append("请填写目标完成日期。")
    elif data.target_date < at.date():
        problems.append("目标完成日期不能早于登记当天。")
    if orders is None:
        orders, unknown = _orders_by_number(data.order_numbers)
        if unknown:
            problems.append("找不到工单：" + "、".join(unknown[:10]) + ("等" if len(unknown) > 10 else "") + "。")
    if len(orders) > ORDERS_MAX:
        problems.append(f"一个事项最多关联{ORDERS_MAX}件工单。")
    if problems:
        raise LedgerRefused("；".join(problems))
    for attempt in range(3):  # two supervisors registering at once: the unique (year, seq) sends one round again
        entry = LedgerEntry(year=at.year, seq=_next_seq(at.year), title=title, description=description,
                            owner_unit_id=unit.id, leader_id=leader.id, target_date=data.target_date,
                            state="open", registered_at=at, registered_by_id=actor.id, updated_at=at)
        entry.supervision_id = supervision.id if supervision is not None else None
        entry.links = [LedgerOrder(order_id=o.id) for o in _unique(orders)]
        entry.events = [LedgerEvent(kind="register", at=at, actor_id=actor.id, note=_register_note(entry, supervision))]
        db.session.add(entry)
        for user_id in _told_of(entry):
            notify(user_id, "ledger", f"{unit.name}的“{title}”已列入重点问题工作台帐（{entry.number}），"
                                      f"目标完成日期{entry.target_date:%Y-%m-%d}，请按期填报进展。", at=at)
        try:
            db.session.commit()
            return entry
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise LedgerRefused("登记编号冲突，请重试。")
    raise AssertionError("unreachable")


def register_from_supervision(actor: User, supervision, data: Registration | None = None,
                              at: datetime | None = None) -> LedgerEntry:
    """Register the matter a supervision presses on: its unit owns it, its orders are linked, and the
    title, description, leader (the supervision's lead leader, else the unit's leader) and target date
    (the answer deadline, if still ahead) are pre-filled; ``data`` may override those four."""
    at = at or now()
    existing = db.session.scalar(select(LedgerEntry).where(LedgerEntry.supervision_id == supervision.id))
    if existing is not None:
        raise LedgerRefused(f"该督办已登记台帐（{existing.number}），不能重复挂号。")
    prefill = supervision_prefill(supervision, at)
    data = data or Registration()
    filled = Registration(
        title=data.title.strip() or prefill.title,
        description=data.description.strip() or prefill.description,
        owner_unit_id=supervision.unit_id,
        leader_id=data.leader_id or prefill.leader_id,
        target_date=data.target_date or prefill.target_date,
    )
    return register(actor, filled, at=at, supervision=supervision, orders=supervision.orders)


def supervision_prefill(supervision, at: datetime | None = None) -> Registration:
    """The registration a supervision suggests (what the form shows before the supervisor edits it)."""
    at = at or now()
    orders = supervision.orders
    first = orders[0].content.strip().replace("\n", " ") if orders else ""
    topic = first[:30] + ("…" if len(first) > 30 else "")
    title = f"{supervision.unit.name}：{topic or supervision.reason_label}"
    numbers = "、".join(o.number for o in orders)
    description = "\n".join(part for part in (
        f"督办原因：{supervision.reason_label}。",
        f"督办要求：{supervision.requirements.strip()}" if supervision.requirements else "",
        f"涉及工单{len(orders)}件：{numbers}。" if orders else "",
    ) if part)
    leader_id = supervision.lead_leader_id or db.session.scalar(
        select(User.id).where(User.unit_id == supervision.unit_id, User.role == Role.UNIT_LEADER,
                              User.active.is_(True)).order_by(User.id).limit(1))
    due = supervision.answer_due if supervision.answer_due and supervision.answer_due >= at.date() else None
    return Registration(title=title[:TITLE_MAX], description=description, owner_unit_id=supervision.unit_id,
                        leader_id=leader_id, target_date=due)


def add_note(actor: User, entry: LedgerEntry, text: str, at: datetime | None = None) -> LedgerEvent:
    """A progress note (进展) by a supervisor or by the owner unit's own people, on an open entry."""
    at = at or now()
    text = (text or "").strip()
    if not access.can_note(actor, entry):
        raise LedgerRefused("只有督查人员和责任单位可以填报进展。")
    if entry.state != "open":
        raise LedgerRefused("该事项已销号，不能再填报进展；如问题反复，请督查人员先恢复在办。")
    if len(text) < 4:
        raise LedgerRefused("请填写进展情况（至少4个字）。")
    if len(text) > NOTE_MAX:
        raise LedgerRefused(f"进展情况不能超过{NOTE_MAX}字。")
    event = LedgerEvent(entry_id=entry.id, kind="note", at=at, actor_id=actor.id, note=text)
    db.session.add(event)
    entry.updated_at = at
    db.session.commit()
    return event


def cancel(actor: User, entry: LedgerEntry, note: str, at: datetime | None = None) -> LedgerEntry:
    """Cancel (销号) a solved matter, with a closing note; records who and when."""
    at = at or now()
    note = (note or "").strip()
    if not access.keeps(actor):
        raise LedgerRefused("只有督查人员可以销号。")
    if len(note) < 4:
        raise LedgerRefused("请填写销号说明（问题如何解决，至少4个字）。")
    if len(note) > NOTE_MAX:
        raise LedgerRefused(f"销号说明不能超过{NOTE_MAX}字。")
    _move(entry, "open", "cancelled", "该事项已销号（可能刚被他人销号），请刷新页面。",
          cancelled_at=at, cancelled_by_id=actor.id, closing_note=note, updated_at=at)
    db.session.add(LedgerEvent(entry_id=entry.id, kind="cancel", at=at, actor_id=actor.id, note=note))
    db.session.commit()
    db.session.refresh(entry)
    return entry


def reopen(actor: User, entry: LedgerEntry, reason: str, at: datetime | None = None) -> LedgerEntry:
    """Put a cancelled matter back in hand (恢复在办), only with a reason; the cancellation stays in the history."""
    at = at or now()
    reason = (reason or "").strip()
    if not access.keeps(actor):
        raise LedgerRefused("只有督查人员可以恢复在办。")
    if len(reason) < 4:
        raise LedgerRefused("请填写恢复在办的原因（至少4个字）。")
    if len(reason) > NOTE_MAX:
        raise LedgerRefused(f"恢复原因不能超过{NOTE_MAX}字。")
    _move(entry, "cancelled", "open", "该事项不是已销号状态（可能刚被他人恢复），请刷新页面。",
          cancelled_at=None, cancelled_by_id=None, closing_note=None, updated_at=at)
    db.session.add(LedgerEvent(entry_id=entry.id, kind="reopen", at=at, actor_id=actor.id, note=reason))
    db.session.commit()
    db.session.refresh(entry)
    return entry


def _move(entry: LedgerEntry, from_state: str, to_state: str, refused: str, **values) -> None:
    """Change the state only if it still is ``from_state`` (one UPDATE; of two at once, one wins)."""
    result = db.session.execute(
        update(LedgerEntry).where(LedgerEntry.id == entry.id, LedgerEntry.state == from_state)
        .values(state=to_state, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise LedgerRefused(refused)


def _told_of(entry: LedgerEntry) -> list[int]:
    """Who hears of a new entry: the owner unit's leaders and the responsible leader."""
    ids = db.session.scalars(select(User.id).where(User.unit_id == entry.owner_unit_id, User.active.is_(True),
                                                   User.role == Role.UNIT_LEADER).order_by(User.id)).all()
    return list(dict.fromkeys([*ids, entry.leader_id]))


def _next_seq(year: int) -> int:
    return (db.session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.year == year)) or 0) + 1


def _orders_by_number(numbers: list[str]) -> tuple[list[Order], list[str]]:
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not numbers:
        return [], []
    found = {o.number: o for o in db.session.scalars(select(Order).where(Order.number.in_(numbers)))}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def _unique(orders):
    seen = {}
    for order in orders:
        seen.setdefault(order.id, order)
    return list(seen.values())


def _register_note(entry: LedgerEntry, supervision) -> str:
    parts = [f"目标完成日期 {entry.target_date:%Y-%m-%d}"]
    if entry.links:
        parts.append(f"关联工单{len(entry.links)}件")
    if supervision is not None:
        parts.append("由督办登记")
    return "，".join(parts) + "。"
