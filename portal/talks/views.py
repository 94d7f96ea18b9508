"""Talk pages: the rules (admin), the run for a period (each rule's caught units; the supervisor
confirms and the notices are issued), the record of each talk, and the notices' download."""
from datetime import date

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import select

from ..assessment.rates import ASSESSED_KINDS, MEASURES
from ..auth.models import Role
from ..form_values import datetime_or_none
from ..clock import now
from ..exports import operations as exports
from ..extensions import db
from ..htmx import render
from ..pdf import pdf_response
from ..permissions import require_role
from ..units.models import UNIT_KIND_LABELS
from .models import HOLDERS, PERIOD_KINDS, SELECTIONS, TalkCase, TalkRule, TalkRun
from .operations import TalkRefused, can_download, confirm_run, record_talk, save_rule
from .rules import evaluate, higher_is_better, measure_label, pct, period_for

bp = Blueprint("talks", __name__, url_prefix="/talks")

RUN_VIEWERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _rule_card(rule: TalkRule, day: date | None, **extra) -> dict:
    """What one rule's card shows: the period, and either the confirmed run or the units caught now."""
    period = period_for(rule, day, now().date())
    run = db.session.scalar(select(TalkRun).where(TalkRun.rule_id == rule.id, TalkRun.period_key == period.key))
    caught, district = [], None
    if run is None:
        assessment, caught = evaluate(rule, period, now())
        district = assessment.total.value(rule.measure)
    return dict(rule=rule, period=period, run=run, caught=caught, district=district, error=None, done=None,
                ended=period.end <= now(), measure=measure_label(rule.measure)) | extra


def _rules():
    return db.session.scalars(select(TalkRule).where(TalkRule.active.is_(True))
                              .order_by(TalkRule.sort, TalkRule.id)).all()


@bp.route("/")
@login_required
def index():
    require_role(current_user, *RUN_VIEWERS)
    day = _day(request.args.get("day"))
    cards = [_rule_card(rule, day) for rule in _rules()]
    return render("talks/index.html", cards=cards, day=day, pct=pct, higher_is_better=higher_is_better)


@bp.route("/rule/<int:rule_id>/confirm", methods=["POST"])
@login_required
def confirm(rule_id: int):
    require_role(current_user, Role.SUPERVISOR)
    rule = db.session.get(TalkRule, rule_id) or abort(404)
    day = _day(request.form.get("day"))
    period = period_for(rule, day, now().date())
    error = done = None
    try:
        run = confirm_run(rule, period, current_user)
        done = f"已确认约谈名单并签发{len(run.cases)}份约谈通知书。"
    except TalkRefused as exc:
        db.session.rollback()
        error = str(exc)
    card = _rule_card(rule, day, error=error, done=done)
    return render("talks/index.html", "talks/_rule_card.html", status=422 if error else 200, cards=[card],
                  card=card, day=day, pct=pct, higher_is_better=higher_is_better)


@bp.route("/case/<int:case_id>/record", methods=["POST"])
@login_required
def record(case_id: int):
    require_role(current_user, Role.SUPERVISOR)
    case = db.get_or_404(TalkCase, case_id)
    error = None
    try:
        record_talk(case, current_user, datetime_or_none(request.form.get("held_at")), request.form.get("attendees", ""),
                    request.form.get("agreed", ""))
    except TalkRefused as exc:
        db.session.rollback()
        error = str(exc)
    return render("talks/case.html", "talks/_case_row.html", status=422 if error else 200, case=case,
                  case_error=error, form=request.form if error else {}, pct=pct)


@bp.route("/case/<int:case_id>")
@login_required
def case(case_id: int):
    require_role(current_user, *RUN_VIEWERS)
    return render("talks/case.html", case=db.get_or_404(TalkCase, case_id), case_error=None, form={}, pct=pct)


@bp.route("/case/<int:case_id>/notice.pdf")
@login_required
def notice(case_id: int):
    case = db.session.get(TalkCase, case_id)
    if case is None or not can_download(current_user, case):
        abort(404)
    name = f"约谈通知书-{case.unit.name}-{case.notice_number}.pdf"
    exports.record(current_user, 1, name, case.notice_pdf)  # one unit's notice
    return pdf_response(case.notice_pdf, name)


@bp.route("/notices")
@login_required
def notices():
    """The talk notices the user may read: a unit its own; leaders and supervisors all."""
    require_role(current_user, Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.HANDLER, Role.UNIT_LEADER)
    query = select(TalkCase).order_by(TalkCase.issued_at.desc(), TalkCase.id.desc())
    if current_user.role in (Role.HANDLER, Role.UNIT_LEADER):
        query = query.where(TalkCase.unit_id == (current_user.unit_id or 0))
    return render("talks/notices.html", cases=db.session.scalars(query.limit(500)).all(), pct=pct,
                  can_download=can_download)


# --- rules ---

def _rules_context(**extra) -> dict:
    rules = db.session.scalars(select(TalkRule).order_by(TalkRule.sort, TalkRule.id)).all()
    return dict(rules=rules, period_kinds=PERIOD_KINDS, selections=SELECTIONS, measures=MEASURES, holders=HOLDERS,
                unit_kinds=[(k.value, UNIT_KIND_LABELS[k]) for k in ASSESSED_KINDS], edit=current_user.role == Role.ADMIN,
                **extra)


def _values(form) -> dict:
    return {"name": form.get("name"), "period_kind": form.get("period_kind"), "measure": form.get("measure"),
            "selection": form.get("selection"), "n": form.get("n"), "threshold": form.get("threshold"),
            "holder": form.get("holder"), "unit_kinds": form.getlist("unit_kinds"), "min_visits": form.get("min_visits", 1),
            "basis": form.get("basis"), "active": form.get("active") == "1"}


@bp.route("/rules")
@login_required
def rules():
    require_role(current_user, Role.ADMIN, Role.SUPERVISOR)
    return render("talks/rules.html", **_rules_context())


@bp.route("/rules/save", methods=["POST"])
@bp.route("/rules/<int:rule_id>/save", methods=["POST"])
@login_required
def save(rule_id: int | None = None):
    require_role(current_user, Role.ADMIN)
    rule = (db.session.get(TalkRule, rule_id) or abort(404)) if rule_id else None
    try:
        saved = save_rule(current_user, _values(request.form), rule)
    except TalkRefused as exc:
        db.session.rollback()
        return render("talks/rules.html", status=422, **_rules_context(error=str(exc), failed=rule_id or "new",
                                                                          typed=request.form))
    return render("talks/rules.html", **_rules_context(done=f"已保存约谈规则“{saved.name}”。"))

