"""Every assessment rate, defined once: its formula in Chinese, and its computation in SQL.

``compute(period, as_of, by=...)`` counts, with one GROUP BY query per kind of fact, the facts the rates
are made of, for each unit (the lead unit, 主办), unit kind, category, or the whole district; then divides.
Nothing loops over orders in Python, so the cost grows with the number of groups, not of orders.

Reproducible: only what had happened by ``as_of`` counts (a sign-for, reply, visit or approved return
after it does not), and an order is left out only if its exclusion was approved by then. The same
period, ``as_of`` and configuration give the same figures. Caveat: a reopened order (重新办理) keeps only
its latest round's sign-for and reply times, and an approved extension replaces the reply deadline, so
a figure recomputed after such a change reflects the order's current round and deadline.

The facts, where they live:
- response: ``orders.dispatched_at``, ``sign_due_at``, ``signed_at``;
- on-time reply: ``orders.reply_due_at`` (moved by approved extensions), ``replied_at``;
- satisfaction and resolution: ``return_visits`` (the latest visit of each order in the period);
- repeats and direct answers: ``orders.is_repeat``, ``orders.direct_answer``, ``received_at``;
- dispatch accuracy and returns: ``dispatch_records`` and the ``approve_return`` events.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ..extensions import db
from ..orders.models import Category, DispatchRecord, Order, OrderEvent, ReturnVisit
from ..units.models import UNIT_KIND_LABELS, Unit, UnitKind
from .models import AssessmentConfig, Exclusion
from .periods import Period


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    short: str  # a column header
    higher_is_better: bool = True
    for_units: bool = True  # False: only meaningful for the district and categories (the office's work)


RATES = [
    Rate("response", "响应率", "响应率"),
    Rate("on_time_reply", "按期回复率", "按期回复"),
    Rate("resolution", "解决率", "解决率"),
    Rate("satisfaction_process", "过程满意率", "过程满意"),
    Rate("satisfaction_result", "结果满意率", "结果满意"),
    Rate("repeat", "重复投诉率", "重复投诉", higher_is_better=False),
    Rate("return_rate", "退单率", "退单率", higher_is_better=False),
    Rate("dispatch_accuracy", "转办准确率", "转办准确"),
    Rate("direct_answer", "直接答复率", "直接答复", for_units=False),
]
RATE_BY_KEY = {r.key: r for r in RATES}
COMPOSITE = Rate("composite", "综合满意率", "综合得分")
MEASURES = {**{r.key: r.label for r in RATES}, "composite": COMPOSITE.label}

DEFAULT_PARAMS = {
    "basic_weight": 1.0,  # 基本满意 counts as this share of 满意 (one district's tool uses 0.9)
    "partly_resolution": 0.0,  # 部分解决 counts as this share of 已解决 in the resolution rate
}
PARAM_LABELS = {
    "basic_weight": "基本满意折算系数 w（基本满意按满意的w倍计；部分解决在结果满意率中同样按w计）",
    "partly_resolution": "部分解决折算系数 f（解决率中部分解决按已解决的f倍计）",
}
DEFAULT_WEIGHTS = {
    "satisfaction_process": 0.3,
    "satisfaction_result": 0.3,
    "resolution": 0.2,
    "on_time_reply": 0.1,
    "response": 0.1,
    "repeat": 0.0,
    "return_rate": 0.0,
    "dispatch_accuracy": 0.0,
    "direct_answer": 0.0,
}
# The unit kinds assessed, in the order of the page's tabs.
ASSESSED_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.SOE, UnitKind.COMMITTEE, UnitKind.COMMUNITY]


@dataclass(frozen=True)
class Config:
    params: dict
    weights: dict
    saved_at: datetime | None = None
    id: int | None = None

    def formula(self, key: str) -> str:
        """The formula of rate ``key`` with this configuration's numbers, in Chinese."""
        w = _num(self.params["basic_weight"])
        f = _num(self.params["partly_resolution"])
        texts = {
            "response": "签收期限内签收的工单数 ÷ 期内派发的工单数（签收期限已到或已签收者）",
            "on_time_reply": "答复期限内答复的工单数 ÷ 答复期限落在期内的工单数（经批准的延期以新期限计）",
            "resolution": f"（已解决 + 部分解决 × {f}）÷ 期内回访的工单数",
            "satisfaction_process": f"（满意 + 基本满意 × {w}）÷ 期内回访且有满意度答复的工单数",
            "satisfaction_result": f"（已解决 + 部分解决 × {w}）÷ 期内回访且有解决情况答复的工单数",
            "repeat": "标记为重复件的工单数 ÷ 期内受理的工单数",
            "return_rate": "经批准回退的派发次数 ÷ 期内派发次数",
            "dispatch_accuracy": "未被回退的派发次数 ÷ 期内派发次数（= 1 − 退单率）",
            "direct_answer": "热线办直接答复办结的工单数 ÷ 期内受理的有效工单数",
        }
        if key == "composite":
            parts = []
            for r in RATES:
                weight = float(self.weights.get(r.key) or 0)
                if weight:
                    term = r.label if r.higher_is_better else f"（1 − {r.label}）"
                    parts.append(f"{term} × {_num(weight)}")
            return f"（{' + '.join(parts)}）÷ 有数据的各项权重之和" if parts else "（未设置权重）"
        return texts[key]


def _num(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def current_config() -> Config:
    row = db.session.scalar(select(AssessmentConfig).order_by(AssessmentConfig.id.desc()).limit(1))
    if row is None:
        return Config(dict(DEFAULT_PARAMS), dict(DEFAULT_WEIGHTS))
    return Config({**DEFAULT_PARAMS, **row.params}, {**DEFAULT_WEIGHTS, **row.weights}, row.saved_at, row.id)


def config_at(as_of: datetime) -> Config:
    """The configuration in force at ``as_of`` (for recomputing a stored figure)."""
    row = db.session.scalar(select(AssessmentConfig).where(AssessmentConfig.saved_at <= as_of)
                            .order_by(AssessmentConfig.id.desc()).limit(1))
    if row is None:
        return Config(dict(DEFAULT_PARAMS), dict(DEFAULT_WEIGHTS))
    return Config({**DEFAULT_PARAMS, **row.params}, {**DEFAULT_WEIGHTS, **row.weights}, row.saved_at, row.id)


@dataclass
class Row:
    key: object  # unit id, unit kind, category id, or "district"
    name: str
    kind: str | None = None
    counts: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    composite: float | None = None
    rank: int | None = None

    def value(self, measure: str) -> float | None:
        return self.composite if measure == "composite" else self.rates.get(measure)

    @property
    def has_data(self) -> bool:
        return any(v for v in self.counts.values())


@dataclass
class Assessment:
    period: Period
    as_of: datetime
    by: str
    config: Config
    rows: list[Row]
    total: Row

    def row(self, key) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


GROUPINGS = ("unit", "kind", "category", "district")


def _not_excluded(order_id_col, as_of):
    # NOT IN over the (few) approved exclusions: both databases build the list once per query, where a
    # correlated NOT EXISTS would probe the exclusions table for every order row.
    excluded = select(Exclusion.order_id).where(Exclusion.status == "approved", Exclusion.decided_at <= as_of)
    return order_id_col.not_in(excluded)


def _group_column(by: str, unit_col, category_col, unit_alias):
    if by == "unit":
        return unit_col
    if by == "kind":
        return unit_alias.kind
    if by == "category":
        return category_col
    return literal("district")


def _run(by: str, columns, where, *, unit_col, category_col, source, joins=()):
    """SELECT group, <columns> FROM source [JOIN units] WHERE ... GROUP BY group -> {group: counts}."""
    unit_alias = aliased(Unit)
    group = _group_column(by, unit_col, category_col, unit_alias).label("g")
    stmt = select(group, *columns).select_from(source)
    for target, on in joins:
        stmt = stmt.join(target, on)
    if by == "kind":
        stmt = stmt.join(unit_alias, unit_alias.id == unit_col)
    stmt = stmt.where(*where).group_by(group)
    return {row.g: row._mapping for row in db.session.execute(stmt)}


LONG_PERIOD_DAYS = 45


def _in(column, period: Period):
    """``column`` within the period. SQLite (without STAT4) always walks an index for a range, fetching
    each row by rowid, which for a long period is twice as slow as reading the table; there a unary ``+``
    keeps the index out of it. PostgreSQL chooses by its statistics and gets the plain column."""
    long = (period.end - period.start).days > LONG_PERIOD_DAYS
    if long and db.session.get_bind().dialect.name == "sqlite":
        column = UnaryExpression(column, operator=custom_op("+"), type_=column.type)
    return and_(column >= period.start, column < period.end)


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _facts(period: Period, as_of: datetime, by: str, unit_ids=None, only_via_deputy: bool = False) -> dict:
    """{group: {fact: count}} for every fact the rates need (``only_via_deputy``: 代表转办 orders only)."""
    facts: dict = {}

    def merge(result, names):
        for g, mapping in result.items():
            entry = facts.setdefault(g, {})
            for name in names:
                entry[name] = int(mapping[name] or 0)

    unit_filter = [Order.lead_unit_id.in_(unit_ids)] if unit_ids is not None else []
    if only_via_deputy:
        unit_filter.append(Order.via_deputy.is_(True))
    on_order = dict(unit_col=Order.lead_unit_id, category_col=Order.category_id, source=Order)
    # By unit, orders without a lead unit (direct answers, orders waiting for dispatch) form the group
    # None: no unit's row shows it, but the groups then add up to the district (see ``compute``).

    # Response: dispatched in the period; counted once the sign-for deadline has passed or it was signed.
    signed = and_(Order.signed_at.is_not(None), Order.signed_at <= as_of)
    merge(_run(by, [func.count().label("dispatched"),
                    _sum(and_(signed, Order.signed_at <= Order.sign_due_at)).label("signed_on_time")],
               [_in(Order.dispatched_at, period), Order.dispatched_at <= as_of,
                Order.sign_due_at.is_not(None), (Order.sign_due_at <= as_of) | signed,
                _not_excluded(Order.id, as_of), *unit_filter], **on_order),
          ["dispatched", "signed_on_time"])

    # On-time reply: the reply deadline falls in the period (and has passed, or the reply is in).
    replied = and_(Order.replied_at.is_not(None), Order.replied_at <= as_of)
    merge(_run(by, [func.count().label("reply_due"),
                    _sum(and_(replied, Order.replied_at <= Order.reply_due_at)).label("replied_on_time")],
               [_in(Order.reply_due_at, period), Order.dispatched_at <= as_of,
                (Order.reply_due_at <= as_of) | replied, _not_excluded(Order.id, as_of), *unit_filter],
               **on_order),
          ["reply_due", "replied_on_time"])

    # Visits: the latest return visit of each order made in the period.
    latest = (select(func.max(ReturnVisit.id).label("id")).where(_in(ReturnVisit.at, period),
                                                                  ReturnVisit.at <= as_of)
              .group_by(ReturnVisit.order_id).subquery())
    visit = aliased(ReturnVisit)
    merge(_run(by, [func.count().label("visited"),
                    _sum(visit.satisfaction == "satisfied").label("satisfied"),
                    _sum(visit.satisfaction == "basic").label("basic"),
                    _sum(visit.satisfaction == "unsatisfied").label("unsatisfied"),
                    _sum(visit.resolution == "resolved").label("resolved"),
                    _sum(visit.resolution == "partly").label("partly"),
                    _sum(visit.resolution == "unresolved").label("unresolved")],
               [_not_excluded(Order.id, as_of), *unit_filter], unit_col=Order.lead_unit_id,
               category_col=Order.category_id, source=latest,
               joins=[(visit, visit.id == latest.c.id), (Order, Order.id == visit.order_id)]),
          ["visited", "satisfied", "basic", "unsatisfied", "resolved", "partly", "unresolved"])

    # Orders received in the period: repeats and direct answers.
    received_filter = [f for f in unit_filter]
    merge(_run(by, [func.count().label("received"), _sum(Order.is_repeat.is_(True)).label("repeats"),
                    _sum(and_(Order.direct_answer.is_(True), Order.closed_at <= as_of)).label("direct")],
               [_in(Order.received_at, period), Order.received_at <= as_of,
                _not_excluded(Order.id, as_of), *received_filter], **on_order),
          ["received", "repeats", "direct"])

    # Dispatches in the period, by the unit chosen; returned if the return was approved by as_of.
    returned = and_(DispatchRecord.returned.is_(True), exists().where(
        OrderEvent.order_id == DispatchRecord.order_id, OrderEvent.action == "approve_return",
        OrderEvent.at >= DispatchRecord.at, OrderEvent.at <= as_of))
    dispatch_filter = [DispatchRecord.chosen_unit_id.in_(unit_ids)] if unit_ids is not None else []
    if only_via_deputy:
        dispatch_filter.append(DispatchRecord.order_id.in_(select(Order.id).where(Order.via_deputy.is_(True))))
    merge(_run(by, [func.count().label("dispatches"), _sum(returned).label("returned")],
               [_in(DispatchRecord.at, period), DispatchRecord.at <= as_of,
                _not_excluded(DispatchRecord.order_id, as_of), *dispatch_filter],
               unit_col=DispatchRecord.chosen_unit_id, category_col=Order.category_id, source=DispatchRecord,
               joins=[(Order, Order.id == DispatchRecord.order_id)] if by == "category" else []),
          ["dispatches", "returned"])
    return facts


FACT_NAMES = ["dispatched", "signed_on_time", "reply_due", "replied_on_time", "visited", "satisfied", "basic",
              "unsatisfied", "resolved", "partly", "unresolved", "received", "repeats", "direct", "dispatches",
              "returned"]


def rates_of(counts: dict, config: Config, for_units: bool = True) -> tuple[dict, float | None]:
    """The rates (0..1, None when there is nothing to divide by) and the composite from ``counts``."""
    c = {name: counts.get(name, 0) for name in FACT_NAMES}
    w = float(config.params["basic_weight"])
    f = float(config.params["partly_resolution"])

    def ratio(num, den):
        return num / den if den else None

    rates = {
        "response": ratio(c["signed_on_time"], c["dispatched"]),
        "on_time_reply": ratio(c["replied_on_time"], c["reply_due"]),
        "resolution": ratio(c["resolved"] + f * c["partly"], c["visited"]),
        "satisfaction_process": ratio(c["satisfied"] + w * c["basic"], c["visited"]),
        "satisfaction_result": ratio(c["resolved"] + w * c["partly"], c["visited"]),
        "repeat": ratio(c["repeats"], c["received"]),
        "return_rate": ratio(c["returned"], c["dispatches"]),
        "dispatch_accuracy": ratio(c["dispatches"] - c["returned"], c["dispatches"]),
        "direct_answer": None if for_units else ratio(c["direct"], c["received"]),
    }
    total_weight = score = 0.0
    for rate in RATES:
        weight = float(config.weights.get(rate.key) or 0)
        value = rates[rate.key]
        if weight <= 0 or value is None:
            continue
        score += weight * (value if rate.higher_is_better else 1 - value)
        total_weight += weight
    return rates, (score / total_weight if total_weight else None)


def compute(period: Period, as_of: datetime, by: str = "unit", config: Config | None = None,
            unit_ids: list[int] | None = None, only_via_deputy: bool = False) -> Assessment:
    """The rates of ``period`` as they stood at ``as_of``, by unit, unit kind, category or district.

    By unit, every active unit of an assessed kind gets a row (figures None where it had nothing to
    count) and rows are ranked on the composite. ``unit_ids`` limits the rows (a unit's own page);
    ``only_via_deputy`` counts only orders received by deputies (代表转办)."""
    if by not in GROUPINGS:
        raise ValueError(by)
    facts = _facts(period, as_of, by, unit_ids, only_via_deputy)
    total_facts = None
    if by == "kind" or unit_ids is not None:  # kind rows leave out orders without a unit
        total_facts = _facts(period, as_of, "district", only_via_deputy=only_via_deputy).get("district", {})
    return assemble(period, as_of, by, facts, total_facts, config=config, unit_ids=unit_ids)


def assemble(period: Period, as_of: datetime, by: str, facts: dict, total_facts: dict | None = None,
             config: Config | None = None, unit_ids: list[int] | None = None) -> Assessment:
    """The rows, rates and ranks of ``compute`` from counted facts ({group: {fact: count}}, as ``_facts``
    returns them). ``total_facts``: the district's, when the groups do not add up to it (by kind, or
    limited to ``unit_ids``); otherwise the sum of the groups. Stored figures (``portal.figures``) are
    facts, so they are turned into rates here with the configuration in force when they are read."""
    config = config or current_config()
    rows: list[Row] = []
    if by == "unit":
        # plain rows, not ORM objects: a ranking page reads every unit on each request
        query = select(Unit.id, Unit.name, Unit.kind, Unit.active).where(
            Unit.kind.in_([k.value for k in ASSESSED_KINDS]))
        if unit_ids is not None:
            query = query.where(Unit.id.in_(unit_ids))
        units = db.session.execute(query.order_by(Unit.sort, Unit.id)).all()
        known = {u.id: u for u in units}
        for unit in units:
            if unit.active or unit.id in facts:
                rows.append(Row(unit.id, unit.name, unit.kind, facts.get(unit.id, {})))
        for key in facts:
            if key not in known and key is not None and unit_ids is None:
                unit = db.session.get(Unit, key)
                if unit is not None and unit.kind != UnitKind.OFFICE:
                    rows.append(Row(unit.id, unit.name, unit.kind, facts[key]))
    elif by == "kind":
        for kind in ASSESSED_KINDS:
            rows.append(Row(kind.value, UNIT_KIND_LABELS[kind], kind.value, facts.get(kind.value, {})))
    elif by == "category":
        names = dict(db.session.execute(select(Category.id, Category.name)).all())
        for key, counts in facts.items():
            rows.append(Row(key, names.get(key, "未分类"), None, counts))
        rows.sort(key=lambda r: -r.counts.get("received", 0))
    for row in rows:
        row.rates, row.composite = rates_of(row.counts, config, for_units=by in ("unit", "kind"))
    _rank(rows)
    if total_facts is None:
        # every order is in exactly one group (None included), so the groups add up to the district
        total_facts = {name: sum(counts.get(name, 0) for counts in facts.values()) for name in FACT_NAMES}
    total = Row("district", "全区", None, total_facts)
    total.rates, total.composite = rates_of(total_facts, config, for_units=False)
    return Assessment(period, as_of, by, config, rows, total)


def _rank(rows: list[Row], measure: str = "composite") -> None:
    """Rank 1 = best; equal values share a rank (1, 2, 2, 4); rows without a value get none."""
    valued = sorted((r for r in rows if r.value(measure) is not None), key=lambda r: -r.value(measure))
    previous, rank = None, 0
    for position, row in enumerate(valued, start=1):
        value = round(row.value(measure), 10)
        if value != previous:
            rank, previous = position, value
        row.rank = rank
