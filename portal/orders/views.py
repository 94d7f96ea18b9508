"""Order pages: search, the dispatcher's pool, unit inboxes, review and visit queues, the order page.

Views read input, call one operation, and render the page or, for htmx, the fragment that changed.
"""
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required

from ..attachments.forms import uploaded_files
from ..attachments.operations import reply_with_files
from ..auth.models import Role, User
from ..extensions import db
from ..form_values import page_number
from ..htmx import is_htmx, redirect, render
from ..clock import now
from ..permissions import can_view_order, caller, order_or_404, require_role
from ..query_plans import generic_plans
from ..roster.queries import incomplete_units
from ..roster.routing import Responsibility
from ..units.queries import units_by_kind
from . import inbox_alerts, operations, page_load, queries
from .errors import Conflict, InvalidInput, TransitionRefused
from .filters import DEADLINE_FILTERS, OrderFilters
from .forms import action_params, take_in_data
from .models import Category, Order
from .states import Action, allowed

bp = Blueprint("orders", __name__, url_prefix="/orders")

# The fragment an action re-renders, by where it was taken from.
ACTION_VIEWS = {
    "page": "orders/_order_main.html",
    "pool": "orders/_pool_row.html",
    "inbox": "orders/_inbox_row.html",
    "queue": "orders/_queue_row.html",
}


def _size() -> int:
    return current_app.config["PAGE_SIZE"]


def _categories():
    return db.session.scalars(db.select(Category).where(Category.active.is_(True)).order_by(Category.sort, Category.id)).all()


def _list_context(f: OrderFilters) -> dict:
    return {"f": f, "categories": _categories(), "unit_groups": units_by_kind(),
            "deadline_filters": DEADLINE_FILTERS}


def _roster_gaps() -> set[int]:
    return {u.id for u in incomplete_units()}


@bp.route("/")
@login_required
def index():
    if current_user.role == Role.DEPUTY:  # deputies read their pushed lists, masked (portal/deputies)
        abort(403)
    f = OrderFilters.from_args(request.args)
    orders, has_next = queries.search(current_user, f, _size())
    return render("orders/index.html", "orders/_order_table.html", orders=orders, has_next=has_next,
                  endpoint="orders.index", **_list_context(f))


@bp.route("/pool")
@login_required
def pool():
    require_role(current_user, Role.DISPATCHER)
    f = OrderFilters.from_args(request.args)
    orders, has_next = queries.pool(f, current_user, _size())
    return render("orders/pool.html", "orders/_pool_table.html", orders=orders, has_next=has_next,
                  endpoint="orders.pool", roster_gaps=_roster_gaps(), **_list_context(f))


@bp.route("/inbox")
@generic_plans  # the unit's open orders, the user and the roster: by key
@login_required
def inbox():
    require_role(current_user, Role.HANDLER, Role.UNIT_LEADER)
    tab = request.args.get("tab", "mine")
    if tab not in queries.INBOX_TABS:
        tab = "mine"
    page = page_number(request.args.get("page"))
    duty = Responsibility(current_user.unit_id, now())
    mine = duty.answered_by(current_user)
    orders, has_next = queries.inbox(current_user.unit_id, tab, page, _size(), mine)
    counts, alerts = inbox_alerts.counts_and_alerts(current_user.unit_id, mine)
    return render("orders/inbox.html", "orders/_inbox_panel.html", orders=orders, has_next=has_next, tab=tab,
                  page=page, tabs=queries.INBOX_TABS, counts=counts, duty=duty, alerts=alerts)


def _office_queue(template: str, endpoint: str, tabs: dict, default: str, fetch, counts):
    """A dispatcher's tabbed queue (review, visits): the tab's page of orders and every tab's count."""
    require_role(current_user, Role.DISPATCHER)
    tab = request.args.get("tab", default)
    if tab not in tabs:
        tab = default
    page = page_number(request.args.get("page"))
    orders, has_next = fetch(tab, page, _size())
    return render(template, "orders/_queue_panel.html", orders=orders, has_next=has_next, tab=tab,
                  page=page, tabs=tabs, counts=counts(), endpoint=endpoint)


@bp.route("/review")
@login_required
def review():
    return _office_queue("orders/review.html", "orders.review", queries.OFFICE_TABS, "replies",
                         queries.office_queue, queries.office_counts)


@bp.route("/visits")
@login_required
def visits():
    return _office_queue("orders/visits.html", "orders.visits", queries.VISIT_TABS, "to_visit",
                         queries.visit_queue, queries.visit_counts)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, Role.DISPATCHER, Role.ADMIN)
    error = None
    if request.method == "POST":
        try:
            order = operations.take_in(current_user, take_in_data(request.form))
        except (InvalidInput, TransitionRefused) as exc:
            error = str(exc)
        else:
            return redirect(url_for("orders.show", order_id=order.id))
    return render("orders/new.html", typed=request.form, error=error, categories=_categories(),
                  status=422 if error else 200)


@bp.route("/<int:order_id>")
@generic_plans  # the order by id, with its units, events, files and supervisions
@login_required
def show(order_id: int):
    loaded = page_load.order_for_page(order_id, now())
    if loaded is None or not can_view_order(current_user, loaded[0]):
        abort(404)
    order, present = loaded
    return render("orders/show.html", "orders/_order_main.html", **_order_context(order, present))


@bp.route("/<int:order_id>/form/<action>")
@login_required
def action_form(order_id: int, action: str):
    """The form of one action, swapped in place (e.g. the dispatch form in a pool row)."""
    order = order_or_404(current_user, order_id)
    action = _action_or_404(action)
    view = request.args.get("view", "page")
    if not is_htmx():
        return redirect(url_for("orders.show", order_id=order.id))
    # ?suggest=<unit id>: the dispatch form with that lead unit selected (a dispatch suggestion taken)
    typed = {"lead_unit_id": request.args["suggest"]} if request.args.get("suggest") else {}
    if view == "page":  # the order page's main panel with this action's form open
        return render("orders/_order_main.html", failed_action=action, typed=typed, **_order_context(order))
    return render("orders/_action_form_row.html", action=action, view=view, typed=typed, error=None,
                  **_order_context(order))


ROW_TEMPLATES = {key: value for key, value in ACTION_VIEWS.items() if key != "page"}


@bp.route("/<int:order_id>/row")
@login_required
def row(order_id: int):
    """One order's row in a list (after a cancelled inline form)."""
    order = order_or_404(current_user, order_id)
    template = ROW_TEMPLATES.get(request.args.get("view", ""))
    if template is None or not is_htmx():
        return redirect(url_for("orders.show", order_id=order.id))
    return render(template, **_order_context(order))


@bp.route("/<int:order_id>/act/<action>", methods=["POST"])
@login_required
def act(order_id: int, action: str):
    order = order_or_404(current_user, order_id)
    action = _action_or_404(action)
    view = request.form.get("view", "page")
    if view not in ACTION_VIEWS:
        abort(400)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    try:
        files = uploaded_files(request.files) if action is Action.REPLY else []
        if files:  # a reply with its files (portal/attachments), in one transaction
            order = reply_with_files(order.id, current_user, files, version=version,
                                     **action_params(action, request.form))
        else:
            order = operations.apply(order.id, action, current_user, version=version,
                                     **action_params(action, request.form))
    except (InvalidInput, TransitionRefused, Conflict) as exc:
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        status = 409 if isinstance(exc, Conflict) else 422
        if not is_htmx():
            return render("orders/show.html", status=status, error=str(exc), failed_action=action,
                          typed=request.form, **_order_context(order))
        template = "orders/_order_main.html" if view == "page" else "orders/_action_form_row.html"
        return render(template, status=status, error=str(exc), failed_action=action, action=action, view=view,
                      typed=request.form, **_order_context(order))
    if not is_htmx():
        return redirect(url_for("orders.show", order_id=order.id))
    return render(ACTION_VIEWS[view], done=action, **_order_context(order))


def _action_or_404(name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        abort(404)
    if action is Action.TAKE_IN:
        abort(404)
    return action


def _order_context(order: Order, present: page_load.OnPage | None = None) -> dict:
    """What the order's templates read; ``present``: what the order is known to have (None: the cards look)."""
    user = current_user._get_current_object()  # once, not through the proxy for each of the ~20 actions
    actions = allowed(order, user)
    context = {"order": order, "actions": actions, "caller": caller(user, order), "present": present}
    if Action.DISPATCH in actions:
        context["unit_groups"] = units_by_kind()
        context["roster_gaps"] = _roster_gaps()
    if order.lead_unit_id and order.handler_id:
        context["answering"], context["acting"] = _answering(order, present)
    return context


def _answering(order: Order, present: page_load.OnPage | None) -> tuple[User | None, bool]:
    """``Responsibility.answering``: a handler at work (active, no absence now) answers for the order
    themselves, which the page knows without the roster's statements; otherwise the roster decides."""
    if present is not None and not present.handler_away and order.handler is not None and order.handler.active:
        return order.handler, False
    return Responsibility(order.lead_unit_id, now()).answering(order)
