"""The export records page (导出记录), for admins and supervisors: filter by person, export and day; paged."""
from flask import Blueprint, current_app, request
from flask_login import current_user, login_required

from ..auth.models import Role
from ..htmx import render
from ..permissions import require_role
from . import queries
from .models import KINDS

bp = Blueprint("exports", __name__, url_prefix="/exports")
READERS = (Role.ADMIN, Role.SUPERVISOR)


@bp.route("/")
@login_required
def index():
    require_role(current_user, *READERS)
    f = queries.ExportFilters.from_args(request.args)
    records, has_next = queries.page(f, current_app.config["PAGE_SIZE"])
    return render("exports/index.html", "exports/_list.html", f=f, records=records, has_next=has_next,
                  users=queries.exporters(), kinds=KINDS)
