"""The only code that changes supervisions: open, issue a notice, answer, accept or send back, escalate.

Each operation takes the actor explicitly (and ``at``, for back-dated demo data; default now), checks the rule (``states.check``), writes the records, the
supervision's own event, an event on each of its orders' timelines and the notifications, then commits.
A refusal raises ``Refused`` (or ``InvalidInput``) with a Chinese message and changes nothing.
"""
import hashlib
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from ..audit.sealing import prime_heads
from ..auth.models import Role, User
from ..clock import now
from ..deputies.masking import mask_text
from ..extensions import db
from ..notifications.operations import notify
from ..numbering import allocate_number, format_number, number_pattern
from ..orders.models import Order, OrderEvent
from ..pdf import render_pdf
from .models import Supervision, SupervisionAnswer, SupervisionEvent, SupervisionNotice, SupervisionOrder
from .states import (ACTIVE_STATES, LEVELS, REASONS, STEPS, Action, Refused, State, TRANSITIONS, check,
                     next_step)

SERIES = "supervision"
MAX_ORDERS = 50


class InvalidInput(Refused):
    """The input is missing or wrong; nothing was changed."""


# --- opening -----------------------------------------------------------------------------------------

def open_supervisions(actor: User, order_ids: list[int], *, step: str, level: str, reason: str,
                      requirements: str, answer_due: date | None, unannounced: bool = False,
                      lead_leader_id: int | None = None, issue_notice: bool = False,
                      at: datetime | None = None) -> list[Supervision]:
    """Open a reminder (催办) or a supervision (督办) on orders: one record per lead unit of the orders.
    A public reprimand (通报) is reached only by escalating a supervision."""
    _require_supervisor(actor)
    if step == "reprimand":
        raise Refused("通报须在督办仍未解决时由督办升级而来，不能直接发起。")
    if step not in STEPS:
        raise InvalidInput("请选择督办环节（催办或督办）。")
    at = at or now()
    fields = _validate_fields(level, reason, requirements, answer_due, unannounced, lead_leader_id, at)
    orders = _orders(order_ids)
    by_unit: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_unit[order.lead_unit_id].append(order)
    _refuse_active(orders)
    created = []
    for unit_id, unit_orders in by_unit.items():
        supervision = Supervision(step=step, unit_id=unit_id, state=State.OPEN, created_by_id=actor.id,
                                  created_at=at, updated_at=at, **fields)
        supervision.links = [SupervisionOrder(order=o) for o in unit_orders]
        db.session.add(supervision)
        _event(supervision, actor, Action.OPEN, None, State.OPEN, at, f"{STEPS[step]}：{REASONS[reason]}")
        created.append(supervision)
    db.session.flush()
    prime_heads(db.session, OrderEvent, [o.id for o in orders])  # one read for every order's timeline
    for supervision in created:
        _order_events(supervision, actor, f"supervise_{step}", at, _summary(supervision))
        _notify_unit(supervision, f"您单位有一件{supervision.step_label}（{supervision.level_label}），"
                                  f"请于{supervision.answer_due:%Y年%-m月%-d日}前反馈办理情况。", at)
        if issue_notice:
            _issue(supervision, actor, at)
    db.session.commit()
    return created


def _validate_fields(level, reason, requirements, answer_due, unannounced, lead_leader_id, at) -> dict:
    if level not in LEVELS:
        raise InvalidInput("请选择督办层级。")
    if reason not in REASONS:
        raise InvalidInput("请选择督办事由。")
    requirements = (requirements or "").strip()
    if len(requirements) < 5:
        raise InvalidInput("请填写督办要求（至少5个字）。")
    if len(requirements) > 2000:
        raise InvalidInput("督办要求过长（最多2000字）。")
    if answer_due is None:
        raise InvalidInput("请填写反馈期限。")
    if answer_due < at.date():
        raise InvalidInput("反馈期限不能早于今天。")
    if unannounced and level != "inspector":
        raise InvalidInput("明察暗访只用于作风监督员督办。")
    leader = None
    if level == "leader":
        leader = db.session.get(User, lead_leader_id) if lead_leader_id else None
        if leader is None or leader.role != Role.LEADER or not leader.active:
            raise InvalidInput("领导牵头督办须选择牵头的区领导。")
    return {"level": level, "reason": reason, "requirements": requirements, "answer_due": answer_due,
            "unannounced": bool(unannounced), "lead_leader_id": leader.id if leader else None}


def _orders(order_ids) -> list[Order]:
    ids = sorted({int(i) for i in order_ids or []})
    if not ids:
        raise InvalidInput("请至少选择一件工单。")
    if len(ids) > MAX_ORDERS:
        raise InvalidInput(f"一次最多督办{MAX_ORDERS}件工单。")
    orders = db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)).all()
    if len(orders) != len(ids):
        raise InvalidInput("所选工单不存在。")
    for order in orders:
        if order.lead_unit_id is None:
            raise Refused(f"工单 {order.number} 尚未派发，没有可督办的承办单位。")
    return orders


def _refuse_active(orders: list[Order]) -> None:
    """One active supervision per order and unit: a further step is an escalation of it."""
    pairs = {(o.id, o.lead_unit_id) for o in orders}
    rows = db.session.execute(
        select(SupervisionOrder.order_id, Supervision.unit_id, Supervision.step, Supervision.id)
        .join(Supervision, Supervision.id == SupervisionOrder.supervision_id)
        .where(SupervisionOrder.order_id.in_([o.id for o in orders]),
               Supervision.state.in_([s.value for s in ACTIVE_STATES]))
    ).all()
    for order_id, unit_id, step, sid in rows:
        if (order_id, unit_id) in pairs:
            number = next(o.number for o in orders if o.id == order_id)
            raise Refused(f"工单 {number} 已在{STEPS[step]}中（督办记录 #{sid}），请在原记录上升级，不要重复发起。")


# --- notices -----------------------------------------------------------------------------------------

def issue_notice(actor: User, supervision_id: int, correction_note: str | None = None,
                 at: datetime | None = None) -> SupervisionNotice:
    """Issue the supervision's notice, numbered; with ``correction_note``, a correcting notice that cites
    the one in force. An issued notice is never changed."""
    supervision = _load(supervision_id)
    check(supervision, Action.ISSUE_NOTICE, actor)
    note = (correction_note or "").strip() or None
    if supervision.notice and not note:
        raise Refused(f"已签发通知单 {supervision.notice.number}。如需更正，请填写更正理由，签发更正通知单。")
    if note and not supervision.notice:
        raise Refused("尚未签发通知单，无需更正。")
    if note and len(note) > 500:
        raise InvalidInput("更正理由过长（最多500字）。")
    notice = _issue(supervision, actor, at or now(), note)
    db.session.commit()
    return notice


def _issue(supervision: Supervision, actor: User, at: datetime, correction_note: str | None = None) -> SupervisionNotice:
    corrects = supervision.notice if correction_note else None
    seq = allocate_number(SERIES, at.year)  # row-locked until the commit: no gap, no duplicate
    number = format_number(number_pattern(SERIES), at.year, seq)
    notice = SupervisionNotice(year=at.year, seq=seq, number=number, correction_note=correction_note,
                               issued_by_id=actor.id, issued_at=at)
    notice.corrects = corrects
    with db.session.no_autoflush:  # the notice joins the session only once its PDF is there
        data = render_notice(supervision, notice, actor)
    notice.pdf, notice.sha256, notice.size = data, hashlib.sha256(data).hexdigest(), len(data)
    notice.supervision = supervision
    db.session.add(notice)
    what = f"更正通知单 {number}（更正 {corrects.number}）" if corrects else f"通知单 {number}"
    _event(supervision, actor, Action.ISSUE_NOTICE, supervision.state, supervision.state, at, f"签发{what}")
    _order_events(supervision, actor, "supervise_notice", at, f"签发{what}")
    _notify_unit(supervision, f"督办{what}已签发，请登录查看并按要求反馈。", at)
    return notice


def notice_title(step: str) -> str:
    return {"reminder": "催办通知单", "supervision": "督办通知单", "reprimand": "督办通报"}[step]


def render_notice(supervision: Supervision, notice: SupervisionNotice, issuer: User) -> bytes:
    """The notice's PDF (used once, when it is issued; afterwards the stored bytes are served)."""
    from ..deadlines.rules import STATUS_LABELS, status

    at = notice.issued_at
    rows = []
    for order in supervision.orders:
        mark = status(order, at)
        rows.append({"number": order.number, "content": _shorten(mask_text(order.content, order), 60),
                     "received": order.received_at, "state": order.state,
                     "deadline": STATUS_LABELS.get(mark, "") if mark else "",
                     "overdue": mark == "overdue"})
    return render_pdf("supervision/pdf/notice.html", supervision=supervision, notice=notice, rows=rows,
                      issuer=issuer, title=notice_title(supervision.step))


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "……"


# --- answers and decisions ---------------------------------------------------------------------------

def answer(actor: User, supervision_id: int, text: str, files=(), at: datetime | None = None) -> SupervisionAnswer:
    """The unit's answer (办理情况反馈) with attachments: ``files`` are (filename, bytes) pairs, checked and
    stored by portal/attachments (counted against the supervision's first order)."""
    from ..attachments import operations as attachments
    from ..attachments.errors import Refused as AttachmentRefused

    supervision = _load(supervision_id)
    check(supervision, Action.ANSWER, actor)
    text = (text or "").strip()
    if len(text) < 10:
        raise InvalidInput("请填写办理情况（至少10个字）。")
    if len(text) > 4000:
        raise InvalidInput("办理情况过长（最多4000字）。")
    order_id = supervision.links[0].order_id
    try:
        checked = attachments.check_files(files, order_id)
    except AttachmentRefused as exc:
        raise InvalidInput(str(exc)) from None
    at = at or now()
    record = SupervisionAnswer(supervision=supervision, text=text, by_id=actor.id, at=at)
    with attachments.storing() as created:
        db.session.add(record)
        db.session.flush()
        attachments.store(actor, order_id, "supervision_answer", record.id, checked, at, created)
        before = supervision.state
        _move(supervision, Action.ANSWER, at)
        _event(supervision, actor, Action.ANSWER, before, supervision.state, at,
               f"附件{len(checked)}个" if checked else None)
        _order_events(supervision, actor, "supervise_answer", at, f"{supervision.unit.name}反馈办理情况")
        notify(supervision.created_by_id, "supervision",
               f"{supervision.unit.name}已反馈{supervision.step_label}办理情况，请审核。",
               order_id=supervision.links[0].order_id, at=at)
        db.session.commit()
    return record


def decide(actor: User, supervision_id: int, accept: bool, note: str | None = None,
           at: datetime | None = None) -> Supervision:
    """The issuer accepts the unit's answer (closing the supervision) or sends it back with a reason."""
    supervision = _load(supervision_id)
    action = Action.ACCEPT if accept else Action.SEND_BACK
    check(supervision, action, actor)
    note = (note or "").strip() or None
    if not accept and (note is None or len(note) < 4):
        raise InvalidInput("退回须说明理由（至少4个字）。")
    if note and len(note) > 1000:
        raise InvalidInput("意见过长（最多1000字）。")
    at = at or now()
    last = supervision.last_answer
    last.decision = "accepted" if accept else "sent_back"
    last.decided_by_id, last.decided_at, last.decision_note = actor.id, at, note
    before = supervision.state
    _move(supervision, action, at)
    if accept:
        supervision.closed_at = at
    _event(supervision, actor, action, before, supervision.state, at, note)
    _order_events(supervision, actor, f"supervise_{action.value}", at, note)
    text = (f"{supervision.step_label}反馈已审核通过，该{supervision.step_label}已办结。" if accept
            else f"{supervision.step_label}反馈被退回：{note}。请重新反馈。")
    _notify_unit(supervision, text, at)
    db.session.commit()
    return supervision


# --- the ladder --------------------------------------------------------------------------------------

def escalate(actor: User, supervision_id: int, *, requirements: str, answer_due: date | None,
             level: str | None = None, lead_leader_id: int | None = None, issue_notice: bool = True,
             at: datetime | None = None) -> Supervision:
    """Still unsolved: close this step as escalated and open the next one (催办 → 督办 → 通报) on the same
    unit and orders, citing it."""
    supervision = _load(supervision_id)
    check(supervision, Action.ESCALATE, actor)
    at = at or now()
    fields = _validate_fields(level or supervision.level, supervision.reason, requirements, answer_due,
                              supervision.unannounced and (level or supervision.level) == "inspector",
                              lead_leader_id or supervision.lead_leader_id, at)
    step = next_step(supervision.step)
    upper = Supervision(step=step, unit_id=supervision.unit_id, state=State.OPEN, created_by_id=actor.id,
                        created_at=at, updated_at=at, parent=supervision, **fields)
    upper.links = [SupervisionOrder(order_id=link.order_id) for link in supervision.links]
    db.session.add(upper)
    before = supervision.state
    _move(supervision, Action.ESCALATE, at)
    supervision.closed_at = at
    _event(supervision, actor, Action.ESCALATE, before, State.ESCALATED, at, f"仍未解决，升级为{STEPS[step]}")
    _event(upper, actor, Action.OPEN, None, State.OPEN, at, f"由{supervision.step_label} #{supervision.id} 升级")
    db.session.flush()
    _order_events(upper, actor, f"supervise_{step}", at, f"{supervision.step_label}后仍未解决，升级为{STEPS[step]}。"
                  + _summary(upper))
    _notify_unit(upper, f"您单位的{supervision.step_label}事项仍未解决，已升级为{STEPS[step]}，"
                        f"请于{upper.answer_due:%Y年%-m月%-d日}前反馈。", at)
    if issue_notice:
        _issue(upper, actor, at)
    db.session.commit()
    return upper


# --- helpers -----------------------------------------------------------------------------------------

def _require_supervisor(actor: User) -> None:
    if actor.role != Role.SUPERVISOR:
        raise Refused(f"您的角色（{actor.role_label}）不能发起督办。")


def _load(supervision_id: int) -> Supervision:
    supervision = db.session.get(Supervision, supervision_id, with_for_update={"of": Supervision},
                                 populate_existing=True)
    if supervision is None:
        raise Refused("督办记录不存在。")
    return supervision


def _move(supervision: Supervision, action: Action, at: datetime) -> None:
    target = TRANSITIONS[action][1]
    if target is not None:
        supervision.state = target
    supervision.updated_at = at


def _event(supervision, actor, action, from_state, to_state, at, note=None) -> None:
    supervision.events.append(SupervisionEvent(at=at, actor_id=actor.id if actor else None, action=action,
                                               from_state=from_state, to_state=to_state, note=note))


def _order_events(supervision: Supervision, actor: User, action: str, at: datetime, note: str | None) -> None:
    """An event on each order's timeline; the order's own state and version are left as they are."""
    for link in supervision.links:
        order = link.order or db.session.get(Order, link.order_id)
        db.session.add(OrderEvent(order_id=order.id, at=at, actor_id=actor.id, action=action,
                                  from_state=order.state, to_state=order.state, note=note,
                                  data={"supervision_id": supervision.id} if supervision.id else None))


def _summary(supervision: Supervision) -> str:
    return (f"{supervision.level_label}，事由：{REASONS[supervision.reason]}；要求：{supervision.requirements}"
            f"（{supervision.answer_due:%Y-%m-%d}前反馈）")


def unit_recipients(unit_id: int) -> list[User]:
    """A unit's active handlers and leaders. No autoflush: people are not what an operation here changes,
    and flushing its pending records before each unit's lookup made the system supervision of a few
    hundred units flush a few hundred times."""
    with db.session.no_autoflush:
        return db.session.scalars(select(User).where(
            User.unit_id == unit_id, User.active.is_(True),
            User.role.in_([Role.HANDLER.value, Role.UNIT_LEADER.value])).order_by(User.id)).all()


def _notify_unit(supervision: Supervision, text: str, at: datetime) -> None:
    order_id = supervision.links[0].order_id if supervision.links else None
    for user in unit_recipients(supervision.unit_id):
        notify(user.id, "supervision", text, order_id=order_id, at=at)


__all__ = ["InvalidInput", "Refused", "answer", "decide", "escalate", "issue_notice", "open_supervisions"]
