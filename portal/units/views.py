"""The unit tree and the people in each unit."""
from flask import Blueprint
from flask_login import current_user, login_required

from ..auth.models import Role, User
from ..extensions import db
from ..htmx import render
from ..permissions import require_role
from .queries import tree

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.route("/")
@login_required
def index():
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    users = db.session.scalars(db.select(User).order_by(User.unit_id, User.role, User.id)).all()
    by_unit: dict[int | None, list[User]] = {}
    for user in users:
        by_unit.setdefault(user.unit_id, []).append(user)
    return render("units/index.html", roots=tree(), by_unit=by_unit)
