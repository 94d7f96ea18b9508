"""An order's colour badges (state, deadline, urgency, flags) as template globals written in Python.

Every list row shows four of them: as Jinja macros they cost about a tenth of a millisecond a row (a
macro call builds a context and its caller's frame), as functions a few microseconds. They read only
the order's columns, so they work on any object with those attributes (an order, a deputy's list
entry's order). The HTML is the same the macros gave.
"""
from markupsafe import Markup

from .clock import now
from .deadlines.rules import OVERDUE, SOON, STATUS_LABELS, status
from .orders.states import STATE_LABELS, State

STATE_COLOURS = {
    State.RECEIVED: "secondary",
    State.DISPATCHED: "info",
    State.ACCEPTED: "primary",
    State.RETURN_REQUESTED: "warning",
    State.REPLIED: "purple",
    State.APPROVED: "teal",
    State.VISITED: "indigo",
    State.CLOSED: "success",
}
DEADLINE_COLOURS = {"normal": "success", "soon": "warning", "overdue": "danger"}
DEADLINE_ICONS = {OVERDUE: Markup('<i class="bi bi-alarm"></i> '), SOON: Markup('<i class="bi bi-hourglass-split"></i> ')}
URGENCY_BADGES = {
    "critical": Markup('<span class="badge text-bg-danger">特急</span>'),
    "urgent": Markup('<span class="badge text-bg-warning">紧急</span>'),
}
URGENCY_NORMAL = Markup('<span class="badge text-bg-light border text-secondary">一般</span>')
# (attribute, badge) in the order they are shown
FLAGS = (
    ("leader_instruction", Markup('<span class="badge text-bg-danger-subtle text-danger-emphasis border '
                                  'border-danger-subtle">领导批示</span>')),
    ("enterprise", Markup('<span class="badge text-bg-info-subtle text-info-emphasis border border-info-subtle">涉企</span>')),
    ("tourism", Markup('<span class="badge text-bg-success-subtle text-success-emphasis border '
                       'border-success-subtle">旅游</span>')),
    ("deputy_pushed", Markup('<span class="badge text-bg-secondary-subtle text-secondary-emphasis border">代表关注</span>')),
    ("via_deputy", Markup('<span class="badge text-bg-secondary-subtle text-secondary-emphasis border">代表转办</span>')),
    ("is_repeat", Markup('<span class="badge text-bg-warning-subtle text-warning-emphasis border border-warning-subtle" '
                         'title="与历史工单重复">重复件</span>')),
    ("is_complex", Markup('<span class="badge text-bg-dark">复杂疑难</span>')),
)
# Markup.format escapes what it puts in (a label, a count, a time): the templates' own autoescaping.
STATE = Markup('<span class="badge text-bg-{}">{}</span>')
REPROCESSED = Markup(' <span class="badge text-bg-danger-subtle text-danger-emphasis border border-danger-subtle" '
                     'title="重新办理第{0}次">重办{0}</span>')
SENT_BACK = Markup(' <span class="badge text-bg-warning">被退回</span>')
DEADLINE = Markup('<span class="badge text-bg-{}" title="下一期限 {}">{}{}{}</span>')
WEEKDAYS = "一二三四五六日"


def state_badge(order) -> Markup:
    """The state, with 重办N when reprocessed and 被退回 when sent back to the unit."""
    state = State(order.state)
    html = STATE.format(STATE_COLOURS[state], STATE_LABELS.get(state, order.state))
    if order.reprocess_count:
        html += REPROCESSED.format(int(order.reprocess_count))
    if order.sent_back and order.state == State.ACCEPTED:
        html += SENT_BACK
    return html


def deadline_badge(order, with_time: bool = True) -> Markup:
    """正常 / 即将到期 / 已超期 with the next deadline (its weekday and time), or nothing without one."""
    st = status(order, now())
    if st is None:
        return Markup()
    due = order.next_due_at
    when = f" · {due:%m-%d}（{WEEKDAYS[due.weekday()]}）{due:%H:%M}" if with_time else ""
    return DEADLINE.format(DEADLINE_COLOURS[st], f"{due:%Y-%m-%d %H:%M}", DEADLINE_ICONS.get(st, ""),
                           STATUS_LABELS[st], when)


def urgency_badge(order) -> Markup:
    return URGENCY_BADGES.get(order.urgency, URGENCY_NORMAL)


def flags(order) -> Markup:
    """The order's marks: 领导批示, 涉企, 旅游, 代表关注, 代表转办, 重复件, 复杂疑难."""
    return Markup(" ").join(badge for name, badge in FLAGS if getattr(order, name))


GLOBALS = {"state_badge": state_badge, "order_state_badge": state_badge, "deadline_badge": deadline_badge,
           "urgency_badge": urgency_badge, "flags": flags}
