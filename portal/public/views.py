"""Public rankings (no log-in) and the office's publishing pages (dispatchers).

``public``: /public/rankings lists the published months and quarters; /public/rankings/<period> shows
the frozen table. An unpublished period is a 404. ``publishing``: the office previews a period's ranking
and publishes it (or a correction), and publishes or withdraws orders for Open311.
"""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..assessment.periods import containing
from ..auth.models import Role
from ..clock import now
from ..extensions import db
from ..htmx import render
from ..orders.models import Order
from ..permissions import require_role
from . import queries
from .access import public_blueprint, public_links
from .operations import Refused, publish_order, publish_ranking, publishable_period, withdraw_order
from .redact import public_summary

bp = public_blueprint("public", __name__, url_prefix="/public", link=("办理情况排名", "public.rankings"))
office_bp = Blueprint("publishing", __name__, url_prefix="/publishing")


@bp.app_context_processor
def _public_links():
    return {"public_links": public_links}


# --- public ---

@bp.route("/rankings")
def rankings():
    return render("public/rankings.html", items=queries.latest_rankings())


@bp.route("/rankings/<period_key>")
def ranking(period_key: str):
    versions = queries.ranking_versions(period_key)
    if not versions:
        abort(404)
    return render("public/ranking.html", ranking=versions[0], figures=versions[0].figures, earlier=versions[1:])


# --- the office ---

@office_bp.route("/")
@login_required
def index():
    require_role(current_user, Role.DISPATCHER)
    today = now().date()
    last_month = containing("month", today).previous()
    last_quarter = containing("quarter", today).previous()
    return render("public/office.html", published=queries.latest_rankings(), suggestions=[last_month, last_quarter])


@office_bp.route("/rankings/preview")
@login_required
def preview():
    require_role(current_user, Role.DISPATCHER)
    key = (request.args.get("period") or "").strip()
    try:
        period = publishable_period(key)
    except Refused as exc:
        flash(str(exc), "warning")
        return redirect(url_for("publishing.index"))
    versions = queries.ranking_versions(period.key)
    as_of = now() if versions else queries.snapshot_as_of(period, now())
    return render("public/preview.html", period=period, figures=queries.ranking_snapshot(period, as_of),
                  versions=versions)


@office_bp.route("/rankings/publish", methods=["POST"])
@login_required
def publish():
    require_role(current_user, Role.DISPATCHER)
    key = request.form.get("period", "")
    try:
        ranking = publish_ranking(current_user, key, correction_reason=request.form.get("correction_reason"))
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("publishing.preview", period=key) if key else url_for("publishing.index"))
    flash(f"{ranking.period_label}排名已发布（第{ranking.version}版）。", "success")
    return redirect(url_for("publishing.index"))


@office_bp.route("/orders")
@login_required
def orders():
    require_role(current_user, Role.DISPATCHER)
    rows = [(order, public, public_summary(order.content, (order.caller_name,)))
            for order, public in queries.publishable_orders()]
    return render("public/orders.html", rows=rows)


@office_bp.route("/orders/<int:order_id>", methods=["POST"])
@login_required
def order_publication(order_id: int):
    require_role(current_user, Role.DISPATCHER)
    order = db.get_or_404(Order, order_id)
    try:
        if request.form.get("action") == "withdraw":
            withdraw_order(current_user, order)
            flash(f"工单{order.number}已撤回公开。", "success")
        else:
            publish_order(current_user, order, request.form.get("summary"))
            flash(f"工单{order.number}已公开。", "success")
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    return redirect(url_for("publishing.orders"))
