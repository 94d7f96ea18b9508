"""Open311 GeoReport v2, read-only, without log-in.

/open311/v2/services.{json,xml}: the categories as services. /open311/v2/requests.{json,xml}: published
orders, filtered by service_request_id (a comma list; the other filters are then ignored, as the spec
says), service_code, start_date, end_date and status (open, closed); without dates, the last 90 days;
at most 1000, newest first. /open311/v2/requests/<id>.{json,xml}: one request, as a one-element list.
Errors come in the spec's format. Which orders are public is the office's decision (portal/public).
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request
from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..htmx import render
from ..orders.models import Category, Order
from ..public.access import public_blueprint
from ..public.queries import public_requests_query
from . import formats

bp = public_blueprint("open311", __name__, url_prefix="/open311", link=("Open311", "open311.index"))

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
FMT = "<any(json, xml):fmt>"


class BadQuery(ValueError):
    """A filter the spec does not allow or that cannot be read; the message is for the client."""


@bp.route("/")
def index():
    """A short page for people: what the Open311 endpoints are and where."""
    return render("public/open311.html", service_group=formats.SERVICE_GROUP)


@bp.route(f"/v2/services.{FMT}")
def services(fmt: str):
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                    .order_by(Category.sort, Category.id)).all()
    return formats.document([formats.service(c) for c in categories], fmt, "services", "service",
                            formats.SERVICE_FIELDS)


@bp.route(f"/v2/requests.{FMT}")
def requests(fmt: str):
    try:
        query = _filtered(public_requests_query(), request.args)
    except BadQuery as exc:
        return formats.errors(fmt, 400, str(exc))
    rows = db.session.execute(query.order_by(Order.received_at.desc(), Order.id.desc()).limit(MAX_RESULTS)).all()
    return formats.document([formats.service_request(p, o) for p, o in rows], fmt, "service_requests", "request",
                            formats.REQUEST_FIELDS)


@bp.route(f"/v2/requests/<request_id>.{FMT}")
def request_one(request_id: str, fmt: str):
    row = db.session.execute(public_requests_query().where(Order.number == request_id)).first()
    if row is None:
        return formats.errors(fmt, 404, f"service_request_id {request_id} not found")
    return formats.document([formats.service_request(*row)], fmt, "service_requests", "request",
                            formats.REQUEST_FIELDS)


def _filtered(query, args):
    ids = _list(args.get("service_request_id"))
    if ids:
        return query.where(Order.number.in_(ids[:MAX_RESULTS]))
    codes = _list(args.get("service_code"))
    if codes:
        if not all(c.isdigit() for c in codes):
            raise BadQuery("service_code must be one or more service codes from services.json")
        query = query.where(Order.category_id.in_([int(c) for c in codes]))
    statuses = _list(args.get("status"))
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            raise BadQuery("status must be open or closed")
        if statuses == ["closed"]:
            query = query.where(Order.state == "closed")
        elif statuses == ["open"]:
            query = query.where(Order.state != "closed")
    start, end = _date(args.get("start_date"), "start_date"), _date(args.get("end_date"), "end_date")
    if start and end and end < start:
        raise BadQuery("end_date must not be before start_date")
    if start and end and end - start > timedelta(days=DEFAULT_DAYS):
        raise BadQuery(f"start_date and end_date may not span more than {DEFAULT_DAYS} days")
    if start is None and end is None:
        end = now()
        start = end - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        query = query.where(Order.received_at >= start)
    if end is not None:
        query = query.where(Order.received_at <= end)
    return query


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date(value: str | None, name: str) -> datetime | None:
    """A W3C datetime (or date) as the portal's naive local time; without an offset it is local."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))  # a '+' unescaped in a query is a space
    except ValueError:
        raise BadQuery(f"{name} must be a W3C datetime, e.g. 2026-11-01T00:00:00+08:00") from None
    if parsed.tzinfo is not None:
        zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
        parsed = parsed.astimezone(zone).replace(tzinfo=None)
    return parsed
