"""Read side of the API: one order by its city number, and the feed of changed orders.

The feed is ordered by (updated_at, id) and paged by a keyset cursor: the position after the last
order given, encoded as an opaque string. An order changed again later comes round again, after
the position of its earlier change, so a client that keeps the last cursor sees every change.
"""
import base64
import binascii
import json
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..intake.normalise import to_halfwidth
from ..orders.models import Order, OrderUnit


def _with_parts(query):
    return query.options(selectinload(Order.units).joinedload(OrderUnit.unit), selectinload(Order.visits))


def order_by_number(city_no: str) -> Order | None:
    number = to_halfwidth(city_no).strip()
    return db.session.scalar(_with_parts(select(Order).where(Order.number == number)))


def changes(since: datetime | None, after: tuple[datetime, int] | None, limit: int) -> tuple[list[Order], bool]:
    """Up to ``limit`` orders updated at or after ``since`` and past the cursor position ``after``,
    oldest change first; and whether more follow."""
    query = select(Order)
    if since is not None:
        query = query.where(Order.updated_at >= since)
    if after is not None:
        at, order_id = after
        query = query.where(or_(Order.updated_at > at, and_(Order.updated_at == at, Order.id > order_id)))
    query = _with_parts(query.order_by(Order.updated_at, Order.id).limit(limit + 1))
    orders = list(db.session.scalars(query).unique())
    return orders[:limit], len(orders) > limit


def encode_cursor(order: Order) -> str:
    raw = json.dumps([order.updated_at.isoformat(), order.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor stands for; ValueError for anything this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, order_id = json.loads(raw)
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            raise ValueError
        position = datetime.fromisoformat(at)
        if position.tzinfo is not None:
            raise ValueError
        return position, order_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ValueError("cursor 无效：请原样使用上一页返回的 next_cursor。") from None
