"""Assessment pages: the rates table with its formulas, the Excel export, the formula settings, and
exclusion requests (applied for from the order page, decided on the list page)."""
from datetime import date
from urllib.parse import quote

from flask import Blueprint, current_app, request
from flask_login import current_user, login_required

from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..figures import sets as figures
from ..figures import store as figure_store
from ..htmx import render
from ..orders.models import Order
from ..permissions import order_or_404, require_role
from ..units.models import UNIT_KIND_LABELS
from . import queries
from .excel import workbook
from .models import EXCLUSION_REASONS, EXCLUSION_STATUS, Exclusion
from .operations import AssessmentRefused, decide_exclusion, request_exclusion, save_config
from .periods import KINDS, Period, PeriodError, containing, date_range, parse
from .rates import (ASSESSED_KINDS, COMPOSITE, DEFAULT_PARAMS, PARAM_LABELS, RATES, compute, current_config)

bp = Blueprint("assessment", __name__, url_prefix="/assessment")

VIEWERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.HANDLER, Role.UNIT_LEADER)
UNIT_ROLES = (Role.HANDLER, Role.UNIT_LEADER)
TABS = [("all", "全部单位")] + [(k.value, UNIT_KIND_LABELS[k]) for k in ASSESSED_KINDS] + [
    ("by_kind", "按单位类别"), ("by_category", "按诉求分类")]
SORTABLE = {"rank", "name", "received", "visited", "composite", *(r.key for r in RATES)}


def period_from_request(args) -> Period:
    """The period a request names: ``period=KEY``, or ``kind`` with ``day`` (or ``first``/``last``)."""
    if args.get("period"):
        return parse(args["period"])
    kind = args.get("kind") or "month"
    if kind == "range":
        try:
            first, last = date.fromisoformat(args.get("first", "")), date.fromisoformat(args.get("last", ""))
        except ValueError:
            raise PeriodError("请填写时间段的开始和结束日期。")
        return date_range(first, last)
    try:
        day = date.fromisoformat(args["day"]) if args.get("day") else now().date()
    except ValueError:
        raise PeriodError("日期格式应为 2026-11-24。")
    return containing(kind, day)


def _table(args):
    """The assessment the request asks for, the rows to show (tab, sort) and the page's context."""
    require_role(current_user, *VIEWERS)
    try:
        period = period_from_request(args)
        error = None
    except PeriodError as exc:
        period, error = containing("month", now().date()), str(exc)
    tab = args.get("tab", "all")
    if tab not in dict(TABS):
        tab = "all"
    own = current_user.role in UNIT_ROLES
    unit_ids = [current_user.unit_id or 0] if own else None
    by = {"by_kind": "kind", "by_category": "category"}.get(tab, "unit") if not own else "unit"
    result, every = assessment_of(period, by)
    as_of = result.as_of
    rows = result.rows
    if own:  # a unit sees its own row, ranked among all units
        rows = [r for r in rows if r.key == current_user.unit_id]
    if by == "unit" and tab not in ("all",) and not own:
        rows = [r for r in rows if r.kind == tab]
        _rerank(rows)
    idle = [r for r in rows if not r.has_data]  # units with nothing in the period: counted, not listed
    if by == "unit" and not own:
        rows = [r for r in rows if r.has_data]
    sort = args.get("sort", "rank")
    sort = sort if sort in SORTABLE else "rank"
    descending = args.get("dir", "asc" if sort in ("rank", "name") else "desc") == "desc"
    rows = _sorted(rows, sort, descending)
    excluded = queries.excluded_in(period, as_of, unit_ids)
    return dict(result=result, rows=rows, period=period, tab=tab, tabs=TABS if not own else [], sort=sort,
                descending=descending, own=own, rates=[r for r in RATES if r.for_units or by == "category"],
                all_rates=RATES, composite=COMPOSITE, excluded=excluded, error=error, kinds=KINDS,
                args=args, query=_query(period, tab), idle=idle if by == "unit" and not own else [],
                ranked=sum(1 for r in result.rows if r.rank is not None), renewed_every=every)


def assessment_of(period: Period, by: str):
    """The rates of ``period`` by ``by`` and every how many minutes they are renewed: a month's from the
    kept figures (``portal.figures``, as of when they were computed), any other period's computed now (0)."""
    if period.kind != "month" or not figure_store.enabled():  # one grouping live: compute's own queries
        return compute(period, now(), by=by), 0
    return figures.month(period).assessment(by), figures.renewed_every(period)


def _query(period: Period, tab: str) -> dict:
    return {"period": period.key, "tab": tab}


def _rerank(rows) -> None:
    from .rates import _rank

    for row in rows:
        row.rank = None
    _rank(rows)


def _sorted(rows, sort, descending):
    def key(row):
        if sort == "name":
            return (0, row.name)
        if sort == "rank":
            return (row.rank is None, row.rank or 0)
        if sort in ("received", "visited"):
            return (0, row.counts.get(sort, 0))
        value = row.value(sort)
        return (value is None, value if value is not None else 0)

    present = [r for r in rows if key(r)[0] in (0, False)]
    missing = [r for r in rows if key(r)[0] not in (0, False)]
    return sorted(present, key=key, reverse=descending) + missing


@bp.route("/")
@login_required
def index():
    context = _table(request.args)
    return render("assessment/index.html", "assessment/_table.html", **context)


@bp.route("/export.xlsx")
@login_required
def export():
    context = _table(request.args)
    data = workbook(context["result"], context["rows"])
    name = f"考核结果-{context['period'].key}.xlsx"
    exports.record(current_user, len(context["rows"]), name, data)
    response = current_app.response_class(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename=assessment.xlsx; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/config", methods=["GET", "POST"])
@login_required
def config():
    require_role(current_user, Role.ADMIN)
    error = done = None
    if request.method == "POST":
        params = {key: request.form.get(f"param_{key}") for key in DEFAULT_PARAMS}
        weights = {r.key: request.form.get(f"weight_{r.key}", "0") for r in RATES}
        try:
            save_config(current_user, params, weights)
            done = "考核口径已保存，此后计算的各项指标按新口径。"
        except AssessmentRefused as exc:
            db.session.rollback()
            error = str(exc)
    return render("assessment/config.html", status=422 if error else 200, config=current_config(), rates=RATES,
                  composite=COMPOSITE, param_labels=PARAM_LABELS, error=error, done=done, form=request.form)


# --- exclusions ---

@bp.route("/exclusions")
@login_required
def exclusions():
    require_role(current_user, *VIEWERS)
    status = request.args.get("status") or None
    if status not in EXCLUSION_STATUS:
        status = None
    return render("assessment/exclusions.html", items=queries.exclusions(current_user, status), status_filter=status,
                  statuses=EXCLUSION_STATUS, decide=current_user.role == Role.DISPATCHER)


@bp.route("/exclusions/<int:exclusion_id>/decide", methods=["POST"])
@login_required
def decide(exclusion_id: int):
    require_role(current_user, Role.DISPATCHER)
    exclusion = db.get_or_404(Exclusion, exclusion_id)
    error = None
    try:
        decide_exclusion(exclusion, current_user, request.form.get("decision") == "approve", request.form.get("note"))
    except AssessmentRefused as exc:
        db.session.rollback()
        error = str(exc)
    return render("assessment/exclusions.html", "assessment/_exclusion_row.html", status=422 if error else 200,
                  item=exclusion, row_error=error, decide=True, items=queries.exclusions(current_user),
                  status_filter=None, statuses=EXCLUSION_STATUS)


@bp.route("/order/<int:order_id>/exclusion", methods=["GET", "POST"])
@login_required
def order_exclusion(order_id: int):
    """The small exclusion card of the order page: its status, and the request form for the lead unit."""
    order = order_or_404(current_user, order_id)
    error = done = None
    if request.method == "POST":
        try:
            request_exclusion(order, current_user, request.form.get("reason_kind", ""), request.form.get("reason", ""))
            done = "剔除申请已提交，待热线办审批。"
        except AssessmentRefused as exc:
            db.session.rollback()
            error = str(exc)
    context = exclusion_card(order) | dict(error=error, done=done, form=request.form if error else {})
    return render("assessment/order_exclusion.html", "assessment/_order_exclusion.html",
                  status=422 if error else 200, order=order, **context)


def exclusion_card(order: Order, present=None) -> dict:
    """What the order page's exclusion card shows to the current user; ``present``: what the order page
    knows the order has (None: not known, look)."""
    latest = queries.exclusion_of(order.id) if present is None or present.exclusion else None
    can_request = (current_user.role in UNIT_ROLES and order.lead_unit_id == current_user.unit_id
                   and order.state != "received" and not order.direct_answer
                   and (latest is None or latest.status in ("refused", "withdrawn")))
    # deputies read pushed orders with callers masked; a unit's free-text reason is not for them
    visible = (latest is not None or can_request) and current_user.role != Role.DEPUTY
    return dict(exclusion=latest, can_request=can_request, show_exclusion=visible, reasons=EXCLUSION_REASONS)


@bp.app_context_processor
def order_page_helpers():
    return {"assessment_exclusion_card": exclusion_card}


@bp.app_template_filter("unit_kind_label")
def unit_kind_label(kind: str) -> str:
    from ..units.models import UnitKind

    try:
        return UNIT_KIND_LABELS[UnitKind(kind)]
    except ValueError:
        return kind or ""
