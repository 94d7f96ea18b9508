"""Receiving orders from the city platform: one at a time (the API) or in chunks (the batch import).

Idempotent by the city's order number (工单编号): the same record again is "present" and changes
nothing; the same number with other content is a "conflict" and is not overwritten.
"""
from dataclasses import dataclass

from ..clock import now
from ..extensions import db
from ..orders.models import Order
from ..orders.operations import add_new
from .records import CityRecord

CREATED, PRESENT, CONFLICT = "created", "present", "conflict"


@dataclass
class Received:
    status: str
    order: Order


def receive(record: CityRecord, at=None) -> Received:
    """Add the order unless its number is known; the caller commits (one per API call, one per chunk)."""
    at = at or now()
    fingerprint = record.content_hash()
    existing = db.session.scalar(db.select(Order).where(Order.number == record.city_no))
    if existing is not None:
        return Received(PRESENT if existing.city_hash == fingerprint else CONFLICT, existing)
    order = Order(
        number=record.city_no, received_at=record.received_at, channel=record.channel, type=record.type,
        category_id=record.category_id, urgency=record.urgency, caller_name=record.citizen_name,
        caller_phone=record.citizen_phone, address=record.address, content=record.content,
        enterprise=record.enterprise, leader_instruction=record.leader_instruction,
        suggested_unit_id=record.suggested_unit_id, city_due_at=record.due_at,
        source="city", city_hash=fingerprint,
    )
    add_new(order, None, at, note="市12345平台派单")
    return Received(CREATED, order)
