"""Orders as the JSON API shows them, and times in ISO 8601 with the local offset (+08:00).

The shape is described in ``openapi.yaml`` (``components.schemas.Order``); the tests check every
answer against it. The caller's name, phone, address and the text of the matter are not sent back:
the city platform has them, and the API is for pulling the district's results.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, url_for

from ..orders.models import Order
from ..orders.states import State
from ..orders.vocab import CHANNELS, RESOLUTION, SATISFACTION, TYPES, URGENCIES


# A unit's reply reaches the city only once the office has approved it (待审核 replies may be sent back).
REVIEWED = {"approved", "visited", "closed"}


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))


def iso(value: datetime | None) -> str | None:
    """A stored (naive, local) time as ISO 8601 with the offset: 2026-11-24T10:00:00+08:00."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).isoformat(timespec="seconds")


def to_local(value: datetime) -> datetime:
    """An aware time converted to the naive local time the database stores; a naive one is taken as local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(local_zone()).replace(tzinfo=None)


def coded(vocab: dict[str, str], code: str | None) -> dict | None:
    if code is None:
        return None
    return {"code": code, "label": vocab.get(code, code)}


def order(o: Order) -> dict:
    """One order: what it is, where it stands, who handles it, its deadlines, reply and visit."""
    visit = o.last_visit
    return {
        "city_no": o.number,
        "url": url_for("api.get_order", city_no=o.number),
        "source": o.source,
        "state": {"code": o.state, "label": State(o.state).label},
        "channel": coded(CHANNELS, o.channel),
        "type": coded(TYPES, o.type),
        "category": o.category.name if o.category else None,
        "urgency": coded(URGENCIES, o.urgency),
        "enterprise": o.enterprise,
        "repeat": o.is_repeat,
        "reprocess_count": o.reprocess_count,
        "lead_unit": o.lead_unit.name if o.lead_unit else None,
        "assisting_units": [part.unit.name for part in o.assisting],
        "deadlines": {
            "sign_due_at": iso(o.sign_due_at),
            "feedback_due_at": iso(o.feedback_due_at),
            "reply_due_at": iso(o.reply_due_at),
            "next_due_at": iso(o.next_due_at),
            "city_due_at": iso(o.city_due_at),
        },
        "direct_answer": o.direct_answer,
        "reply_text": o.answer_text if o.direct_answer else (o.reply_text if o.state in REVIEWED else None),
        "visit": None if visit is None else {
            "at": iso(visit.at),
            "round": visit.round,
            "satisfaction": coded(SATISFACTION, visit.satisfaction),
            "resolution": coded(RESOLUTION, visit.resolution),
        },
        "timestamps": {
            "received_at": iso(o.received_at),
            "dispatched_at": iso(o.dispatched_at),
            "signed_at": iso(o.signed_at),
            "first_feedback_at": iso(o.first_feedback_at),
            "replied_at": iso(o.replied_at),
            "closed_at": iso(o.closed_at),
            "created_at": iso(o.created_at),
            "updated_at": iso(o.updated_at),
        },
    }


def error(code: str, message: str, errors: list[tuple[str | None, str]] | None = None) -> dict:
    """The body of every error answer: a code for programs, a message for people, and field errors."""
    body = {"error": code, "message": message}
    if errors is not None:
        body["errors"] = [{"field": field, "message": text} for field, text in errors]
    return body
