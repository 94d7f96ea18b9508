"""The vocabulary of deputies' lists and the list's one state machine.

A list version is a draft (草稿) until it is published (已发布); a published version is frozen. The only
way on from a published version is a new draft version copied from it (``new_version``), which is allowed
only from the month's latest published version and while the month has no draft.
"""
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


STATE_LABELS = {"draft": "草稿", "published": "已发布"}
STATE_COLOURS = {"draft": "warning", "published": "success"}

# Why the portal proposes a matter (candidates.py).
REASON_KINDS = {
    "hotspot": "投诉集中",
    "repeat": "重复投诉",
    "reprocess": "重办仍未解决",
    "overdue": "长期超期",
}
REMARK_KINDS = {"remark": "代表意见", "meeting": "申请现场会商"}
# The labels of the events this area writes on orders' timelines (internal: deputies do not see them).
ORDER_EVENTS = {"deputy_push": "推送人大代表", "deputy_remark": "代表意见", "deputy_meeting": "代表申请现场会商"}

# Order events a deputy may see (the public steps); every other event is internal (return and
# extension requests and decisions, A/B-role events, supervision, consultation, assisting units' notes).
PUBLIC_EVENTS = frozenset({"take_in", "dispatch", "sign_for", "first_feedback", "reply",
                           "visit", "close", "reopen", "direct_answer"})


class Refused(Exception):
    """A list action that may not be taken; the message says why, in Chinese. Nothing changed."""


def check_editable(deputy_list) -> None:
    if deputy_list.state != State.DRAFT:
        raise Refused(f"{deputy_list.title}（第{deputy_list.version}版）已发布，不能再修改；如需调整，请生成新版本。")
