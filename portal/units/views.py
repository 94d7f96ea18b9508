"""The unit tree and the people in each unit; the admin adds units and users here."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from ..auth.models import ROLE_LABELS, Role, User
from ..auth.operations import create_user, reset_password, set_user_active
from ..extensions import db
from ..form_values import int_or_none
from ..htmx import render
from ..permissions import require_role
from ..security import passwords
from ..roster.operations import RosterRefused, deactivate_user
from ..roster.queries import incomplete_units
from .models import UNIT_KIND_LABELS, Unit, UnitKind
from .operations import UnitRefused, add_unit, set_unit_active
from .queries import tree

bp = Blueprint("units", __name__, url_prefix="/units")


def _page(**extra):
    users = db.session.scalars(db.select(User).order_by(User.unit_id, User.role, User.id)).all()
    by_unit: dict[int | None, list[User]] = {}
    for user in users:
        by_unit.setdefault(user.unit_id, []).append(user)
    streets = db.session.scalars(db.select(Unit).where(Unit.kind == UnitKind.STREET).order_by(Unit.sort, Unit.id)).all()
    all_units = db.session.scalars(db.select(Unit).order_by(Unit.kind, Unit.sort, Unit.id)).all()
    return dict(roots=tree(), by_unit=by_unit, roster_gaps={u.id for u in incomplete_units()}, kinds=UNIT_KIND_LABELS, roles=ROLE_LABELS, streets=streets,
                all_units=all_units, typed=request.form, **extra)


@bp.route("/")
@login_required
def index():
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    return render("units/index.html", **_page())


@bp.route("/add-unit", methods=["POST"])
@login_required
def create_unit():
    require_role(current_user, Role.ADMIN)
    try:
        unit = add_unit(request.form.get("name", ""), request.form.get("kind", ""),
                        int_or_none(request.form.get("parent_id")))
    except UnitRefused as exc:
        return render("units/index.html", status=422, unit_error=str(exc), **_page())
    return render("units/index.html", unit_done=f"已添加单位：{unit.name}", **_page())


@bp.route("/add-user", methods=["POST"])
@login_required
def create_user_view():
    require_role(current_user, Role.ADMIN)
    form = request.form
    unit = db.session.get(Unit, int_or_none(form.get("unit_id")) or 0)
    password = passwords.generate()
    try:
        user = create_user(form.get("username", ""), form.get("name", ""), form.get("role", ""), password,
                           unit=unit, phone=form.get("phone") or None, must_change_password=True)
    except ValueError as exc:
        return render("units/index.html", status=422, user_error=_chinese(str(exc)), **_page())
    return render("units/index.html", user_done=f"已添加用户 {user.username}，初始密码：{password}（仅显示一次，首次登录后须修改）",
                  **_page())


@bp.route("/users/<int:user_id>/<op>", methods=["POST"])
@login_required
def user_op(user_id: int, op: str):
    require_role(current_user, Role.ADMIN)
    user = db.session.get(User, user_id) or abort(404)
    if op == "reset":
        message = f"{user.name}的临时密码：{reset_password(user)}（仅显示一次；该用户已被登出，登录后须先修改密码）"
    elif op == "activate":
        set_user_active(user, True)
        message = f"已启用：{user.name}"
    elif op == "deactivate":
        if user.id == current_user.id:
            return render("units/index.html", status=422, user_error="不能停用自己的账号。", **_page())
        try:
            handover = deactivate_user(user, current_user)
        except RosterRefused as exc:
            db.session.rollback()
            return render("units/index.html", status=422, user_error=str(exc), **_page())
        moved = f"，{len(handover.order_ids)}件在办工单已移交{handover.to_user.name}" if handover else ""
        message = f"已停用：{user.name}{moved}"
    else:
        abort(404)
    return render("units/index.html", user_done=message, **_page())


@bp.route("/<int:unit_id>/<op>", methods=["POST"])
@login_required
def unit_op(unit_id: int, op: str):
    require_role(current_user, Role.ADMIN)
    unit = db.session.get(Unit, unit_id) or abort(404)
    if op not in ("activate", "deactivate"):
        abort(404)
    set_unit_active(unit, op == "activate")
    return render("units/index.html", unit_done=f"已{'启用' if unit.active else '停用'}：{unit.name}", **_page())


ENGLISH_TO_CHINESE = {
    "username must be": "用户名须为1-40个字符。",
    "unknown role": "请选择角色。",
    "must belong to a unit": "承办人和单位负责人须选择所属单位。",
    "already exists": "该用户名已被使用。",
}


def _chinese(message: str) -> str:
    return next((text for key, text in ENGLISH_TO_CHINESE.items() if key in message), "输入有误，请检查。")
