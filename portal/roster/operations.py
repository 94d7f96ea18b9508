"""The only place the roster changes: A/B assignments, absences, handovers, and people leaving.

Every change of who answers for an order goes through ``orders.operations.reassign_handler`` and so is
an event on the order. Messages for users are in Chinese; each refusal changes nothing.
"""
from datetime import datetime

from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.operations import reassign_handler
from ..units.models import Unit
from .models import ABSENCE_KINDS, SLOTS, Absence, Handover, RosterAssignment, RosterEvent
from .queries import absences_overlapping, holders, open_orders_of


class RosterRefused(Exception):
    """A roster change that may not be made; the message says why."""


def can_manage(actor: User, unit_id: int) -> bool:
    """The admin, and the unit's own leader, keep a unit's roster."""
    return actor.role == Role.ADMIN or (actor.role == Role.UNIT_LEADER and actor.unit_id == unit_id)


def set_holder(unit: Unit, slot: str, user: User, actor: User, at: datetime | None = None) -> Handover | None:
    """Give ``slot`` (A/B) of ``unit`` to ``user``. The previous holder's open orders pass to ``user``
    when the previous holder no longer holds a role in the unit."""
    at = at or now()
    if not can_manage(actor, unit.id):
        raise RosterRefused("只有系统管理员和本单位负责人可以调整AB角。")
    if slot not in SLOTS:
        raise RosterRefused("请选择A角或B角。")
    if user is None or not user.active or user.unit_id != unit.id or user.role not in (Role.HANDLER, Role.UNIT_LEADER):
        raise RosterRefused("AB角须为本单位在岗的承办人或负责人。")
    current = holders(unit.id)
    other = current["B" if slot == "A" else "A"]
    if other is not None and other.id == user.id:
        raise RosterRefused("A角和B角须为两个不同的人。")
    previous = current[slot]
    if previous is not None and previous.id == user.id:
        return None
    _end_assignment(unit.id, slot, at)
    db.session.add(RosterAssignment(unit_id=unit.id, slot=slot, user_id=user.id, start_at=at, set_by_id=actor.id))
    _record(unit.id, "assign", user, actor, at, f"{SLOTS[slot]}：{user.name}" + (f"（原{previous.name}）" if previous else ""),
            {"slot": slot, "previous_id": previous.id if previous else None})
    handover = None
    if previous is not None and (other is None or other.id != previous.id):
        handover = _hand_over(previous, user, unit.id, actor, at, f"{SLOTS[slot]}由{previous.name}调整为{user.name}")
    db.session.commit()
    return handover


def record_absence(user: User, kind: str, start: datetime, end: datetime, actor: User,
                   stand_in: User | None = None, note: str | None = None) -> Absence:
    """Record that ``user`` is away from ``start`` to ``end``. While A is away new orders go to B and
    A's open orders show B as acting; A and B away at once needs a stand-in named by the leader."""
    if actor.id != user.id and not can_manage(actor, user.unit_id):
        raise RosterRefused("只能登记本人的外出，或由本单位负责人代为登记。")
    if kind not in ABSENCE_KINDS:
        raise RosterRefused("请选择外出类型。")
    if not start or not end or end <= start:
        raise RosterRefused("结束时间须晚于开始时间。")
    if absences_overlapping(user.id, start, end):
        raise RosterRefused("该时段已登记过外出。")
    roles = holders(user.unit_id) if user.unit_id else {"A": None, "B": None}
    partner = roles["B"] if roles["A"] and roles["A"].id == user.id else roles["A"] if roles["B"] and roles["B"].id == user.id else None
    if stand_in is not None:
        if not can_manage(actor, user.unit_id):
            raise RosterRefused("临时代办人须由单位负责人指定。")
        if stand_in.id == user.id or not stand_in.active or stand_in.unit_id != user.unit_id:
            raise RosterRefused("临时代办人须为本单位其他在岗人员。")
        if absences_overlapping(stand_in.id, start, end):
            raise RosterRefused(f"{stand_in.name}在该时段也不在岗，不能作为临时代办人。")
    elif partner is not None and absences_overlapping(partner.id, start, end):
        raise RosterRefused(f"A角和B角不能同时外出：{partner.name}在该时段也不在岗。请由单位负责人指定临时代办人。")
    absence = Absence(user_id=user.id, kind=kind, start_at=start, end_at=end, stand_in_id=stand_in.id if stand_in else None,
                      note=(note or "").strip() or None, recorded_by_id=actor.id, recorded_at=now())
    db.session.add(absence)
    if user.unit_id is not None:
        db.session.flush()
        _record(user.unit_id, "absence", user, actor, absence.recorded_at,
                f"{ABSENCE_KINDS[kind]} {start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}"
                + (f"，临时代办：{stand_in.name}" if stand_in else ""),
                {"absence_id": absence.id, "stand_in_id": stand_in.id if stand_in else None})
    db.session.commit()
    return absence


def cancel_absence(absence: Absence, actor: User) -> None:
    """End an absence now (back early) or drop one not yet begun."""
    user = db.session.get(User, absence.user_id)
    if actor.id != user.id and not can_manage(actor, user.unit_id):
        raise RosterRefused("只能取消本人的外出登记，或由本单位负责人操作。")
    at = now()
    if absence.start_at >= at:
        absence.cancelled_at = at
    else:
        absence.end_at = min(absence.end_at, at)
    if user.unit_id is not None:
        _record(user.unit_id, "absence_cancel", user, actor, at,
                "取消外出登记" if absence.cancelled_at else f"提前返岗（{at:%Y-%m-%d %H:%M}）", {"absence_id": absence.id})
    db.session.commit()


def deactivate_user(user: User, actor: User, successor: User | None = None) -> Handover | None:
    """Switch a user off. Their open orders pass to ``successor`` (or their roster partner) in one
    step; with open orders and no one to take them, refuse and list the orders."""
    at = now()
    handover = _leave_unit(user, actor, successor, at, "人员停用")
    user.active = False
    db.session.commit()
    return handover


def move_user(user: User, unit: Unit, actor: User, successor: User | None = None) -> Handover | None:
    """Move a user to another unit; their open orders in the old unit pass to the successor."""
    at = now()
    if unit.id == user.unit_id:
        return None
    handover = _leave_unit(user, actor, successor, at, f"调至{unit.name}")
    user.unit_id = unit.id
    db.session.commit()
    return handover


def _leave_unit(user: User, actor: User, successor: User | None, at: datetime, reason: str) -> Handover | None:
    orders = open_orders_of(user.id)
    if user.unit_id is None:
        return None
    roles = holders(user.unit_id)
    if successor is None:
        successor = next((u for slot, u in roles.items() if u is not None and u.id != user.id and u.active), None)
    if orders and (successor is None or not successor.active or successor.unit_id != user.unit_id
                   or successor.id == user.id):
        numbers = "、".join(o.number for o in orders)
        raise RosterRefused(f"{user.name}还有{len(orders)}件在办工单（{numbers}），请先指定本单位的接手人。")
    for slot, holder in roles.items():
        if holder is not None and holder.id == user.id:
            _end_assignment(user.unit_id, slot, at)
    _record(user.unit_id, "leave", user, actor, at, reason)
    if not orders:
        return None
    return _hand_over(user, successor, user.unit_id, actor, at, reason, orders)


def _hand_over(from_user: User, to_user: User, unit_id: int, actor: User, at: datetime, reason: str,
               orders=None) -> Handover | None:
    orders = open_orders_of(from_user.id) if orders is None else orders
    if not orders:
        return None
    for order in orders:
        reassign_handler(order, to_user, actor, "handover", f"{reason}：由{from_user.name}移交{to_user.name}", at)
    handover = Handover(unit_id=unit_id, from_user_id=from_user.id, to_user_id=to_user.id, reason=reason,
                        order_ids=[o.id for o in orders], at=at, by_id=actor.id if actor else None)
    db.session.add(handover)
    _record(unit_id, "handover", from_user, actor, at, f"{reason}：{len(orders)}件工单移交{to_user.name}",
            {"to_user_id": to_user.id, "order_ids": [o.id for o in orders]})
    notify(to_user.id, "handover", f"{from_user.name}移交给您{len(orders)}件工单（{reason}）", at=at)
    return handover


def _end_assignment(unit_id: int, slot: str, at: datetime) -> None:
    for row in db.session.scalars(db.select(RosterAssignment).where(
            RosterAssignment.unit_id == unit_id, RosterAssignment.slot == slot, RosterAssignment.end_at.is_(None))):
        row.end_at = at


def _record(unit_id: int, action: str, user: User, actor: User | None, at: datetime, note: str,
            data: dict | None = None) -> None:
    """The roster change in the unit's chain of the audit record (in the caller's transaction)."""
    db.session.add(RosterEvent(unit_id=unit_id, at=at, actor_id=actor.id if actor else None, action=action,
                               user_id=user.id, note=note, data=data))
