"""Filters, globals and per-request context the templates share: labels, dates, badges, navigation."""
from datetime import datetime

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from .auth.models import Role
from .clock import now
from . import order_badges
from .order_badges import STATE_COLOURS
from .orders.states import ACTION_LABELS, RESPONSIBILITY_EVENTS, STATE_LABELS, Action, State, allowed
from .supervision.states import ORDER_EVENTS as SUPERVISION_EVENTS
from .deputies.states import ORDER_EVENTS as DEPUTY_EVENTS
from .consultation.states import ORDER_EVENTS as CONSULTATION_EVENTS
from .attachments.models import ORDER_EVENTS as ATTACHMENT_EVENTS
from .orders.vocab import CHANNELS, RESOLUTION, SATISFACTION, TYPES, UNIT_PARTS, URGENCIES, label

WEEKDAYS = "一二三四五六日"

# Labels of order events written by other areas (they leave the order's state as it is).
SIDE_EVENT_LABELS = {**SUPERVISION_EVENTS, **CONSULTATION_EVENTS, **DEPUTY_EVENTS, **ATTACHMENT_EVENTS}

# (endpoint, label, icon, roles); the daily work first, then the settings kept under "设置".
NAVIGATION = [
    ("orders.pool", "派单池", "inbox", {Role.DISPATCHER}),
    ("orders.review", "审核审批", "clipboard-check", {Role.DISPATCHER}),
    ("orders.visits", "回访", "telephone-outbound", {Role.DISPATCHER}),
    ("orders.inbox", "本单位待办", "inbox", {Role.HANDLER, Role.UNIT_LEADER}),
    ("orders.index", "工单查询", "search", set(Role) - {Role.DEPUTY}),
    ("deputies.mine", "推送清单", "card-checklist", {Role.DEPUTY}),
    ("roster.index", "本单位AB角", "people-fill", {Role.HANDLER, Role.UNIT_LEADER}),
    ("ledger.index", "重点问题台帐", "journal-bookmark", set(Role) - {Role.DEPUTY}),
    ("supervision.candidates", "督办线索", "binoculars", {Role.SUPERVISOR}),
    ("supervision.index", "督办", "megaphone", {Role.SUPERVISOR, Role.LEADER, Role.HANDLER, Role.UNIT_LEADER}),
    ("consultation.index", "会商研判", "chat-square-quote", {Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.HANDLER,
                                                      Role.UNIT_LEADER}),
    ("dashboard.index", "驾驶舱", "speedometer2", {Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN}),
    ("assessment.index", "考核指标", "bar-chart-line", set(Role) - {Role.DEPUTY}),
    ("reports.index", "报表", "file-earmark-text", {Role.HANDLER, Role.UNIT_LEADER}),  # others: from 驾驶舱
    ("talks.index", "约谈", "chat-square-text", {Role.SUPERVISOR, Role.LEADER}),
    ("talks.notices", "约谈通知", "chat-square-text", {Role.HANDLER, Role.UNIT_LEADER}),
]
# What the office puts out for others, under "发布": deputies' lists, standard replies, public figures.
PUBLISHING = [
    ("deputies.index", "代表清单", "card-checklist", {Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}),
    ("replies.index", "标准通稿", "journal-text", {Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.ADMIN}),
    ("publishing.index", "公开发布", "globe", {Role.DISPATCHER}),  # rankings and orders for the public
]
SETTINGS = [
    ("intake.import_page", "导入市平台工单", "file-earmark-arrow-up", {Role.ADMIN, Role.DISPATCHER}),
    ("dispatching.responsibility_list", "首接负责清单", "list-check", {Role.ADMIN, Role.DISPATCHER}),
    ("roster.index", "AB角配置", "people-fill", {Role.ADMIN, Role.DISPATCHER}),
    ("units.index", "单位与人员", "diagram-3", {Role.ADMIN, Role.DISPATCHER}),
    ("deadlines.policy", "时限规则", "stopwatch", {Role.ADMIN, Role.DISPATCHER}),
    ("deadlines.calendar", "节假日", "calendar3", {Role.ADMIN}),
    ("assessment.config", "考核口径", "sliders", {Role.ADMIN}),
    ("talks.rules", "约谈规则", "chat-square-text", {Role.ADMIN, Role.SUPERVISOR}),
    ("jobs.index", "定时任务", "clock-history", {Role.ADMIN}),
    ("exports.index", "导出记录", "box-arrow-up-right", {Role.ADMIN, Role.SUPERVISOR}),
    ("assessment.exclusions", "考核剔除审批", "funnel", {Role.DISPATCHER}),
]


def fmt_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(fmt) if value else ""


def fmt_due(value: datetime | None) -> str:
    """A deadline with its weekday: 10-09（五）17:30."""
    if not value:
        return ""
    return f"{value:%m-%d}（{WEEKDAYS[value.weekday()]}）{value:%H:%M}"


def event_label(action: str | None) -> str:
    """The label of an order event: a state-machine action, a change of responsibility, or a side record
    (supervision steps and the like, whose labels their areas register in ``SIDE_EVENT_LABELS``)."""
    if not action:
        return ""
    if action in RESPONSIBILITY_EVENTS:
        return RESPONSIBILITY_EVENTS[action]
    if action in SIDE_EVENT_LABELS:
        return SIDE_EVENT_LABELS[action]
    try:
        return ACTION_LABELS.get(Action(action), action)
    except ValueError:
        return action


def navigation(entries=None):
    """The navigation items the current user's role may use (``SETTINGS`` for the settings menu)."""
    if not current_user.is_authenticated:
        return []
    role = Role(current_user.role)
    return [{"endpoint": endpoint, "label": text, "icon": icon, "active": request.endpoint == endpoint}
            for endpoint, text, icon, roles in (NAVIGATION if entries is None else entries)
            if role in roles and endpoint in current_app.view_functions]


_FIXED_URLS: dict[tuple, str] = {}


def fixed_url(endpoint: str, filename: str | None = None) -> str:
    """``url_for(endpoint)`` (or a static file's) for the links every page has, the layout's and the
    navigation's, remembered per script root: they take no per-request values, and werkzeug builds each
    in about 10 µs (a page has some 25)."""
    key = (request.script_root, endpoint, filename)
    url = _FIXED_URLS.get(key)
    if url is None:
        url = _FIXED_URLS[key] = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
    return url


def order_url(order_id: int) -> str:
    """``url_for("orders.show", order_id=...)`` for the rows of a list: the URL's stem is built once a
    request (werkzeug builds a URL in about 10 µs; a list has 20-50 of them)."""
    if "order_url_stem" not in g:
        g.order_url_stem = url_for("orders.show", order_id=0)[:-1]
    return f"{g.order_url_stem}{int(order_id)}"


def calendar_warning():
    """Years without holiday data, shown to admins on every page."""
    if not current_user.is_authenticated or current_user.role != Role.ADMIN:
        return []
    from .deadlines.queries import missing_years

    return missing_years()


def visible_repeats(order) -> list:
    """(link, earlier order) pairs for the orders this one repeats that the current user may see."""
    from .permissions import can_view_order, masks_caller

    if masks_caller(current_user):
        return []
    return [(link, link.earlier) for link in order.links if can_view_order(current_user, link.earlier)]


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        dt=fmt_dt,
        due=fmt_due,
        state_label=lambda s: STATE_LABELS.get(State(s), s) if s else "",
        action_label=event_label,
        type_label=lambda c: label(TYPES, c),
        channel_label=lambda c: label(CHANNELS, c),
        urgency_label=lambda c: label(URGENCIES, c),
        satisfaction_label=lambda c: label(SATISFACTION, c),
        resolution_label=lambda c: label(RESOLUTION, c),
        part_label=lambda c: label(UNIT_PARTS, c),
    )
    app.jinja_env.globals.update(
        STATE_COLOURS=STATE_COLOURS,
        **order_badges.GLOBALS,
        actions_for=lambda order: allowed(order, current_user),
        visible_repeats=visible_repeats,
        order_url=order_url,
        fixed_url=fixed_url,
        State=State,
        Action=Action,
        Role=Role,
        TYPES=TYPES,
        CHANNELS=CHANNELS,
        URGENCIES=URGENCIES,
        SATISFACTION=SATISFACTION,
        RESOLUTION=RESOLUTION,
    )

    @app.context_processor
    def per_request():
        return {"navigation": navigation, "settings_menu": lambda: navigation(SETTINGS),
                "publishing_menu": lambda: navigation(PUBLISHING),
                "calendar_warning": calendar_warning, "now": now}
