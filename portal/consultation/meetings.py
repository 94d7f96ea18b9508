"""The meeting's record and what follows from it: attendance, minutes and decisions; applying the
decisions to the orders; follow-up items (落实事项) done one by one; closing the case.

Every operation takes the actor explicitly (and ``at``, for back-dated demo data; default now), checks
who may act (``access.runs``) and the case's state machine (``states.check``), validates all of its input
before writing anything, writes the case's own event and commits. A refusal raises ``Refused`` (or
``InvalidInput``) with a Chinese message and changes nothing.

Applying the decisions is one transaction through ``orders.operations.apply_many``: every open order is
reassigned (``会商改派``, an event on each), the follow-up items are opened, a responsibility review's
rulings are written to the responsibility list, or, on the first refusal, nothing at all changes.
"""
from datetime import date, datetime

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..clock import now
from ..dispatching import operations as responsibility
from ..dispatching.models import ResponsibilityItem
from ..errors import InvalidInput as ListInvalid
from ..extensions import db
from ..notifications.operations import notify
from ..orders import operations as order_operations
from ..orders.effects import _unit as order_unit
from ..orders.errors import Conflict, InvalidInput as OrderInvalid, TransitionRefused
from ..orders.states import OPEN_STATES as ORDER_OPEN_STATES, Action as OrderAction
from ..units.models import Unit
from .access import UNIT_SIDE, runs
from .models import (Consultation, ConsultationDecision, ConsultationDocument, ConsultationMeeting,
                     ConsultationRuling, ConsultationTask)
from .operations import InvalidInput, _event, _load, _require_runner, _text, _touch, unit_recipients
from .states import Action, Refused, State, check

MINUTES_LIMIT = 8000
DUTY_LIMIT = 500
ATTENDEE_LIMIT = 120
NOTE_LIMIT = 2000


# --- recording the meeting ---------------------------------------------------------------------------

def record_meeting(actor: User, case: Consultation, attendance, minutes: str, decisions, rulings=(),
                   at: datetime | None = None) -> ConsultationMeeting:
    """Record the current round's meeting: ``attendance`` ``[{invitation_id, present, attendee}]`` (one
    per invitation), the minutes, ``decisions`` ``[{order_id | None, lead_unit_id, assist_unit_ids,
    duties: [{unit_id, duty, due}]}]`` and, for a responsibility review, ``rulings`` ``[{matter,
    keywords, category_id, lead_unit_id, assist_unit_ids}]``. The case becomes 已形成决定."""
    case = _load(case)
    _require_runner(actor, case, "记录会议纪要")
    target = check(case.state, Action.RECORD)
    at = at or now()
    meeting = case.meeting
    if meeting is None:
        raise Refused("本轮会商尚未安排会议。")
    present = _check_attendance(meeting, attendance)
    minutes = _text(minutes, "会议纪要", 10, MINUTES_LIMIT)
    checked = _check_decisions(case, decisions, at.date())
    ruled = _check_rulings(case, rulings)
    for invitation in meeting.invitations:
        invitation.present, invitation.attendee = present[invitation.id]
    meeting.minutes, meeting.recorded_at, meeting.recorded_by_id = minutes, at, actor.id
    for fields in checked:
        meeting.decisions.append(ConsultationDecision(**fields))
    for fields in ruled:
        meeting.rulings.append(ConsultationRuling(**fields))
    came = sum(1 for p, _ in present.values() if p)
    _move(case, actor, Action.RECORD, target, at,
          f"出席{came}/{len(present)}，形成决定{len(checked)}项" + (f"、主协办认定{len(ruled)}项" if ruled else ""))
    db.session.commit()
    return meeting


def _check_attendance(meeting: ConsultationMeeting, attendance) -> dict[int, tuple[bool, str | None]]:
    given = {}
    for row in attendance or []:
        try:
            given[int(row.get("invitation_id"))] = row
        except (TypeError, ValueError):
            raise InvalidInput("出席情况有误，请刷新页面后重新填写。")
    result = {}
    for invitation in meeting.invitations:
        row = given.pop(invitation.id, None)
        if row is None or row.get("present") is None:
            raise InvalidInput(f"请登记{invitation.name}是否出席。")
        present = bool(row["present"])
        attendee = (row.get("attendee") or "").strip() or None
        if present and not attendee:
            raise InvalidInput(f"请填写{invitation.name}出席人员的姓名和职务。")
        if attendee and len(attendee) > ATTENDEE_LIMIT:
            raise InvalidInput(f"{invitation.name}的出席人员过长（最多{ATTENDEE_LIMIT}字）。")
        result[invitation.id] = (present, attendee if present else None)
    if given:
        raise InvalidInput("出席情况中有不属于本次会议的邀请，请刷新页面后重新填写。")
    return result


def _handling_unit(unit_id, what: str) -> Unit:
    """An active unit that can take orders (the order operations' own check), or InvalidInput."""
    try:
        return order_unit(unit_id, what)
    except OrderInvalid as exc:
        raise InvalidInput(str(exc)) from None


def _check_decisions(case: Consultation, decisions, today: date) -> list[dict]:
    """Validated decision rows; every order of a joint or executive case gets exactly one decision."""
    orders = {o.id: o for o in case.orders}
    seen: set[int | None] = set()
    result = []
    for row in decisions or []:
        order_id = row.get("order_id")
        order_id = int(order_id) if order_id not in (None, "") else None
        if order_id is not None and order_id not in orders:
            raise InvalidInput("决定中的工单不属于本次会商。")
        what = f"工单 {orders[order_id].number}" if order_id else "整体事项"
        if order_id in seen:
            raise InvalidInput(f"{what}只能有一项决定。")
        seen.add(order_id)
        lead = _handling_unit(row.get("lead_unit_id"), f"{what}的主办单位")
        assists = []
        for raw in row.get("assist_unit_ids") or []:
            if str(raw).strip():
                unit = _handling_unit(raw, f"{what}的协办单位")
                if unit.id != lead.id and unit.id not in assists:
                    assists.append(unit.id)
        duties = _check_duties(what, lead, assists, row.get("duties") or [], today)
        result.append({"order_id": order_id, "lead_unit_id": lead.id, "assist_unit_ids": assists,
                       "duties": duties})
    if case.kind != "responsibility":
        missing = [o.number for o in case.orders if o.id not in seen]
        if missing:
            raise InvalidInput(f"请为工单 {'、'.join(missing)} 确定主办单位和落实事项。")
    return result


def _check_duties(what: str, lead: Unit, assists: list[int], rows, today: date) -> list[dict]:
    named = [lead.id] + assists
    duties = []
    for row in rows:
        duty = (row.get("duty") or "").strip()
        if not duty and not row.get("due"):
            continue  # an empty row of the form
        try:
            unit_id = int(row.get("unit_id"))
        except (TypeError, ValueError):
            unit_id = None
        if unit_id not in named:
            raise InvalidInput(f"{what}的落实事项须由主办或协办单位承担。")
        if len(duty) < 4:
            raise InvalidInput(f"请写明{what}中各单位的具体职责（至少4个字）。")
        if len(duty) > DUTY_LIMIT:
            raise InvalidInput(f"{what}的职责过长（最多{DUTY_LIMIT}字）。")
        due = _date(row.get("due"))
        if due is None:
            raise InvalidInput(f"请填写{what}各项职责的完成期限。")
        if due < today:
            raise InvalidInput(f"{what}的完成期限不能早于今天。")
        duties.append({"unit_id": unit_id, "part": "lead" if unit_id == lead.id else "assist", "duty": duty,
                       "due": due.isoformat()})
    without = [i for i in named if i not in {d["unit_id"] for d in duties}]
    if without:
        names = "、".join(db.session.get(Unit, i).name for i in without)
        raise InvalidInput(f"{what}：请为{names}写明职责和完成期限。")
    return duties


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def _check_rulings(case: Consultation, rulings) -> list[dict]:
    """A responsibility review's rulings, checked like an entry of the responsibility list."""
    rows = [r for r in rulings or [] if any(str(r.get(k) or "").strip() for k in ("matter", "keywords"))]
    if case.kind != "responsibility":
        if rows:
            raise InvalidInput("只有联席研判才能认定一类事项的主协办单位。")
        return []
    if not rows:
        raise InvalidInput("联席研判须至少认定一类事项的主协办单位。")
    result, matters = [], set()
    for n, row in enumerate(rows, 1):
        try:
            fields = responsibility.check_form({**row, "note": None})
        except ListInvalid as exc:
            raise InvalidInput(f"第{n}项主协办认定：" + "；".join(m.rstrip("。") for m in exc.messages) + "。")
        if fields.matter in matters:
            raise InvalidInput(f"事项“{fields.matter}”认定了两次。")
        matters.add(fields.matter)
        result.append({"matter": fields.matter, "keywords": fields.keywords, "category_id": fields.category_id,
                       "lead_unit_id": fields.lead_unit_id, "assist_unit_ids": fields.assist_unit_ids})
    return result


# --- applying the decisions --------------------------------------------------------------------------

def apply_decisions(actor: User, case: Consultation, at: datetime | None = None) -> list[ConsultationTask]:
    """Reassign every open order as decided, open one follow-up item per duty, write the rulings to the
    responsibility list; all in one transaction. The case becomes 跟踪落实."""
    case = _load(case)
    _require_runner(actor, case, "落实会商决定")
    target = check(case.state, Action.APPLY)
    at = at or now()
    meeting = case.meeting
    basis = decision_basis(case, meeting)
    steps = [(d.order_id, OrderAction.REASSIGN,
              {"lead_unit_id": d.lead_unit_id, "assist_unit_ids": list(d.assist_unit_ids or []), "basis": basis,
               "consultation_id": case.id})
             for d in meeting.decisions if d.order_id and d.order.state in ORDER_OPEN_STATES]
    tasks: list[ConsultationTask] = []

    def record(orders) -> None:
        for decision in meeting.decisions:
            decision.applied_at = at
            for duty in decision.duties:
                task = ConsultationTask(consultation=case, decision_id=decision.id, order_id=decision.order_id,
                                        unit_id=duty["unit_id"], part=duty["part"], duty=duty["duty"],
                                        due=date.fromisoformat(duty["due"]), created_at=at)
                db.session.add(task)
                tasks.append(task)
        items = [_apply_ruling(case, ruling, at) for ruling in meeting.rulings]
        db.session.flush()
        for ruling, item in zip(meeting.rulings, items):
            ruling.item_id, ruling.applied_at = item.id, at
        _move(case, actor, Action.APPLY, target, at,
              f"改派工单{len(orders)}件，落实事项{len(tasks)}项" + (f"，更新首接负责清单{len(items)}条" if items else ""))
        for unit_id in dict.fromkeys(t.unit_id for t in tasks):
            mine = [t for t in tasks if t.unit_id == unit_id]
            first = min(t.due for t in mine)
            for user in unit_recipients(unit_id):
                notify(user.id, "consultation", f"会商“{case.title}”已形成决定，您单位有{len(mine)}项落实事项，"
                                                f"最早须于{first:%Y年%-m月%-d日}前完成。",
                       order_id=mine[0].order_id, at=at)

    try:
        order_operations.apply_many(steps, actor, at=at, before_commit=record)
    except (TransitionRefused, OrderInvalid, Conflict) as exc:
        db.session.rollback()
        raise Refused(f"会商决定未能落实，所有工单均未改动：{exc}")
    return tasks


def decision_basis(case: Consultation, meeting: ConsultationMeeting) -> str:
    """What the orders' reassignment cites: the minutes' number once issued, else the case."""
    minutes = minutes_of(meeting)
    if minutes is not None:
        return f"依{minutes.number}会议纪要（会商 #{case.id}）"
    return f"依会商 #{case.id}“{case.title}”会议决定（{meeting.recorded_at:%Y-%m-%d}）"


def minutes_of(meeting: ConsultationMeeting) -> ConsultationDocument | None:
    return db.session.scalar(select(ConsultationDocument).where(
        ConsultationDocument.meeting_id == meeting.id, ConsultationDocument.kind == "minutes"))


def _apply_ruling(case: Consultation, ruling: ConsultationRuling, at: datetime) -> ResponsibilityItem:
    """Create or update the list entry for the ruling's matter; it cites the joint review."""
    item = db.session.scalar(select(ResponsibilityItem).where(ResponsibilityItem.matter == ruling.matter))
    if item is None:
        item = ResponsibilityItem(matter=ruling.matter)
        db.session.add(item)
    item.keywords, item.category_id = ruling.keywords, ruling.category_id
    item.lead_unit_id, item.assist_unit_ids = ruling.lead_unit_id, list(ruling.assist_unit_ids or [])
    item.note = f"依联席研判 #{case.id}（{at:%Y-%m-%d}）认定：{case.title}"[:1000]
    item.active, item.consultation_id, item.updated_at = True, case.id, at
    return item


# --- follow-up items and closing ---------------------------------------------------------------------

def may_complete(user: User, task: ConsultationTask) -> bool:
    """A handler or leader of the task's unit, or whoever runs the case, marks the item done."""
    if Role(user.role) in UNIT_SIDE and user.unit_id == task.unit_id:
        return True
    return runs(user, task.consultation)


def complete_task(actor: User, task: ConsultationTask, note: str, at: datetime | None = None) -> ConsultationTask:
    """Mark a follow-up item done with what was done (落实情况)."""
    case = _load(task.consultation)
    if not may_complete(actor, task):
        raise Refused("只有承担该事项的单位或热线办可以办结落实事项。")
    check(case.state, Action.TASK_DONE)
    if task.done_at is not None:
        raise Refused("该落实事项已办结。")
    note = _text(note, "落实情况", 4, NOTE_LIMIT)
    at = at or now()
    task.done_at, task.done_by_id, task.done_note = at, actor.id, note
    _move(case, actor, Action.TASK_DONE, None, at, f"{task.unit.name}：{_short(task.duty)}——{note}")
    left = sum(1 for t in case.tasks if t.done_at is None)
    if actor.id != case.owner_id:
        notify(case.owner_id, "consultation",
               f"会商“{case.title}”：{task.unit.name}已办结一项落实事项" + (f"，还有{left}项未办结。" if left
                                                                     else "，全部事项已办结，可以办结会商。"),
               order_id=task.order_id, at=at)
    db.session.commit()
    return task


def close_case(actor: User, case: Consultation, at: datetime | None = None) -> Consultation:
    """Close the case once every follow-up item is done (the office or the case's owner)."""
    case = _load(case)
    _require_runner(actor, case, "办结会商")
    target = check(case.state, Action.CLOSE)
    left = [t for t in case.tasks if t.done_at is None]
    if left:
        raise Refused(f"还有{len(left)}项落实事项未办结，不能办结会商。")
    at = at or now()
    case.closed_at = at
    _move(case, actor, Action.CLOSE, target, at, f"落实事项{len(case.tasks)}项全部办结")
    db.session.commit()
    return case


# --- overdue follow-up items -------------------------------------------------------------------------

def overdue_tasks(as_of: date, unit_id: int | None = None) -> list[ConsultationTask]:
    """Follow-up items not done whose due date is before ``as_of``, the longest overdue first."""
    query = (select(ConsultationTask).join(Consultation)
             .where(ConsultationTask.done_at.is_(None), ConsultationTask.due < as_of,
                    Consultation.state == State.FOLLOWING.value)
             .order_by(ConsultationTask.due, ConsultationTask.id))
    if unit_id is not None:
        query = query.where(ConsultationTask.unit_id == unit_id)
    return list(db.session.scalars(query))


def _open_tasks_of(unit_id: int, *columns):
    return (select(*columns).select_from(ConsultationTask).join(Consultation)
            .where(ConsultationTask.unit_id == unit_id, ConsultationTask.done_at.is_(None),
                   Consultation.state == State.FOLLOWING.value))


def open_tasks(unit_id: int) -> list[ConsultationTask]:
    """A unit's follow-up items not done yet, the earliest due first."""
    return list(db.session.scalars(_open_tasks_of(unit_id, ConsultationTask)
                                   .order_by(ConsultationTask.due, ConsultationTask.id)))


def open_tasks_count(unit_id: int):
    """A scalar subquery: how many follow-up items of the unit are not done yet."""
    return _open_tasks_of(unit_id, func.count()).scalar_subquery()


def notify_overdue(at: datetime) -> int:
    """Tell the unit and the case's owner, once per item, that a follow-up item went overdue; returns how
    many items were new to tell about. Safe to run any number of times."""
    told = 0
    for task in overdue_tasks(at.date()):
        case = task.consultation
        text = (f"会商“{case.title}”的落实事项已超期：{task.unit.name}应于{task.due:%Y年%-m月%-d日}前"
                f"完成“{_short(task.duty)}”。")
        users = [u.id for u in unit_recipients(task.unit_id)] + [case.owner_id]
        sent = [notify(user_id, "overdue", text, order_id=task.order_id, at=at,
                       dedupe_key=f"consult_task_overdue:{task.id}:{user_id}") for user_id in dict.fromkeys(users)]
        told += any(sent)
    db.session.commit()
    return told


# --- helpers -----------------------------------------------------------------------------------------

def _move(case: Consultation, actor: User, action: Action, target: State | None, at: datetime,
          note: str | None = None) -> None:
    before = case.state
    if target is not None:
        case.state = target.value
    _touch(case, at)
    _event(case, actor, action.value, before, case.state, at, note)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "……"


__all__ = ["InvalidInput", "Refused", "apply_decisions", "close_case", "complete_task", "notify_overdue",
           "open_tasks", "open_tasks_count", "overdue_tasks", "record_meeting"]
