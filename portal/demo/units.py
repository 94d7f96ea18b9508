"""Create the demo district's unit tree: offices, departments, streets with their communities, SOEs,
management committees."""
from ..extensions import db
from ..units.models import Unit, UnitKind
from .district import DEPARTMENTS, OFFICES, PARKS, SOES, STREETS

# Sort ranges keep each kind together and in the order listed in district.py.
_SORT_BASE = {UnitKind.OFFICE: 0, UnitKind.DEPARTMENT: 100, UnitKind.STREET: 200, UnitKind.SOE: 300,
              UnitKind.COMMITTEE: 400}


def create_units() -> dict[str, Unit]:
    """Add every unit and commit; return the units by their code (communities are not in the map)."""
    units: dict[str, Unit] = {}

    def add(code, name, kind, index):
        units[code] = Unit(name=name, kind=kind, sort=_SORT_BASE[kind] + index)
        db.session.add(units[code])

    for i, (code, name) in enumerate(OFFICES):
        add(code, name, UnitKind.OFFICE, i)
    for i, (code, name) in enumerate(DEPARTMENTS):
        add(code, name, UnitKind.DEPARTMENT, i)
    for i, street in enumerate(STREETS):
        add(street.code, street.name, UnitKind.STREET, i)
        for j, (community, _compounds) in enumerate(street.communities):
            db.session.add(Unit(name=community, kind=UnitKind.COMMUNITY, parent=units[street.code], sort=j))
    for i, (code, name) in enumerate(SOES):
        add(code, name, UnitKind.SOE, i)
    for i, park in enumerate(PARKS):
        add(park.code, park.name, UnitKind.COMMITTEE, i)
    db.session.commit()
    return units


def handling_codes() -> list[str]:
    """Codes of the units orders are dispatched to (communities work through their street)."""
    return ([c for c, _ in DEPARTMENTS] + [s.code for s in STREETS] + [c for c, _ in SOES]
            + [p.code for p in PARKS])
