"""Who sees what: the one module that decides, for every page, fragment, download and API call.

- dispatchers, supervisors, leaders and admins see every order;
- handlers and unit leaders see the orders on which their unit is lead or an assisting unit;
- deputies see no order through the order pages or the API: they read the lists pushed to them, where
  each matter is shown masked and without internal steps (portal/deputies);
- anyone else sees nothing.
Views ask ``order_or_404`` / ``scope_orders``; a request outside one's reach gets 404, never a byte of
another unit's data.
"""
import re

from flask import abort
from sqlalchemy import exists, select

from .auth.models import Role
from .extensions import db
from .orders.models import Order, OrderUnit

ALL_SEEING = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
UNIT_SIDE = frozenset({Role.HANDLER, Role.UNIT_LEADER})


def sees_all(user) -> bool:
    return Role(user.role) in ALL_SEEING


def scope_orders(query, user):
    """Restrict a select() of orders to what ``user`` may see."""
    role = Role(user.role)
    if role in ALL_SEEING:
        return query
    if role in UNIT_SIDE and user.unit_id:
        on_order = exists().where(OrderUnit.order_id == Order.id, OrderUnit.unit_id == user.unit_id)
        return query.where(on_order)
    return query.where(False)


def can_view_order(user, order: Order) -> bool:
    role = Role(user.role)
    if role in ALL_SEEING:
        return True
    if role in UNIT_SIDE and user.unit_id:
        return any(u.unit_id == user.unit_id for u in order.units)
    return False


def order_or_404(user, order_id: int, options=()) -> Order:
    """The order if ``user`` may see it, else 404; ``options``: loader options for what the page shows."""
    order = db.session.get(Order, order_id, options=options)
    if order is None or not can_view_order(user, order):
        abort(404)
    return order


def require_role(user, *roles: Role) -> None:
    if Role(user.role) not in roles:
        abort(403)


def masks_caller(user) -> bool:
    return Role(user.role) is Role.DEPUTY


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; short numbers keep only their last two digits."""
    phone = (phone or "").strip()
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


_DIGIT = re.compile(r"[0-9０-９]")
_PLACE_END = re.compile(r"(?:街道|大道|社区|小区|花园|新村|镇|乡|村|路|街|巷|弄|里)")


def mask_address(address: str) -> str:
    """The address cut to the street/road or community, numbers dropped:
    城关街道建设路12号3单元 -> 城关街道建设路…; 幸福小区东门 -> 幸福小区…"""
    address = (address or "").strip()
    if not address:
        return ""
    digit = _DIGIT.search(address)
    head = address[: digit.start()] if digit else address
    ends = [m.end() for m in _PLACE_END.finditer(head)]
    kept = head[: ends[-1]] if ends else head[:4]
    return kept + "…" if kept != address else kept


def caller(user, order: Order) -> dict:
    """The caller's details as ``user`` may see them."""
    if masks_caller(user):
        return {"name": mask_name(order.caller_name), "phone": mask_phone(order.caller_phone), "masked": True}
    return {"name": order.caller_name, "phone": order.caller_phone, "masked": False}


def unit_ids_query(user):
    """Order ids the user's unit is on, for joins in list queries."""
    return select(OrderUnit.order_id).where(OrderUnit.unit_id == user.unit_id)
