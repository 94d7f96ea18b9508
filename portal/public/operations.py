"""The only code that changes public information: publishing a ranking (or correcting it), and
publishing or withdrawing an order for Open311.

Who: the hotline office (dispatchers), which issues the monthly notice and quarterly publication.
A refusal raises ``Refused`` with a Chinese message and changes nothing. Each operation commits.
"""
from datetime import datetime

from ..assessment.periods import Period, PeriodError, parse
from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..orders.models import Order
from . import queries
from .models import PERIOD_KINDS, PublicRequest, PublishedRanking
from .redact import public_summary, street_address

PUBLISHERS = frozenset({Role.DISPATCHER})
SUMMARY_LIMIT = 2000


class Refused(Exception):
    """The action is not allowed or the input is wrong; nothing was changed. The message is for the user."""


def _require_publisher(actor: User) -> None:
    if Role(actor.role) not in PUBLISHERS:
        raise Refused("只有热线办工作人员可以发布公开信息。")


def publishable_period(key: str, at: datetime | None = None) -> Period:
    """The month or quarter ``key`` names, if it has ended; Refused otherwise."""
    try:
        period = parse(key)
    except PeriodError as e:
        raise Refused(str(e)) from None
    if period.kind not in PERIOD_KINDS:
        raise Refused("只能发布月度或季度排名。")
    if period.end > (at or now()):
        raise Refused(f"{period.label}尚未结束，不能发布。")
    return period


def publish_ranking(actor: User, period_key: str, *, correction_reason: str | None = None,
                    at: datetime | None = None) -> PublishedRanking:
    """Freeze and publish the unit ranking of a month or quarter.

    A period is published once. Publishing it again is refused unless it is an explicit correction
    (``correction_reason``): then a new version is stored, recomputed now, citing the one it replaces."""
    _require_publisher(actor)
    at = at or now()
    period = publishable_period(period_key, at)
    versions = queries.ranking_versions(period.key)
    reason = (correction_reason or "").strip()
    if versions and not reason:
        raise Refused(f"{period.label}的排名已于{versions[0].published_at:%Y-%m-%d %H:%M}发布，"
                      "已发布的数据不再变动；如需更正，请填写更正理由。")
    if not versions and reason:
        raise Refused(f"{period.label}的排名尚未发布，无需更正。")
    if versions and len(reason) < 5:
        raise Refused("更正理由至少5个字。")
    as_of = at if versions else queries.snapshot_as_of(period, at)
    figures = queries.ranking_snapshot(period, as_of)
    if not figures["groups"]:
        raise Refused(f"{period.label}没有可排名的办理数据，不能发布。")
    ranking = PublishedRanking(
        period_key=period.key, period_kind=period.kind, period_label=period.label,
        version=(versions[0].version + 1) if versions else 1, as_of=as_of, published_at=at,
        published_by_id=actor.id, figures=figures,
        correction_of_id=versions[0].id if versions else None, correction_reason=reason or None)
    db.session.add(ranking)
    db.session.commit()
    return ranking


def publish_order(actor: User, order: Order, summary: str | None = None,
                  at: datetime | None = None) -> PublicRequest:
    """Make an order a public Open311 request (again, if withdrawn), with a summary free of personal data;
    by default the content with the caller's name, phones and house numbers removed."""
    _require_publisher(actor)
    if order.state == "received":
        raise Refused("尚未派发的工单不能公开。")
    default = public_summary(order.content, (order.caller_name,))
    text = (summary if summary is not None else default).strip()
    if not text:
        raise Refused("请填写公开摘要。")
    if len(text) > SUMMARY_LIMIT:
        raise Refused(f"公开摘要不能超过{SUMMARY_LIMIT}字。")
    if public_summary(text, (order.caller_name,)) != text:
        raise Refused("公开摘要中含有来电人姓名、电话、证件号或门牌号，请删除后再发布。")
    row = db.session.query(PublicRequest).filter_by(order_id=order.id).one_or_none()
    if row is None:
        row = PublicRequest(order_id=order.id)
        db.session.add(row)
    row.summary, row.address = text, street_address(order.address)
    row.published_at, row.published_by_id, row.withdrawn_at = at or now(), actor.id, None
    db.session.commit()
    return row


def withdraw_order(actor: User, order: Order, at: datetime | None = None) -> PublicRequest:
    """Stop showing a public order through Open311."""
    _require_publisher(actor)
    row = db.session.query(PublicRequest).filter_by(order_id=order.id).one_or_none()
    if row is None or row.withdrawn_at is not None:
        raise Refused("该工单未公开。")
    row.withdrawn_at = at or now()
    db.session.commit()
    return row
