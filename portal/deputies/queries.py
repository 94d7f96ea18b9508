"""Read side of deputies' lists: who may see which list, the lists by month and per deputy, remarks,
and the deputy-forwarded orders' rates beside all orders'."""
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ..assessment.periods import Period
from ..assessment.rates import compute
from ..auth.models import Role, User
from ..extensions import db
from .models import DeputyList, DeputyListItem, DeputyListRecipient, DeputyRemark
from .states import State

OFFICE_VIEWERS = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


def is_office(user) -> bool:
    return Role(user.role) in OFFICE_VIEWERS


def is_recipient(user, deputy_list: DeputyList) -> bool:
    """A deputy to whom this published list was pushed."""
    return (user.role == Role.DEPUTY and deputy_list.state == State.PUBLISHED
            and any(r.deputy_id == user.id for r in deputy_list.recipients))


def can_view(user, deputy_list: DeputyList) -> bool:
    return is_office(user) or is_recipient(user, deputy_list)


def by_month() -> "OrderedDict[str, list[DeputyList]]":
    """Every list, newest month first, each month's versions newest first."""
    lists = db.session.scalars(select(DeputyList).options(selectinload(DeputyList.items))
                               .order_by(DeputyList.month.desc(), DeputyList.version.desc())).all()
    months: OrderedDict[str, list[DeputyList]] = OrderedDict()
    for found in lists:
        months.setdefault(found.month, []).append(found)
    return months


def pushed_to(user) -> list[DeputyList]:
    """The published lists pushed to this deputy, newest first."""
    pushed = exists().where(DeputyListRecipient.list_id == DeputyList.id, DeputyListRecipient.deputy_id == user.id)
    return db.session.scalars(select(DeputyList).where(DeputyList.state == State.PUBLISHED.value, pushed)
                              .options(selectinload(DeputyList.items))
                              .order_by(DeputyList.published_at.desc(), DeputyList.id.desc())).all()


def item_of(deputy_list: DeputyList, order_id: int) -> DeputyListItem | None:
    return next((i for i in deputy_list.items if i.order_id == order_id), None)


def month_versions(month: str) -> list[DeputyList]:
    return db.session.scalars(select(DeputyList).where(DeputyList.month == month).order_by(DeputyList.version)).all()


def deputies() -> list[User]:
    return db.session.scalars(select(User).where(User.role == Role.DEPUTY.value, User.active.is_(True))
                              .order_by(User.name, User.id)).all()


def remarks_on(order_id: int, deputy_id: int | None = None) -> list[DeputyRemark]:
    query = select(DeputyRemark).where(DeputyRemark.order_id == order_id)
    if deputy_id is not None:
        query = query.where(DeputyRemark.deputy_id == deputy_id)
    return db.session.scalars(query.order_by(DeputyRemark.created_at, DeputyRemark.id)).all()


def rates_apart(period: Period, as_of: datetime) -> list[dict]:
    """On-time reply and satisfaction for all orders and for deputy-forwarded orders (代表转办), with counts."""
    rows = []
    for label, only in (("全部工单", False), ("代表转办工单", True)):
        total = compute(period, as_of, by="district", only_via_deputy=only).total
        rows.append({"label": label, "on_time": total.rates.get("on_time_reply"),
                     "reply_due": total.counts.get("reply_due", 0),
                     "satisfaction": total.rates.get("satisfaction_process"),
                     "visited": total.counts.get("visited", 0)})
    return rows
