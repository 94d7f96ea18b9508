"""The ledger pages: the filtered list and its exports, registering a matter, and an entry's page
where notes, cancelling and reopening happen in place (htmx swaps the entry's main panel)."""
from io import BytesIO

from flask import Blueprint, abort, current_app, request, send_file, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..htmx import is_htmx, redirect, render
from ..orders.models import Order
from ..pdf import pdf_response
from ..permissions import can_view_order, require_role
from ..supervision.models import Supervision
from ..units.queries import units_by_kind
from . import access, export, queries
from .filters import LedgerFilters
from .forms import registration
from .models import STATE_FILTERS, LedgerEntry
from .operations import (LedgerRefused, add_note, cancel, register, register_from_supervision, reopen,
                         supervision_prefill)

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _require_reader():
    if not access.reads_ledger(current_user):
        abort(403)


def _list_context(f: LedgerFilters) -> dict:
    return {"f": f, "units": queries.units_in_ledger(current_user), "leaders": queries.leaders_in_ledger(current_user),
            "state_filters": STATE_FILTERS, "today": now().date(), "keeps": access.keeps(current_user)}


@bp.route("/")
@login_required
def index():
    _require_reader()
    f = LedgerFilters.from_args(request.args)
    entries, has_next = queries.page(current_user, f, current_app.config["PAGE_SIZE"])
    return render("ledger/index.html", "ledger/_list.html", entries=entries, has_next=has_next,
                  counts=queries.counts(current_user), **_list_context(f))


def _export(kind: str):
    _require_reader()
    f = LedgerFilters.from_args(request.args)
    entries, truncated = queries.export_rows(current_user, f)
    context = _list_context(f)
    summary = f.summary({u.id: u.name for u in context["units"]}, {u.id: u.name for u in context["leaders"]})
    at = now()
    name = f"{export.TITLE}-{at:%Y%m%d}"
    if kind == "xlsx":
        data = export.workbook(entries, at.date(), summary, at)
        exports.record(current_user, len(entries), f"{name}.xlsx", data)
        return send_file(BytesIO(data), as_attachment=True, download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    data = export.pdf(entries, at.date(), summary, at, truncated)
    exports.record(current_user, len(entries), f"{name}.pdf", data)
    return pdf_response(data, f"{name}.pdf", inline=False)


@bp.route("/export.xlsx")
@login_required
def export_xlsx():
    return _export("xlsx")


@bp.route("/export.pdf")
@login_required
def export_pdf():
    return _export("pdf")


def _form_context(**extra) -> dict:
    return {"unit_groups": units_by_kind(), "leader_groups": queries.leader_choices(), "typed": request.form,
            "today": now().date(), **extra}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, Role.SUPERVISOR)
    error = None
    if request.method == "POST":
        try:
            entry = register(current_user, registration(request.form))
        except LedgerRefused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return redirect(url_for("ledger.show", entry_id=entry.id))
    typed = request.form if request.method == "POST" else _prefill_from_order()
    return render("ledger/new.html", status=422 if error else 200, error=error, **_form_context(typed=typed))


@bp.route("/from-supervision/<int:supervision_id>", methods=["GET", "POST"])
@login_required
def from_supervision(supervision_id: int):
    """Register the matter of a supervision (the supervision page's 登记台帐 button leads here): the form
    pre-filled from the supervision; its unit and orders are taken as they are."""
    require_role(current_user, Role.SUPERVISOR)
    supervision = db.session.get(Supervision, supervision_id) or abort(404)
    existing = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.supervision_id == supervision.id))
    if existing is not None:
        return redirect(url_for("ledger.show", entry_id=existing.id))
    error = None
    if request.method == "POST":
        try:
            entry = register_from_supervision(current_user, supervision, registration(request.form))
        except LedgerRefused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return redirect(url_for("ledger.show", entry_id=entry.id))
    if request.method == "POST":
        typed = request.form
    else:
        p = supervision_prefill(supervision)
        typed = {"title": p.title, "description": p.description, "leader_id": str(p.leader_id or ""),
                 "target_date": p.target_date.isoformat() if p.target_date else ""}
    orders = supervision.orders
    source = (f"来自{supervision_label(supervision)}：责任单位 {supervision.unit.name}，"
              f"关联工单{len(orders)}件（{'、'.join(o.number for o in orders)}）。")
    return render("ledger/new.html", status=422 if error else 200, error=error, heading="督办事项挂号",
                  source=source, fixed_unit=supervision.unit,
                  action=url_for("ledger.from_supervision", supervision_id=supervision.id),
                  **_form_context(typed=typed))


def supervision_label(supervision) -> str:
    """How an entry names its supervision: 督办（督字〔2026〕第0001号）, or 督办记录 #12 before a notice."""
    notice = supervision.notice
    what = supervision.step_label
    return f"{what}（{notice.number}）" if notice is not None else f"{what}记录 #{supervision.id}"


def supervision_link(supervision) -> str | None:
    """The supervision's page (its own view decides who may open it)."""
    if "supervision.show" in current_app.view_functions:
        return url_for("supervision.show", supervision_id=supervision.id)
    return None


def _prefill_from_order() -> dict:
    """``/ledger/new?order=<number>``: the form with that order linked and its lead unit as owner."""
    number = request.args.get("order", "").strip()
    order = db.session.scalar(db.select(Order).where(Order.number == number)) if number else None
    if order is None or not can_view_order(current_user, order):
        return {}
    return {"order_numbers": order.number, "owner_unit_id": str(order.lead_unit_id or ""),
            "description": order.content}


def _entry_context(entry: LedgerEntry, **extra) -> dict:
    orders = entry.orders
    visible = [o for o in orders if can_view_order(current_user, o)]
    return {"entry": entry, "today": now().date(), "orders": visible, "hidden_orders": len(orders) - len(visible),
            "keeps": access.keeps(current_user), "may_note": access.can_note(current_user, entry),
            "typed": request.form, **_supervision_context(entry), **extra}


def _supervision_context(entry: LedgerEntry) -> dict:
    if entry.supervision is None:
        return {}
    return {"supervision_label": supervision_label(entry.supervision),
            "supervision_url": supervision_link(entry.supervision)}


@bp.route("/<int:entry_id>")
@login_required
def show(entry_id: int):
    entry = access.entry_or_404(current_user, entry_id)
    return render("ledger/show.html", "ledger/_entry_main.html", **_entry_context(entry))


def _act(entry_id: int, operation, done: str):
    """Apply one change to an entry and show its main panel again (the fragment for htmx)."""
    entry = access.entry_or_404(current_user, entry_id)
    try:
        operation(entry)
    except LedgerRefused as exc:
        db.session.rollback()
        entry = access.entry_or_404(current_user, entry_id)
        return render("ledger/show.html", "ledger/_entry_main.html", status=422, error=str(exc),
                      failed=request.endpoint, **_entry_context(entry))
    if not is_htmx():
        return redirect(url_for("ledger.show", entry_id=entry_id))
    entry = access.entry_or_404(current_user, entry_id)
    return render("ledger/_entry_main.html", done=done, **_entry_context(entry, typed={}))


@bp.route("/<int:entry_id>/notes", methods=["POST"])
@login_required
def note(entry_id: int):
    return _act(entry_id, lambda e: add_note(current_user, e, request.form.get("note", "")), "已添加进展。")


@bp.route("/<int:entry_id>/cancel", methods=["POST"])
@login_required
def cancel_entry(entry_id: int):
    return _act(entry_id, lambda e: cancel(current_user, e, request.form.get("note", "")), "已销号。")


@bp.route("/<int:entry_id>/reopen", methods=["POST"])
@login_required
def reopen_entry(entry_id: int):
    return _act(entry_id, lambda e: reopen(current_user, e, request.form.get("reason", "")), "已恢复在办。")
