"""Notification pages: the navbar badge, the list, and marking read.

Each user sees only their own notifications; another user's id is a 404.
"""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..form_values import page_number
from ..htmx import is_htmx, redirect, render, trigger
from ..orders.models import Order
from ..permissions import can_view_order
from . import operations, queries

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

FILTERS = {"all": "全部", "unread": "未读"}
CHANGED = "notifications-changed"  # the event the navbar badge refreshes on


def _list_args(source) -> tuple[str, int]:
    show = source.get("show", "all")
    if show not in FILTERS:
        show = "all"
    return show, page_number(source.get("page"))


def _list_context(show: str, page: int) -> dict:
    rows, has_next = queries.page(current_user, show == "unread", page, current_app.config["PAGE_SIZE"])
    return {"notifications": rows, "has_next": has_next, "show": show, "page": page, "filters": FILTERS,
            "unread": queries.unread_count(current_user.id)}


def _changed_list(show: str, page: int):
    """The list fragment after a change, telling the page to refresh the badge."""
    return trigger(render("notifications/_list.html", **_list_context(show, page)), CHANGED)


@bp.route("/")
@login_required
def index():
    show, page = _list_args(request.args)
    return render("notifications/index.html", "notifications/_list.html", **_list_context(show, page))


@bp.route("/badge")
@login_required
def badge():
    """The bell with the unread count, loaded and refreshed by htmx from the navbar."""
    if not is_htmx():
        return redirect(url_for("notifications.index"))
    return render("notifications/_badge.html", count=queries.unread_count(current_user.id))


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Mark one notification read, then open its order; with ``stay`` set, stay on the list."""
    notification = queries.own(current_user, notification_id)
    if notification is None:
        abort(404)
    order_id = notification.order_id
    operations.mark_read(current_user, [notification_id])
    stay = bool(request.form.get("stay"))
    show, page = _list_args(request.form)
    if order_id is not None and not stay:
        order = db.session.get(Order, order_id)
        if order is not None and can_view_order(current_user, order):
            return redirect(url_for("orders.show", order_id=order_id))
        flash("该工单已不在您的查看范围内。", "warning")
    if stay and is_htmx():
        return _changed_list(show, page)
    return redirect(url_for("notifications.index", show=show, page=page))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    operations.mark_read(current_user)
    show, _ = _list_args(request.form)
    if is_htmx():
        return _changed_list(show, 1)
    flash("已全部标为已读。", "success")
    return redirect(url_for("notifications.index", show=show))
