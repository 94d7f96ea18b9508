"""The one state machine of a standard reply's version, and who may take each step.

    draft ──submit──▶ submitted ──approve──▶ published ──withdraw──▶ withdrawn
      ▲                  │                       │
      └────send_back─────┘        (approving the next version makes it "superseded")

Who: the hotline office's dispatchers (热线办工作人员) write, edit, submit and revise replies; a district
leader (区领导, the role that signs off what the government says in public) approves — publishes — or
sends back with a reason, and may not approve a version they wrote. Either may withdraw a published
reply (taking a stale answer down must be quick), with a reason. "revise" starts the next version, a
copy of the published (or withdrawn) one, as a draft; a reply has at most one draft or submitted version.
"""
from dataclasses import dataclass
from enum import StrEnum

from ..auth.models import Role


class VersionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


STATE_LABELS = {"draft": "草稿", "submitted": "待审核", "published": "已发布", "superseded": "已被新版本替代",
                "withdrawn": "已撤回"}
STATE_COLOURS = {"draft": "secondary", "submitted": "warning", "published": "success", "superseded": "light",
                 "withdrawn": "danger"}


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    REVISE = "revise"


ACTION_LABELS = {"create": "起草", "edit": "修改", "submit": "提交审核", "send_back": "退回修改",
                 "approve": "审核发布", "withdraw": "撤回", "revise": "修订（新版本）"}

DRAFTERS = frozenset({Role.DISPATCHER})
APPROVERS = frozenset({Role.LEADER})
S = VersionState


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: VersionState | None  # None: REVISE leaves this version as it is and starts the next
    roles: frozenset


TRANSITIONS = {
    Action.EDIT: Transition(frozenset({S.DRAFT}), S.DRAFT, DRAFTERS),
    Action.SUBMIT: Transition(frozenset({S.DRAFT}), S.SUBMITTED, DRAFTERS),
    Action.SEND_BACK: Transition(frozenset({S.SUBMITTED}), S.DRAFT, APPROVERS),
    Action.APPROVE: Transition(frozenset({S.SUBMITTED}), S.PUBLISHED, APPROVERS),
    Action.WITHDRAW: Transition(frozenset({S.PUBLISHED}), S.WITHDRAWN, DRAFTERS | APPROVERS),
    Action.REVISE: Transition(frozenset({S.PUBLISHED, S.WITHDRAWN}), None, DRAFTERS),
}
# Actions taken with a button on a version (EDIT and REVISE have their own forms).
BUTTONS = (Action.SUBMIT, Action.APPROVE, Action.SEND_BACK, Action.WITHDRAW, Action.REVISE)
NEEDS_REASON = frozenset({Action.SEND_BACK, Action.WITHDRAW})

# The library is kept by the office: who may read it (the units meet replies in their reply form).
READERS = frozenset({Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.ADMIN})

USE_KINDS = {"direct_answer": "热线办直接答复", "unit_reply": "承办单位答复"}


class Refused(Exception):
    """A step that may not be taken, or input that cannot be taken; the message says why, in Chinese.
    Nothing was changed."""


def check(version, action: Action, user) -> None:
    """Raise ``Refused`` unless ``user`` may take ``action`` on ``version`` now."""
    rule = TRANSITIONS[action]
    label = ACTION_LABELS[action]
    if Role(user.role) not in rule.roles:
        raise Refused(f"您的角色（{user.role_label}）不能“{label}”标准通稿。")
    if version.state not in rule.sources:
        raise Refused(f"该版本当前为“{STATE_LABELS[version.state]}”，不能“{label}”。")
    if action is Action.APPROVE and version.author_id == user.id:
        raise Refused("不能审核发布自己起草的通稿。")
    if action is Action.REVISE and version.reply.working is not None:
        raise Refused(f"该通稿已有第{version.reply.working.number}版在修改或审核中，请在该版本上继续。")
    if action is Action.REVISE and version is not version.reply.latest:
        raise Refused("只能在最新版本上修订。")


def allowed(version, user) -> list[Action]:
    result = []
    for action in TRANSITIONS:
        try:
            check(version, action, user)
        except Refused:
            continue
        result.append(action)
    return result
