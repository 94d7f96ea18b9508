"""Who answers for an order: routing a new order to the unit's A handler (or B, or a stand-in), and the
acting handler while the responsible one is away."""
from datetime import datetime

from ..auth.models import Role, User
from ..extensions import db
from .queries import absence_at, holders, is_unit_person, unit_members_and_holders_at, unit_people


def _present(user: User | None, at: datetime) -> bool:
    return user is not None and user.active and absence_at(user.id, at) is None


def route(unit_id: int, at: datetime) -> User | None:
    """The person a new order of the unit goes to: A; B while A is away; a stand-in named for the
    absence; failing a roster, the unit's leader or any active handler. None only for a unit with no one."""
    roles = holders(unit_id)
    for slot in ("A", "B"):
        if _present(roles[slot], at):
            return roles[slot]
    for slot in ("A", "B"):
        user = roles[slot]
        away = absence_at(user.id, at) if user else None
        if away and away.stand_in and _present(away.stand_in, at):
            return away.stand_in
    people = unit_people(unit_id)
    for role in (Role.UNIT_LEADER, Role.HANDLER):
        for person in people:
            if person.role == role and _present(person, at):
                return person
    return next((p for p in people if p.active), None)


class Responsibility:
    """Who stands in for whom in one unit at one moment; built once per page, asked per order."""

    def __init__(self, unit_id: int | None, at: datetime):
        self.unit_id, self.at = unit_id, at
        self._holders: dict[str, User | None] | None = None  # A and B, loaded with the members
        self._cache: dict[int, User | None] = {}
        self._members: list | None = None  # the unit's members with their absence now (or None)
        self._absences: dict[int, object] = {}

    def _absence(self, user_id: int):
        """``absence_at(user_id, self.at)``; for the unit's own people, from one query for all of them
        (a page asks about every colleague: the inbox's "answered by" and each row's stand-in)."""
        self._load_members()
        if user_id in self._absences:
            return self._absences[user_id]
        return absence_at(user_id, self.at)

    def _load_members(self) -> list:
        if self._members is None:
            if self.unit_id:
                self._members, self._holders = unit_members_and_holders_at(self.unit_id, self.at)
            else:
                self._members, self._holders = [], {"A": None, "B": None}
            self._absences = {user.id: absence for user, absence in self._members}
        return self._members

    @property
    def _roles(self) -> dict[str, User | None]:
        self._load_members()
        return self._holders

    def acting_for(self, handler_id: int | None) -> User | None:
        """The acting handler while ``handler_id`` is away, or None when they are present."""
        if handler_id is None:
            return None
        if handler_id not in self._cache:
            self._cache[handler_id] = self._acting(handler_id)
        return self._cache[handler_id]

    def _acting(self, handler_id: int) -> User | None:
        away = self._absence(handler_id)
        handler = db.session.get(User, handler_id)
        if away is None and handler is not None and handler.active:
            return None
        if away is not None and away.stand_in and _present(away.stand_in, self.at):
            return away.stand_in
        a, b = self._roles["A"], self._roles["B"]
        other = b if (a and a.id == handler_id) else a
        if other is not None and other.id != handler_id and _present(other, self.at):
            return other
        fallback = route(self.unit_id, self.at) if self.unit_id else None
        return fallback if fallback is not None and fallback.id != handler_id else None

    def answering(self, order) -> tuple[User | None, bool]:
        """(the person answering for the order now, whether they are acting for someone)."""
        acting = self.acting_for(order.handler_id)
        if acting is not None:
            return acting, True
        return (db.session.get(User, order.handler_id) if order.handler_id else None), False

    def answered_by(self, user: User) -> list[int]:
        """Handler ids whose orders ``user`` answers for now: their own, and those of absent colleagues
        they act for."""
        ids = [user.id]
        for person, _ in self._load_members():
            if person.id != user.id and is_unit_person(person):
                acting = self.acting_for(person.id)
                if acting is not None and acting.id == user.id:
                    ids.append(person.id)
        return ids
