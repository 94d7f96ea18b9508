"""Admin pages for the deadline policy and the holiday calendar."""
from flask import Blueprint
from flask_login import current_user, login_required

from ..auth.models import Role
from ..htmx import render
from ..permissions import require_role
from .queries import policies

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")


@bp.route("/policy")
@login_required
def policy():
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    return render("deadlines/policy.html", policies=policies())


@bp.route("/calendar")
@login_required
def calendar():
    require_role(current_user, Role.ADMIN)
    return render("deadlines/calendar.html")
