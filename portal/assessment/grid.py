"""The facts of ``rates.compute`` for several periods at once, in every grouping at once.

``compute`` counts one period in one grouping with a GROUP BY per fact set. Pages that keep figures for
a run of months (``portal.figures``) would call it once per month and grouping; here each fact set is
counted once for the whole run, grouped by (period, unit, category), and the unit, unit-kind, category
and district facts of every period are added up from that grid in Python. The counting rules are those
of ``rates._facts`` (same conditions, same ``as_of`` bounds, same exclusions); a test holds the two
equal for every grouping.
"""
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ..extensions import db
from ..orders.models import DispatchRecord, Order, OrderEvent, ReturnVisit
from ..units.models import Unit
from .periods import Period, date_range
from .rates import FACT_NAMES, _in, _not_excluded, _sum


def _bucket(column, periods: list[Period]):
    """The key of the period ``column`` falls in (the periods are contiguous and in order)."""
    if len(periods) == 1:
        return literal(periods[0].key)
    return case(*[(column < p.end, literal(p.key)) for p in periods[:-1]], else_=literal(periods[-1].key))


def _in_full(column):
    """``column`` for a bound that is not the range: on SQLite kept out of index choice (as ``rates._in``
    does for a long range), so a run of months reads the table once instead of walking an index."""
    if db.session.get_bind().dialect.name == "sqlite":
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)
    return column


def _counted(periods, column, facts: dict, where, unit, category, source, joins=()) -> list[tuple]:
    """(period key, unit, category, [(fact, count), ...]) of one fact set: ``facts`` maps each fact's
    name to its SQL, ``column`` places a row in its period."""
    stmt = select(_bucket(column, periods).label("p"), unit.label("u"), category.label("c"),
                  *(expr.label(name) for name, expr in facts.items())).select_from(source)
    for target, on in joins:
        stmt = stmt.join(target, on)
    names = list(facts)
    return [(row[0], row[1], row[2], list(zip(names, row[3:])))
            for row in db.session.execute(stmt.where(*where).group_by("p", "u", "c"))]


def period_facts(periods: list[Period], as_of: datetime) -> dict[str, dict]:
    """{period key: {"unit": {unit id: facts}, "kind": {kind: facts}, "category": {category id: facts},
    "district": facts}} for contiguous ``periods`` (oldest first), as they stood at ``as_of``; ``facts`` is
    {fact name: count}, as ``rates._facts`` gives it. Five queries, whatever the number of periods."""
    periods = sorted(periods, key=lambda p: p.start)
    if any(a.end != b.start for a, b in zip(periods, periods[1:])):
        raise ValueError("periods must be contiguous")
    span = date_range(periods[0].start.date(), periods[-1].last_day)
    rows = _grid(periods, span, as_of)
    kinds = dict(db.session.execute(select(Unit.id, Unit.kind)).all())
    out = {p.key: {"unit": {}, "kind": {}, "category": {}, "district": dict.fromkeys(FACT_NAMES, 0)}
           for p in periods}
    for period_key, unit_id, category_id, counted in rows:
        entry = out[period_key]
        targets = [_counts(entry["unit"], unit_id), _counts(entry["category"], category_id), entry["district"]]
        if unit_id is not None:
            targets.append(_counts(entry["kind"], kinds.get(unit_id)))
        for name, count in counted:
            if count:
                for counts in targets:
                    counts[name] += int(count)
    return out


def _counts(groups: dict, key) -> dict:
    counts = groups.get(key)
    if counts is None:
        counts = groups[key] = dict.fromkeys(FACT_NAMES, 0)
    return counts


def _grid(periods: list[Period], span: Period, as_of: datetime) -> list[tuple]:
    """The rows of every fact set of ``rates._facts``, as ``_counted`` gives them."""
    by_order = dict(unit=Order.lead_unit_id, category=Order.category_id)
    signed = and_(Order.signed_at.is_not(None), Order.signed_at <= as_of)
    replied = and_(Order.replied_at.is_not(None), Order.replied_at <= as_of)
    rows = _counted(periods, Order.dispatched_at, {
        "dispatched": func.count(), "signed_on_time": _sum(and_(signed, Order.signed_at <= Order.sign_due_at))},
        [_in(Order.dispatched_at, span), _in_full(Order.dispatched_at) <= as_of, Order.sign_due_at.is_not(None),
         (Order.sign_due_at <= as_of) | signed, _not_excluded(Order.id, as_of)], source=Order, **by_order)
    rows += _counted(periods, Order.reply_due_at, {
        "reply_due": func.count(), "replied_on_time": _sum(and_(replied, Order.replied_at <= Order.reply_due_at))},
        [_in(Order.reply_due_at, span), _in_full(Order.dispatched_at) <= as_of,
         (Order.reply_due_at <= as_of) | replied, _not_excluded(Order.id, as_of)], source=Order, **by_order)

    # the latest visit of each order within each period
    latest = (select(func.max(ReturnVisit.id).label("id"))
              .where(_in(ReturnVisit.at, span), _in_full(ReturnVisit.at) <= as_of)
              .group_by(_in_full(ReturnVisit.order_id), _bucket(ReturnVisit.at, periods)).subquery())
    visit = aliased(ReturnVisit)
    rows += _counted(periods, visit.at, {
        "visited": func.count(), **{answer: _sum(visit.satisfaction == answer)
                                    for answer in ("satisfied", "basic", "unsatisfied")},
        **{answer: _sum(visit.resolution == answer) for answer in ("resolved", "partly", "unresolved")}},
        [_not_excluded(Order.id, as_of)], source=latest,
        joins=[(visit, visit.id == latest.c.id), (Order, Order.id == visit.order_id)], **by_order)

    rows += _counted(periods, Order.received_at, {
        "received": func.count(), "repeats": _sum(Order.is_repeat.is_(True)),
        "direct": _sum(and_(Order.direct_answer.is_(True), Order.closed_at <= as_of))},
        [_in(Order.received_at, span), _in_full(Order.received_at) <= as_of, _not_excluded(Order.id, as_of)],
        source=Order, **by_order)

    # dispatches by the unit chosen; returned if the return was approved by as_of
    returned = and_(DispatchRecord.returned.is_(True), exists().where(
        OrderEvent.order_id == DispatchRecord.order_id, OrderEvent.action == "approve_return",
        OrderEvent.at >= DispatchRecord.at, OrderEvent.at <= as_of))
    rows += _counted(periods, DispatchRecord.at, {"dispatches": func.count(), "returned": _sum(returned)},
                     [_in(DispatchRecord.at, span), _in_full(DispatchRecord.at) <= as_of,
                      _not_excluded(DispatchRecord.order_id, as_of)],
                     unit=DispatchRecord.chosen_unit_id, category=Order.category_id, source=DispatchRecord,
                     joins=[(Order, Order.id == DispatchRecord.order_id)])
    return rows
