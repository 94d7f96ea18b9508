"""The alerts above a unit's inbox: supervisions waiting for the unit's answer (and how many are late),
cases waiting for its written opinion, its open consultation follow-up items.

Every inbox request shows them, and mostly they are all zero: the three areas' counts go in one
statement (built once, with bound parameters), and the follow-up items themselves are loaded only when
there are some.
"""
import functools
from typing import NamedTuple

from sqlalchemy import bindparam, select

from ..clock import now
from ..consultation import meetings as consultation_meetings
from ..consultation.queries import unit_waiting_count_query
from ..extensions import db
from ..supervision.queries import waiting_counts


class InboxAlerts(NamedTuple):
    supervisions: int = 0       # waiting for the unit's answer
    late_supervisions: int = 0  # of those, past the answer deadline
    consultations: int = 0      # cases waiting for the unit's written opinion
    tasks: tuple = ()           # open follow-up items (ConsultationTask), the earliest due first


@functools.cache
def _counts_statement():
    unit = bindparam("unit")
    waiting, late = waiting_counts(unit, bindparam("today"))
    return select(waiting, late, unit_waiting_count_query(unit), consultation_meetings.open_tasks_count(unit))


def for_unit(unit_id: int | None) -> InboxAlerts:
    """The alerts of a unit (none without one)."""
    if not unit_id:
        return InboxAlerts()
    counts = db.session.execute(_counts_statement(), {"unit": unit_id, "today": now().date()}).one()
    tasks = tuple(consultation_meetings.open_tasks(unit_id)) if counts[3] else ()
    return InboxAlerts(counts[0], counts[1], counts[2], tasks)
