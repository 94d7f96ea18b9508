"""The generated district's unit tree: the office and the inspection office, the departments, the streets
and towns with about eight communities each, the state-owned enterprises and the management committees.

The names and codes are the demo district's (``portal.demo.district``), so that the matters it knows
(topics) find their units; each street's communities are filled up to ``COMMUNITIES_PER_STREET`` with
more community names.
"""
from ..demo.district import DEPARTMENTS, OFFICES, PARKS, SOES, STREETS
from ..extensions import db
from ..units.models import Unit, UnitKind

COMMUNITIES_PER_STREET = 8
EXTRA_SOES = [("gdgs", "区供水公司"), ("wygs", "区物业服务公司")]
# Stems of community names; a stem already taken in the district gets the street's name in front.
COMMUNITY_STEMS = ("和谐 安康 育英 银杏 桂花 梧桐 紫荆 长青 文苑 花园 新村 振兴 团结 前进 向阳 红星 "
                   "益民 惠民 福安 瑞祥 宏达 金桥 玉泉 清河 翠湖 望湖 柳岸 荷塘 明珠 新城 槐荫 杏林 "
                   "凤鸣 龙泉 天平 永安 泰和 丰收 阳光 锦华 富民 绿洲 馨园 佳苑 双拥 景园 燕山 月季").split()
_SORT_BASE = {UnitKind.OFFICE: 0, UnitKind.DEPARTMENT: 100, UnitKind.STREET: 200, UnitKind.SOE: 300,
              UnitKind.COMMITTEE: 400}


def create_units() -> dict[str, Unit]:
    """Add the tree and commit; return the handling units and offices by code (communities by
    ``<street code>/<n>``)."""
    units: dict[str, Unit] = {}
    names: set[str] = set()

    def add(code, name, kind, sort, parent=None):
        units[code] = Unit(name=name, kind=kind, sort=sort, parent=parent)
        names.add(name)
        db.session.add(units[code])

    for i, (code, name) in enumerate(OFFICES):
        add(code, name, UnitKind.OFFICE, _SORT_BASE[UnitKind.OFFICE] + i)
    for i, (code, name) in enumerate(DEPARTMENTS):
        add(code, name, UnitKind.DEPARTMENT, _SORT_BASE[UnitKind.DEPARTMENT] + i)
    stems = iter(COMMUNITY_STEMS * 4)
    for i, street in enumerate(STREETS):
        add(street.code, street.name, UnitKind.STREET, _SORT_BASE[UnitKind.STREET] + i)
        communities = [c for c, _compounds in street.communities]
        while len(communities) < COMMUNITIES_PER_STREET:
            stem = next(stems)
            name = f"{stem}社区" if f"{stem}社区" not in names and f"{stem}社区" not in communities \
                else f"{street.name[:2]}{stem}社区"
            if name not in communities and name not in names:
                communities.append(name)
        for j, name in enumerate(communities):
            add(f"{street.code}/{j}", name, UnitKind.COMMUNITY, j, parent=units[street.code])
    for i, (code, name) in enumerate(SOES + EXTRA_SOES):
        add(code, name, UnitKind.SOE, _SORT_BASE[UnitKind.SOE] + i)
    for i, park in enumerate(PARKS):
        add(park.code, park.name, UnitKind.COMMITTEE, _SORT_BASE[UnitKind.COMMITTEE] + i)
    db.session.commit()
    return units


def handling_codes() -> list[str]:
    """Codes of the units orders are dispatched to (communities work through their street)."""
    return ([c for c, _ in DEPARTMENTS] + [s.code for s in STREETS] + [c for c, _ in SOES + EXTRA_SOES]
            + [p.code for p in PARKS])
