"""The only code that changes a consultation case's life: request, approve or decline, open directly,
invite, written opinions, reminders, escalation to the executive meeting and a leader's take-over.

(The meeting's record, its decisions and follow-up items are changed in ``meetings.py``.)

Each operation takes the actor explicitly (and ``at``, for back-dated demo data; default now), checks the
rule (``states.check`` and the actor's role), writes the records, the case's own event, an event on each
order's timeline where the order's story changes, and the notifications, then commits. A refusal raises
``Refused`` (or ``InvalidInput``) with a Chinese message and changes nothing.
"""
from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Order, OrderEvent
from ..roster.queries import holders
from ..units.models import Unit
from .access import UNIT_SIDE, runs
from .models import Consultation, ConsultationEvent, ConsultationInvitation, ConsultationMeeting, ConsultationOrder
from .states import KINDS, OPEN_STATES, Action, Refused, State, check

MAX_ORDERS = 30
REQUEST_KINDS = ("joint", "responsibility")  # a unit asks about what to do or who must do it


class InvalidInput(Refused):
    """The input is missing or wrong; nothing was changed."""


# --- opening -----------------------------------------------------------------------------------------

def request_case(actor: User, order_ids, kind: str, title: str, summary: str,
                 at: datetime | None = None) -> Consultation:
    """A lead unit asks the hotline office for a consultation on orders it leads (state requested)."""
    if Role(actor.role) not in UNIT_SIDE or not actor.unit_id:
        raise Refused("只有承办单位的承办人或负责人可以申请会商。")
    if kind not in REQUEST_KINDS:
        raise InvalidInput("请选择会商类型（联合会商或联席研判）。")
    title, summary = _title_summary(title, summary)
    orders = _orders(order_ids)
    for order in orders:
        if order.lead_unit_id != actor.unit_id:
            raise Refused(f"工单 {order.number} 不是本单位主办，只有主办单位可以申请会商。")
    at = at or now()
    case = _new_case(actor, orders, kind, title, summary, State.REQUESTED, at)
    case.requested_by_unit_id = actor.unit_id
    _event(case, actor, Action.REQUEST, None, State.REQUESTED, at, f"{actor.unit.name}申请{KINDS[kind]}")
    db.session.flush()
    for dispatcher in _people_with_role(Role.DISPATCHER):
        notify(dispatcher.id, "consultation", f"{actor.unit.name}申请会商：{title}，请审批。",
               order_id=orders[0].id, at=at)
    db.session.commit()
    return case


def open_case(actor: User, order_ids, kind: str, title: str, summary: str,
              at: datetime | None = None) -> Consultation:
    """The office (a dispatcher) or a district leader opens a case directly; it is being prepared."""
    if Role(actor.role) not in (Role.DISPATCHER, Role.LEADER):
        raise Refused("只有区热线办或区领导可以直接发起会商。")
    if kind not in KINDS:
        raise InvalidInput("请选择会商类型。")
    title, summary = _title_summary(title, summary)
    orders = _orders(order_ids)
    at = at or now()
    case = _new_case(actor, orders, kind, title, summary, State.PREPARING, at)
    _first_meeting(case, at)
    _event(case, actor, Action.OPEN, None, State.PREPARING, at, f"发起{KINDS[kind]}")
    db.session.flush()
    _order_events(case, actor, "consult_open", at, f"纳入{KINDS[kind]}：{title}")
    db.session.commit()
    return case


def approve(actor: User, case: Consultation, at: datetime | None = None) -> Consultation:
    """The office agrees to convene the requested consultation and becomes its owner."""
    case = _load(case)
    _require_office(actor, "审批会商申请")
    target = check(case.state, Action.APPROVE)
    at = at or now()
    before = case.state
    case.state, case.owner_id = target, actor.id
    _touch(case, at)
    _first_meeting(case, at)
    _event(case, actor, Action.APPROVE, before, target, at)
    _order_events(case, actor, "consult_open", at, f"纳入{case.kind_label}：{case.title}")
    _notify_units([case.requested_by_unit_id], f"会商申请“{case.title}”已同意，热线办将组织会商。", case, at)
    db.session.commit()
    return case


def decline(actor: User, case: Consultation, reason: str, at: datetime | None = None) -> Consultation:
    """The office declines the request with a reason, which the requesting unit is told."""
    case = _load(case)
    _require_office(actor, "审批会商申请")
    target = check(case.state, Action.DECLINE)
    reason = _text(reason, "不予会商的理由", 4, 1000)
    at = at or now()
    before = case.state
    case.state, case.decline_reason, case.closed_at = target, reason, at
    _touch(case, at)
    _event(case, actor, Action.DECLINE, before, target, at, reason)
    _notify_units([case.requested_by_unit_id], f"会商申请“{case.title}”不予会商：{reason}", case, at)
    db.session.commit()
    return case


def _new_case(actor, orders, kind, title, summary, state, at) -> Consultation:
    _refuse_open_cases(orders)
    case = Consultation(kind=kind, title=title, summary=summary, state=state, round=1, created_by_id=actor.id,
                        owner_id=actor.id, created_at=at, updated_at=at)
    case.links = [ConsultationOrder(order=o) for o in orders]
    db.session.add(case)
    return case


def _first_meeting(case: Consultation, at: datetime) -> None:
    case.meetings.append(ConsultationMeeting(round=1, kind=case.kind, created_at=at))


def _title_summary(title, summary) -> tuple[str, str]:
    return _text(title, "会商事项名称", 4, 120), _text(summary, "事项概要（问题及为何需要会商）", 10, 4000)


def _orders(order_ids) -> list[Order]:
    try:
        ids = sorted({int(i) for i in order_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput("所选工单编号有误。") from None
    if not ids:
        raise InvalidInput("请至少选择一件工单。")
    if len(ids) > MAX_ORDERS:
        raise InvalidInput(f"一次会商最多{MAX_ORDERS}件工单。")
    orders = db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)).all()
    if len(orders) != len(ids):
        raise InvalidInput("所选工单不存在。")
    for order in orders:
        if order.lead_unit_id is None:
            raise Refused(f"工单 {order.number} 尚未派发，没有承办单位，不能会商。")
    return orders


def _refuse_open_cases(orders: list[Order]) -> None:
    """An order is in at most one open case: a further round is an escalation of that case."""
    row = db.session.execute(
        select(ConsultationOrder.order_id, Consultation.id).join(Consultation)
        .where(ConsultationOrder.order_id.in_([o.id for o in orders]),
               Consultation.state.in_([s.value for s in OPEN_STATES])).limit(1)).first()
    if row:
        number = next(o.number for o in orders if o.id == row[0])
        raise Refused(f"工单 {number} 已在会商 #{row[1]} 中，请在原会商上继续，不要重复发起。")


# --- convening ---------------------------------------------------------------------------------------

def invite(actor: User, case: Consultation, unit_ids, leader_ids, scheduled_at: datetime | None,
           place: str, opinions_due: datetime | None = None, at: datetime | None = None) -> ConsultationMeeting:
    """Set the current meeting's time and place and invite units and leaders. Inviting again adds only
    the new invitees (and may move the meeting; those already invited are told)."""
    case = _load(case)
    _require_runner(actor, case, "发出会商邀请")
    check(case.state, Action.INVITE)
    at = at or now()
    meeting = case.meeting
    place = _text(place, "会议地点", 2, 120)
    if scheduled_at is None:
        raise InvalidInput("请填写会议时间。")
    if scheduled_at <= at:
        raise InvalidInput("会议时间须晚于现在。")
    opinions_due = opinions_due or scheduled_at
    if opinions_due > scheduled_at:
        raise InvalidInput("书面意见截止时间不能晚于会议时间。")
    if opinions_due <= at:
        raise InvalidInput("书面意见截止时间须晚于现在。")
    units, leaders = _units(unit_ids), _leaders(leader_ids)
    invited_units = {i.unit_id for i in meeting.invitations if i.unit_id}
    invited_users = {i.user_id for i in meeting.invitations if i.user_id}
    new_units = [u for u in units if u.id not in invited_units]
    new_leaders = [u for u in leaders if u.id not in invited_users]
    if not new_units and not new_leaders and not meeting.invitations:
        raise InvalidInput("请至少邀请一个单位或一位区领导。")
    moved = bool(meeting.invitations) and (meeting.scheduled_at, meeting.place) != (scheduled_at, place)
    if not new_units and not new_leaders and not moved and meeting.opinions_due == opinions_due:
        raise InvalidInput("没有新的邀请，会议时间和地点也未改变。")
    earlier = list(meeting.invitations)
    meeting.scheduled_at, meeting.place, meeting.opinions_due = scheduled_at, place, opinions_due
    for unit in new_units:
        meeting.invitations.append(ConsultationInvitation(unit_id=unit.id, invited_at=at))
    for leader in new_leaders:
        meeting.invitations.append(ConsultationInvitation(user_id=leader.id, invited_at=at))
    _touch(case, at)
    when = f"{scheduled_at:%Y年%-m月%-d日 %H:%M}，{place}"
    names = "、".join([u.name for u in new_units] + [u.name for u in new_leaders])
    note = f"邀请{names}；{when}" if names else f"会议改为{when}"
    _event(case, actor, Action.INVITE, case.state, case.state, at, note)
    due = f"请于{opinions_due:%-m月%-d日 %H:%M}前提交书面意见。"
    text = f"请参加{meeting.kind_label}“{case.title}”：{when}。{due}"
    _notify_units([u.id for u in new_units], text, case, at, a_role_only=True)
    for leader in new_leaders:
        notify(leader.id, "consultation", text, order_id=_first_order_id(case), at=at)
    if moved:
        _notify_invitations(earlier, f"{meeting.kind_label}“{case.title}”的时间地点已调整为：{when}。", case, at)
    db.session.commit()
    return meeting


def submit_opinion(actor: User, case: Consultation, text: str, files=(), at: datetime | None = None) -> ConsultationInvitation:
    """An invited unit's (or leader's) written opinion (书面意见); it may be revised until the meeting is
    recorded. ``files`` ((name, bytes) pairs) are added to the opinion's attachments (portal/attachments,
    counted against the case's first order)."""
    from ..attachments import operations as attachments
    from ..attachments.errors import Refused as AttachmentRefused

    case = _load(case)
    check(case.state, Action.OPINION)
    invitation = own_invitation(actor, case)
    if invitation is None:
        raise Refused("您（或您单位）未受邀参加本次会商，不能提交书面意见。")
    text = _text(text, "书面意见", 4, 4000)
    order_id = _first_order_id(case)
    try:
        checked = attachments.check_files(files, order_id) if files else []
    except AttachmentRefused as exc:
        raise InvalidInput(str(exc)) from None
    at = at or now()
    revised = invitation.opinion is not None
    with attachments.storing() as created:
        invitation.opinion, invitation.opinion_by_id, invitation.opinion_at = text, actor.id, at
        attachments.store(actor, order_id, "consultation_opinion", invitation.id, checked, at, created)
        _touch(case, at)
        what = "修改书面意见" if revised else "提交书面意见"
        _event(case, actor, Action.OPINION, case.state, case.state, at,
               f"{invitation.name}{what}" + (f"（附件{len(checked)}个）" if checked else ""))
        notify(case.owner_id, "consultation", f"{invitation.name}已{what}（会商“{case.title}”）。",
               order_id=order_id, at=at)
        db.session.commit()
    return invitation


def own_invitation(user, case: Consultation) -> ConsultationInvitation | None:
    """``user``'s invitation to the current meeting: their unit's, or (a leader) their own."""
    meeting = case.meeting
    if meeting is None:
        return None
    if Role(user.role) in UNIT_SIDE and user.unit_id:
        return next((i for i in meeting.invitations if i.unit_id == user.unit_id), None)
    return next((i for i in meeting.invitations if i.user_id == user.id), None)


def remind(actor: User, case: Consultation, at: datetime | None = None) -> list[ConsultationInvitation]:
    """Remind every invitee of the current meeting who has not yet sent a written opinion."""
    case = _load(case)
    _require_runner(actor, case, "催交书面意见")
    check(case.state, Action.REMIND)
    waiting = [i for i in case.meeting.invitations if i.opinion is None]
    if not case.meeting.invitations:
        raise Refused("尚未邀请任何单位，无需催交。")
    if not waiting:
        raise Refused("受邀各方均已提交书面意见，无需催交。")
    at = at or now()
    for invitation in waiting:
        invitation.reminders += 1
        invitation.reminded_at = at
    _touch(case, at)
    _event(case, actor, Action.REMIND, case.state, case.state, at, "催交：" + "、".join(i.name for i in waiting))
    due = case.meeting.opinions_due
    _notify_invitations(waiting, f"请尽快提交会商“{case.title}”的书面意见"
                                 + (f"（截止{due:%-m月%-d日 %H:%M}）。" if due else "。"), case, at)
    db.session.commit()
    return waiting


# --- escalation and take-over ------------------------------------------------------------------------

def escalate(actor: User, case: Consultation, summary: str, positions: str, options: str,
             at: datetime | None = None) -> ConsultationMeeting:
    """Not settled by consultation: submit it to the district executive meeting with a brief. The case
    becomes an executive-meeting case in its next round; earlier rounds stay as they were."""
    case = _load(case)
    _require_runner(actor, case, "提交常务会")
    target = check(case.state, Action.ESCALATE)
    if case.kind == "executive":
        raise Refused("该会商已是提交常务会事项，不能再次提交。")
    summary = _text(summary, "提交常务会的事项概要", 10, 4000)
    positions = _text(positions, "各单位意见", 4, 4000)
    options = _text(options, "建议方案", 4, 4000)
    at = at or now()
    before = case.state
    case.kind, case.round, case.state = "executive", case.round + 1, target
    meeting = ConsultationMeeting(round=case.round, kind="executive", brief_summary=summary,
                                  brief_positions=positions, brief_options=options, created_at=at)
    case.meetings.append(meeting)
    _touch(case, at)
    _event(case, actor, Action.ESCALATE, before, target, at, summary)
    _order_events(case, actor, "consult_escalate", at, f"会商“{case.title}”提交区政府常务会研究")
    for leader in _people_with_role(Role.LEADER):
        notify(leader.id, "consultation", f"会商“{case.title}”已提交常务会，请审阅材料。",
               order_id=_first_order_id(case), at=at)
    db.session.commit()
    return meeting


def take_over(actor: User, case: Consultation, note: str | None = None, at: datetime | None = None) -> Consultation:
    """A district leader takes the case over (领办) and becomes its owner."""
    case = _load(case)
    if Role(actor.role) is not Role.LEADER:
        raise Refused("只有区领导可以领办会商事项。")
    check(case.state, Action.TAKE_OVER)
    if case.owner_id == actor.id and case.taken_over_at:
        raise Refused("您已领办该会商事项。")
    note = (note or "").strip() or None
    if note and len(note) > 1000:
        raise InvalidInput("领办说明过长（最多1000字）。")
    at = at or now()
    previous = case.owner_id
    case.owner_id, case.taken_over_at = actor.id, at
    _touch(case, at)
    _event(case, actor, Action.TAKE_OVER, case.state, case.state, at, note or f"{actor.name}领办")
    _order_events(case, actor, "consult_take_over", at, f"{actor.name}领办会商“{case.title}”" + (f"：{note}" if note else ""))
    if previous != actor.id:
        notify(previous, "consultation", f"{actor.name}已领办会商“{case.title}”。", order_id=_first_order_id(case), at=at)
    db.session.commit()
    return case


# --- helpers -----------------------------------------------------------------------------------------

def _load(case: Consultation) -> Consultation:
    """The case again, row-locked (PostgreSQL) and fresh, so two people acting at once both see the truth."""
    case_id = case.id if isinstance(case, Consultation) else int(case)
    found = db.session.get(Consultation, case_id, with_for_update={"of": Consultation}, populate_existing=True)
    if found is None:
        raise Refused("会商不存在。")
    return found


def _require_office(actor: User, what: str) -> None:
    if Role(actor.role) is not Role.DISPATCHER:
        raise Refused(f"只有区热线办可以{what}。")


def _require_runner(actor: User, case: Consultation, what: str) -> None:
    if not runs(actor, case):
        raise Refused(f"只有区热线办、区领导或会商负责人可以{what}。")


def _text(value, what: str, least: int, most: int) -> str:
    value = (value or "").strip()
    if len(value) < least:
        raise InvalidInput(f"请填写{what}（至少{least}个字）。")
    if len(value) > most:
        raise InvalidInput(f"{what}过长（最多{most}字）。")
    return value


def _units(unit_ids) -> list[Unit]:
    return _active_rows(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.id), Unit, unit_ids,
                        "所选单位")


def _leaders(leader_ids) -> list[User]:
    return _active_rows(select(User).where(User.role == Role.LEADER.value, User.active.is_(True)).order_by(User.id),
                        User, leader_ids, "所选区领导")


def _active_rows(query, model, ids, what: str) -> list:
    """The rows of ``query`` with these ids; every id must be there (else a Chinese refusal)."""
    try:
        ids = sorted({int(i) for i in ids or []})
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}有误。") from None
    rows = db.session.scalars(query.where(model.id.in_(ids))).all() if ids else []
    if len(rows) != len(ids):
        raise InvalidInput(f"{what}不存在或已停用。")
    return rows


def _touch(case: Consultation, at: datetime) -> None:
    case.updated_at = at
    case.version += 1


def _event(case, actor, action, from_state, to_state, at, note=None) -> None:
    case.events.append(ConsultationEvent(at=at, actor_id=actor.id if actor else None, action=action,
                                         from_state=from_state, to_state=to_state, note=note))


def _order_events(case: Consultation, actor: User, action: str, at: datetime, note: str | None) -> None:
    """An event on each order's timeline; the order's own state and version are left as they are."""
    for link in case.links:
        order = link.order or db.session.get(Order, link.order_id)
        db.session.add(OrderEvent(order_id=order.id, at=at, actor_id=actor.id, action=action,
                                  from_state=order.state, to_state=order.state, note=note,
                                  data={"consultation_id": case.id}))


def _first_order_id(case: Consultation) -> int | None:
    return case.links[0].order_id if case.links else None


def _people_with_role(role: Role) -> list[User]:
    return db.session.scalars(select(User).where(User.role == role.value, User.active.is_(True))
                              .order_by(User.id)).all()


def unit_recipients(unit_id: int, a_role_only: bool = False) -> list[User]:
    """Who in a unit hears of a case: its A handler (or, without one, its handlers) and its leaders;
    with ``a_role_only`` False, every handler and leader of the unit."""
    people = db.session.scalars(select(User).where(
        User.unit_id == unit_id, User.active.is_(True),
        User.role.in_([Role.HANDLER.value, Role.UNIT_LEADER.value])).order_by(User.id)).all()
    if not a_role_only:
        return people
    a_handler = holders(unit_id)["A"]
    if a_handler is None or not a_handler.active:
        return people
    return [u for u in people if u.role == Role.UNIT_LEADER or u.id == a_handler.id]


def _notify_units(unit_ids, text: str, case: Consultation, at: datetime, a_role_only: bool = False) -> None:
    for unit_id in unit_ids:
        if unit_id:
            for user in unit_recipients(unit_id, a_role_only):
                notify(user.id, "consultation", text, order_id=_first_order_id(case), at=at)


def _notify_invitations(invitations, text: str, case: Consultation, at: datetime) -> None:
    _notify_units([i.unit_id for i in invitations if i.unit_id], text, case, at, a_role_only=True)
    for invitation in invitations:
        if invitation.user_id:
            notify(invitation.user_id, "consultation", text, order_id=_first_order_id(case), at=at)


__all__ = ["InvalidInput", "Refused", "approve", "decline", "escalate", "invite", "open_case", "own_invitation",
           "remind", "request_case", "submit_opinion", "take_over"]
