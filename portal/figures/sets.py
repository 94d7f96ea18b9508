"""The sets of figures kept, how each is computed, and how pages get them.

- ``assessment_month`` (key: the month, "2026-11"): the counted facts of ``assessment.rates`` for that
  month by unit, unit kind and category, and the district's. The scheduler keeps the current month and
  the previous ``MONTHS_KEPT - 1``; a page asking for another month of the last ten years computes and
  stores it (the job does not renew it; a page does when it is too old).
- ``dashboard`` (key "district"): the dashboard's other aggregates: orders received per month, the
  categories rising and falling, open orders by state, overdue orders, this month's unresolved visits.

A page takes a set younger than the maximum age (``store.fresh``); otherwise it computes the set, stores
it and shows it. Either way the page says when its figures were computed.
"""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..assessment.grid import period_facts
from ..assessment.periods import Period, containing
from ..assessment.rates import FACT_NAMES, Assessment, Config, assemble
from ..clock import now
from . import store

MONTHS_KEPT = 13  # the ranking pages' current month and the previous twelve (the dashboard's volumes)
MONTH, DASHBOARD = "assessment_month", "dashboard"


@dataclass
class MonthFacts:
    period: Period
    computed_at: datetime
    facts: dict  # {"unit": {id: facts}, "kind": {...}, "category": {...}, "district": facts}

    def assessment(self, by: str, config: Config | None = None) -> Assessment:
        """The month's rates by ``by`` (unit, kind, category or district) as ``rates.compute`` gives them,
        with ``config`` (default: the one in force)."""
        if by == "district":
            return assemble(self.period, self.computed_at, "district", {"district": self.facts["district"]},
                            config=config)
        total = self.facts["district"] if by == "kind" else None
        return assemble(self.period, self.computed_at, by, self.facts[by], total, config=config)


def _encode(facts: dict) -> dict:
    def counts(c):
        return [c.get(name, 0) for name in FACT_NAMES]
    out = {g: [[key, counts(c)] for key, c in facts[g].items()] for g in ("unit", "kind", "category")}
    out["district"] = counts(facts["district"])
    return out


def _decode(payload: dict) -> dict:
    def counts(values):
        return dict(zip(FACT_NAMES, values))
    out = {g: {key: counts(values) for key, values in payload[g]} for g in ("unit", "kind", "category")}
    out["district"] = counts(payload["district"])
    return out


def months(periods: list[Period], at: datetime | None = None) -> dict[str, MonthFacts]:
    """The facts of each month in ``periods``, by key: stored ones young enough, the rest computed now
    (in one run over the span they cover) and stored."""
    at = at or now()
    rows = store.fresh(MONTH, [p.key for p in periods], at)
    found = {p.key: MonthFacts(p, rows[p.key].computed_at, _decode(rows[p.key].payload))
             for p in periods if p.key in rows}
    missing = sorted((p for p in periods if p.key not in found), key=lambda p: p.start)
    if missing:
        found.update(_compute_months(missing, at))
    return found


def month(period: Period, at: datetime | None = None) -> MonthFacts:
    return months([period], at)[period.key]


def _compute_months(periods: list[Period], at: datetime) -> dict[str, MonthFacts]:
    run = [periods[0]]
    while run[-1].key != periods[-1].key:
        run.append(run[-1].next())
    started = time.perf_counter()
    facts = period_facts(run, at)
    store.save(MONTH, {p.key: _encode(facts[p.key]) for p in run if _keepable(p, at)}, at, _ms(started))
    return {p.key: MonthFacts(p, at, facts[p.key]) for p in run}


def _keepable(period: Period, at: datetime) -> bool:
    """Months begun, within ten years: what anyone looks at again. Others (a mistyped year, the future)
    are computed for the request and not kept, so requests cannot fill the table."""
    return at - timedelta(days=3660) <= period.start <= at


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


@dataclass
class DashboardFigures:
    computed_at: datetime
    volumes: list[int]  # orders received in each of the twelve months to the current one
    changes: list[dict]  # categories: {"id", "name", "recent", "before", "change"}
    states: dict  # {state: orders}
    overdue: int
    unresolved: int  # this month's latest visits "unresolved"


def dashboard(at: datetime | None = None) -> DashboardFigures:
    at = at or now()
    row = store.fresh(DASHBOARD, ["district"], at).get("district")
    if row is not None:
        return DashboardFigures(row.computed_at, **row.payload)
    started = time.perf_counter()
    payload = _dashboard_payload(at)
    store.save(DASHBOARD, {"district": payload}, at, _ms(started))
    return DashboardFigures(at, **payload)


def _dashboard_payload(at: datetime) -> dict:
    from ..reports import queries

    return {"volumes": queries.monthly_volumes(queries.months_back(at.date(), 12)),
            "changes": queries.category_changes(at), "states": queries.state_counts(),
            "overdue": queries.overdue_count(at),
            "unresolved": queries.unresolved_visits(containing("month", at.date()), at)}


def kept_months(at: datetime) -> list[Period]:
    current = containing("month", at.date())
    out = [current]
    for _ in range(MONTHS_KEPT - 1):
        out.insert(0, out[0].previous())
    return out


def refresh(at: datetime | None = None) -> tuple[int, int]:
    """Compute and store every set the pages read (the scheduler's job): (sets stored, milliseconds)."""
    at = at or now()
    started = time.perf_counter()
    done = _compute_months(kept_months(at), at)
    payload = _dashboard_payload(at)
    store.save(DASHBOARD, {"district": payload}, at, _ms(started))
    return len(done) + 1, _ms(started)


def renewed_every(period: Period | None = None, at: datetime | None = None) -> int:
    """Every how many minutes the job renews what a page shows (the dashboard's sets, or ``period``'s):
    0 when it does not (nothing kept, or a month outside the kept ones), and the page says nothing."""
    from flask import current_app

    if not store.enabled() or (period is not None and period.key not in {p.key for p in kept_months(at or now())}):
        return 0
    return int(current_app.config.get("FIGURES_REFRESH_MINUTES") or 0)
