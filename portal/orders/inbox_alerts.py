"""The alerts above a unit's inbox: supervisions waiting for the unit's answer (and how many are late),
cases waiting for its written opinion, its open consultation follow-up items.

Every inbox request shows them, and mostly they are all zero: the three areas' counts are asked in the
statement of the inbox's tab counts (``queries.inbox_counts_with``, built once with bound parameters), and
the follow-up items themselves are loaded only when there are some.
"""
import functools
from typing import NamedTuple

from sqlalchemy import bindparam

from ..clock import now
from ..consultation import meetings as consultation_meetings
from ..consultation.queries import unit_waiting_count_query
from ..supervision.queries import waiting_counts
from . import queries


class InboxAlerts(NamedTuple):
    supervisions: int = 0       # waiting for the unit's answer
    late_supervisions: int = 0  # of those, past the answer deadline
    consultations: int = 0      # cases waiting for the unit's written opinion
    tasks: tuple = ()           # open follow-up items (ConsultationTask), the earliest due first


@functools.cache
def _columns() -> tuple:
    """The alerts' counts as scalar subqueries of the unit (``unit``) on a day (``today``)."""
    unit = bindparam("unit")
    waiting, late = waiting_counts(unit, bindparam("today"))
    return waiting, late, unit_waiting_count_query(unit), consultation_meetings.open_tasks_count(unit)


def counts_and_alerts(unit_id: int, mine_ids=()) -> tuple[dict[str, int], InboxAlerts]:
    """Every inbox tab's count (``queries.inbox_counts``) and the unit's alerts, in one statement."""
    counts, (waiting, late, consultations, tasks) = queries.inbox_counts_with(
        _columns(), unit_id, mine_ids, today=now().date())
    open_tasks = tuple(consultation_meetings.open_tasks(unit_id)) if tasks else ()
    return counts, InboxAlerts(waiting, late, consultations, open_tasks)
