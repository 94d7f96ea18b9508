"""What each action does to an order beyond its state: one function per action.

Each takes the order, the actor, the time and the action's parameters, validates the parameters
(raising InvalidInput with a message for the user) and returns ``(note, data)`` for the event.
Only ``operations.apply`` calls these.
"""
from datetime import datetime

from ..deadlines.queries import policies, work_calendar
from ..deadlines.rules import set_due_times
from ..dispatching.records import mark_returned, record_dispatch
from ..extensions import db
from ..notifications.operations import notify
from ..replies.operations import record_use as record_standard_reply_use
from ..roster.routing import route
from ..units.models import Unit
from .errors import InvalidInput
from .models import OrderRequest, OrderUnit, ReturnVisit
from .states import Action
from .vocab import RESOLUTION, SATISFACTION

MAX_TEXT = 4000


def text(params: dict, key: str, what: str, *, required: bool = True, minimum: int = 1) -> str | None:
    value = (params.get(key) or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"请填写{what}。")
        return None
    if len(value) < minimum:
        raise InvalidInput(f"{what}过于简单，请至少写{minimum}个字。")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{what}过长（最多{MAX_TEXT}字）。")
    return value


def _unit(unit_id, what: str) -> Unit:
    try:
        unit = db.session.get(Unit, int(unit_id))
    except (TypeError, ValueError):
        unit = None
    if unit is None or not unit.active or unit.kind == "office":
        raise InvalidInput(f"请选择有效的{what}。")
    return unit


def dispatch(order, actor, at: datetime, params: dict):
    lead = _unit(params.get("lead_unit_id"), "主办单位")
    assist_ids = {int(i) for i in params.get("assist_unit_ids") or [] if str(i).strip()}
    assist_ids.discard(lead.id)
    assists = [_unit(i, "协办单位") for i in sorted(assist_ids)]
    if "is_complex" in params:
        order.is_complex = bool(params["is_complex"])
    for part in order.units:  # an earlier dispatch (before a return) no longer holds the order
        part.active = False
    order.units.append(OrderUnit(unit_id=lead.id, part="lead"))
    for unit in assists:
        order.units.append(OrderUnit(unit_id=unit.id, part="assist"))
    order.lead_unit_id = lead.id
    handler = route(lead.id, at)
    if handler is None:
        raise InvalidInput(f"{lead.name}没有可接收工单的人员，请先为该单位设置A角、B角。")
    order.handler_id = handler.id
    order.dispatcher_id = actor.id
    order.dispatched_at = at
    order.signed_at = order.first_feedback_at = None
    order.sent_back = False
    set_due_times(order, policies()[order.urgency], work_calendar(), at)
    names = "、".join(u.name for u in assists)
    note = f"派发至{lead.name}（承办人：{handler.name}）" + (f"，协办：{names}" if names else "")
    notify(handler.id, "new_order", f"新工单待签收：{order.number}", order_id=order.id, at=at)
    extra = text(params, "note", "派单说明", required=False)
    record_dispatch(order, actor, at, lead.id)  # what was suggested, what was chosen
    return (note + (f"。{extra}" if extra else "")), {
        "lead_unit_id": lead.id, "assist_unit_ids": sorted(assist_ids), "handler_id": handler.id}


def reassign(order, actor, at, params):
    """A consultation's decision (会商决定): the order goes to the decided lead and assisting units as a
    complex case, whatever state it was in; ``params["basis"]`` names the case and its meeting."""
    order.is_complex = True
    order.state_before_return = None
    order.replied_at = None
    for request in order.requests:  # pending return or extension requests lapse with the old holder
        if request.status == "pending":
            request.status = "lapsed"
            request.decided_at = at
    note, data = dispatch(order, actor, at, {**params, "note": None})
    basis = text(params, "basis", "改派依据")
    return f"{basis}：{note}", {**data, "consultation_id": params.get("consultation_id")}


def direct_answer(order, actor, at, params):
    order.answer_text = text(params, "answer", "答复内容", minimum=5)
    order.direct_answer = True
    order.closed_at = at
    order.dispatcher_id = actor.id
    return order.answer_text, _standard_reply_used(order, actor, at, params, "direct_answer", order.answer_text)


def sign_for(order, actor, at, params):
    order.signed_at = at
    order.handler_id = actor.id
    return text(params, "note", "备注", required=False), None


def first_feedback(order, actor, at, params):
    order.first_feedback_at = at
    return text(params, "note", "首次反馈内容", minimum=5), None


def contribute(order, actor, at, params):
    part = next(u for u in order.units if u.unit_id == actor.unit_id and u.part == "assist" and u.active)
    part.contribution = text(params, "note", "协办意见", minimum=5)
    part.contributed_at = at
    part.contributed_by_id = actor.id
    return part.contribution, {"unit_id": actor.unit_id}


def reply(order, actor, at, params):
    order.reply_text = text(params, "reply", "答复内容", minimum=10)
    order.replied_at = at
    order.sent_back = False
    if order.handler_id is None:
        order.handler_id = actor.id
    return order.reply_text, _standard_reply_used(order, actor, at, params, "unit_reply", order.reply_text)


def _standard_reply_used(order, actor, at, params, kind: str, sent: str) -> dict | None:
    """An answer taken from a standard reply (标准通稿, the form's ``standard_reply``: the version offered):
    the use is recorded here, in the order's transaction, so there is one row exactly when the answer was
    taken; the event's data names the version."""
    if not params.get("standard_reply"):
        return None
    use = record_standard_reply_use(order, actor, at, params["standard_reply"], kind, sent)
    return {"standard_reply_id": use.reply_id, "standard_reply_version_id": use.version_id}


def request_return(order, actor, at, params):
    reason = text(params, "reason", "回退理由", minimum=5)
    order.state_before_return = order.state
    order.requests.append(
        OrderRequest(kind="return", unit_id=actor.unit_id, reason=reason, requested_by_id=actor.id, requested_at=at)
    )
    return reason, None


def _decide(order, kind: str, actor, at, approved: bool, note: str | None) -> OrderRequest:
    request = order.pending_request(kind)
    request.status = "approved" if approved else "rejected"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, at, note
    return request


def approve_return(order, actor, at, params):
    note = text(params, "note", "审批意见", required=False)
    _decide(order, "return", actor, at, True, note)
    mark_returned(order)  # the dispatch it undoes counts as wrong
    for part in order.units:
        part.active = False
    order.lead_unit_id = None
    order.handler_id = None
    order.state_before_return = None
    order.sign_due_at = order.feedback_due_at = order.reply_due_at = None
    return note or "同意回退，待重新派发", None


def reject_return(order, actor, at, params):
    note = text(params, "note", "驳回理由")
    _decide(order, "return", actor, at, False, note)
    order.state_before_return = None
    return note, None


def request_extension(order, actor, at, params):
    reason = text(params, "reason", "延期理由", minimum=5)
    due = params.get("requested_due_at")
    if not isinstance(due, datetime):
        raise InvalidInput("请填写申请延期至的日期。")
    if order.reply_due_at and due <= order.reply_due_at:
        raise InvalidInput("申请的新期限应晚于当前答复期限。")
    order.requests.append(
        OrderRequest(
            kind="extension", unit_id=actor.unit_id, reason=reason, requested_due_at=due,
            requested_by_id=actor.id, requested_at=at,
        )
    )
    return f"申请延期至{due:%Y-%m-%d %H:%M}：{reason}", {"requested_due_at": due.isoformat()}


def approve_extension(order, actor, at, params):
    note = text(params, "note", "审批意见", required=False)
    request = _decide(order, "extension", actor, at, True, note)
    old = order.reply_due_at
    order.reply_due_at = request.requested_due_at
    return f"同意延期至{request.requested_due_at:%Y-%m-%d %H:%M}" + (f"。{note}" if note else ""), {
        "old_reply_due_at": old.isoformat() if old else None,
        "new_reply_due_at": request.requested_due_at.isoformat(),
    }


def reject_extension(order, actor, at, params):
    note = text(params, "note", "驳回理由")
    _decide(order, "extension", actor, at, False, note)
    return note, None


def approve_reply(order, actor, at, params):
    return text(params, "note", "审核意见", required=False), None


def send_back(order, actor, at, params):
    reason = text(params, "reason", "退回理由", minimum=4)
    order.sent_back = True
    if order.handler_id:
        notify(order.handler_id, "sent_back", f"答复被退回：{order.number}。{reason}", order_id=order.id, at=at)
    return reason, None


def visit(order, actor, at, params):
    satisfaction = params.get("satisfaction")
    resolution = params.get("resolution")
    if satisfaction not in SATISFACTION:
        raise InvalidInput("请选择满意程度。")
    if resolution not in RESOLUTION:
        raise InvalidInput("请选择解决情况。")
    reason = text(params, "reason", "不满意原因", required=satisfaction == "unsatisfied")
    order.visits.append(
        ReturnVisit(round=order.reprocess_count, at=at, by_id=actor.id, satisfaction=satisfaction,
                    resolution=resolution, reason=reason)
    )
    note = f"{SATISFACTION[satisfaction]}，{RESOLUTION[resolution]}" + (f"。{reason}" if reason else "")
    return note, {"satisfaction": satisfaction, "resolution": resolution}


def reopen(order, actor, at, params):
    reason = text(params, "reason", "重办要求")
    order.reprocess_count += 1
    order.signed_at = order.first_feedback_at = order.replied_at = None
    keeps = order.handler_id and _still_in_unit(order.handler_id, order.lead_unit_id)
    handler_id = order.handler_id if keeps else getattr(route(order.lead_unit_id, at), "id", None)
    if handler_id is None:
        raise InvalidInput("主办单位已没有可接收工单的人员，请先设置该单位的A角、B角。")
    order.handler_id = handler_id
    notify(handler_id, "new_order", f"工单重新办理：{order.number}", order_id=order.id, at=at)
    order.sent_back = False
    order.dispatched_at = at
    set_due_times(order, policies()[order.urgency], work_calendar(), at)
    return reason, {"round": order.reprocess_count}


def _still_in_unit(user_id: int, unit_id: int) -> bool:
    from ..auth.models import User

    user = db.session.get(User, user_id)
    return bool(user and user.active and user.unit_id == unit_id)


def close(order, actor, at, params):
    order.closed_at = at
    return text(params, "note", "办结说明", required=False), None


EFFECTS = {
    Action.DISPATCH: dispatch,
    Action.DIRECT_ANSWER: direct_answer,
    Action.SIGN_FOR: sign_for,
    Action.FIRST_FEEDBACK: first_feedback,
    Action.CONTRIBUTE: contribute,
    Action.REPLY: reply,
    Action.REQUEST_RETURN: request_return,
    Action.APPROVE_RETURN: approve_return,
    Action.REJECT_RETURN: reject_return,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REJECT_EXTENSION: reject_extension,
    Action.APPROVE_REPLY: approve_reply,
    Action.SEND_BACK: send_back,
    Action.VISIT: visit,
    Action.REOPEN: reopen,
    Action.CLOSE: close,
    Action.REASSIGN: reassign,
}
if set(EFFECTS) != set(Action) - {Action.TAKE_IN}:
    raise RuntimeError("every action needs its effect")
