"""What a deputy may read of an order: the caller's name and phone masked, the address cut to the
street, phone numbers and the address removed from free text, and only the public steps of its timeline."""
import re
from dataclasses import dataclass
from datetime import datetime

from ..orders.models import Order
from ..permissions import mask_address, mask_name, mask_phone
from .states import PUBLIC_EVENTS

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def mask_text(text: str | None, order: Order) -> str:
    """Free text (content, notes, replies) with the caller's name, any phone number and the order's
    address masked."""
    if not text:
        return ""
    short = mask_address(order.address)
    for exact in sorted({order.address, order.address_key or ""}, key=len, reverse=True):
        if exact and len(exact) > len(short.rstrip("…")):
            text = text.replace(exact, short)
    if order.caller_name and len(order.caller_name.strip()) >= 2:
        text = text.replace(order.caller_name.strip(), mask_name(order.caller_name))
    text = MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return LANDLINE.sub(lambda m: mask_phone(m.group().replace("-", "")), text)


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    action: str
    from_state: str | None
    to_state: str
    unit: str  # who acted, as a unit (staff names are not needed by deputies)
    note: str


def public_timeline(order: Order) -> list[PublicStep]:
    """The order's public steps, newest first, with their notes masked."""
    steps = []
    for event in order.events:
        if event.action not in PUBLIC_EVENTS:
            continue
        actor = event.actor
        unit = actor.unit.name if actor is not None and actor.unit is not None else "区热线办"
        steps.append(PublicStep(event.at, event.action, event.from_state, event.to_state, unit,
                                mask_text(event.note, order)))
    return list(reversed(steps))


def masked_order(order: Order) -> dict:
    """The fields of an order a deputy sees."""
    return {
        "number": order.number, "received_at": order.received_at, "type": order.type,
        "category": order.category.name if order.category else "未分类",
        "caller": mask_name(order.caller_name), "phone": mask_phone(order.caller_phone),
        "address": mask_address(order.address), "content": mask_text(order.content, order),
        "reply": mask_text(order.reply_text or order.answer_text, order), "replied_at": order.replied_at,
    }
