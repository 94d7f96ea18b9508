"""Attachment downloads and thumbnails (404 to whoever may not see the file), and the order page's upload.

Files are served only from here, with the type found in their content, ``X-Content-Type-Options: nosniff``
and a sandboxing Content-Security-Policy. Images are shown inline; everything else (PDF and Office
documents) is offered as a download, with the uploaded name (RFC 5987 ``filename*`` for Chinese names).
"""
from flask import Blueprint, abort, request, send_file, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx, redirect, render
from ..permissions import order_or_404
from . import operations, queries, storage
from .access import can_see, may_attach
from .errors import Refused
from .forms import uploaded_files
from .models import Attachment

bp = Blueprint("attachments", __name__)


def _visible_or_404(attachment_id: int) -> Attachment:
    found = db.session.get(Attachment, attachment_id)
    if found is None or not can_see(current_user, found):
        abort(404)
    return found


def _guarded(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    found = _visible_or_404(attachment_id)
    path = storage.path_for(found.sha256)
    if not path.is_file():
        abort(404)
    return _guarded(send_file(path, mimetype=found.content_type, as_attachment=not found.is_image,
                              download_name=found.download_name, etag=found.sha256))


@bp.route("/attachments/<int:attachment_id>/thumb")
@login_required
def thumb(attachment_id: int):
    found = _visible_or_404(attachment_id)
    if not found.is_image:
        abort(404)
    path = storage.thumb_path(found.sha256)
    if not path.is_file():  # e.g. files adopted from elsewhere: made on first view
        original = storage.path_for(found.sha256)
        if not original.is_file():
            abort(404)
        from flask import current_app

        storage.put_thumbnail(found.sha256, original.read_bytes(), current_app.config["ATTACHMENT_THUMB_SIZE"])
    return _guarded(send_file(path, mimetype="image/jpeg", download_name=f"{found.sha256[:12]}.jpg",
                              etag=f"thumb-{found.sha256}"))


@bp.route("/orders/<int:order_id>/attachments", methods=["POST"])
@login_required
def upload(order_id: int):
    """Files on the order: htmx swaps the 附件 card."""
    order = order_or_404(current_user, order_id)
    error = None
    try:
        rows = operations.attach(current_user, order.id, uploaded_files(request.files))
    except Refused as exc:
        db.session.rollback()
        error, rows = str(exc), []
    if not is_htmx() and not error:
        return redirect(url_for("orders.show", order_id=order.id) + "#order-attachments")
    return render("attachments/upload.html", "attachments/_order_card.html", status=422 if error else 200,
                  order=order, error=error, added=len(rows), present=None)


@bp.app_template_global()
def order_attachments(order, present=None) -> list[Attachment]:
    """The files of ``order`` the current user may open (the order page's 附件 card); ``present``: what the
    order page knows the order has (None: not known, look)."""
    if present is not None and not present.attachments:
        return []
    return queries.for_order(current_user, order.id)


@bp.app_template_global()
def attachments_of(owner_kind: str, owner_id: int) -> list[Attachment]:
    """An owner's files (a supervision answer's, a consultation opinion's), for pages that already checked
    who sees the owner."""
    return queries.of_owner(owner_kind, owner_id)


@bp.app_template_global()
def may_attach_to(order) -> bool:
    return may_attach(current_user, order)


@bp.app_template_global()
def attachment_limits() -> dict:
    return queries.limits()


@bp.app_template_filter()
def filesize(size: int) -> str:
    """1.2 MB, 10 MB, 35.4 KB."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
    return f"{max(size / 1024, 0.1):.1f} KB"
