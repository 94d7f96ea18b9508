"""Receiving one order pushed by the city platform through the API: check, validate, receive, commit.

The field rules are the batch import's (``intake.records.validate``); this module adds what only JSON
can get wrong (unknown fields, a number or a list where text belongs, text the database cannot store)
and accepts times with an offset (2026-11-24T10:00:00+08:00) as well as the city's local times.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..intake.operations import CREATED, receive
from ..intake.records import HEADERS, Lookups, validate
from ..orders.models import Order
from .serializers import to_local

FIELDS = tuple(HEADERS.values())  # city_no, received_at, ... due_at: the names the API takes
TIME_FIELDS = ("received_at", "due_at")


@dataclass
class Pushed:
    status: str  # created | present | conflict | invalid
    order: Order | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


def push_order(raw: dict, at: datetime | None = None) -> Pushed:
    """Take in one order as the city sent it; commits a created order (one transaction) and nothing
    otherwise. "invalid" comes with every field's problem."""
    values, errors = _shape(raw)
    record, problems = validate(values, Lookups())
    errors += [(name, message) for name, message in problems if name not in {e[0] for e in errors}]
    if errors:
        return Pushed("invalid", errors=errors)
    received = receive(record, at=at or now())
    if received.status == CREATED:
        try:
            db.session.commit()
        except IntegrityError:  # the same number arrived at the same moment on another request
            db.session.rollback()
            received = receive(record, at=at or now())
            if received.status == CREATED:
                raise
    return Pushed(received.status, received.order)


def _shape(raw: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The known fields with values of the right JSON type; problems for the others."""
    errors = [(name, f"未知字段“{name}”") for name in raw if name not in FIELDS]
    values = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if name == "enterprise" and isinstance(value, bool):
            values[name] = value
            continue
        if not isinstance(value, str):
            expected = "true/false 或“是/否”" if name == "enterprise" else "字符串"
            errors.append((name, f"应为{expected}"))
            continue
        problem = _unstorable(value)
        if problem:
            errors.append((name, problem))
            continue
        values[name] = _local_time(value) if name in TIME_FIELDS else value
    return values, errors


def _unstorable(value: str) -> str | None:
    if "\x00" in value:
        return "含有不允许的空字符（\\u0000）"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无效的 Unicode 字符"
    return None


def _local_time(value: str):
    """An ISO 8601 time with an offset becomes local time; anything else is left to the city's formats."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return to_local(parsed) if parsed.tzinfo else value
