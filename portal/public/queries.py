"""Read-side of public information: the ranking snapshot a publication freezes, published rankings,
and the orders Open311 may show."""
from datetime import datetime

from sqlalchemy import func, select

from ..assessment import rates
from ..assessment.periods import Period
from ..extensions import db
from ..orders.models import Order
from ..reports.models import Report
from ..units.models import UNIT_KIND_LABELS
from .models import PublicRequest, PublishedRanking

# The report whose figures a month's or quarter's publication follows, when it has been generated.
REPORT_KIND = {"month": "monthly_notice", "quarter": "quarterly_publication"}


def _pct(value):
    return None if value is None else round(value * 100, 2)


def snapshot_as_of(period: Period, at: datetime) -> datetime:
    """The data time of a publication: the stored notice's ``as_of`` if one was generated (so the public
    figures equal the notice's), else ``at``."""
    report = db.session.scalar(select(Report).where(Report.kind == REPORT_KIND.get(period.kind, ""),
                                                    Report.period_key == period.key))
    return report.as_of if report is not None else at


def ranking_snapshot(period: Period, as_of: datetime) -> dict:
    """Every assessed unit's rates, composite and rank for ``period`` as they stood at ``as_of``, with the
    formula texts and the parameters in force then: the JSON a publication stores."""
    config = rates.config_at(as_of)
    result = rates.compute(period, as_of, by="unit", config=config)
    shown = [r for r in rates.RATES if r.for_units]
    groups = []
    for kind in rates.ASSESSED_KINDS:  # ranked within each kind of unit: departments among departments
        rows = [r for r in result.rows if r.kind == kind.value and r.has_data]
        if rows:
            rates._rank(rows)  # again within the kind, as the assessment page does (1, 2, 2, 4)
            rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name))
            groups.append({"kind": UNIT_KIND_LABELS[kind], "rows": [
                {"unit": row.name, "rank": row.rank, "composite": _pct(row.composite),
                 "rates": {r.key: _pct(row.rates.get(r.key)) for r in shown},
                 "dispatched": row.counts.get("dispatched", 0), "visited": row.counts.get("visited", 0)}
                for row in rows]})
    total = result.total
    return {
        "period": {"key": period.key, "kind": period.kind, "label": period.label,
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": as_of.isoformat(),
        "rates": [{"key": r.key, "label": r.label, "short": r.short, "higher_is_better": r.higher_is_better}
                  for r in shown] + [{"key": "composite", "label": rates.COMPOSITE.label,
                                      "short": rates.COMPOSITE.short, "higher_is_better": True}],
        "formulas": {**{r.key: config.formula(r.key) for r in shown}, "composite": config.formula("composite")},
        "parameters": {"config_id": config.id, "saved_at": config.saved_at.isoformat() if config.saved_at else None,
                       "params": config.params, "weights": config.weights},
        "groups": groups,
        "total": {"composite": _pct(total.composite), "rates": {r.key: _pct(total.rates.get(r.key)) for r in shown},
                  "dispatched": total.counts.get("dispatched", 0), "visited": total.counts.get("visited", 0)},
    }


def latest_rankings() -> list[PublishedRanking]:
    """The current publication of every published period (the highest version), newest period first."""
    newest = (select(PublishedRanking.period_key, func.max(PublishedRanking.version).label("v"))
              .group_by(PublishedRanking.period_key).subquery())
    query = (select(PublishedRanking).join(newest, (newest.c.period_key == PublishedRanking.period_key)
                                           & (newest.c.v == PublishedRanking.version))
             .order_by(PublishedRanking.period_key.desc()))
    return db.session.scalars(query).all()


def ranking_versions(period_key: str) -> list[PublishedRanking]:
    """Every publication of a period, latest first ([] if it was never published)."""
    return db.session.scalars(select(PublishedRanking).where(PublishedRanking.period_key == period_key)
                              .order_by(PublishedRanking.version.desc())).all()


def public_requests_query():
    """Published, not withdrawn orders, newest first, as a SELECT of (PublicRequest, Order)."""
    return (select(PublicRequest, Order).join(Order, Order.id == PublicRequest.order_id)
            .where(PublicRequest.withdrawn_at.is_(None)))


def publishable_orders(limit: int = 50) -> list[tuple[Order, PublicRequest | None]]:
    """Recently closed orders (and any already public ones) for the office's publication list."""
    query = (select(Order, PublicRequest).outerjoin(PublicRequest, PublicRequest.order_id == Order.id)
             .where((Order.state == "closed") | PublicRequest.id.is_not(None))
             .order_by(Order.updated_at.desc(), Order.id.desc()).limit(limit))
    return db.session.execute(query).all()
