"""Deputies' lists: the office's pages (lists by month, candidates, pick/annotate/reorder, recipients,
publish, versions, rates of deputy-forwarded orders) and the deputies' pages (lists pushed to them, each
matter's progress and public timeline, remarks, PDF). Deputies see masked data only; a list not pushed
to a deputy is 404 to them.
"""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from ..assessment.periods import containing
from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..htmx import is_htmx, redirect, render
from ..orders.models import Order
from ..pdf import pdf_response, render_pdf
from ..permissions import require_role
from . import operations, queries
from .candidates import propose
from .masking import masked_order, public_timeline
from .models import DeputyList, DeputyListItem
from .states import REMARK_KINDS, STATE_COLOURS, Refused

bp = Blueprint("deputies", __name__, url_prefix="/deputies")

OFFICE = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def _list_or_404(list_id: int) -> DeputyList:
    found = db.session.get(DeputyList, list_id)
    if found is None or not queries.can_view(current_user, found):
        abort(404)
    return found


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the office --------------------------------------------------------------------------------------

def _index_context(**extra) -> dict:
    """Lists by month, and this month's rates of deputy-forwarded orders beside all orders'."""
    month = containing("month", now().date())
    return {"months": queries.by_month(), "this_month": month.key, "rates": queries.rates_apart(month, now()),
            "rates_period": month, "colours": STATE_COLOURS, **extra}


@bp.route("/")
@login_required
def index():
    require_role(current_user, *OFFICE)
    return render("deputies/index.html", **_index_context())


@bp.route("/new", methods=["POST"])
@login_required
def create():
    require_role(current_user, Role.DISPATCHER)
    try:
        found = operations.open_list(current_user, request.form.get("month", ""))
    except Refused as exc:
        db.session.rollback()
        return render("deputies/index.html", status=422, error=str(exc), **_index_context())
    return redirect(url_for("deputies.show", list_id=found.id))


def _editor_context(found: DeputyList, **extra) -> dict:
    context = {"l": found, "versions": queries.month_versions(found.month), "colours": STATE_COLOURS,
               "deputies": queries.deputies(), "editable": found.is_draft and current_user.role == Role.DISPATCHER,
               "chosen": {r.deputy_id for r in found.recipients}, **extra}
    if context["editable"]:
        from ..assessment.periods import parse

        on_list = {i.order_id for i in found.items}
        context["candidates"] = [c for c in propose(parse(found.month)) if c.order.id not in on_list]
    return context


@bp.route("/<int:list_id>")
@login_required
def show(list_id: int):
    found = _list_or_404(list_id)
    if not queries.is_office(current_user):
        return render("deputies/list.html", l=found, rows=[(i, masked_order(i.order)) for i in found.items])
    return render("deputies/edit.html", "deputies/_editor.html", **_editor_context(found))


def _editor_response(list_id: int, error: str | None = None):
    db.session.expire_all()
    found = db.session.get(DeputyList, list_id)
    status = 422 if error else 200
    if not is_htmx():
        if error:
            return render("deputies/edit.html", status=status, error=error, **_editor_context(found))
        return redirect(url_for("deputies.show", list_id=list_id))
    return render("deputies/_editor.html", status=status, error=error, **_editor_context(found))


@bp.route("/<int:list_id>/items", methods=["POST"])
@login_required
def add_item(list_id: int):
    require_role(current_user, Role.DISPATCHER)
    _list_or_404(list_id)
    order_id = _int(request.form.get("order_id"))
    number = (request.form.get("number") or "").strip()
    if order_id is None and number:
        order_id = db.session.scalar(db.select(Order.id).where(Order.number == number))
    try:
        if order_id is None:
            raise Refused("请选择工单，或填写正确的工单编号。")
        operations.add_item(current_user, list_id, order_id)
    except Refused as exc:
        db.session.rollback()
        return _editor_response(list_id, str(exc))
    return _editor_response(list_id)


@bp.route("/items/<int:item_id>/<op>", methods=["POST"])
@login_required
def edit_item(item_id: int, op: str):
    require_role(current_user, Role.DISPATCHER)
    item = db.session.get(DeputyListItem, item_id)
    if item is None or op not in ("note", "up", "down", "remove"):
        abort(404)
    list_id = item.list_id
    try:
        operations.edit_item(current_user, item_id, op, request.form.get("note"))
    except Refused as exc:
        db.session.rollback()
        return _editor_response(list_id, str(exc))
    return _editor_response(list_id)


@bp.route("/<int:list_id>/recipients", methods=["POST"])
@login_required
def recipients(list_id: int):
    require_role(current_user, Role.DISPATCHER)
    _list_or_404(list_id)
    try:
        ids = [int(v) for v in request.form.getlist("deputy_ids")]
        operations.set_recipients(current_user, list_id, request.form.get("all_deputies") == "1", ids)
    except ValueError:
        db.session.rollback()
        return _editor_response(list_id, "所选代表有误。")
    except Refused as exc:
        db.session.rollback()
        return _editor_response(list_id, str(exc))
    return _editor_response(list_id)


@bp.route("/<int:list_id>/publish", methods=["POST"])
@login_required
def publish(list_id: int):
    require_role(current_user, Role.DISPATCHER)
    _list_or_404(list_id)
    try:
        operations.publish(current_user, list_id)
    except Refused as exc:
        db.session.rollback()
        return _editor_response(list_id, str(exc))
    return redirect(url_for("deputies.show", list_id=list_id))


@bp.route("/<int:list_id>/new-version", methods=["POST"])
@login_required
def new_version(list_id: int):
    require_role(current_user, Role.DISPATCHER)
    _list_or_404(list_id)
    try:
        draft = operations.new_version(current_user, list_id)
    except Refused as exc:
        db.session.rollback()
        return _editor_response(list_id, str(exc))
    return redirect(url_for("deputies.show", list_id=draft.id))


# --- deputies ----------------------------------------------------------------------------------------

@bp.route("/mine")
@login_required
def mine():
    require_role(current_user, Role.DEPUTY)
    return render("deputies/mine.html", lists=queries.pushed_to(current_user))


def _matter_context(found: DeputyList, order_id: int) -> dict:
    item = queries.item_of(found, order_id)
    if item is None:
        abort(404)
    order = item.order
    own = current_user.id if current_user.role == Role.DEPUTY else None
    return {"l": found, "item": item, "order": order, "m": masked_order(order), "steps": public_timeline(order),
            "remarks": queries.remarks_on(order.id, own) if own else queries.remarks_on(order.id),
            "kinds": REMARK_KINDS, "may_remark": queries.is_recipient(current_user, found)}


@bp.route("/<int:list_id>/matters/<int:order_id>")
@login_required
def matter(list_id: int, order_id: int):
    found = _list_or_404(list_id)
    return render("deputies/matter.html", **_matter_context(found, order_id))


@bp.route("/<int:list_id>/matters/<int:order_id>/remark", methods=["POST"])
@login_required
def remark(list_id: int, order_id: int):
    require_role(current_user, Role.DEPUTY)
    found = _list_or_404(list_id)
    try:
        operations.add_remark(current_user, found.id, order_id, request.form.get("kind", ""),
                              request.form.get("text", ""))
    except Refused as exc:
        db.session.rollback()
        found = db.session.get(DeputyList, list_id)
        return render("deputies/matter.html", "deputies/_remarks.html", status=422, error=str(exc),
                      typed=request.form, **_matter_context(found, order_id))
    if not is_htmx():
        return redirect(url_for("deputies.matter", list_id=list_id, order_id=order_id))
    return render("deputies/_remarks.html", done=True, **_matter_context(found, order_id))


@bp.route("/<int:list_id>/pdf")
@login_required
def list_pdf(list_id: int):
    """The list as a PDF for a meeting: the matters with masked data, for recipients and the office."""
    found = _list_or_404(list_id)
    data = render_pdf("deputies/pdf/list.html", l=found, printed_at=now(),
                      rows=[(i, masked_order(i.order)) for i in found.items])
    name = f"{found.title}（第{found.version}版）.pdf"
    exports.record(current_user, len(found.items), name, data)
    return pdf_response(data, name)


@bp.app_template_global()
def deputy_remarks_for(order, present=None) -> list:
    """Deputies' remarks on ``order`` for the order page (the office and the order's units; deputies read
    theirs on their own pages); ``present``: what the order page knows the order has (None: look)."""
    if current_user.role == Role.DEPUTY or (present is not None and not present.remarks):
        return []
    return queries.remarks_on(order.id)
