"""The filters of order lists, read from the query string; bad values are dropped with a message."""
from dataclasses import dataclass

from ..form_values import int_or_none
from ..list_filters import ListFilters
from ..search.query import SHORT_HINT, too_short
from .states import State
from .vocab import URGENCIES

DEADLINE_FILTERS = {"soon": "即将到期", "overdue": "已超期"}


@dataclass
class OrderFilters(ListFilters):
    state: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    urgency: str = ""
    deadline: str = ""

    @classmethod
    def from_args(cls, args) -> "OrderFilters":
        f = cls()
        state = args.get("state", "")
        if state in {s.value for s in State}:
            f.state = state
        f.unit_id = int_or_none(args.get("unit"))
        f.category_id = int_or_none(args.get("category"))
        urgency = args.get("urgency", "")
        f.urgency = urgency if urgency in URGENCIES else ""
        deadline = args.get("deadline", "")
        f.deadline = deadline if deadline in DEADLINE_FILTERS else ""
        f.read_common(args)
        if too_short(f.q):
            f.problems.append(SHORT_HINT)
        return f

    def args(self, **override) -> dict:
        """The filters as query-string arguments (for paging links)."""
        return self.query_args({
            "state": self.state, "unit": self.unit_id or "", "category": self.category_id or "",
            "urgency": self.urgency, "deadline": self.deadline,
        }, override)
