"""Which units a talk rule catches in a period: pure selection over the assessment module's figures.

- ``bottom_n``: the n worst units by the rule's measure; units tied with the n-th are caught too;
- ``below_threshold``: every unit whose measure is under the threshold (over it for rates where lower
  is better: repeat and return rates);
- ``below_average``: every unit worse than the district as a whole (the district's figure is computed
  from all its orders, not as the mean of the units' figures).
Only units of the rule's kinds with at least ``min_visits`` visited orders in the period are considered.
"""
from dataclasses import dataclass
from datetime import datetime

from ..assessment.periods import Period, containing
from ..assessment.rates import COMPOSITE, RATE_BY_KEY, Assessment, Row, compute
from .models import TalkRule


@dataclass
class Catch:
    row: Row
    value: float
    position: int  # 1 = worst among the ranked units
    ranked: int
    reason: str


def higher_is_better(measure: str) -> bool:
    return measure == "composite" or RATE_BY_KEY[measure].higher_is_better


def measure_label(measure: str) -> str:
    return COMPOSITE.label if measure == "composite" else RATE_BY_KEY[measure].label


def period_for(rule: TalkRule, day=None, today=None) -> Period:
    """The period a rule looks at: the one containing ``day``, or else the last complete one before ``today``."""
    if day is not None:
        return containing(rule.period_kind, day)
    return containing(rule.period_kind, today).previous()


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def select_units(rule: TalkRule, assessment: Assessment) -> list[Catch]:
    """The units ``rule`` catches in ``assessment`` (worst first)."""
    measure = rule.measure
    better = higher_is_better(measure)
    kinds = set(rule.unit_kinds or [])
    candidates = [r for r in assessment.rows
                  if (not kinds or r.kind in kinds) and r.value(measure) is not None
                  and r.counts.get("visited", 0) >= (rule.min_visits or 0)]
    # worst first; ties keep the unit order so the list is stable
    candidates.sort(key=lambda r: r.value(measure) if better else -r.value(measure))
    ranked = len(candidates)
    positions, previous, position = {}, None, 0
    for index, row in enumerate(candidates, start=1):
        value = round(row.value(measure), 10)
        if value != previous:
            position, previous = index, value
        positions[row.key] = position
    label = measure_label(measure)
    district = assessment.total.value(measure)
    caught = []
    for row in candidates:
        value = row.value(measure)
        if rule.selection == "bottom_n":
            if positions[row.key] > (rule.n or 0):
                continue
            reason = f"{label}{pct(value)}，在{ranked}个参评单位中排名倒数第{positions[row.key]}位"
        elif rule.selection == "below_threshold":
            limit = (rule.threshold or 0) / 100
            if not (value < limit if better else value > limit):
                continue
            reason = f"{label}{pct(value)}，{'低于' if better else '高于'}{rule.threshold:g}%"
        elif rule.selection == "below_average":
            if district is None or not (round(value, 10) < round(district, 10) if better
                                        else round(value, 10) > round(district, 10)):
                continue
            reason = f"{label}{pct(value)}，{'低于' if better else '高于'}全区{pct(district)}"
        else:
            raise ValueError(rule.selection)
        caught.append(Catch(row, value, positions[row.key], ranked, reason))
    return caught


def evaluate(rule: TalkRule, period: Period, as_of: datetime) -> tuple[Assessment, list[Catch]]:
    assessment = compute(period, as_of, by="unit")
    return assessment, select_units(rule, assessment)
