"""The office's library of standard replies, candidates from clusters, and the offer in the order forms.

Views read input, call one operation, and render the page or, for htmx, the fragment that changed.
"""
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..form_values import int_or_none, page_number
from ..htmx import is_htmx, redirect, render
from ..orders.models import Order
from ..orders.states import Action as OrderAction, allowed as order_actions
from ..permissions import order_or_404, require_role
from . import operations, queries
from .clusters import answer_of, candidates as find_candidates, settings as candidate_settings
from .matching import offers
from .models import StandardReply, StandardReplyVersion
from .operations import FIELDS
from .states import (ACTION_LABELS, BUTTONS, DRAFTERS, NEEDS_REASON, READERS, STATE_COLOURS, Action, Refused,
                     allowed)

bp = Blueprint("replies", __name__, url_prefix="/replies")

# The order actions a standard reply may fill, and the field each fills.
ANSWER_FIELDS = {OrderAction.DIRECT_ANSWER: "answer", OrderAction.REPLY: "reply"}
STEPS = {Action.SUBMIT: operations.submit, Action.APPROVE: operations.approve, Action.REVISE: operations.revise,
         Action.SEND_BACK: operations.send_back, Action.WITHDRAW: operations.withdraw}
VOCAB = {"state_colours": STATE_COLOURS, "action_labels": ACTION_LABELS}


def _readers() -> None:
    require_role(current_user, *READERS)


@bp.route("/")
@login_required
def index():
    _readers()
    tab = request.args.get("tab", "published")
    tab = tab if tab in queries.TABS else "published"
    q = (request.args.get("q") or "").strip()[:50]
    category_id = int_or_none(request.args.get("category"))
    page = page_number(request.args.get("page"))
    rows, has_next = queries.library(tab, q, category_id, page, current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in {"tab": tab, "q": q, "category": category_id or ""}.items() if v}
    return render("replies/index.html", "replies/_list.html", rows=rows, has_next=has_next, tab=tab,
                  tabs=queries.TABS, counts=queries.counts(), q=q, category_id=category_id, page=page, args=args,
                  categories=queries.categories(), uses=queries.use_counts([r.id for r in rows]),
                  may_draft=Role(current_user.role) in DRAFTERS, **VOCAB)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Draft a reply; ``?from_order=<id>`` starts from a closed order's answer (a candidate's draft)."""
    require_role(current_user, *DRAFTERS)
    error = None
    if request.method == "POST":
        try:
            reply = operations.create(current_user, _fields(request.form))
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return redirect(url_for("replies.show", reply_id=reply.id))
        typed = request.form
    else:
        typed = _from_order(int_or_none(request.args.get("from_order")))
    return render("replies/form.html", typed=typed, error=error, version=None, categories=queries.categories(),
                  status=422 if error else 200)


def _from_order(order_id: int | None) -> dict:
    order = db.session.get(Order, order_id) if order_id else None
    if order is None:
        return {}
    return {"category_id": str(order.category_id or ""), "answer": answer_of(order), "from_order": order.number}


def _fields(form) -> dict:
    return {key: form.get(key, "") for key in FIELDS}


def _reply_or_404(reply_id: int) -> StandardReply:
    reply = db.session.get(StandardReply, reply_id)
    if reply is None:
        abort(404)
    return reply


def _version_or_404(version_id: int) -> StandardReplyVersion:
    version = db.session.get(StandardReplyVersion, version_id)
    if version is None:
        abort(404)
    return version


def _show(reply: StandardReply, status: int = 200, error: str | None = None, failed: str | None = None,
          typed=None):
    return render("replies/show.html", reply=reply, status=status, error=error, failed=failed, typed=typed or {},
                  actions={v.id: [a for a in allowed(v, current_user) if a in BUTTONS] for v in reply.versions},
                  may_edit={v.id: Action.EDIT in allowed(v, current_user) for v in reply.versions},
                  uses=queries.recent_uses(reply.id), use_count=queries.use_counts([reply.id]).get(reply.id, 0),
                  needs_reason=NEEDS_REASON, **VOCAB)


@bp.route("/<int:reply_id>")
@login_required
def show(reply_id: int):
    _readers()
    return _show(_reply_or_404(reply_id))


@bp.route("/version/<int:version_id>/edit", methods=["GET", "POST"])
@login_required
def edit(version_id: int):
    require_role(current_user, *DRAFTERS)
    version = _version_or_404(version_id)
    if request.method == "GET" and Action.EDIT not in allowed(version, current_user):
        abort(403)  # submitted and published versions never change: 修订 starts the next one
    error = None
    if request.method == "POST":
        try:
            operations.edit(current_user, version.id, _fields(request.form))
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return redirect(url_for("replies.show", reply_id=version.reply_id))
    typed = request.form if request.method == "POST" else {key: str(getattr(version, key) or "") for key in FIELDS}
    return render("replies/form.html", typed=typed, error=error, version=version, categories=queries.categories(),
                  status=422 if error else 200)


@bp.route("/version/<int:version_id>/act/<action>", methods=["POST"])
@login_required
def act(version_id: int, action: str):
    _readers()
    version = _version_or_404(version_id)
    try:
        step = Action(action)
        run = STEPS[step]
    except (ValueError, KeyError):
        abort(404)
    try:
        if step in NEEDS_REASON:
            run(current_user, version.id, request.form.get("reason", ""))
        else:
            run(current_user, version.id)
    except Refused as exc:
        db.session.rollback()
        return _show(_reply_or_404(version.reply_id), status=422, error=str(exc), failed=f"{version.id}-{step}",
                     typed=request.form)
    return redirect(url_for("replies.show", reply_id=version.reply_id))


@bp.route("/candidates")
@login_required
def candidates():
    require_role(current_user, Role.DISPATCHER, Role.LEADER)
    return render("replies/candidates.html", clusters=find_candidates(), rules=candidate_settings(),
                  may_draft=Role(current_user.role) in DRAFTERS)


@bp.route("/offer/<int:order_id>/<action>")
@login_required
def offer(order_id: int, action: str):
    """The standard replies offered in an order's direct-answer or reply form (htmx). With ``?pick=<version
    id>`` (a reply's 采用): the form's answer part with that reply's text filled in and its id carried along,
    so that the answer, once submitted, records the use."""
    order = order_or_404(current_user, order_id)
    try:
        order_action = OrderAction(action)
    except ValueError:
        abort(404)
    if order_action not in ANSWER_FIELDS or order_action not in order_actions(order, current_user):
        abort(403)
    if not is_htmx():
        return redirect(url_for("orders.show", order_id=order.id))
    found = offers(order)
    field = ANSWER_FIELDS[order_action]
    picked = next((o for o in found if o.version.id == int_or_none(request.args.get("pick"))), None)
    if picked is None:
        return render("replies/_offer.html", order=order, action=order_action, offers=found, picked=None)
    typed = {field: picked.version.answer, "standard_reply": str(picked.version.id)}
    return render("replies/_answer_part.html", order=order, action=order_action, offers=found, picked=picked,
                  typed=typed, field=field)
