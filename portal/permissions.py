"""Who sees what: the one module that decides, for every page, fragment, download and API call.

- dispatchers, supervisors, leaders and admins see every order;
- handlers and unit leaders see the orders on which their unit is lead or an assisting unit;
- deputies see only orders pushed to deputies, with the caller's name and phone masked;
- anyone else sees nothing.
Views ask ``order_or_404`` / ``scope_orders``; a request outside one's reach gets 404, never a byte of
another unit's data.
"""
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
    if role is Role.DEPUTY:
        return query.where(Order.deputy_pushed.is_(True))
    return query.where(False)


def can_view_order(user, order: Order) -> bool:
    role = Role(user.role)
    if role in ALL_SEEING:
        return True
    if role in UNIT_SIDE and user.unit_id:
        return any(u.unit_id == user.unit_id for u in order.units)
    if role is Role.DEPUTY:
        return order.deputy_pushed
    return False


def order_or_404(user, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
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


def caller(user, order: Order) -> dict:
    """The caller's details as ``user`` may see them."""
    if masks_caller(user):
        return {"name": mask_name(order.caller_name), "phone": mask_phone(order.caller_phone), "masked": True}
    return {"name": order.caller_name, "phone": order.caller_phone, "masked": False}


def unit_ids_query(user):
    """Order ids the user's unit is on, for joins in list queries."""
    return select(OrderUnit.order_id).where(OrderUnit.unit_id == user.unit_id)
