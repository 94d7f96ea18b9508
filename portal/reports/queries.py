"""Read side of reports and the dashboard: the figures of each report kind, weekly counts for hot-topic
detection, and the dashboard's aggregates. Every rate comes from ``assessment.rates.compute``; the rest
are GROUP BY counts, bounded by ``as_of`` wherever a report must be reproducible."""
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..assessment.periods import Period, containing
from ..assessment.rates import ASSESSED_KINDS, compute
from ..deputies.masking import mask_text
from ..extensions import db
from ..orders.models import Category, Order, OrderEvent, OrderLink, ReturnVisit
from ..orders.states import STATE_LABELS, State
from ..units.models import UNIT_KIND_LABELS, Unit
from .models import HotTopic, Report

RANK_HEADERS = ["排名", "单位", "类别", "受理量", "回访量", "响应率", "按期回复率", "解决率", "过程满意率",
                "结果满意率", "综合得分"]
RANK_PERCENT = [5, 6, 7, 8, 9, 10]
RANK_RATES = ["response", "on_time_reply", "resolution", "satisfaction_process", "satisfaction_result"]
LIST_LIMIT = 300


def _r(value):
    return None if value is None else round(float(value), 6)


def ranking_table(result, name: str, kind: str | None = None) -> dict:
    rows = [r for r in result.rows if r.has_data and (kind is None or r.kind == kind)]
    rows.sort(key=lambda r: (r.composite is None, -(r.composite or 0), r.name))
    out, previous, rank = [], None, 0
    for n, r in enumerate(rows, start=1):
        if r.composite is None:
            shown = None
        else:
            value = round(r.composite, 10)
            if value != previous:
                rank, previous = n, value
            shown = rank
        out.append([shown, r.name, UNIT_KIND_LABELS.get(r.kind, "") if r.kind else "",
                    r.counts.get("received", 0), r.counts.get("visited", 0),
                    *[_r(r.rates.get(k)) for k in RANK_RATES], _r(r.composite)])
    return {"name": name, "headers": RANK_HEADERS, "rows": out, "percent": RANK_PERCENT,
            "chart": {"type": "ranking", "label": 1, "value": 10, "limit": 16}}


def district_summary(result) -> list:
    t = result.total
    return [["受理工单", t.counts.get("received", 0)], ["派发工单", t.counts.get("dispatched", 0)],
            ["回访工单", t.counts.get("visited", 0)],
            *[[label, _r(t.rates.get(key))] for key, label in (
                ("response", "响应率"), ("on_time_reply", "按期回复率"), ("resolution", "解决率"),
                ("satisfaction_process", "过程满意率"), ("satisfaction_result", "结果满意率"),
                ("direct_answer", "直接答复率"))],
            ["综合满意率", _r(t.composite)]]


def kind_table(period, as_of) -> dict:
    result = compute(period, as_of, by="kind")
    rows = [[r.name, r.counts.get("received", 0), r.counts.get("visited", 0),
             *[_r(r.rates.get(k)) for k in RANK_RATES], _r(r.composite)] for r in result.rows if r.has_data]
    return {"name": "按单位类别", "headers": ["单位类别", "受理量", "回访量", "响应率", "按期回复率", "解决率",
                                         "过程满意率", "结果满意率", "综合得分"],
            "rows": rows, "percent": [3, 4, 5, 6, 7, 8]}


def category_table(period, as_of) -> dict:
    result = compute(period, as_of, by="category")
    rows = [[r.name, r.counts.get("received", 0), r.counts.get("visited", 0),
             _r(r.rates.get("satisfaction_process")), _r(r.rates.get("resolution"))]
            for r in result.rows if r.counts.get("received", 0)]
    return {"name": "按诉求分类", "headers": ["诉求分类", "受理量", "回访量", "过程满意率", "解决率"],
            "rows": rows, "percent": [3, 4], "chart": {"type": "hbar", "label": 0, "value": 1, "limit": 10}}


def _order_row(o, unit_names, category_names, extra) -> list:
    """One order in a report's list. Reports go to leaders and units that need no caller's details: the
    content and any text in ``extra`` have the caller's name, phone numbers and the address masked."""
    extra = mask_text(extra, o) if isinstance(extra, str) else extra
    return [o.number, o.received_at.strftime("%Y-%m-%d"), unit_names.get(o.lead_unit_id, "热线办"),
            category_names.get(o.category_id, "未分类"), mask_text(o.content, o)[:60], extra]


def _names():
    return (dict(db.session.execute(select(Unit.id, Unit.name)).all()),
            dict(db.session.execute(select(Category.id, Category.name)).all()))


ORDER_HEADERS = ["工单编号", "受理日期", "主办单位", "诉求分类", "诉求内容（摘要）"]


def _latest_visits(period: Period, as_of: datetime):
    latest = (select(func.max(ReturnVisit.id).label("id")).where(
        ReturnVisit.at >= period.start, ReturnVisit.at < period.end, ReturnVisit.at <= as_of)
        .group_by(ReturnVisit.order_id).subquery())
    return aliased(ReturnVisit), latest


def weekly_summary(period: Period, as_of: datetime) -> dict:
    """Seed 002's weekly summary for leaders: unsatisfied, not done or done badly, complained of twice+."""
    units, cats = _names()
    visit, latest = _latest_visits(period, as_of)
    unsatisfied = db.session.execute(
        select(Order, visit.reason).join(visit, visit.order_id == Order.id).join(latest, latest.c.id == visit.id)
        .where(visit.satisfaction == "unsatisfied").order_by(Order.received_at, Order.id).limit(LIST_LIMIT)).all()
    badly = db.session.execute(
        select(Order).join(visit, visit.order_id == Order.id).join(latest, latest.c.id == visit.id)
        .where(visit.resolution == "unresolved").order_by(Order.received_at, Order.id)
        .limit(LIST_LIMIT)).scalars().all()
    not_done = db.session.scalars(
        select(Order).where(Order.reply_due_at >= period.start, Order.reply_due_at < period.end,
                            Order.reply_due_at <= as_of, Order.dispatched_at <= as_of,
                            or_(Order.replied_at.is_(None), Order.replied_at > Order.reply_due_at))
        .order_by(Order.reply_due_at, Order.id).limit(LIST_LIMIT)).all()
    links = (select(OrderLink.order_id, func.count().label("n")).group_by(OrderLink.order_id).subquery())
    repeated = db.session.execute(
        select(Order, links.c.n).join(links, links.c.order_id == Order.id)
        .where(Order.received_at >= period.start, Order.received_at < period.end, Order.received_at <= as_of)
        .order_by(links.c.n.desc(), Order.id).limit(LIST_LIMIT)).all()
    tables = [
        {"name": "回访不满意工单", "headers": [*ORDER_HEADERS, "不满意原因"],
         "rows": [_order_row(o, units, cats, reason or "") for o, reason in unsatisfied]},
        {"name": "未办理或办理不到位工单", "headers": [*ORDER_HEADERS, "情形"],
         "rows": [_order_row(o, units, cats, "超期未答复" if not o.replied_at or o.replied_at > as_of else "超期答复")
                  for o in not_done] + [_order_row(o, units, cats, "回访未解决") for o in badly]},
        {"name": "两次及以上重复投诉工单", "headers": [*ORDER_HEADERS, "投诉次数"],
         "rows": [_order_row(o, units, cats, n + 1) for o, n in repeated]},
    ]
    summary = [["回访不满意", len(tables[0]["rows"])], ["未办理或办理不到位", len(tables[1]["rows"])],
               ["重复投诉", len(tables[2]["rows"])]]
    return {"summary": summary, "tables": tables}


def weekly_ranking(period: Period, as_of: datetime) -> dict:
    result = compute(period, as_of, by="unit")
    return {"summary": district_summary(result), "tables": [ranking_table(result, "承办单位排名")]}


def monthly_notice(period: Period, as_of: datetime) -> dict:
    result = compute(period, as_of, by="unit")
    return {"summary": district_summary(result),
            "tables": [kind_table(period, as_of), category_table(period, as_of),
                       ranking_table(result, "承办单位综合排名")]}


def quarterly_publication(period: Period, as_of: datetime) -> dict:
    result = compute(period, as_of, by="unit")
    tables = [ranking_table(result, f"{UNIT_KIND_LABELS[k]}排名", kind=k.value) for k in ASSESSED_KINDS]
    return {"summary": district_summary(result), "tables": [t for t in tables if t["rows"]]}


def yearly_evaluation(period: Period, as_of: datetime) -> dict:
    result = compute(period, as_of, by="unit")
    return {"summary": district_summary(result),
            "tables": [ranking_table(result, "承办单位年度综合排名"), kind_table(period, as_of),
                       category_table(period, as_of)]}


def monthly_unsolved(period: Period, as_of: datetime) -> dict:
    """屡办不成: orders reopened twice or more by ``as_of``, or repeats still unsolved at ``as_of``
    (not closed, or their latest visit unresolved), among orders received before the month ended."""
    units, cats = _names()
    reopens = (select(OrderEvent.order_id, func.count().label("n")).where(
        OrderEvent.action == "reopen", OrderEvent.at <= as_of).group_by(OrderEvent.order_id).subquery())
    latest = (select(ReturnVisit.order_id, func.max(ReturnVisit.id).label("id")).where(ReturnVisit.at <= as_of)
              .group_by(ReturnVisit.order_id).subquery())
    visit = aliased(ReturnVisit)
    not_closed = or_(Order.closed_at.is_(None), Order.closed_at > as_of)
    unsolved = or_(not_closed, visit.resolution == "unresolved")
    rows = db.session.execute(
        select(Order, reopens.c.n, visit.resolution)
        .outerjoin(reopens, reopens.c.order_id == Order.id)
        .outerjoin(latest, latest.c.order_id == Order.id)
        .outerjoin(visit, visit.id == latest.c.id)
        .where(Order.received_at < period.end, Order.received_at <= as_of,
               or_(reopens.c.n >= 2, and_(Order.is_repeat.is_(True), unsolved)))
        .order_by(func.coalesce(reopens.c.n, 0).desc(), Order.received_at, Order.id).limit(LIST_LIMIT)).all()
    table = {"name": "屡办不成事项", "headers": [*ORDER_HEADERS, "重新办理次数", "情形"],
             "rows": [[*_order_row(o, units, cats, n or 0),
                       "重办两次以上" if (n or 0) >= 2 else ("回访未解决" if res == "unresolved" else "重复投诉未办结")]
                      for o, n, res in rows]}
    return {"summary": [["屡办不成事项", len(table["rows"])]], "tables": [table]}


BUILDERS = {"weekly_summary": weekly_summary, "weekly_ranking": weekly_ranking, "monthly_notice": monthly_notice,
            "monthly_unsolved": monthly_unsolved, "quarterly_publication": quarterly_publication,
            "yearly_evaluation": yearly_evaluation}


def reports(kind: str | None = None, kinds=None):
    query = select(Report).order_by(Report.as_of.desc(), Report.id.desc())
    if kind:
        query = query.where(Report.kind == kind)
    if kinds is not None:
        query = query.where(Report.kind.in_(list(kinds)))
    return db.session.scalars(query.limit(200)).all()


# Hot topics ------------------------------------------------------------------------------------------

def weekly_counts(dimension: str, week: Period, weeks: int) -> tuple[dict, dict]:
    """{key: count this week}, {key: [count in each of the ``weeks`` weeks before]} by category or lead
    unit: one GROUP BY per week."""
    column = Order.category_id if dimension == "category" else Order.lead_unit_id
    def counts(p):
        return dict(db.session.execute(select(column, func.count()).where(
            Order.received_at >= p.start, Order.received_at < p.end, column.is_not(None)).group_by(column)).all())
    current = counts(week)
    history: dict = {}
    p = week
    for n in range(weeks):
        p = p.previous()
        for key, count in counts(p).items():
            history.setdefault(key, [0] * weeks)[n] = count
    return current, history


def recent_hot_topics(since: datetime) -> list[HotTopic]:
    return db.session.scalars(select(HotTopic).where(HotTopic.detected_at >= since)
                              .order_by(HotTopic.detected_at.desc(), HotTopic.id.desc()).limit(20)).all()


# Dashboard -------------------------------------------------------------------------------------------

def months_back(today, n: int) -> list[Period]:
    month = containing("month", today)
    out = [month]
    for _ in range(n - 1):
        out.insert(0, out[0].previous())
    return out


def monthly_volumes(months: list[Period]) -> list[int]:
    """Orders received in each of the contiguous ``months``: one GROUP BY over the indexed received_at."""
    month = (case(*[(Order.received_at < m.end, m.key) for m in months[:-1]], else_=months[-1].key)
             if len(months) > 1 else literal(months[0].key)).label("m")
    counts = dict(db.session.execute(select(month, func.count()).where(
        Order.received_at >= months[0].start, Order.received_at < months[-1].end).group_by(month)).all())
    return [int(counts.get(m.key, 0)) for m in months]


def unit_ranking(result, kind: str, shown: int) -> tuple[list, list]:
    """The units with a composite in ``result`` (an assessment by unit), best first (all, or one kind), and
    the (position, rank, row) triples to draw: all of them, or the first and last ``shown // 2`` when there
    are more. Equal scores share a rank."""
    rows = [r for r in result.rows if r.has_data and r.composite is not None and (not kind or r.kind == kind)]
    rows.sort(key=lambda r: (-r.composite, r.name))
    ranked, previous = [], None
    for position, r in enumerate(rows, start=1):
        rank = ranked[-1][0] if previous is not None and round(r.composite, 10) == previous else position
        previous = round(r.composite, 10)
        ranked.append((rank, r))
    triples = [(i, rank, r) for i, (rank, r) in enumerate(ranked)]
    if len(triples) > shown:
        triples = triples[: shown // 2] + triples[-(shown // 2):]
    return rows, triples


def category_changes(now_: datetime, days: int = 28) -> list[dict]:
    """Orders per category in the last ``days`` against the ``days`` before, biggest change first."""
    split, start = now_ - timedelta(days=days), now_ - timedelta(days=2 * days)
    recent = func.sum(case((Order.received_at >= split, 1), else_=0))
    rows = db.session.execute(
        select(Order.category_id, Category.name, recent.label("recent"), func.count().label("total"))
        .join(Category, Category.id == Order.category_id)
        .where(Order.received_at >= start, Order.received_at < now_)
        .group_by(Order.category_id, Category.name)).all()
    out = [{"id": r.category_id, "name": r.name, "recent": int(r.recent or 0),
            "before": int(r.total) - int(r.recent or 0)} for r in rows]
    for c in out:
        c["change"] = c["recent"] - c["before"]
    out.sort(key=lambda c: (-abs(c["change"]), c["name"]))
    return out


def state_counts() -> dict:
    return dict(db.session.execute(select(Order.state, func.count()).group_by(Order.state)).all())


def overdue_count(now_: datetime) -> int:
    from ..orders.queries import deadline_clause

    return db.session.scalar(select(func.count()).select_from(Order).where(deadline_clause("overdue", now_))) or 0


def unresolved_visits(period: Period, as_of: datetime) -> int:
    visit, latest = _latest_visits(period, as_of)
    return db.session.scalar(select(func.count()).select_from(latest).join(visit, visit.id == latest.c.id)
                             .where(visit.resolution == "unresolved")) or 0


STATE_ORDER = [State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.RETURN_REQUESTED, State.REPLIED,
               State.APPROVED, State.VISITED]
OPEN_LABELS = [(s.value, STATE_LABELS[s]) for s in STATE_ORDER]
