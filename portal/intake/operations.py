"""Receiving orders from the city platform: one at a time (the API) or in chunks (the batch import).

Idempotent by the city's order number (工单编号): the same record again is "present" and changes
nothing; the same number with other content is a "conflict" and is not overwritten.
"""
from dataclasses import dataclass

from ..clock import now
from ..extensions import db
from ..orders.models import Order
from ..orders.operations import add_new, add_new_many
from .records import CityRecord

CREATED, PRESENT, CONFLICT = "created", "present", "conflict"
TAKE_IN_NOTE = "市12345平台派单"


@dataclass
class Received:
    status: str
    order: Order


def receive(record: CityRecord, at=None, actor=None) -> Received:
    """Add the order unless its number is known; the caller commits (one per API call)."""
    at = at or now()
    existing = db.session.scalar(db.select(Order).where(Order.number == record.city_no))
    if existing is not None:
        return Received(PRESENT if existing.city_hash == record.content_hash() else CONFLICT, existing)
    order = Order(**_columns(record))
    add_new(order, actor, at, note=TAKE_IN_NOTE)
    return Received(CREATED, order)


def receive_many(records: list[CityRecord], at=None, actor=None, note: str = TAKE_IN_NOTE) -> list[int]:
    """Add orders whose numbers the caller has checked are new (the importer looks them up for the
    whole chunk at once); returns their ids in order. The caller commits (one per chunk)."""
    return add_new_many([_columns(record) for record in records], actor, at or now(), note=note)


def _columns(record: CityRecord) -> dict:
    """The order's columns from a city record, the same keys for every record."""
    return {
        "number": record.city_no, "received_at": record.received_at, "channel": record.channel,
        "type": record.type, "category_id": record.category_id, "urgency": record.urgency,
        "caller_name": record.citizen_name, "caller_phone": record.citizen_phone, "address": record.address,
        "content": record.content, "enterprise": record.enterprise, "via_deputy": record.via_deputy,
        "leader_instruction": record.leader_instruction, "suggested_unit_id": record.suggested_unit_id,
        "city_due_at": record.due_at, "source": "city", "city_hash": record.content_hash(),
    }
