"""The admins' jobs page: each job's schedule, last run, duration, result, error and next run, whether a
scheduler process holds the lease, the latest runs, and "立即运行" (recorded here, run by the scheduler)."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..clock import now
from ..htmx import is_htmx, render
from ..permissions import require_role
from . import operations, queries

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _context(message=None, error=None) -> dict:
    return {"rows": queries.overview(), "state": queries.scheduler_state(), "runs": queries.recent_runs(30),
            "at": now(), "message": message, "error": error}


@bp.route("/")
@login_required
def index():
    require_role(current_user, Role.ADMIN)
    return render("jobs/index.html", "jobs/_board.html", **_context())


@bp.route("/<job_id>/run", methods=["POST"])
@login_required
def run_now(job_id: str):
    require_role(current_user, Role.ADMIN)
    message = error = None
    try:
        run = operations.request_run(current_user, job_id)
        message = f"已请求运行“{queries.row_for(run.job_id).job.name}”，调度进程将在数秒内执行。"
    except operations.JobError as exc:
        if not queries.row_for(job_id):
            abort(404)
        error = str(exc)
    if is_htmx():
        return render("jobs/_board.html", **_context(message, error))
    flash(error or message, "danger" if error else "success")
    return redirect(url_for("jobs.index"))
