"""The JSON API under /api/v1, for the city platform's integration and for scripts.

Every endpoint but the OpenAPI description needs ``Authorization: Bearer <token>``; a browser session
alone gets a 401. The blueprint is exempt from CSRF (no cookie authenticates it). Every answer, errors
included, is JSON: the handlers below also cover URLs under /api/v1 that match no route.
"""
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from ..extensions import db
from . import queries, serializers
from .auth import Unauthorized, token_required
from .operations import push_order

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024  # bytes; API_MAX_CONTENT_LENGTH overrides (the app's upload limit is separate)
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
SPEC = Path(__file__).with_name("openapi.yaml")

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests",
    500: "server_error",
}
MESSAGES = {
    400: "请求有误。",
    401: "缺少或无效的访问令牌。",
    403: "无权访问。",
    404: "没有这个接口地址。",
    405: "该地址不支持此请求方法。",
    409: "与已有数据冲突。",
    413: "请求体过大（上限 {limit} 字节）。",
    415: "不支持的内容类型。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，已记录。请稍后重试。",
}


class ApiError(Exception):
    """An error answer with its status, code, message and optional field errors."""

    def __init__(self, status: int, message: str, errors: list[tuple[str | None, str]] | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors
        self.code = code or ERROR_CODES.get(status, "error")


def respond(body: dict, status: int = 200, headers: dict | None = None):
    """JSON with Chinese kept readable (UTF-8, not \\u escapes)."""
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype="application/json")
    response.headers.update(headers or {})
    return response


def body_limit() -> int:
    return int(current_app.config.get("API_MAX_CONTENT_LENGTH", MAX_BODY))


@bp.before_request
def limit_body():
    """Refuse an oversize body before reading it. A body without Content-Length (chunked) is read
    through werkzeug's limited stream, which stops one byte past the limit (it stops silently at its
    limit, so that extra byte is what tells ``json_object`` the body was too large)."""
    if request.content_length is not None and request.content_length > body_limit():
        raise RequestEntityTooLarge()
    request.max_content_length = body_limit() + 1


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def json_object() -> dict:
    data = request.get_data(cache=False)
    if len(data) > body_limit():
        raise RequestEntityTooLarge()
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise ApiError(400, "请求体不是有效的 JSON。", [(None, "请求体不是有效的 JSON")])
    if not isinstance(value, dict):
        raise ApiError(400, "请求体应为一个 JSON 对象（一张工单）。", [(None, "请求体应为 JSON 对象")])
    return value


@bp.post("/orders")
@token_required
def create_order():
    """One order from the city: 201 new, 200 the same again, 409 the number with other content."""
    pushed = push_order(json_object())
    if pushed.status == "invalid":
        raise ApiError(400, f"工单有 {len(pushed.errors)} 处错误。", pushed.errors, code="invalid_order")
    if pushed.status == "conflict":
        raise ApiError(409, f"工单编号 {pushed.order.number} 已存在，且内容与本次不同；未作修改。",
                       code="conflict")
    body = serializers.order(pushed.order)
    if pushed.status == "created":
        return respond(body, 201, {"Location": body["url"]})
    return respond(body, 200)


@bp.get("/orders/<path:city_no>")
@token_required
def get_order(city_no):
    order = queries.order_by_number(city_no)
    if order is None:
        raise ApiError(404, f"没有编号为 {city_no} 的工单。")
    return respond(serializers.order(order))


LIST_PARAMS = {"updated_since", "limit", "cursor"}


@bp.get("/orders")
@token_required
def list_orders():
    """Orders changed since a time, oldest change first, a page at a time."""
    unknown = sorted(set(request.args) - LIST_PARAMS)
    problems = [(name, f"未知参数“{name}”（可用：updated_since、limit、cursor）") for name in unknown]
    since = after = None
    limit = DEFAULT_LIMIT
    if "updated_since" in request.args:
        try:
            since = _time_param(request.args["updated_since"])
        except ValueError:
            problems.append(("updated_since", "应为 ISO 8601 时间，如 2026-11-24T10:00:00+08:00"
                                              "（查询串中“+”须写作 %2B）"))
    if "limit" in request.args:
        value = request.args["limit"].strip()
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
            problems.append(("limit", f"应为 1 到 {MAX_LIMIT} 之间的整数"))
        else:
            limit = int(value)
    if "cursor" in request.args:
        try:
            after = queries.decode_cursor(request.args["cursor"])
        except ValueError as exc:
            problems.append(("cursor", str(exc)))
    if problems:
        raise ApiError(400, "查询参数有误。", problems)
    orders, more = queries.changes(since, after, limit)
    next_cursor = queries.encode_cursor(orders[-1]) if orders else request.args.get("cursor")
    return respond({
        "orders": [serializers.order(o) for o in orders],
        "next_cursor": next_cursor,
        "has_more": more,
        "limit": limit,
    })


def _time_param(value: str) -> datetime:
    value = value.strip()
    # "+08:00" sent unencoded in a query string arrives as " 08:00"
    value = re.sub(r"(T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$", r"\1+\2", value)
    return serializers.to_local(datetime.fromisoformat(value))


@bp.get("/openapi.yaml")
def openapi():
    """The API's OpenAPI 3.1 description (no token needed)."""
    return current_app.response_class(_spec(), content_type="application/yaml; charset=utf-8")


@cache
def _spec() -> str:
    return SPEC.read_text(encoding="utf-8")


# --- errors: JSON, never an HTML page or a stack trace ------------------------------------------

def _http_error(e: HTTPException):
    status = e.code or 500
    headers = {}
    if isinstance(e, Unauthorized):
        message = e.description
        headers["WWW-Authenticate"] = e.challenge
    else:
        message = MESSAGES.get(status, "请求有误。").format(limit=body_limit())
    if status == 401 and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if isinstance(e, MethodNotAllowed) and e.valid_methods:
        headers["Allow"] = ", ".join(sorted(e.valid_methods))
    if status >= 500:
        db.session.rollback()
    return respond(serializers.error(ERROR_CODES.get(status, "error"), message), status, headers)


def _api_error(e: ApiError):
    return respond(serializers.error(e.code, e.message, e.errors), e.status)


def _unexpected(e: Exception):
    if isinstance(e, HTTPException):
        return _http_error(e)
    current_app.logger.exception("unhandled error on %s", request.path)
    db.session.rollback()
    return respond(serializers.error("server_error", MESSAGES[500]), 500)


for _code in ERROR_CODES:  # by code: Flask looks up handlers by status code before by class
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(ApiError, _api_error)
bp.register_error_handler(Exception, _unexpected)


@bp.before_app_request
def unmatched_api_url():
    """A URL under /api/v1 that matches no route (or not with this method) never reaches the
    blueprint's handlers, so answer it here, in JSON, instead of the site's HTML error page."""
    error = request.routing_exception
    if error is None or isinstance(error, RequestRedirect):
        return None
    if request.path != bp.url_prefix and not request.path.startswith(bp.url_prefix + "/"):
        return None
    return _http_error(error)
