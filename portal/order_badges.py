"""An order's colour badges (state, deadline, urgency, flags) as template globals written in Python.

Every list row shows four of them: as Jinja macros they cost about a tenth of a millisecond a row (a
macro call builds a context and its caller's frame), as functions a few microseconds. They read only
the order's columns, so they work on any object with those attributes (an order, a deputy's list
entry's order). The HTML is the same the macros gave.
"""
from flask import g, has_request_context
from markupsafe import Markup, escape

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
WEEKDAYS = "一二三四五六日"


def _now():
    """Now, taken once per request: a list asks it for every row."""
    if not has_request_context():
        return now()
    if "badges_now" not in g:
        g.badges_now = now()
    return g.badges_now


def _html(text: str) -> Markup:
    """Badge HTML made here from the module's constants, ``escape()``d labels, numbers and dates."""
    return Markup(text)  # nosec B704  # only constants, escape()d labels, ints and formatted dates


def state_badge(order) -> Markup:
    """The state, with 重办N when reprocessed and 被退回 when sent back to the unit."""
    state = State(order.state)
    html = f'<span class="badge text-bg-{STATE_COLOURS[state]}">{escape(STATE_LABELS.get(state, state))}</span>'
    if order.reprocess_count:
        count = int(order.reprocess_count)
        html += (f' <span class="badge text-bg-danger-subtle text-danger-emphasis border border-danger-subtle" '
                 f'title="重新办理第{count}次">重办{count}</span>')
    if order.sent_back and order.state == State.ACCEPTED:
        html += ' <span class="badge text-bg-warning">被退回</span>'
    return _html(html)


def deadline_badge(order, with_time: bool = True) -> Markup:
    """正常 / 即将到期 / 已超期 with the next deadline (its weekday and time), or nothing without one."""
    st = status(order, _now())
    if st is None:
        return Markup()
    due = order.next_due_at
    when = f" · {due:%m-%d}（{WEEKDAYS[due.weekday()]}）{due:%H:%M}" if with_time else ""
    return _html(f'<span class="badge text-bg-{DEADLINE_COLOURS[st]}" title="下一期限 {due:%Y-%m-%d %H:%M}">'
                 f'{DEADLINE_ICONS.get(st, "")}{STATUS_LABELS[st]}{when}</span>')


def urgency_badge(order) -> Markup:
    return URGENCY_BADGES.get(order.urgency, URGENCY_NORMAL)


def flags(order) -> Markup:
    """The order's marks: 领导批示, 涉企, 旅游, 代表关注, 代表转办, 重复件, 复杂疑难."""
    return Markup(" ").join(badge for name, badge in FLAGS if getattr(order, name))


# order_state_badge: the same, for pages whose own state_badge is another area's (supervision, consultation)
GLOBALS = {"state_badge": state_badge, "order_state_badge": state_badge, "deadline_badge": deadline_badge,
           "urgency_badge": urgency_badge, "flags": flags}
