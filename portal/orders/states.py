"""The one state machine of a work order: states, actions, and who may take each action from where.

Every change of an order goes through ``orders.operations.apply``, which asks ``check`` here first.
``UNIT_SCOPE`` says which unit on the order a unit-side actor must belong to: the lead unit (主办) or an
active assisting unit (协办).
"""
from dataclasses import dataclass
from enum import StrEnum

from ..auth.models import Role


class State(StrEnum):
    RECEIVED = "received"  # 待派发
    DISPATCHED = "dispatched"  # 待签收
    ACCEPTED = "accepted"  # 办理中
    RETURN_REQUESTED = "return_requested"  # 回退待审
    REPLIED = "replied"  # 待审核
    APPROVED = "approved"  # 待回访
    VISITED = "visited"  # 已回访
    CLOSED = "closed"  # 已办结

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.RECEIVED: "待派发",
    State.DISPATCHED: "待签收",
    State.ACCEPTED: "办理中",
    State.RETURN_REQUESTED: "回退待审",
    State.REPLIED: "待审核",
    State.APPROVED: "待回访",
    State.VISITED: "已回访",
    State.CLOSED: "已办结",
}

OPEN_STATES = frozenset(set(State) - {State.CLOSED})
# States in which a unit holds the order and its deadlines run.
UNIT_STATES = frozenset({State.DISPATCHED, State.ACCEPTED, State.RETURN_REQUESTED})
# The states in which an assisting unit has its part to do (its 协办 tab); ``OrderUnit.order_open`` marks
# the order's units while the order is in one of them.
ASSIST_STATES = frozenset({State.DISPATCHED, State.ACCEPTED})


class Action(StrEnum):
    TAKE_IN = "take_in"
    DISPATCH = "dispatch"
    DIRECT_ANSWER = "direct_answer"
    SIGN_FOR = "sign_for"
    FIRST_FEEDBACK = "first_feedback"
    CONTRIBUTE = "contribute"
    REPLY = "reply"
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    APPROVE_REPLY = "approve_reply"
    SEND_BACK = "send_back"
    VISIT = "visit"
    REOPEN = "reopen"
    CLOSE = "close"
    REASSIGN = "reassign"  # a consultation's decision: new lead and assisting units (consultation.meetings)

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.TAKE_IN: "受理登记",
    Action.DISPATCH: "派发",
    Action.DIRECT_ANSWER: "直接答复",
    Action.SIGN_FOR: "签收",
    Action.FIRST_FEEDBACK: "首次反馈",
    Action.CONTRIBUTE: "协办意见",
    Action.REPLY: "办理答复",
    Action.REQUEST_RETURN: "申请回退",
    Action.APPROVE_RETURN: "同意回退",
    Action.REJECT_RETURN: "驳回回退",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "同意延期",
    Action.REJECT_EXTENSION: "驳回延期",
    Action.APPROVE_REPLY: "审核通过",
    Action.SEND_BACK: "退回重办",
    Action.VISIT: "回访",
    Action.REOPEN: "重新办理",
    Action.CLOSE: "办结",
    Action.REASSIGN: "会商改派",
}

# Events that change who answers for an order but not its state (written by operations.reassign_handler).
RESPONSIBILITY_EVENTS = {
    "takeover": "B角接办",
    "acting": "代为办理",
    "handover": "工作交接",
}

OFFICE = frozenset({Role.DISPATCHER})
UNIT = frozenset({Role.HANDLER, Role.UNIT_LEADER})

# The previous state is restored when a return is rejected; ``None`` as a target means exactly that.
RESTORE = None


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State | None  # None: back to the state before the return request
    roles: frozenset[Role]
    scope: str | None = None  # "lead" / "assist": the actor's unit must hold that part on the order


def _t(sources, target, roles, scope=None) -> Transition:
    return Transition(frozenset(sources), target, roles, scope)


S = State
TRANSITIONS: dict[Action, Transition] = {
    Action.TAKE_IN: _t([], S.RECEIVED, OFFICE | {Role.ADMIN}),
    Action.DISPATCH: _t([S.RECEIVED], S.DISPATCHED, OFFICE),
    Action.DIRECT_ANSWER: _t([S.RECEIVED], S.CLOSED, OFFICE),
    Action.SIGN_FOR: _t([S.DISPATCHED], S.ACCEPTED, UNIT, "lead"),
    Action.FIRST_FEEDBACK: _t([S.ACCEPTED], S.ACCEPTED, UNIT, "lead"),
    Action.CONTRIBUTE: _t([S.DISPATCHED, S.ACCEPTED], None, UNIT, "assist"),
    Action.REPLY: _t([S.ACCEPTED], S.REPLIED, UNIT, "lead"),
    Action.REQUEST_RETURN: _t([S.DISPATCHED, S.ACCEPTED], S.RETURN_REQUESTED, UNIT, "lead"),
    Action.APPROVE_RETURN: _t([S.RETURN_REQUESTED], S.RECEIVED, OFFICE),
    Action.REJECT_RETURN: _t([S.RETURN_REQUESTED], RESTORE, OFFICE),
    Action.REQUEST_EXTENSION: _t([S.ACCEPTED], S.ACCEPTED, UNIT, "lead"),
    Action.APPROVE_EXTENSION: _t([S.ACCEPTED, S.REPLIED], None, OFFICE),
    Action.REJECT_EXTENSION: _t([S.ACCEPTED, S.REPLIED], None, OFFICE),
    Action.APPROVE_REPLY: _t([S.REPLIED], S.APPROVED, OFFICE),
    Action.SEND_BACK: _t([S.REPLIED], S.ACCEPTED, OFFICE),
    Action.VISIT: _t([S.APPROVED], S.VISITED, OFFICE),
    Action.REOPEN: _t([S.VISITED], S.DISPATCHED, OFFICE),
    Action.CLOSE: _t([S.VISITED], S.CLOSED, OFFICE),
    # Only applying a consultation's decisions takes this action (the case's owner: office or leader).
    Action.REASSIGN: _t(OPEN_STATES, S.DISPATCHED, OFFICE | {Role.LEADER}),
}
# Actions not offered as buttons on the order page: they come from another record's operation.
INDIRECT = frozenset({Action.TAKE_IN, Action.REASSIGN})
# CONTRIBUTE and the extension decisions leave the state as it is (target None but not a return).
STAY = frozenset({Action.CONTRIBUTE, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION})


def _needs_pending_extension(order) -> str | None:
    return None if order.pending_request("extension") else "没有待审批的延期申请。"


def _no_pending_extension(order) -> str | None:
    return "已有延期申请在等待审批。" if order.pending_request("extension") else None


def _visit_not_satisfying(order) -> str | None:
    visit = order.last_visit
    if visit and (visit.satisfaction == "unsatisfied" or visit.resolution == "unresolved"):
        return None
    return "只有回访不满意或未解决的工单才能重新办理。"


def _no_first_feedback_yet(order) -> str | None:
    return "已作过首次反馈。" if order.first_feedback_at else None


# Conditions beyond the state: each returns the refusal message, or None when the action may go ahead.
GUARDS = {
    Action.APPROVE_EXTENSION: _needs_pending_extension,
    Action.REJECT_EXTENSION: _needs_pending_extension,
    Action.REQUEST_EXTENSION: _no_pending_extension,
    Action.REOPEN: _visit_not_satisfying,
    Action.FIRST_FEEDBACK: _no_first_feedback_yet,
}


class TransitionRefused(Exception):
    """An action that may not be taken: the message says why, in the users' language."""


def target_state(order, action: Action) -> State:
    rule = TRANSITIONS[action]
    if action in STAY:
        return State(order.state)
    if rule.target is RESTORE:
        return State(order.state_before_return or State.DISPATCHED)
    return rule.target


def unit_part(user, order) -> str | None:
    """The part ("lead"/"assist") the user's unit holds on the order, or None."""
    if user.unit_id is None:
        return None
    if order.lead_unit_id == user.unit_id and order.state != State.RECEIVED:
        return "lead"
    if any(u.unit_id == user.unit_id and u.part == "assist" and u.active for u in order.units):
        return "assist"
    return None


def check(order, action: Action, user) -> None:
    """Raise TransitionRefused unless ``user`` may take ``action`` on ``order`` in its current state."""
    rule = TRANSITIONS[action]
    state = State(order.state)
    if Role(user.role) not in rule.roles:
        raise TransitionRefused(f"您的角色（{user.role_label}）不能执行“{action.label}”。")
    if state not in rule.sources:
        raise TransitionRefused(f"工单当前为“{state.label}”，不能执行“{action.label}”。")
    if rule.scope and unit_part(user, order) != rule.scope:
        need = "主办" if rule.scope == "lead" else "协办"
        raise TransitionRefused(f"只有本工单的{need}单位才能执行“{action.label}”。")
    guard = GUARDS.get(action)
    refusal = guard(order) if guard else None
    if refusal:
        raise TransitionRefused(refusal)


def allowed(order, user) -> list[Action]:
    """The actions ``user`` may take on ``order`` now (for showing buttons; ``check`` still decides)."""
    result = []
    for action in TRANSITIONS:
        if action in INDIRECT:
            continue
        try:
            check(order, action, user)
        except TransitionRefused:
            continue
        result.append(action)
    return result
