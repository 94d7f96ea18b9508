"""Consultation pages: the list, opening (directly or a unit's request from an order), one case, and its
actions: approve or decline, invite, written opinions, reminders, escalation and a leader's take-over.

Views read input, call one operation, and render the page or, for htmx, the fragment that changed.
Who sees a case is ``access.case_or_404`` (404 for everyone not taking part).
"""
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from ..attachments.forms import uploaded_files
from ..auth.models import Role
from ..clock import now
from ..deadlines.queries import work_calendar
from ..extensions import db
from ..form_values import page_number
from ..htmx import redirect, render
from ..orders.models import Order
from ..permissions import can_view_order, order_or_404, require_role
from ..units.queries import units_by_kind
from . import access, forms, operations, queries
from .models import Consultation
from .states import ACTION_LABELS, KIND_HINTS, KINDS, STATE_LABELS, Refused

bp = Blueprint("consultation", __name__, url_prefix="/consultations")

VIEWERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.HANDLER, Role.UNIT_LEADER)
VOCAB = {"kinds": KINDS, "kind_hints": KIND_HINTS, "state_labels": STATE_LABELS, "action_labels": ACTION_LABELS}


@bp.route("/")
@login_required
def index():
    require_role(current_user, *VIEWERS)
    tabs = queries.tabs_for(current_user)
    tab = request.args.get("tab") or queries.default_tab(current_user)
    tab = tab if tab in tabs else "open"
    kind = request.args.get("kind", "") if request.args.get("kind") in KINDS else ""
    state = request.args.get("state", "") if request.args.get("state") in STATE_LABELS else ""
    page = page_number(request.args.get("page"))
    rows, has_next = queries.listing(current_user, tab, kind, state, page, current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in {"tab": tab, "kind": kind, "state": state}.items() if v}
    return render("consultation/index.html", "consultation/_list.html", rows=rows, has_next=has_next, tab=tab,
                  tabs=tabs, counts=queries.counts(current_user), kind=kind, state=state, page=page, args=args,
                  waiting=queries.waiting_ids(current_user), may_open=queries.may_open(current_user), **VOCAB)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The office or a leader opens a case directly on orders given by their numbers."""
    require_role(current_user, Role.DISPATCHER, Role.LEADER)
    return _case_form(operations.open_case, "consultation/new.html")


@bp.route("/request", methods=["GET", "POST"])
@login_required
def ask():
    """A lead unit asks the office for a consultation, starting from one of its orders."""
    require_role(current_user, Role.HANDLER, Role.UNIT_LEADER)
    return _case_form(operations.request_case, "consultation/request.html")


def _case_form(operation, template: str):
    """The form of a new case; ``?order=`` names the order it starts from (shown beside the form)."""
    error = None
    order = order_or_404(current_user, request.args.get("order", type=int)) if request.args.get("order") else None
    if request.method == "POST":
        typed = request.form
        try:
            order_ids, missing = queries.orders_by_numbers(current_user, typed.get("numbers", ""))
            if missing:
                raise operations.InvalidInput("找不到工单：" + "、".join(missing[:5]) + "。")
            case = operation(current_user, order_ids, typed.get("kind", ""), typed.get("title", ""),
                             typed.get("summary", ""))
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("会商申请已提交热线办审批。" if case.state == "requested" else "会商已发起，请邀请参会单位。", "success")
            return redirect(url_for("consultation.show", case_id=case.id))
    else:
        typed = {"numbers": order.number if order else "", "kind": "joint", "title": "", "summary": ""}
    return render(template, typed=typed, error=error, order=order, status=422 if error else 200, **VOCAB)


# --- one case ----------------------------------------------------------------------------------------

def _context(case: Consultation, **extra) -> dict:
    user = current_user
    return {"case": case, "user": user, "actions": queries.actions(user, case),
            "earlier": queries.earlier_cases(user, case), "sees_all": access.sees_all_opinions(user, case),
            "runs": access.runs(user, case), "invitations": lambda m: queries.invitations_view(user, m, case),
            "own": operations.own_invitation(user, case),
            "viewable": {o.id for o in case.orders if can_view_order(user, o)}, **VOCAB, **extra}


@bp.route("/<int:case_id>")
@login_required
def show(case_id: int):
    case = access.case_or_404(current_user, case_id)
    return render("consultation/show.html", **_context(case))


def _refused(case_id: int, exc: Refused, fragment: str | None = None, **extra):
    """The page (or fragment) again with the refusal's message; nothing was changed."""
    db.session.rollback()
    case = db.session.get(Consultation, case_id)
    return render("consultation/show.html", fragment, status=422, error=str(exc), typed=request.form,
                  **_context(case, **extra))


@bp.route("/<int:case_id>/approve", methods=["POST"])
@login_required
def approve(case_id: int):
    return _act(case_id, lambda case: operations.approve(current_user, case), "已同意会商，请邀请参会单位。")


@bp.route("/<int:case_id>/decline", methods=["POST"])
@login_required
def decline(case_id: int):
    return _act(case_id, lambda case: operations.decline(current_user, case, request.form.get("reason", "")),
                "已不予会商，申请单位已收到理由。", failed="decline")


@bp.route("/<int:case_id>/take-over", methods=["POST"])
@login_required
def take_over(case_id: int):
    return _act(case_id, lambda case: operations.take_over(current_user, case, request.form.get("note")),
                "您已领办该会商事项。", failed="take_over")


def _act(case_id: int, call, done: str, failed: str | None = None):
    """Run one operation on the case from a plain form: back to the case page, or the page with the refusal."""
    case = access.case_or_404(current_user, case_id)
    try:
        call(case)
    except Refused as exc:
        return _refused(case_id, exc, failed=failed)
    flash(done, "success")
    return redirect(url_for("consultation.show", case_id=case_id))


@bp.route("/<int:case_id>/opinion", methods=["POST"])
@login_required
def opinion(case_id: int):
    """The written opinion: htmx swaps just the opinion card."""
    case = access.case_or_404(current_user, case_id)
    try:
        operations.submit_opinion(current_user, case, request.form.get("text", ""), uploaded_files(request.files))
    except Refused as exc:
        return _refused(case_id, exc, "consultation/_opinion.html")
    db.session.expire_all()
    case = db.session.get(Consultation, case_id)
    return render("consultation/show.html", "consultation/_opinion.html", saved=True, **_context(case))


@bp.route("/<int:case_id>/remind", methods=["POST"])
@login_required
def remind(case_id: int):
    """Remind those who have not answered: htmx swaps the current meeting's invitation status."""
    case = access.case_or_404(current_user, case_id)
    try:
        reminded = operations.remind(current_user, case)
    except Refused as exc:
        return _refused(case_id, exc, "consultation/_invitations.html", meeting=case.meeting)
    db.session.expire_all()
    case = db.session.get(Consultation, case_id)
    return render("consultation/show.html", "consultation/_invitations.html", meeting=case.meeting,
                  reminded=len(reminded), **_context(case))


@bp.route("/<int:case_id>/invite", methods=["GET", "POST"])
@login_required
def invite(case_id: int):
    case = access.case_or_404(current_user, case_id)
    if not access.runs(current_user, case):
        abort(403)
    error = None
    if request.method == "POST":
        typed = request.form
        try:
            operations.invite(current_user, case, **forms.invite_params(request.form))
        except Refused as exc:
            db.session.rollback()
            case, error = db.session.get(Consultation, case_id), str(exc)
        else:
            flash("邀请已发出，受邀单位和区领导已收到通知。", "success")
            return redirect(url_for("consultation.show", case_id=case_id))
    else:
        typed = _invite_defaults(case)
    invited = {i.unit_id for i in case.meeting.invitations if i.unit_id} if case.meeting else set()
    invited_leaders = {i.user_id for i in case.meeting.invitations if i.user_id} if case.meeting else set()
    return render("consultation/invite.html", case=case, typed=typed, error=error, unit_groups=units_by_kind(),
                  leaders=queries.leaders(), invited=invited, invited_leaders=invited_leaders,
                  status=422 if error else 200, **VOCAB)


def _invite_defaults(case: Consultation) -> dict:
    meeting = case.meeting
    if meeting and meeting.scheduled_at:
        at = meeting.scheduled_at
    else:
        at = work_calendar().add_workdays(now(), 2).replace(hour=9, minute=30, second=0)
    due = meeting.opinions_due if meeting and meeting.opinions_due else at - timedelta(hours=1)
    return {"scheduled_at": at.strftime("%Y-%m-%dT%H:%M"), "opinions_due": due.strftime("%Y-%m-%dT%H:%M"),
            "place": (meeting.place if meeting and meeting.place else "区政务服务中心三楼会议室"),
            "units": queries.suggested_units(case)}


@bp.route("/<int:case_id>/escalate", methods=["GET", "POST"])
@login_required
def escalate(case_id: int):
    case = access.case_or_404(current_user, case_id)
    if not access.runs(current_user, case):
        abort(403)
    error = None
    typed = request.form if request.method == "POST" else {"summary": case.summary}
    if request.method == "POST":
        try:
            operations.escalate(current_user, case, **forms.escalate_params(request.form))
        except Refused as exc:
            db.session.rollback()
            case, error = db.session.get(Consultation, case_id), str(exc)
        else:
            flash("已提交区政府常务会，进入第{}轮。".format(case.round), "success")
            return redirect(url_for("consultation.show", case_id=case_id))
    return render("consultation/escalate.html", case=case, typed=typed, error=error,
                  positions=_positions(case), status=422 if error else 200, **VOCAB)


def _positions(case: Consultation) -> str:
    """The units' written opinions of the current round, to start the brief's positions from."""
    if not case.meeting:
        return ""
    return "\n".join(f"{i.name}：{i.opinion}" for i in case.meeting.invitations if i.opinion)


# --- for other pages ---------------------------------------------------------------------------------

@bp.app_template_global()
def order_case_states(order: Order, present=None) -> list[str]:
    """The states of the cases ``order`` is in (one plain lookup; the panel passes it to the two below);
    ``present``: what the order page knows the order has (None: not known, look)."""
    if present is not None and not present.cases:
        return []
    return queries.case_states(order.id)


@bp.app_template_global()
def order_consultations(order: Order, states: list[str] | None = None) -> list[Consultation]:
    """The cases ``order`` is in that the current user may see (the order page's panel)."""
    return queries.for_order(current_user, order.id, states)


@bp.app_template_global()
def may_request_consultation(order: Order, states: list[str] | None = None) -> bool:
    return queries.may_request(current_user, order, states)
