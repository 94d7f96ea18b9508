"""The home page: each role lands where its work is."""
from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from ..auth.models import Role

bp = Blueprint("main", __name__)

LANDING = {
    Role.DISPATCHER: "orders.pool",
    Role.HANDLER: "orders.inbox",
    Role.UNIT_LEADER: "orders.inbox",
    Role.LEADER: "dashboard.index",
    Role.DEPUTY: "deputies.mine",
}


@bp.route("/")
@login_required
def home():
    return redirect(url_for(LANDING.get(Role(current_user.role), "orders.index")))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
