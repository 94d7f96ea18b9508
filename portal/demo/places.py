"""Where an order's matter is: a place in the demo district, its address, and the words texts use.

A topic says what kind of place it happens at (``where``): a residential compound (home), a road, a
shop or restaurant on a road, a village, an enterprise in a park, a school, a scenic spot.
"""
from dataclasses import dataclass
from random import Random

from . import district as d


@dataclass
class Place:
    street_code: str | None  # the street/town whose area it is (None in a park)
    park_code: str | None  # the management committee's area it is in, if any
    address: str
    words: dict[str, str]  # the slot values texts are filled with
    where: str = "home"

    def fit_address(self, text: str) -> None:
        """Address the matter where the text puts it: at a crossing, on a road, or at a home."""
        if not self.street_code:
            return
        w = self.words
        crossing = f"{w['road']}与{w['road2']}交叉口"
        if crossing in text:
            self.address = w["street"] + crossing
        elif self.where == "home" and w["xiaoqu"] not in text and w["road"] in text:
            self.address = f"{w['street']}{w['road']}{w['num']}号附近"
        elif self.where == "road" and w["road"] not in text and w["xiaoqu"] in text:
            self.address = f"{w['street']}{w['community']}{w['xiaoqu']}"


def pick_place(rng: Random, where: str) -> Place:
    if where == "park":
        return _park_place(rng)
    if where == "village":
        street = rng.choice([s for s in d.STREETS if s.is_town])
        village = rng.choice([c for c, compounds in street.communities if not compounds])
        group = rng.randint(1, 9)
        words = _common(rng, street) | {"village": village, "community": village, "group": f"{group}组"}
        return Place(street.code, None, f"{street.name}{village}{group}组", words, where)
    if where == "scenic":
        scenic, code = rng.choice(d.SCENIC)
        street = d.STREETS_BY_CODE[code]
        return Place(street.code, None, f"{street.name}{scenic}", _common(rng, street) | {"scenic": scenic}, where)
    # Urban matters: mostly in the eight 街道, sometimes in a town's seat.
    streets = [s for s in d.STREETS if not s.is_town]
    street = rng.choice(streets if rng.random() < 0.88 else [s for s in d.STREETS if s.is_town])
    words = _common(rng, street)
    road, num = words["road"], words["num"]
    if where == "home":
        address = f"{street.name}{words['community']}{words['xiaoqu']}{words['bld']}号楼{words['unit_no']}单元"
    elif where == "road":
        address = f"{street.name}{road}{num}号附近"
    elif where == "shop":
        address = f"{street.name}{road}{num}号"
    elif where == "school":
        address = f"{street.name}{road}{num}号{words['school']}"
    else:
        raise ValueError(f"unknown kind of place {where!r}")
    return Place(street.code, None, address, words, where)


def _park_place(rng: Random) -> Place:
    park = rng.choice(d.PARKS[:2] if rng.random() < 0.8 else d.PARKS[2:])
    near = rng.choice(d.STREETS)  # texts may mention residents nearby
    words = _common(rng, near) | {"road": rng.choice(park.roads), "park": park.short}
    address = f"{park.short}{words['road']}{words['num']}号{words['company']}"
    return Place(None, park.code, address, words, "park")


def _common(rng: Random, street: d.Street) -> dict[str, str]:
    homes = [(c, compounds) for c, compounds in street.communities if compounds]
    community, compounds = rng.choice(homes)
    road, road2 = rng.sample(street.roads, 2)
    return {
        "street": street.name, "community": community, "xiaoqu": rng.choice(compounds),
        "road": road, "road2": road2, "num": str(rng.randint(1, 260)),
        "bld": str(rng.randint(1, 24)), "unit_no": str(rng.randint(1, 4)), "n": str(rng.randint(2, 9)),
        "days": str(rng.randint(3, 10)), "months": str(rng.randint(2, 7)), "age": str(rng.randint(80, 93)),
        "workers": str(rng.randint(3, 40)), "temp": str(rng.randint(12, 16)),
        "amount": _amount(rng), "hours": rng.choice(("晚上11点", "夜里12点", "凌晨1点", "凌晨2点")),
        "school": rng.choice(d.SCHOOLS), "hospital": rng.choice(d.HOSPITALS), "bus": rng.choice(d.BUS_LINES),
        "station": f"{rng.choice(street.roads)}公交站", "eatery": rng.choice(d.EATERIES),
        "shop": rng.choice(d.SHOPS), "ktv": rng.choice(d.KTVS), "gym": rng.choice(d.GYMS),
        "training": rng.choice(d.TRAININGS), "company": rng.choice(d.COMPANIES), "builder": rng.choice(d.BUILDERS),
        "property": rng.choice(d.PROPERTY_COS), "estate": rng.choice(d.ESTATES),
        "project": f"{road}{rng.choice(d.PROJECTS)}",
        "plate": "鲁C·" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5)),
        "park": "经济开发区",
    }


def _amount(rng: Random) -> str:
    yuan = rng.randint(6, 380) * 100
    return f"{yuan / 10000:.1f}万元".replace(".0万", "万") if yuan >= 10000 else f"{yuan}元"
