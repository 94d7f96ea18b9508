"""Who sees and who runs a consultation case.

- The office (dispatchers, supervisors) and district leaders see every case; dispatchers, leaders and
  the case's owner run it (invite, record, apply, escalate). A leader who takes a case over (领办)
  becomes its owner.
- A unit takes part when it asked for the case, was invited in any round, holds one of the case's
  orders, or was given a part in a decision or a follow-up item. Its handlers and leaders see the case
  and their own part: their invitation and opinion, their duties and follow-up items; not other units'
  written opinions.
- Everyone else (other units, deputies, admins) gets 404 for the case and finds it in no list.
"""
from flask import abort

from ..auth.models import Role
from ..extensions import db
from .models import Consultation

RUNS = frozenset({Role.DISPATCHER, Role.LEADER})
SEES_ALL = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER})
UNIT_SIDE = frozenset({Role.HANDLER, Role.UNIT_LEADER})


def runs(user, case: Consultation) -> bool:
    """May ``user`` take the office's actions on the case?"""
    return Role(user.role) in RUNS or case.owner_id == user.id


def participant_unit_ids(case: Consultation) -> set[int]:
    ids = {case.requested_by_unit_id} if case.requested_by_unit_id else set()
    for link in case.links:
        ids.update(part.unit_id for part in link.order.units if part.active)
    for meeting in case.meetings:
        ids.update(i.unit_id for i in meeting.invitations if i.unit_id)
        for decision in meeting.decisions:
            ids.add(decision.lead_unit_id)
            ids.update(decision.assist_unit_ids or [])
    ids.update(task.unit_id for task in case.tasks)
    return ids


def can_view(user, case: Consultation) -> bool:
    role = Role(user.role)
    if role in SEES_ALL or case.owner_id == user.id:
        return True
    if role in UNIT_SIDE and user.unit_id:
        return user.unit_id in participant_unit_ids(case)
    return False


def sees_all_opinions(user, case: Consultation) -> bool:
    return Role(user.role) in SEES_ALL or case.owner_id == user.id


def case_or_404(user, case_id: int) -> Consultation:
    case = db.session.get(Consultation, case_id)
    if case is None or not can_view(user, case):
        abort(404)
    return case
