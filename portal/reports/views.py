"""Reports (list, downloads, generate now) and the leaders' dashboard.

Who sees reports: leaders, supervisors, dispatchers and admins see all; handlers and unit leaders see
the published ones (月通报, 季度公示), which name every unit's figures and are sent to units anyway;
deputies see none. Supervisors and admins may generate a report for a period now, or regenerate one.
"""
from datetime import timedelta
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from .. import charts
from ..assessment.periods import KINDS, containing
from ..assessment.rates import ASSESSED_KINDS, current_config
from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..figures import sets as figures
from ..htmx import render
from ..pdf import pdf_response
from ..permissions import require_role
from ..units.models import UNIT_KIND_LABELS
from . import queries
from .models import PUBLISHED_KINDS, REPORT_KINDS, Report
from .operations import GENERATORS, ReportRefused, generate_report, regenerate_report

bp = Blueprint("reports", __name__, url_prefix="/reports")
dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

FULL_READERS = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)
UNIT_READERS = (Role.HANDLER, Role.UNIT_LEADER)
DASHBOARD_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)
SHOWN_RANKS = 20  # the dashboard shows the first and the last ten when more units are ranked
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_kinds():
    require_role(current_user, *FULL_READERS, *UNIT_READERS)
    return set(REPORT_KINDS) if Role(current_user.role) in FULL_READERS else set(PUBLISHED_KINDS)


def _default_period(kind: str):
    """The last complete period of the report's kind: what "generate now" offers."""
    return containing(REPORT_KINDS[kind][1], now().date()).previous()


@bp.route("/")
@login_required
def index():
    kinds = _visible_kinds()
    kind = request.args.get("kind", "")
    kind = kind if kind in kinds else ""
    rows = queries.reports(kind or None, kinds=kinds)
    defaults = {k: _default_period(k).key for k in REPORT_KINDS}
    return render("reports/index.html", "reports/_list.html", reports=rows, kind=kind,
                  kinds={k: REPORT_KINDS[k] for k in REPORT_KINDS if k in kinds}, defaults=defaults,
                  can_generate=Role(current_user.role) in GENERATORS, period_kinds=KINDS)


def _report(report_id: int) -> Report:
    kinds = _visible_kinds()
    report = db.session.get(Report, report_id)
    if report is None or report.kind not in kinds:
        abort(404)
    return report


def _rows(report: Report) -> int:
    """The rows of a report's tables (units ranked, orders listed), for its export record."""
    return sum(len(table["rows"]) for table in (report.figures or {}).get("tables", []))


@bp.route("/<int:report_id>.pdf")
@login_required
def pdf(report_id: int):
    report = _report(report_id)
    exports.record(current_user, _rows(report), f"{report.filename_stem}.pdf", report.pdf)
    return pdf_response(report.pdf, f"{report.filename_stem}.pdf")


@bp.route("/<int:report_id>.xlsx")
@login_required
def xlsx(report_id: int):
    report = _report(report_id)
    exports.record(current_user, _rows(report), f"{report.filename_stem}.xlsx", report.xlsx)
    return send_file(BytesIO(report.xlsx), as_attachment=True, download_name=f"{report.filename_stem}.xlsx",
                     mimetype=XLSX)


@bp.route("/generate", methods=["POST"])
@login_required
def generate():
    require_role(current_user, *GENERATORS)
    kind = request.form.get("kind", "")
    try:
        report = generate_report(kind, request.form.get("period", ""), current_user)
    except ReportRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("reports.index"))
    flash(f"已生成：{report.period_label}{report.kind_label}。", "success")
    return redirect(url_for("reports.index", kind=kind))


@bp.route("/<int:report_id>/regenerate", methods=["POST"])
@login_required
def regenerate(report_id: int):
    require_role(current_user, *GENERATORS)
    try:
        report = regenerate_report(report_id, current_user)
    except ReportRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("reports.index"))
    flash(f"已按原数据截止时间重新生成：{report.period_label}{report.kind_label}。", "success")
    return redirect(url_for("reports.index", kind=report.kind))


def _orders_url(**args) -> str:
    return url_for("orders.index", **{k: v for k, v in args.items() if v not in (None, "")})


@dashboard_bp.route("/", endpoint="index")
@login_required
def dashboard():
    """Volumes and rates by month, the ranking of units, categories rising and falling, open and overdue
    orders, hot-topic warnings; every figure links to the orders behind it. The figures are the kept ones
    (``portal.figures``), and the page says when they were computed."""
    require_role(current_user, *DASHBOARD_ROLES)
    at = now()
    months = queries.months_back(at.date(), 12)
    kept = figures.dashboard(at)
    month_facts = figures.months(months[-6:], at)
    volumes = kept.volumes
    month_links = [_orders_url(start=m.start.date().isoformat(), end=m.last_day.isoformat()) for m in months]
    volume_chart = charts.bar([charts.Item(f"{m.start.month}月", v, href) for m, v, href in
                               zip(months, volumes, month_links)], "每月受理量", width=720, height=230)
    rate_months = months[-6:]
    config = current_config()
    district = [month_facts[m.key].assessment("district", config).total for m in rate_months]
    rates_chart = charts.line(
        [f"{m.start.month}月" for m in rate_months],
        [("过程满意率", [t.rates.get("satisfaction_process") for t in district]),
         ("解决率", [t.rates.get("resolution") for t in district]),
         ("按期回复率", [t.rates.get("on_time_reply") for t in district]),
         ("综合满意率", [t.composite for t in district])],
        "各月主要指标", hrefs=month_links[-6:], width=720, height=230)
    rank_period = containing("month", at.date())
    if request.args.get("period") == "previous":
        rank_period = rank_period.previous()
    kind = request.args.get("unit_kind", "")
    kind = kind if kind in {k.value for k in ASSESSED_KINDS} else ""
    rows, shown = queries.unit_ranking(month_facts[rank_period.key].assessment("unit", config), kind, SHOWN_RANKS)
    last_three = len(rows) - 3 if len(rows) > 5 else len(rows)
    ranking_chart = charts.ranking(
        [charts.Item(r.name, r.composite, _orders_url(unit=r.key, start=rank_period.start.date().isoformat(),
                                                        end=rank_period.last_day.isoformat()),
                     rank=rank, warn=i >= last_three) for i, rank, r in shown],
        f"{rank_period.label}承办单位综合得分排名", width=720, label_width=170)
    computed_at = min([kept.computed_at] + [f.computed_at for f in month_facts.values()])
    split = (kept.computed_at - timedelta(days=28)).date()
    rising = [c for c in kept.changes if c["change"] > 0][:6]
    falling = [c for c in kept.changes if c["change"] < 0][:6]
    states = kept.states
    context = dict(
        volume_chart=volume_chart, rates_chart=rates_chart, ranking_chart=ranking_chart, ranked=len(rows),
        rank_period=rank_period, unit_kind=kind, unit_kinds=[(k.value, UNIT_KIND_LABELS[k]) for k in ASSESSED_KINDS],
        rising=rising, falling=falling, split=split, start=(kept.computed_at - timedelta(days=56)).date(),
        today=at.date(), states=[(s, label, states.get(s, 0)) for s, label in queries.OPEN_LABELS],
        open_total=sum(n for s, n in states.items() if s != "closed"), overdue=kept.overdue,
        unresolved=kept.unresolved, this_month=containing("month", at.date()), month_received=volumes[-1],
        hot_topics=queries.recent_hot_topics(at - timedelta(days=14)),
        orders_url=_orders_url, district_now=district[-1],
        figures_age={"computed_at": computed_at, "every_minutes": figures.renewed_every()})
    return render("dashboard/index.html", "dashboard/_ranking.html", **context)
