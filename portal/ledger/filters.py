"""The ledger list's filters, read from the query string; bad values are dropped with a message."""
from dataclasses import dataclass

from ..form_values import int_or_none
from ..list_filters import ListFilters
from .models import STATE_FILTERS


@dataclass
class LedgerFilters(ListFilters):
    """start and end bound the registration date."""
    state: str = ""  # open | overdue | cancelled
    unit_id: int | None = None
    leader_id: int | None = None

    @classmethod
    def from_args(cls, args) -> "LedgerFilters":
        f = cls()
        state = args.get("state", "")
        f.state = state if state in STATE_FILTERS else ""
        f.unit_id = int_or_none(args.get("unit"))
        f.leader_id = int_or_none(args.get("leader"))
        f.read_common(args, "登记起始日期", "登记截止日期")
        return f

    def args(self, **override) -> dict:
        """The filters as query-string arguments (paging links, export links)."""
        return self.query_args({"state": self.state, "unit": self.unit_id or "", "leader": self.leader_id or ""},
                               override)

    def summary(self, unit_names: dict[int, str], leader_names: dict[int, str]) -> str:
        """The filters in words, for the exports' heading: 状态：已超期；责任单位：区城管局."""
        parts = []
        if self.state:
            parts.append(f"状态：{STATE_FILTERS[self.state]}")
        if self.unit_id:
            parts.append(f"责任单位：{unit_names.get(self.unit_id, '—')}")
        if self.leader_id:
            parts.append(f"责任领导：{leader_names.get(self.leader_id, '—')}")
        if self.start or self.end:
            parts.append(f"登记日期：{self.start or '…'} 至 {self.end or '…'}")
        if self.q:
            parts.append(f"关键词：{self.q}")
        return "；".join(parts) or "全部事项"
