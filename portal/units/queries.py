"""Read side of units: the tree, and the choices forms offer."""
from ..extensions import db
from .models import Unit, UnitKind

HANDLING_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.SOE, UnitKind.COMMITTEE, UnitKind.COMMUNITY]


def handling_units() -> list[Unit]:
    """Active units that can be dispatched to, grouped by kind then by their sort order."""
    order = {k.value: i for i, k in enumerate(HANDLING_KINDS)}
    units = db.session.scalars(
        db.select(Unit).where(Unit.active.is_(True), Unit.kind != UnitKind.OFFICE).order_by(Unit.sort, Unit.id)
    ).all()
    return sorted(units, key=lambda u: (order.get(u.kind, 99), u.sort, u.id))


def units_by_kind() -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in handling_units():
        groups.setdefault(unit.kind_label, []).append(unit)
    return list(groups.items())


def tree() -> list[Unit]:
    """Top-level units; communities hang under their street through ``children``."""
    return db.session.scalars(
        db.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.kind, Unit.sort, Unit.id)
    ).all()
