"""The meeting's pages and actions: record the meeting (attendance, minutes, decisions, rulings), apply
the decisions, mark follow-up items done (an htmx fragment), close the case, issue the notice, minutes or
brief, and download an issued document.

Views read the form, call one operation (``meetings`` or ``documents``) and render; a refusal shows the
page again with the message and changes nothing. Only those who may see the case reach any of it (404).
"""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..clock import now
from ..deadlines.queries import work_calendar
from ..exports import operations as exports
from ..extensions import db
from ..htmx import is_htmx, redirect, render
from ..orders.models import Category
from ..pdf import pdf_response
from ..units.queries import units_by_kind
from . import access, documents, meetings
from .models import Consultation, ConsultationDocument, ConsultationTask
from .states import Refused
from .views import _refused

bp = Blueprint("consultation_meetings", __name__, url_prefix="/consultations")

DUTY_ROWS = 3  # duty rows per decision on the form (blank ones are ignored)
RULING_ROWS = 3


def _case_run_by_me(case_id: int) -> Consultation:
    case = access.case_or_404(current_user, case_id)
    if not access.runs(current_user, case):
        abort(403)
    return case


def _show(case: Consultation):
    return redirect(url_for("consultation.show", case_id=case.id))


# --- recording ---------------------------------------------------------------------------------------

@bp.route("/<int:case_id>/record", methods=["GET", "POST"])
@login_required
def record(case_id: int):
    case = _case_run_by_me(case_id)
    error = None
    if request.method == "POST":
        try:
            meetings.record_meeting(current_user, case, *read_record_form(request.form, case))
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
            case = db.session.get(Consultation, case_id)
        else:
            return _show(case)
    typed = request.form if request.method == "POST" else record_defaults(case)
    return render("consultation/record.html", case=case, meeting=case.meeting, typed=typed, error=error,
                  chosen=lambda name: _chosen(typed, name),
                  unit_groups=units_by_kind(), categories=_categories(), duty_rows=range(DUTY_ROWS),
                  ruling_rows=range(RULING_ROWS), status=422 if error else 200)


def read_record_form(form, case: Consultation) -> tuple[list, str, list, list]:
    """(attendance, minutes, decisions, rulings) as ``meetings.record_meeting`` takes them."""
    attendance = [{"invitation_id": i.id, "present": {"1": True, "0": False}.get(form.get(f"present-{i.id}")),
                   "attendee": form.get(f"attendee-{i.id}")} for i in case.meeting.invitations]
    decisions = []
    for n, order in enumerate([*case.orders, None]):
        lead = form.get(f"d{n}-lead", "")
        if order is None and not lead:
            continue  # the decision for the matter as a whole is optional
        duties = [{"unit_id": form.get(f"d{n}-u{j}"), "duty": form.get(f"d{n}-t{j}", ""),
                   "due": form.get(f"d{n}-due{j}", "")} for j in range(DUTY_ROWS)]
        decisions.append({"order_id": order.id if order else None, "lead_unit_id": lead,
                          "assist_unit_ids": form.getlist(f"d{n}-assists"), "duties": duties})
    rulings = [{"matter": form.get(f"r{k}-matter", ""), "keywords": form.get(f"r{k}-keywords", ""),
                "category_id": form.get(f"r{k}-category", ""), "lead_unit_id": form.get(f"r{k}-lead", ""),
                "assist_unit_ids": form.getlist(f"r{k}-assists")} for k in range(RULING_ROWS)]
    return attendance, form.get("minutes", ""), decisions, rulings


def record_defaults(case: Consultation) -> dict:
    """The form's first values: everyone present, each order with its current units, due in 5 working days."""
    due = work_calendar().add_workdays(now(), 5).date().isoformat()
    typed: dict = {f"present-{i.id}": "1" for i in case.meeting.invitations}
    for n, order in enumerate(case.orders):
        assists = [p.unit_id for p in order.units if p.active and p.part == "assist"]
        typed |= {f"d{n}-lead": order.lead_unit_id, f"d{n}-assists": assists, f"d{n}-u0": order.lead_unit_id,
                  f"d{n}-due0": due}
        for j, unit_id in enumerate(assists[:DUTY_ROWS - 1], 1):
            typed |= {f"d{n}-u{j}": unit_id, f"d{n}-due{j}": due}
    return typed


def _chosen(typed, name: str) -> list[str]:
    """The values typed (or defaulted) for a field, as strings, for selects and radios."""
    if hasattr(typed, "getlist"):
        return typed.getlist(name)
    value = typed.get(name)
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if v not in (None, "")]


def _categories() -> list[Category]:
    return db.session.scalars(db.select(Category).where(Category.active.is_(True))
                              .order_by(Category.sort, Category.id)).all()


# --- applying, follow-up items, closing --------------------------------------------------------------

@bp.route("/<int:case_id>/apply", methods=["POST"])
@login_required
def apply(case_id: int):
    return _run(case_id, meetings.apply_decisions)


def _run(case_id: int, operation):
    """Take ``operation(actor, case)`` on a case the user runs; the case page again, or why not."""
    case = _case_run_by_me(case_id)
    try:
        operation(current_user, case)
    except Refused as exc:
        return _refused(case_id, exc)
    return _show(case)


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def task_done(task_id: int):
    task = db.session.get(ConsultationTask, task_id)
    if task is None or not access.can_view(current_user, task.consultation):
        abort(404)
    try:
        meetings.complete_task(current_user, task, request.form.get("note", ""))
    except Refused as exc:
        db.session.rollback()
        task = db.session.get(ConsultationTask, task_id)
        if not is_htmx():
            return _refused(task.consultation_id, exc)
        return render("consultation/_task.html", task=task, task_error=str(exc), task_typed=request.form,
                      status=422)
    if not is_htmx():
        return _show(task.consultation)
    return render("consultation/_task.html", task=task, done=True)


@bp.route("/<int:case_id>/close", methods=["POST"])
@login_required
def close(case_id: int):
    return _run(case_id, meetings.close_case)


# --- documents ---------------------------------------------------------------------------------------

ISSUERS = {"notice": documents.issue_notice, "minutes": documents.issue_minutes, "brief": documents.issue_brief}


@bp.route("/<int:case_id>/issue/<kind>", methods=["POST"])
@login_required
def issue(case_id: int, kind: str):
    if kind not in ISSUERS:
        abort(404)
    return _run(case_id, ISSUERS[kind])


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    found = db.session.get(ConsultationDocument, document_id)
    if found is None or not access.can_view(current_user, found.consultation):
        abort(404)
    exports.record(current_user, len(found.consultation.orders), f"{found.number}.pdf", found.pdf)
    return pdf_response(found.pdf, f"{found.number}.pdf")


# --- for other pages: the case page, the leaders' dashboard, a unit's inbox --------------------------

@bp.app_template_global()
def consultation_may_complete(task: ConsultationTask) -> bool:
    return current_user.is_authenticated and task.done_at is None and meetings.may_complete(current_user, task)


@bp.app_template_global()
def consultation_overdue_tasks() -> list[ConsultationTask]:
    """Overdue follow-up items for the leaders' dashboard (the office and leaders see every case)."""
    if Role(current_user.role) not in access.SEES_ALL:
        return []
    return meetings.overdue_tasks(now().date())


@bp.app_template_global()
def consultation_runs(case: Consultation) -> bool:
    return current_user.is_authenticated and access.runs(current_user, case)


@bp.app_template_global()
def consultation_unit_names(unit_ids) -> str:
    """``[3, 5]`` -> "区城管局、区住建局" (for decisions, which keep assisting units as ids)."""
    from ..units.models import Unit

    ids = [int(i) for i in unit_ids or []]
    names = dict(db.session.execute(db.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}
    return "、".join(names.get(i, "") for i in ids)


@bp.app_template_global()
def consultation_viewable(case_id: int) -> bool:
    """May the current user open case ``case_id`` (for links from other pages, e.g. the responsibility list)?"""
    case = db.session.get(Consultation, case_id)
    return bool(case) and current_user.is_authenticated and access.can_view(current_user, case)
