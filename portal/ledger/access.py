"""Who may read and keep the ledger of key matters.

- supervisors keep it: register, add progress notes, cancel and reopen;
- leaders, dispatchers and admins read every entry;
- a unit's handlers and leaders read their own unit's entries and add progress notes to them;
- anyone else (deputies) has no ledger: the list is 403, an entry is 404.
"""
from flask import abort
from sqlalchemy import false

from ..auth.models import Role
from ..extensions import db
from .models import LedgerEntry

KEEPERS = frozenset({Role.SUPERVISOR})
READ_ALL = frozenset({Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN})
UNIT_SIDE = frozenset({Role.HANDLER, Role.UNIT_LEADER})
READERS = READ_ALL | UNIT_SIDE


def keeps(user) -> bool:
    return Role(user.role) in KEEPERS


def reads_ledger(user) -> bool:
    return Role(user.role) in READERS


def scope(query, user):
    """Restrict a select() of entries to those ``user`` may read."""
    role = Role(user.role)
    if role in READ_ALL:
        return query
    if role in UNIT_SIDE and user.unit_id:
        return query.where(LedgerEntry.owner_unit_id == user.unit_id)
    return query.where(false())


def can_read(user, entry: LedgerEntry) -> bool:
    role = Role(user.role)
    return role in READ_ALL or (role in UNIT_SIDE and user.unit_id is not None and user.unit_id == entry.owner_unit_id)


def can_note(user, entry: LedgerEntry) -> bool:
    """Supervisors, and the owner unit's own handlers and leaders, add progress notes."""
    role = Role(user.role)
    return role in KEEPERS or (role in UNIT_SIDE and user.unit_id is not None and user.unit_id == entry.owner_unit_id)


def entry_or_404(user, entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or not can_read(user, entry):
        abort(404)
    return entry
