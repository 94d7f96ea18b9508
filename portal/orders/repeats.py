"""Repeat complaints (重复件): on intake an order is linked to earlier orders from the same phone, or
about the same address with similar content, within a window (``REPEAT_WINDOW_DAYS``, default 30).

Similarity is rapidfuzz's partial token-set ratio over the content (0-100), with its threshold in
config (``REPEAT_SIMILARITY``, default 60); Chinese needs no word segmenter for it because it compares
characters.
"""
from datetime import datetime, timedelta

from flask import current_app
from rapidfuzz import fuzz
from sqlalchemy import select

from ..extensions import db
from .models import Order, OrderLink

MAX_LINKS = 5
PUNCTUATION = set("，。、；：！？,.;:!?（）()“”'\"")


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_chars(a), _chars(b))


def _chars(text: str) -> str:
    """Characters as tokens: Chinese has no spaces between words."""
    return " ".join(ch for ch in (text or "") if not ch.isspace() and ch not in PUNCTUATION)


def link_repeats(order: Order, at: datetime) -> list[OrderLink]:
    config = current_app.config
    window = timedelta(days=config.get("REPEAT_WINDOW_DAYS", 30))
    threshold = config.get("REPEAT_SIMILARITY", 60)
    since = order.received_at - window
    order.address_key = address_key(order.address)
    in_window = (Order.received_at >= since, Order.received_at <= order.received_at)
    with db.session.no_autoflush:  # two lookups on indexed columns, not a scan of the window
        by_phone = select(Order).where(Order.caller_phone == order.caller_phone, *in_window)
        by_address = select(Order).where(Order.address_key == order.address_key, *in_window)
        seen, candidates = set(), []
        for query in (by_phone, by_address) if order.address_key else (by_phone,):
            for earlier in db.session.scalars(query.order_by(Order.received_at.desc()).limit(50)):
                if earlier.id not in seen:
                    seen.add(earlier.id)
                    candidates.append(earlier)
    links = []
    for earlier in candidates:
        if earlier is order or earlier.id is None or earlier.number == order.number:
            continue
        score = similarity(order.content, earlier.content)
        if earlier.caller_phone == order.caller_phone:
            reason = "phone"
            if score < threshold / 2:  # the same caller about something quite different is not a repeat
                continue
        elif score >= threshold:
            reason = "address"
        else:
            continue
        link = OrderLink(earlier_id=earlier.id, reason=reason, score=round(score, 1), created_at=at)
        links.append(link)
        if len(links) >= MAX_LINKS:
            break
    if links:
        order.is_repeat = True
        order.links.extend(links)
    return links


def address_key(address: str) -> str:
    """The address up to the building (…号楼 / …号), so 3单元 and 4单元 of one building match; the
    whole address when it names no building."""
    address = (address or "").strip()
    for mark in ("号楼", "号院", "号"):
        i = address.find(mark)
        if i > 0:
            return address[: i + len(mark)][:200]
    return address[:200]
