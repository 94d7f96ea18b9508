"""Repeat complaints (重复件): on intake an order is linked to earlier orders from the same phone, or
about the same address with similar content, within a window (``REPEAT_WINDOW_DAYS``, default 30).

Similarity is rapidfuzz's partial token-set ratio over the content (0-100), with its threshold in
config (``REPEAT_SIMILARITY``, default 60); Chinese needs no word segmenter for it because it compares
characters.

Two ways in, one rule (``choose_links``): ``link_repeats`` for one order (the take-in form, the API),
two indexed lookups; ``find_repeats_many`` for a chunk of an import, one lookup for the whole chunk,
in which each row also sees the rows before it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from rapidfuzz import fuzz
from sqlalchemy import ARRAY, any_, bindparam, or_, select

from ..extensions import db
from .models import Order, OrderLink

MAX_LINKS = 5
CANDIDATES = 50  # the latest this many earlier orders per phone and per building are compared
PUNCTUATION = set("，。、；：！？,.;:!?（）()“”'\"")
_DROPPED = str.maketrans({ch: " " for ch in PUNCTUATION})


@dataclass(frozen=True)
class Earlier:
    """What the rule needs of an earlier order; ``key`` is its id, or its place in the chunk."""
    key: object
    number: str
    caller_phone: str
    address_key: str | None
    received_at: datetime
    content: str


@dataclass(frozen=True)
class Match:
    key: object
    reason: str  # phone | address
    score: float


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_chars(a), _chars(b))


@lru_cache(maxsize=8192)  # an import compares each content with several others
def _chars(text: str) -> str:
    """Characters as tokens: Chinese has no spaces between words."""
    return " ".join((text or "").translate(_DROPPED).split()).replace(" ", "").replace("", " ").strip()


def _settings() -> tuple[timedelta, float]:
    config = current_app.config
    return timedelta(days=config.get("REPEAT_WINDOW_DAYS", 30)), config.get("REPEAT_SIMILARITY", 60)


def choose_links(new: Earlier, by_phone: list[Earlier], by_address: list[Earlier], threshold: float) -> list[Match]:
    """The repeats of ``new`` among candidates, each list the latest first: the same caller unless about
    something quite different, or the same building and similar content; at most MAX_LINKS."""
    seen, matches = set(), []
    for earlier in by_phone[:CANDIDATES] + by_address[:CANDIDATES]:
        if earlier.key in seen or earlier.number == new.number:
            continue
        seen.add(earlier.key)
        score = similarity(new.content, earlier.content)
        if earlier.caller_phone == new.caller_phone:
            reason = "phone"
            if score < threshold / 2:  # the same caller about something quite different is not a repeat
                continue
        elif score >= threshold:
            reason = "address"
        else:
            continue
        matches.append(Match(earlier.key, reason, round(score, 1)))
        if len(matches) >= MAX_LINKS:
            break
    return matches


def link_repeats(order: Order, at: datetime) -> list[OrderLink]:
    """Link one new order (in the session, not yet flushed) to the orders it repeats."""
    window, threshold = _settings()
    order.address_key = address_key(order.address)
    in_window = (Order.received_at >= order.received_at - window, Order.received_at <= order.received_at)
    columns = (Order.id, Order.number, Order.caller_phone, Order.address_key, Order.received_at, Order.content)
    with db.session.no_autoflush:  # two lookups on indexed columns, not a scan of the window
        def latest(condition) -> list[Earlier]:
            query = select(*columns).where(condition, *in_window).order_by(Order.received_at.desc())
            return [Earlier(*row) for row in db.session.execute(query.limit(CANDIDATES))]

        by_phone = latest(Order.caller_phone == order.caller_phone)
        by_address = latest(Order.address_key == order.address_key) if order.address_key else []
    new = Earlier(None, order.number, order.caller_phone, order.address_key, order.received_at, order.content)
    links = [OrderLink(earlier_id=m.key, reason=m.reason, score=m.score, created_at=at)
             for m in choose_links(new, by_phone, by_address, threshold)]
    if links:
        order.is_repeat = True
        order.links.extend(links)
    return links


def find_repeats_many(rows: list[dict]) -> list[list[Match]]:
    """For each new order of a chunk (column dicts in file order, ``address_key`` set), its repeats among
    orders already stored and the rows before it. A Match's key is an order id (int) or, for a row of
    the chunk, ("row", index)."""
    if not rows:
        return []
    window, threshold = _settings()
    since = min(r["received_at"] for r in rows) - window
    until = max(r["received_at"] for r in rows)
    columns = (Order.id, Order.number, Order.caller_phone, Order.address_key, Order.received_at, Order.content)
    phones = {r["caller_phone"] for r in rows}
    keys = {r["address_key"] for r in rows if r["address_key"]}
    window_clause = (Order.received_at >= since, Order.received_at <= until)
    by_phone: dict[str, list[Earlier]] = {}
    by_address: dict[str, list[Earlier]] = {}
    same_phone = one_of(Order.caller_phone, phones)
    either = or_(same_phone, one_of(Order.address_key, keys)) if keys else same_phone
    with db.session.no_autoflush:  # one lookup for the chunk: the same phone or the same building
        for row in db.session.execute(select(*columns).where(either, *window_clause)):
            earlier = Earlier(*row)
            if earlier.caller_phone in phones:
                by_phone.setdefault(earlier.caller_phone, []).append(earlier)
            if earlier.address_key in keys:
                by_address.setdefault(earlier.address_key, []).append(earlier)
    found = []
    for i, r in enumerate(rows):
        new = Earlier(("row", i), r["number"], r["caller_phone"], r["address_key"], r["received_at"], r["content"])
        low = r["received_at"] - window

        def latest(stored: list[Earlier]) -> list[Earlier]:
            return sorted((e for e in stored if low <= e.received_at <= new.received_at),
                          key=lambda e: e.received_at, reverse=True)

        phone_matches = latest(by_phone.get(new.caller_phone, []))
        address_matches = latest(by_address.get(new.address_key, [])) if new.address_key else []
        found.append(choose_links(new, phone_matches, address_matches, threshold))
        by_phone.setdefault(new.caller_phone, []).append(new)  # later rows of the chunk see this one
        if new.address_key:
            by_address.setdefault(new.address_key, []).append(new)
    return found


def one_of(column, values):
    """``column IN (values)`` for a chunk's thousands of values. On PostgreSQL as ``= ANY(array)``, one
    parameter instead of one per value: the same plan, without the per-value work in the driver, which cost
    about 0.1 s per chunk of 5,000 numbers."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type), unique=True))
    return column.in_(values)


def address_key(address: str) -> str:
    """The address up to the building (…号楼 / …号), so 3单元 and 4单元 of one building match; the
    whole address when it names no building."""
    address = (address or "").strip()
    for mark in ("号楼", "号院", "号"):
        i = address.find(mark)
        if i > 0:
            return address[: i + len(mark)][:200]
    return address[:200]
