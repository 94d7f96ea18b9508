"""The only code that changes reports and hot-topic warnings.

``generate_report`` makes a report for a period once: a second call for the same kind and period
returns the stored one and changes nothing. ``regenerate_report`` recomputes at the stored ``as_of``
(so the same figures) and remakes its files. ``detect_hot_topics`` writes a warning per category or unit
whose orders this week rose sharply against its previous weeks, and notifies leaders and dispatchers
once.
"""
from datetime import datetime
from statistics import mean, pstdev

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..assessment.periods import KINDS, Period, PeriodError, containing, parse
from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Category
from ..units.models import Unit
from . import queries
from .documents import pdf_bytes, xlsx_bytes
from .models import REPORT_KINDS, HotTopic, Report

GENERATORS = (Role.SUPERVISOR, Role.ADMIN)
DEFAULT_HOT_TOPIC = {"weeks": 8, "k": 3.0, "min_count": 5}  # k = 3: Poisson noise over ~90 keys fires ~0.1 a week


class ReportRefused(ValueError):
    """A report that cannot be made; the message is for the user (Chinese)."""


def _period(kind: str, period) -> Period:
    if kind not in REPORT_KINDS:
        raise ReportRefused("没有这种报表。")
    if isinstance(period, str):
        try:
            period = parse(period)
        except PeriodError as exc:
            raise ReportRefused(str(exc))
    wanted = REPORT_KINDS[kind][1]
    if period.kind != wanted:
        raise ReportRefused(f"{REPORT_KINDS[kind][0]}按{KINDS[wanted]}生成，请选择相应的期间。")
    return period


def _fill(report: Report, period: Period) -> None:
    report.figures = queries.BUILDERS[report.kind](period, report.as_of)
    report.pdf = pdf_bytes(report)
    report.xlsx = xlsx_bytes(report)


def generate_report(kind: str, period, actor: User | None = None, as_of: datetime | None = None) -> Report:
    """The report of ``kind`` for ``period`` (a Period or its key), made now unless it exists already.
    ``actor`` None is the scheduler. A period that has not begun is refused."""
    if actor is not None and Role(actor.role) not in GENERATORS:
        raise ReportRefused("只有督查室和系统管理员可以生成报表。")
    period = _period(kind, period)
    existing = db.session.scalar(select(Report).where(Report.kind == kind, Report.period_key == period.key))
    if existing is not None:
        return existing
    at = now()
    if period.start > at:
        raise ReportRefused("该期间尚未开始，不能生成报表。")
    report = Report(kind=kind, period_key=period.key, period_label=period.label, as_of=as_of or at,
                    generated_at=at, generated_by_id=actor.id if actor else None)
    _fill(report, period)
    db.session.add(report)
    try:
        db.session.commit()
    except IntegrityError:  # another process made it in the meantime: theirs stands
        db.session.rollback()
        return db.session.scalar(select(Report).where(Report.kind == kind, Report.period_key == period.key))
    return report


def regenerate_report(report_id: int, actor: User) -> Report:
    """Recompute a stored report at its own snapshot time and remake its PDF and workbook."""
    if Role(actor.role) not in GENERATORS:
        raise ReportRefused("只有督查室和系统管理员可以重新生成报表。")
    report = db.session.get(Report, report_id)
    if report is None:
        raise ReportRefused("报表不存在。")
    _fill(report, parse(report.period_key))
    report.generated_at = now()
    report.generated_by_id = actor.id
    db.session.commit()
    return report


def hot_topic_config() -> dict:
    return {**DEFAULT_HOT_TOPIC, **(current_app.config.get("HOT_TOPIC") or {})}


def is_hot(count: int, history: list[int], k: float, min_count: int) -> tuple[bool, float, float, float]:
    """The rule: this week >= max(min_count, mean + k·stddev of the previous weeks), and above the mean.
    Returns (hot, mean, stddev, threshold)."""
    m = mean(history) if history else 0.0
    s = pstdev(history) if len(history) > 1 else 0.0
    threshold = max(float(min_count), m + k * s)
    return (count >= threshold and count > m), m, s, threshold


def detect_hot_topics(at: datetime | None = None) -> list[HotTopic]:
    """Warn of categories and units rising sharply in the week containing ``at`` (so far) against the
    previous weeks. One warning per (dimension, key, week); leaders and dispatchers are notified once."""
    at = at or now()
    cfg = hot_topic_config()
    week = containing("week", at.date())
    created = []
    for dimension, model in (("category", Category), ("unit", Unit)):
        current, history = queries.weekly_counts(dimension, week, int(cfg["weeks"]))
        for key, count in sorted(current.items()):
            hot, m, s, threshold = is_hot(count, history.get(key, [0] * int(cfg["weeks"])), float(cfg["k"]),
                                          int(cfg["min_count"]))
            if not hot:
                continue
            exists = db.session.scalar(select(HotTopic.id).where(
                HotTopic.dimension == dimension, HotTopic.key_id == key, HotTopic.week_key == week.key))
            if exists:
                continue
            target = db.session.get(model, key)
            topic = HotTopic(dimension=dimension, key_id=key, name=target.name if target else str(key),
                             week_key=week.key, week_start=week.start, count=count, baseline_mean=round(m, 3),
                             baseline_std=round(s, 3), threshold=round(threshold, 3), detected_at=at)
            db.session.add(topic)
            created.append(topic)
    if created:
        people = db.session.scalars(select(User.id).where(User.role.in_([Role.LEADER.value, Role.DISPATCHER.value]),
                                                          User.active.is_(True))).all()
        for topic in created:
            text = (f"热点预警：{topic.dimension_label}“{topic.name}”本周已受理{topic.count}件，"
                    f"前{cfg['weeks']}周平均{topic.baseline_mean:g}件。")
            for user_id in people:
                notify(user_id, "hot_topic", text, at=at,
                       dedupe_key=f"hot:{topic.dimension}:{topic.key_id}:{topic.week_key}:{user_id}")
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent run wrote the same warnings
        db.session.rollback()
        return []
    return created
