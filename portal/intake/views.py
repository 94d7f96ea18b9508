"""The upload page for city exports (导入市平台工单), for dispatchers and admins.

The view reads the uploaded file, hands it to ``importer.import_file`` (which validates, receives and
commits chunk by chunk) and renders the summary: the page, or for htmx just the result panel.
"""
from flask import Blueprint, current_app, request
from flask_login import current_user, login_required

from ..auth.models import Role
from ..htmx import render
from ..permissions import require_role
from . import importer
from .records import FIELD_LABELS, REQUIRED

bp = Blueprint("intake", __name__, url_prefix="/intake")

PAGE, RESULT = "intake/import.html", "intake/_result.html"
SHOWN = {"problems": 300, "conflicts": 300, "created": 100, "present": 100}  # longer lists are cut on the page


@bp.route("/import")
@login_required
def import_page():
    require_role(current_user, Role.DISPATCHER, Role.ADMIN)
    return render(PAGE, **_context())


@bp.route("/import", methods=["POST"])
@login_required
def upload():
    require_role(current_user, Role.DISPATCHER, Role.ADMIN)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render(PAGE, RESULT, status=422, **_context(refused="请选择要导入的文件（.xlsx 或 .csv）。"))
    try:
        result = importer.import_file(upload.stream, upload.filename, actor=current_user)
    except importer.FileRefused as exc:
        return render(PAGE, RESULT, status=422, **_context(refused=str(exc), filename=upload.filename))
    except importer.ImportInterrupted as exc:
        if exc.reason is None:
            current_app.logger.exception("import of %s stopped at row %s", upload.filename, exc.row)
        return render(PAGE, RESULT, status=422 if exc.reason else 500,
                      **_context(result=exc.result, interrupted=exc))
    current_app.logger.info("import of %s by %s: %s rows, %s new, %s present, %s conflicts, %s rejected",
                            upload.filename, current_user.username, result.rows, len(result.created),
                            len(result.present), len(result.conflicts), result.rejected)
    return render(PAGE, RESULT, **_context(result=result))


def _context(result=None, refused=None, filename=None, interrupted=None) -> dict:
    return {
        "result": result, "refused": refused, "filename": filename, "interrupted": interrupted,
        "shown": SHOWN, "required": [FIELD_LABELS[f] for f in REQUIRED],
        "optional": [h for f, h in FIELD_LABELS.items() if f not in REQUIRED],
        "is_dispatcher": Role(current_user.role) is Role.DISPATCHER,
    }
