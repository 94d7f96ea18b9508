"""The roster pages: each unit's A and B, absences, handovers and the unit's load."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from ..auth.models import Role, User
from ..clock import now
from ..form_values import datetime_or_none, int_or_none
from ..extensions import db
from ..htmx import render
from ..permissions import require_role
from ..units.models import Unit
from . import queries
from .models import ABSENCE_KINDS, SLOTS, Absence
from .operations import RosterRefused, can_manage, cancel_absence, deactivate_user, move_user, record_absence, set_holder

bp = Blueprint("roster", __name__, url_prefix="/roster")


@bp.route("/")
@login_required
def index():
    if current_user.role in (Role.HANDLER, Role.UNIT_LEADER):
        return redirect(url_for("roster.unit", unit_id=current_user.unit_id))
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    gaps = queries.incomplete_units()
    units = db.session.scalars(db.select(Unit).where(Unit.active.is_(True), Unit.kind.in_(queries.ROSTER_KINDS))
                               .order_by(Unit.kind, Unit.sort, Unit.id)).all()
    return render("roster/index.html", units=units, holders=queries.holders_by_unit([u.id for u in units]),
                  gap_ids={u.id for u in gaps}, gaps=gaps)


def _unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if current_user.role in (Role.ADMIN, Role.DISPATCHER):
        return unit
    if current_user.role in (Role.HANDLER, Role.UNIT_LEADER) and current_user.unit_id == unit.id:
        return unit
    abort(404)


def _context(unit: Unit, **extra) -> dict:
    at = now()
    return dict(unit=unit, holders=queries.holders(unit.id), history=queries.history(unit.id), events=queries.events(unit.id),
                absences=queries.unit_absences(unit.id, at), handovers=queries.handovers(unit.id),
                people=queries.unit_people(unit.id), load=queries.unit_load(unit.id, at),
                manage=can_manage(current_user, unit.id), slots=SLOTS, absence_kinds=ABSENCE_KINDS,
                other_units=db.session.scalars(db.select(Unit).where(Unit.active.is_(True), Unit.id != unit.id)
                                               .order_by(Unit.kind, Unit.sort, Unit.id)).all(),
                typed=request.form, at=at, **extra)


@bp.route("/unit/<int:unit_id>")
@login_required
def unit(unit_id: int):
    return render("roster/unit.html", **_context(_unit_or_404(unit_id)))


def _user_of(unit: Unit, field: str) -> User | None:
    user = db.session.get(User, int_or_none(request.form.get(field)) or 0)
    return user if user is not None and user.unit_id == unit.id else None


def _done(unit: Unit, message: str):
    return render("roster/unit.html", done=message, **_context(unit))


def _refused(unit: Unit, exc: Exception):
    db.session.rollback()
    return render("roster/unit.html", status=422, error=str(exc), **_context(unit))


@bp.route("/unit/<int:unit_id>/slot", methods=["POST"])
@login_required
def set_slot(unit_id: int):
    unit = _unit_or_404(unit_id)
    slot = request.form.get("slot", "")
    try:
        handover = set_holder(unit, slot, _user_of(unit, "user_id"), current_user)
    except RosterRefused as exc:
        return _refused(unit, exc)
    moved = f"，{len(handover.order_ids)}件在办工单已移交" if handover else ""
    return _done(unit, f"已设置{SLOTS.get(slot, slot)}{moved}。")


@bp.route("/unit/<int:unit_id>/absence", methods=["POST"])
@login_required
def add_absence(unit_id: int):
    unit = _unit_or_404(unit_id)
    user = _user_of(unit, "user_id") or (current_user if current_user.unit_id == unit.id else None)
    if user is None:
        return _refused(unit, RosterRefused("请选择外出人员。"))
    start, end = datetime_or_none(request.form.get("start_at")), datetime_or_none(request.form.get("end_at"))
    if start is None or end is None:
        return _refused(unit, RosterRefused("请填写外出的开始和结束时间（如 2026-12-01 09:00）。"))
    try:
        record_absence(user, request.form.get("kind", ""), start, end, current_user,
                       stand_in=_user_of(unit, "stand_in_id"), note=request.form.get("note"))
    except RosterRefused as exc:
        return _refused(unit, exc)
    return _done(unit, f"已登记{user.name}外出：{start:%m-%d %H:%M} 至 {end:%m-%d %H:%M}。")


@bp.route("/absence/<int:absence_id>/cancel", methods=["POST"])
@login_required
def end_absence(absence_id: int):
    absence = db.session.get(Absence, absence_id) or abort(404)
    unit = _unit_or_404(absence.user.unit_id)
    try:
        cancel_absence(absence, current_user)
    except RosterRefused as exc:
        return _refused(unit, exc)
    return _done(unit, f"{absence.user.name}已返岗，外出登记已结束。")


@bp.route("/unit/<int:unit_id>/leave", methods=["POST"])
@login_required
def leave(unit_id: int):
    """A person leaves the unit (switched off, or moved to another unit), handing over their orders."""
    unit = _unit_or_404(unit_id)
    if not can_manage(current_user, unit.id):
        abort(403)
    user = _user_of(unit, "user_id")
    successor = _user_of(unit, "successor_id")
    target = db.session.get(Unit, int_or_none(request.form.get("to_unit_id")) or 0)
    if user is None:
        return _refused(unit, RosterRefused("请选择离岗人员。"))
    if user.id == current_user.id:
        return _refused(unit, RosterRefused("不能为自己办理离岗。"))
    try:
        if target is not None:
            handover = move_user(user, target, current_user, successor)
            what = f"已将{user.name}调至{target.name}"
        else:
            handover = deactivate_user(user, current_user, successor)
            what = f"已停用{user.name}"
    except RosterRefused as exc:
        return _refused(unit, exc)
    moved = f"，{len(handover.order_ids)}件在办工单已移交{handover.to_user.name}" if handover else ""
    return _done(unit, what + moved + "。")
