"""The vocabulary of joint consultation (会商) and its one state machine.

A case is asked for by a lead unit (``requested``, 待审批) and approved or declined (``declined``,
不予会商) by the office, or opened directly by the office or a leader. While it is ``preparing``
(筹备中) the office invites units and leaders, sets the time and place, and the invitees send written
opinions. Recording the meeting (attendance, minutes, decisions) makes it ``decided`` (已形成决定);
applying the decisions reassigns the orders and opens the follow-up items (``following``, 跟踪落实);
when every item is done the case is ``closed`` (已办结).

A case that consultation cannot settle is escalated (提交常务会): its kind becomes ``executive``, it gets
a brief, and it goes back to ``preparing`` for the executive meeting as its next round. The case keeps
its whole history: meetings, opinions and decisions are per round. A leader may take a case over (领办)
at any open moment and becomes its owner.
"""
from enum import StrEnum

KINDS = {"joint": "联合会商", "responsibility": "联席研判", "executive": "提交常务会"}
KIND_HINTS = {
    "joint": "研究怎么办：多部门联合办理的疑难、遗留、不满意问题",
    "responsibility": "研究谁来办：职责不清、管辖争议，确定一类事项的主协办",
    "executive": "会商解决不了的重大事项，提交区政府常务会（常委会）研究",
}


class State(StrEnum):
    REQUESTED = "requested"
    DECLINED = "declined"
    PREPARING = "preparing"
    DECIDED = "decided"
    FOLLOWING = "following"
    CLOSED = "closed"


STATE_LABELS = {"requested": "待审批", "declined": "不予会商", "preparing": "筹备中", "decided": "已形成决定",
                "following": "跟踪落实", "closed": "已办结"}
STATE_COLOURS = {"requested": "warning", "declined": "secondary", "preparing": "primary", "decided": "info",
                 "following": "warning", "closed": "success"}
OPEN_STATES = frozenset({State.REQUESTED, State.PREPARING, State.DECIDED, State.FOLLOWING})


class Action(StrEnum):
    REQUEST = "request"  # a lead unit asks the office for a consultation
    OPEN = "open"  # the office or a leader opens one directly
    APPROVE = "approve"
    DECLINE = "decline"
    INVITE = "invite"  # invitations, time and place (again: changes them)
    OPINION = "opinion"  # an invited unit's written opinion
    REMIND = "remind"
    ISSUE_NOTICE = "issue_notice"  # the consultation notice PDF
    RECORD = "record"  # attendance, minutes and decisions of the meeting
    APPLY = "apply"  # decisions applied to the orders, follow-up items opened
    TASK_DONE = "task_done"
    ESCALATE = "escalate"  # to the executive meeting, with a brief
    TAKE_OVER = "take_over"  # 领办
    CLOSE = "close"


ACTION_LABELS = {
    "request": "申请会商", "open": "发起会商", "approve": "同意会商", "decline": "不予会商", "invite": "发出邀请",
    "opinion": "提交书面意见", "remind": "催交意见", "issue_notice": "印发会商通知", "record": "记录会议纪要",
    "apply": "落实会商决定", "task_done": "落实事项办结", "escalate": "提交常务会", "take_over": "区领导领办",
    "close": "办结", "issue_minutes": "印发会议纪要", "issue_brief": "印发常务会材料",
}

# action -> (states it may be taken from, the state it leads to; None = unchanged)
TRANSITIONS = {
    Action.APPROVE: ({State.REQUESTED}, State.PREPARING),
    Action.DECLINE: ({State.REQUESTED}, State.DECLINED),
    Action.INVITE: ({State.PREPARING}, None),
    Action.OPINION: ({State.PREPARING}, None),
    Action.REMIND: ({State.PREPARING}, None),
    Action.ISSUE_NOTICE: ({State.PREPARING}, None),
    Action.RECORD: ({State.PREPARING}, State.DECIDED),
    Action.APPLY: ({State.DECIDED}, State.FOLLOWING),
    Action.TASK_DONE: ({State.FOLLOWING}, None),
    Action.ESCALATE: ({State.PREPARING, State.DECIDED, State.FOLLOWING}, State.PREPARING),
    Action.TAKE_OVER: (set(OPEN_STATES), None),
    Action.CLOSE: ({State.FOLLOWING}, State.CLOSED),
}

# The labels of the events a case writes on each of its orders' timelines.
ORDER_EVENTS = {
    "consult_open": "纳入会商",
    "consult_escalate": "提交常务会",
    "consult_take_over": "区领导领办",
}


class Refused(Exception):
    """The action may not be taken on the case in its state (message for the user, in Chinese)."""


def check(state: str, action: Action) -> State | None:
    """The state after ``action`` from ``state``; raise Refused when it cannot be taken from there."""
    sources, target = TRANSITIONS[action]
    if State(state) not in sources:
        raise Refused(f"会商当前为“{STATE_LABELS[state]}”，不能{ACTION_LABELS[action]}。")
    return target
