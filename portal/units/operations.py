"""Changing the unit tree: add a unit, rename it, switch it on or off."""
from ..extensions import db
from .models import Unit, UnitKind


class UnitRefused(Exception):
    """Bad input for a unit; the message is for the user."""


def add_unit(name: str, kind: str, parent_id: int | None = None) -> Unit:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise UnitRefused("单位名称不能为空，且不超过80字。")
    if kind not in {k.value for k in UnitKind}:
        raise UnitRefused("请选择单位类别。")
    parent = None
    if parent_id:
        parent = db.session.get(Unit, parent_id)
        if parent is None:
            raise UnitRefused("上级单位不存在。")
    if kind == UnitKind.COMMUNITY and (parent is None or parent.kind != UnitKind.STREET):
        raise UnitRefused("社区须隶属于某个街道/镇。")
    if db.session.scalar(db.select(Unit.id).where(Unit.name == name)):
        raise UnitRefused(f"已有名为“{name}”的单位。")
    unit = Unit(name=name, kind=kind, parent=parent)
    db.session.add(unit)
    db.session.commit()
    return unit


def set_unit_active(unit: Unit, active: bool) -> Unit:
    unit.active = active
    db.session.commit()
    return unit
