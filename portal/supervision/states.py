"""The vocabulary of supervision and its one state machine.

A supervision is open (待反馈) until the unit answers (待审核); the issuer accepts the answer, which
closes it (已办结), or sends it back with a reason (退回重报), and the unit answers again. While it is
not closed the issuer may escalate it to the next step of the ladder (催办 → 督办 → 通报): the record is
then "escalated" (已升级) and the new step carries on.
"""
from enum import StrEnum

STEPS = {"reminder": "催办", "supervision": "督办", "reprimand": "通报"}
LADDER = ["reminder", "supervision", "reprimand"]
LEVELS = {"system": "系统督办", "oa": "OA督办", "inspector": "作风监督员督办", "leader": "领导牵头督办"}
REASONS = {"overdue": "超期未办结", "unsatisfied": "群众不满意", "repeated": "重复投诉",
           "thin_reply": "答复敷衍、内容单薄", "other": "其他"}


class State(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    SENT_BACK = "sent_back"
    ACCEPTED = "accepted"
    ESCALATED = "escalated"


STATE_LABELS = {"open": "待反馈", "answered": "待审核", "sent_back": "退回重报", "accepted": "已办结",
                "escalated": "已升级"}
STATE_COLOURS = {"open": "warning", "answered": "primary", "sent_back": "danger", "accepted": "success",
                 "escalated": "secondary"}
ACTIVE_STATES = frozenset({State.OPEN, State.ANSWERED, State.SENT_BACK})


class Action(StrEnum):
    OPEN = "open"
    ISSUE_NOTICE = "issue_notice"
    ANSWER = "answer"
    ACCEPT = "accept"
    SEND_BACK = "send_back"
    ESCALATE = "escalate"


ACTION_LABELS = {"open": "发起", "issue_notice": "签发通知单", "answer": "办理情况反馈", "accept": "审核通过",
                 "send_back": "退回重报", "escalate": "升级"}

# action -> (states it may be taken from, the state it leads to; None = unchanged, who: unit | issuer)
TRANSITIONS = {
    Action.ANSWER: ({State.OPEN, State.SENT_BACK}, State.ANSWERED, "unit"),
    Action.ACCEPT: ({State.ANSWERED}, State.ACCEPTED, "issuer"),
    Action.SEND_BACK: ({State.ANSWERED}, State.SENT_BACK, "issuer"),
    Action.ESCALATE: (set(ACTIVE_STATES), State.ESCALATED, "issuer"),
    Action.ISSUE_NOTICE: (set(ACTIVE_STATES), None, "issuer"),
}

# The labels of the events a supervision writes on each of its orders' timelines.
ORDER_EVENTS = {
    "supervise_reminder": "催办",
    "supervise_supervision": "督办",
    "supervise_reprimand": "通报",
    "supervise_notice": "督办通知单",
    "supervise_answer": "督办反馈",
    "supervise_accept": "督办办结",
    "supervise_send_back": "督办反馈退回",
}


class Refused(Exception):
    """A supervision action that may not be taken; the message says why, in Chinese. Nothing changed."""


def next_step(step: str) -> str | None:
    i = LADDER.index(step)
    return LADDER[i + 1] if i + 1 < len(LADDER) else None


def is_issuer(user, supervision) -> bool:
    return user.id == supervision.created_by_id


def is_addressee(user, supervision) -> bool:
    return user.role in ("handler", "unit_leader") and user.unit_id == supervision.unit_id


def check(supervision, action: Action, user) -> None:
    """Raise ``Refused`` unless ``user`` may take ``action`` on ``supervision`` now."""
    sources, _target, who = TRANSITIONS[action]
    label = ACTION_LABELS[action]
    if who == "unit" and not is_addressee(user, supervision):
        raise Refused(f"只有被督办单位（{supervision.unit.name}）的人员才能进行“{label}”。")
    if who == "issuer" and not is_issuer(user, supervision):
        raise Refused(f"只有发起该{STEPS[supervision.step]}的督查人员才能进行“{label}”。")
    if supervision.state not in sources:
        raise Refused(f"该{STEPS[supervision.step]}当前为“{STATE_LABELS[supervision.state]}”，不能进行“{label}”。")
    if action is Action.ESCALATE and next_step(supervision.step) is None:
        raise Refused("通报已是最高一级，不能再升级。")


def allowed(supervision, user) -> list[Action]:
    result = []
    for action in TRANSITIONS:
        try:
            check(supervision, action, user)
        except Refused:
            continue
        result.append(action)
    return result
