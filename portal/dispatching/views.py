"""The responsibility list page (admins edit, dispatchers read) and the dispatch form's suggestions.

Views read the request, call one operation in ``operations`` (or ``suggest``) and render the page, or
for htmx the fragment that changed.
"""
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..htmx import is_htmx, redirect as hx_redirect, render
from ..orders.models import Category
from ..permissions import order_or_404, require_role
from ..roster.queries import incomplete_units
from ..units.queries import units_by_kind
from . import operations, queries
from .excel import SheetError, read_rows, write_rows
from .matching import split_keywords
from .models import ResponsibilityItem
from .operations import InvalidInput, NotAllowed
from .suggest import suggest

bp = Blueprint("dispatching", __name__, url_prefix="/dispatching")

READERS = (Role.ADMIN, Role.DISPATCHER)
MAX_ERRORS_SHOWN = 200


def _is_admin() -> bool:
    return Role(current_user.role) is Role.ADMIN


def _form(form) -> dict:
    return {"matter": form.get("matter"), "keywords": form.get("keywords"), "category_id": form.get("category_id"),
            "lead_unit_id": form.get("lead_unit_id"), "assist_unit_ids": form.getlist("assist_unit_ids"),
            "note": form.get("note")}


def _item_or_404(item_id: int) -> ResponsibilityItem:
    return db.session.get(ResponsibilityItem, item_id) or abort(404)


def _choices() -> dict:
    categories = db.session.scalars(db.select(Category).where(Category.active.is_(True))
                                    .order_by(Category.sort, Category.id)).all()
    return {"categories": categories, "unit_groups": units_by_kind(), "unit_names": queries.unit_names(),
            "can_edit": _is_admin(), "split_keywords": split_keywords, "values_of": _values_of}


def _values_of(item: ResponsibilityItem) -> MultiDict:
    """An entry's values as the edit form reads them."""
    return MultiDict([("matter", item.matter), ("keywords", item.keywords), ("category_id", item.category_id or ""),
                      ("lead_unit_id", item.lead_unit_id), ("note", item.note or "")]
                     + [("assist_unit_ids", i) for i in item.assist_unit_ids or []])


def _list_context(**extra) -> dict:
    q = (request.args.get("q") or "").strip()
    show = request.args.get("show", "active")
    if show not in ("active", "all", "inactive"):
        show = "active"
    return {"items": queries.items(q, show), "q": q, "show": show, "counts": queries.counts(),
            "add_errors": [], "typed": MultiDict(), "editing": None, "import_result": None,
            "import_error": None} | _choices() | extra


# --- the responsibility list -------------------------------------------------------------------------

@bp.route("/list")
@login_required
def responsibility_list():
    require_role(current_user, *READERS)
    editing = request.args.get("edit", type=int) if _is_admin() else None
    return render("dispatching/list.html", "dispatching/_list_table.html", **_list_context(editing=editing))


@bp.route("/list", methods=["POST"])
@login_required
def create_item():
    require_role(current_user, Role.ADMIN)
    try:
        item = operations.add_item(current_user, _form(request.form))
    except InvalidInput as exc:
        return render("dispatching/list.html", status=422,
                      **_list_context(add_errors=exc.messages, typed=request.form))
    flash(f"已添加清单事项“{item.matter}”，此后派单建议即按此匹配。", "success")
    return redirect(url_for("dispatching.responsibility_list", _anchor=f"item-{item.id}"))


@bp.route("/list/<int:item_id>/row")
@login_required
def item_row(item_id: int):
    """One entry's row, to read or (admins, ``?edit=1``) to edit in place."""
    require_role(current_user, *READERS)
    item = _item_or_404(item_id)
    editing = request.args.get("edit") == "1" and _is_admin()
    if not is_htmx():
        return redirect(url_for("dispatching.responsibility_list", edit=item.id if editing else None,
                                show="all", _anchor=f"item-{item.id}"))
    return render("dispatching/_item_row.html", item=item, editing=editing, errors=[], typed=None, **_choices())


@bp.route("/list/<int:item_id>", methods=["POST"])
@login_required
def save_item(item_id: int):
    require_role(current_user, Role.ADMIN)
    item = _item_or_404(item_id)
    try:
        operations.edit_item(current_user, item, _form(request.form))
    except InvalidInput as exc:
        db.session.rollback()
        if is_htmx():
            return render("dispatching/_item_row.html", status=422, item=item, editing=True, errors=exc.messages,
                          typed=request.form, **_choices())
        flash("未保存：" + "；".join(exc.messages), "danger")
        return redirect(url_for("dispatching.responsibility_list", _anchor=f"item-{item.id}"))
    if is_htmx():
        return render("dispatching/_item_row.html", item=item, editing=False, saved=True, errors=[], typed=None,
                      **_choices())
    flash(f"已保存“{item.matter}”。", "success")
    return redirect(url_for("dispatching.responsibility_list", _anchor=f"item-{item.id}"))


@bp.route("/list/<int:item_id>/active", methods=["POST"])
@login_required
def set_item_active(item_id: int):
    """Switch an entry off (停用) or on again (启用)."""
    require_role(current_user, Role.ADMIN)
    item = _item_or_404(item_id)
    try:
        operations.set_active(current_user, item, request.form.get("active") == "1")
    except NotAllowed:
        abort(403)
    if is_htmx():
        return render("dispatching/_item_row.html", item=item, editing=False, saved=True, errors=[], typed=None,
                      **_choices())
    return redirect(url_for("dispatching.responsibility_list", _anchor=f"item-{item.id}"))


@bp.route("/list/import", methods=["POST"])
@login_required
def import_list():
    require_role(current_user, Role.ADMIN)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render("dispatching/list.html", status=422, **_list_context(import_error="请选择要导入的Excel文件。"))
    try:
        rows = read_rows(upload.read())
    except SheetError as exc:
        return render("dispatching/list.html", status=422, **_list_context(import_error=str(exc)))
    if not rows:
        return render("dispatching/list.html", status=422, **_list_context(import_error="表格中没有数据行。"))
    result = operations.import_rows(current_user, rows)
    if not result.errors:
        flash(f"导入完成：{result.summary}。", "success")
        return redirect(url_for("dispatching.responsibility_list"))
    imported = result.added or result.updated or result.unchanged
    return render("dispatching/list.html", status=200 if imported else 422,
                  **_list_context(import_result=result, import_errors=result.errors[:MAX_ERRORS_SHOWN],
                                  more_errors=max(len(result.errors) - MAX_ERRORS_SHOWN, 0)))


@bp.route("/list/export")
@login_required
def export_list():
    """The entries in force as .xlsx, in the columns the import reads."""
    require_role(current_user, *READERS)
    entries = queries.items("", "active")
    data = write_rows(entries, queries.unit_names())
    name = f"首接负责主协办清单-{now():%Y%m%d}.xlsx"
    exports.record(current_user, len(entries), name, data)
    return send_file(BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- suggestions in the dispatch form ----------------------------------------------------------------

@bp.route("/suggest/<int:order_id>")
@login_required
def suggestions(order_id: int):
    """The dispatch form's suggestions; with ``?pick=<unit id>`` (a suggestion's 采用), the form's unit part
    with that unit as lead and its assisting units selected."""
    require_role(current_user, Role.DISPATCHER)
    order = order_or_404(current_user, order_id)
    if not is_htmx():
        return hx_redirect(url_for("orders.show", order_id=order.id))
    result = suggest(order=order)
    picked = request.args.get("pick", type=int)
    if picked is None:
        return render("dispatching/_suggestions.html", order=order, suggestions=result, picked=None)
    chosen = next((s for s in result["lead"] if s["unit_id"] == picked), None)
    assists = [a["unit_id"] for a in chosen["assist"]] if chosen else []
    typed = MultiDict([("lead_unit_id", str(picked))] + [("assist_unit_ids", str(a)) for a in assists])
    return render("dispatching/_dispatch_units.html", order=order, suggestions=result, picked=picked, typed=typed,
                  unit_groups=units_by_kind(), roster_gaps={u.id for u in incomplete_units()})
