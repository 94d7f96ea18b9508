"""The one place export records are written: ``record(...)``, called by each export view just before it
returns the file."""
import hashlib

from flask import request

from ..clock import now
from ..extensions import db
from .models import ExportRecord

PARAM_LIMIT = 40  # query-string keys kept; a longer query string is cut (the file's hash still identifies it)


def request_params() -> dict:
    """The request's query string and the path's arguments (the filters and ids the export was made with)."""
    args = {key: (values if len(values) > 1 else values[0])
            for key, values in list(request.args.lists())[:PARAM_LIMIT]}
    return {**{k: v for k, v in (request.view_args or {}).items()}, **args}


def record(actor, rows: int, filename: str, data: bytes, kind: str | None = None,
           params: dict | None = None) -> ExportRecord:
    """Write (and commit) the record of ``actor`` taking ``data`` (``rows`` rows, served as ``filename``)
    from the current request's endpoint."""
    entry = ExportRecord(
        user_id=actor.id, role=str(actor.role), unit_id=actor.unit_id, at=now(),
        kind=kind or request.endpoint, params=request_params() if params is None else params,
        row_count=rows, filename=filename[:255], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        address=(request.remote_addr or "")[:64] or None)
    db.session.add(entry)
    db.session.commit()
    return entry
