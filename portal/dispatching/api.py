"""``POST /api/v1/suggestions``: dispatch suggestions for token holders (scripts, the city platform).

A blueprint of its own beside the API's, with the API's token check (``api.auth.token_required``),
CSRF-exempt (registered so in ``setup.py``), answering as the API does: JSON with Chinese kept readable,
``Cache-Control: no-store``, errors in the API's shape (described in ``portal/api/openapi.yaml``).
"""
import json

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..api.auth import Unauthorized, token_required
from ..extensions import db
from .api_suggestions import error_body, suggestions_json

bp = Blueprint("api_suggestions", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024  # as the API's; API_MAX_CONTENT_LENGTH overrides
CODES = {400: "bad_request", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


def respond(body: dict, status: int = 200, headers: dict | None = None):
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype="application/json")
    response.headers.update(headers or {})
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(Unauthorized)
def unauthorized(exc: Unauthorized):
    return respond(error_body("unauthorized", exc.description), 401, {"WWW-Authenticate": exc.challenge})


def http_error(exc: HTTPException):
    return respond(error_body(CODES.get(exc.code, "error"), exc.description), exc.code)


def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    current_app.logger.exception("unexpected error on %s", request.path)
    db.session.rollback()
    return respond(error_body("server_error", "服务器内部错误，已记录。请稍后重试。"), 500)


for _code in CODES:  # by code: Flask looks for a handler by status code (the app's HTML pages) before by class
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(Exception, unexpected)


@bp.route("/suggestions", methods=["POST"])
@token_required
def suggestions():
    limit = int(current_app.config.get("API_MAX_CONTENT_LENGTH", MAX_BODY))
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"请求体过大（上限 {limit} 字节）。")
    request.max_content_length = limit + 1  # a chunked body is read no further than this
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise RequestEntityTooLarge(f"请求体过大（上限 {limit} 字节）。")
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        return respond(error_body("bad_request", "请求体不是有效的 JSON。", [(None, "请求体不是有效的 JSON")]), 400)
    body, status = suggestions_json(payload)
    return respond(body, status)
