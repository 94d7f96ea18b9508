"""The generated district's accounts: the office's dispatchers, supervisors, district leaders, deputies, an
administrator, and a leader and A and B handlers in every handling unit, with the A/B roster set.

Every generated account shares ONE password, made by ``portal.security.passwords.generate`` on each run
and printed once by the command; it is never in code. Hashing is deliberately slow, so it is hashed once.
"""
from dataclasses import dataclass, field
from datetime import datetime
from random import Random

from flask import current_app
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from ..auth.models import Role, User
from ..demo.people import mobile, person_name
from ..extensions import db
from ..roster.operations import set_holder
from ..security import passwords
from ..units.models import Unit
from .units import handling_codes

DISPATCHERS, SUPERVISORS, LEADERS, DEPUTIES = 8, 3, 4, 6


@dataclass
class People:
    """Who acts in the generated orders, by id (plain data, so it can travel to worker processes)."""

    password: str
    admin: int
    dispatchers: list[int]
    supervisors: list[int]
    leaders: list[int]
    deputies: list[int]
    # unit code -> {"lead": unit leader, "a": handler A, "b": handler B}
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)


def create_people(units: dict[str, Unit], rng: Random, since: datetime) -> People:
    """Add the accounts and the roster (A and B of each handling unit, set at ``since``); commit."""
    password = passwords.generate(14)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    hashed = generate_password_hash(password, method=method)
    rows = []

    def account(username, role, unit_code=None):
        rows.append({"username": username, "name": person_name(rng), "role": role.value,
                     "unit_id": units[unit_code].id if unit_code else None, "phone": mobile(rng),
                     "password_hash": hashed, "active": True, "created_at": since})

    account("admin", Role.ADMIN, "rxb")
    for i in range(1, DISPATCHERS + 1):
        account(f"dispatcher{i}", Role.DISPATCHER, "rxb")
    for i in range(1, SUPERVISORS + 1):
        account(f"supervisor{i}", Role.SUPERVISOR, "dcs")
    for i in range(1, LEADERS + 1):
        account(f"leader{i}", Role.LEADER)
    for i in range(1, DEPUTIES + 1):
        account(f"deputy{i}", Role.DEPUTY)
    for code in handling_codes():
        account(f"{code}_lead", Role.UNIT_LEADER, code)
        account(f"{code}_a", Role.HANDLER, code)
        account(f"{code}_b", Role.HANDLER, code)
    db.session.execute(insert(User), rows)
    db.session.commit()
    ids = dict(db.session.execute(select(User.username, User.id)).all())
    people = People(
        password=password, admin=ids["admin"],
        dispatchers=[ids[f"dispatcher{i}"] for i in range(1, DISPATCHERS + 1)],
        supervisors=[ids[f"supervisor{i}"] for i in range(1, SUPERVISORS + 1)],
        leaders=[ids[f"leader{i}"] for i in range(1, LEADERS + 1)],
        deputies=[ids[f"deputy{i}"] for i in range(1, DEPUTIES + 1)],
        by_unit={code: {part: ids[f"{code}_{part}"] for part in ("lead", "a", "b")} for code in handling_codes()},
    )
    admin = db.session.get(User, people.admin)
    for code, accounts in people.by_unit.items():
        set_holder(units[code], "A", db.session.get(User, accounts["a"]), admin, at=since)
        set_holder(units[code], "B", db.session.get(User, accounts["b"]), admin, at=since)
    return people

