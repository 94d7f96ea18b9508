"""Supervision pages: the list, candidate orders, opening, one supervision and its actions, downloads.

Views read input, call one operation, and render the page or, for htmx, the fragment that changed.
Notices are served only to the addressee unit, the issuer and leaders (404 otherwise); answers' files are
attachments (portal/attachments), served by its views under the same rule.
"""
import io
from datetime import timedelta

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required

from ..attachments.forms import uploaded_files
from ..auth.models import Role
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..form_values import page_number
from ..htmx import is_htmx, redirect, render
from ..orders.models import Order
from ..pdf import pdf_response
from ..permissions import require_role
from ..units.queries import units_by_kind
from . import forms, operations, queries
from .models import Supervision, SupervisionNotice
from .states import ACTION_LABELS, LEVELS, REASONS, STATE_LABELS, STEPS, Action, Refused, allowed

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

VIEWERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.DISPATCHER, Role.HANDLER, Role.UNIT_LEADER)
VOCAB = {"steps": STEPS, "levels": LEVELS, "reasons": REASONS, "action_labels": ACTION_LABELS,
         "state_labels": STATE_LABELS}


def _size() -> int:
    return current_app.config["PAGE_SIZE"]


@bp.route("/")
@login_required
def index():
    require_role(current_user, *VIEWERS)
    tab = request.args.get("tab", "active")
    tab = tab if tab in queries.TABS else "active"
    step = request.args.get("step", "") if request.args.get("step") in STEPS else ""
    level = request.args.get("level", "") if request.args.get("level") in LEVELS else ""
    unit_id = forms.optional_int(request.args.get("unit"))
    page = page_number(request.args.get("page"))
    rows, has_next = queries.listing(current_user, tab, step, level, unit_id, page, _size())
    args = {k: v for k, v in {"tab": tab, "step": step, "level": level, "unit": unit_id or ""}.items() if v}
    return render("supervision/index.html", "supervision/_list.html", rows=rows, has_next=has_next, tab=tab,
                  tabs=queries.TABS, counts=queries.counts(current_user), step=step, level=level, unit_id=unit_id,
                  page=page, args=args, unit_groups=units_by_kind(), overdue=queries.overdue_answers(current_user),
                  may_print=lambda n: queries.can_download(current_user, n.supervision, n.issued_by_id),
                  **VOCAB)


@bp.route("/candidates")
@login_required
def candidates():
    require_role(current_user, Role.SUPERVISOR)
    kind = request.args.get("kind", "overdue")
    kind = kind if kind in queries.CANDIDATE_KINDS else "overdue"
    unit_id = forms.optional_int(request.args.get("unit"))
    q = (request.args.get("q") or "").strip()[:40]
    page = page_number(request.args.get("page"))
    orders, has_next = queries.candidates(kind, unit_id, q, page, _size())
    args = {k: v for k, v in {"kind": kind, "unit": unit_id or "", "q": q}.items() if v}
    return render("supervision/candidates.html", "supervision/_candidates.html", orders=orders, has_next=has_next,
                  kind=kind, kinds=queries.CANDIDATE_KINDS, unit_id=unit_id, q=q, page=page, args=args,
                  unit_groups=units_by_kind(), active=queries.active_for_orders([o.id for o in orders]))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, Role.SUPERVISOR)
    source = request.form if request.method == "POST" else request.args
    error = None
    try:
        order_ids = forms.ids(source.getlist("order"))
    except Refused as exc:
        order_ids, error = [], str(exc)
    if request.method == "POST" and not error:
        try:
            created = operations.open_supervisions(current_user, order_ids, **forms.open_params(request.form))
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            if len(created) == 1:
                return redirect(url_for("supervision.show", supervision_id=created[0].id))
            return redirect(url_for("supervision.index", tab="active"))
    orders = db.session.scalars(db.select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)).all()
    typed = request.form if request.method == "POST" else {
        "step": request.args.get("step", "supervision"), "issue_notice": "1",
        "answer_due": (now() + timedelta(days=5)).strftime("%Y-%m-%d")}
    return render("supervision/new.html", orders=orders, typed=typed, error=error, leaders=queries.leaders(),
                  status=422 if error else 200, **VOCAB)


def _supervision_or_404(supervision_id: int) -> Supervision:
    supervision = db.session.get(Supervision, supervision_id)
    if supervision is None or not queries.can_view(current_user, supervision):
        abort(404)
    return supervision


def _ledger_url(supervision: Supervision) -> str | None:
    """Where a supervisor registers the supervision's matter in the ledger (portal/ledger), if it is there."""
    if current_user.role != Role.SUPERVISOR or "ledger.from_supervision" not in current_app.view_functions:
        return None
    return url_for("ledger.from_supervision", supervision_id=supervision.id)


def _context(supervision: Supervision) -> dict:
    return {"s": supervision, "ledger_url": _ledger_url(supervision), "actions": allowed(supervision, current_user), "leaders": queries.leaders(),
            "may_download": queries.can_download(current_user, supervision),
            "can_download": lambda n: queries.can_download(current_user, supervision, n.issued_by_id), **VOCAB}


@bp.route("/<int:supervision_id>")
@login_required
def show(supervision_id: int):
    supervision = _supervision_or_404(supervision_id)
    return render("supervision/show.html", "supervision/_main.html", **_context(supervision))


@bp.route("/<int:supervision_id>/act/<action>", methods=["POST"])
@login_required
def act(supervision_id: int, action: str):
    supervision = _supervision_or_404(supervision_id)
    try:
        action = Action(action)
    except ValueError:
        abort(404)
    try:
        if action is Action.ANSWER:
            operations.answer(current_user, supervision.id, request.form.get("text", ""),
                              uploaded_files(request.files))
        elif action in (Action.ACCEPT, Action.SEND_BACK):
            operations.decide(current_user, supervision.id, action is Action.ACCEPT, request.form.get("note"))
        elif action is Action.ESCALATE:
            upper = operations.escalate(current_user, supervision.id, **forms.escalate_params(request.form))
            return redirect(url_for("supervision.show", supervision_id=upper.id))
        elif action is Action.ISSUE_NOTICE:
            operations.issue_notice(current_user, supervision.id, request.form.get("correction_note"))
        else:
            abort(404)
    except Refused as exc:
        db.session.rollback()
        supervision = db.session.get(Supervision, supervision_id)
        return render("supervision/show.html", "supervision/_main.html", status=422, error=str(exc),
                      failed_action=action, typed=request.form, **_context(supervision))
    if not is_htmx():
        return redirect(url_for("supervision.show", supervision_id=supervision_id))
    db.session.expire_all()
    supervision = db.session.get(Supervision, supervision_id)
    return render("supervision/_main.html", done=action, **_context(supervision))


@bp.route("/notices/<int:notice_id>")
@login_required
def notice(notice_id: int):
    found = db.session.get(SupervisionNotice, notice_id)
    if found is None or not queries.can_download(current_user, found.supervision, found.issued_by_id):
        abort(404)
    exports.record(current_user, len(found.supervision.orders), f"{found.number}.pdf", found.pdf)
    return pdf_response(found.pdf, f"{found.number}.pdf")


@bp.route("/notices/print")
@login_required
def print_notices():
    """Several notices in one PDF, for printing: each exactly as stored, in the order selected."""
    from pypdf import PdfWriter

    try:
        wanted = forms.ids(request.args.getlist("notice"))
    except Refused:
        abort(404)
    if not wanted or len(wanted) > 200:
        abort(404)
    notices = queries.downloadable_notices(current_user, list(dict.fromkeys(wanted)))
    if len(notices) != len(set(wanted)):
        abort(404)
    writer = PdfWriter()
    for n in notices:
        writer.append(io.BytesIO(n.pdf))
    out = io.BytesIO()
    writer.write(out)
    name = f"督办通知单（{len(notices)}份）.pdf"
    exports.record(current_user, sum(len(n.supervision.orders) for n in notices), name, out.getvalue())
    return pdf_response(out.getvalue(), name)


@bp.app_template_global()
def order_supervisions(order, present=None) -> list[Supervision]:
    """The supervisions on ``order`` the current user may see (for the order page's card); ``present``:
    what the order page knows the order has (None: not known, look)."""
    if present is not None and not present.supervisions:
        return []
    return [s for s in queries.for_order(order.id) if queries.can_view(current_user, s)]
