"""What the order page loads: the order with its units, handler and timeline, and whether it has what
each card shows, in one statement (``order_for_page``); a card known to have nothing runs no query."""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..assessment.models import Exclusion
from ..attachments.models import Attachment
from ..auth.models import User
from ..consultation.models import ConsultationOrder
from ..deputies.models import DeputyRemark
from ..extensions import db
from ..roster.models import Absence
from ..supervision.models import SupervisionOrder
from .models import Order, OrderEvent, OrderLink, OrderRequest, ReturnVisit

# What the order page shows of the order, loaded with it: its units (the access check reads them), its
# handler, and its timeline with each actor and the actor's unit. The earlier orders it repeats are loaded
# apart, only when it has some (_repeats). A fixed number of statements however much there is.
PAGE_LOADS = (joinedload(Order.units), joinedload(Order.handler),
              selectinload(Order.events).joinedload(OrderEvent.actor).joinedload(User.unit))
# The earlier orders with their units (the access check) and visits (how they ended).
REPEAT_LOADS = (joinedload(OrderLink.earlier).selectinload(Order.units),
                joinedload(OrderLink.earlier).selectinload(Order.visits))


class OnPage(NamedTuple):
    """What the order has that the page's cards show, asked in the statement that loads the order (an
    EXISTS each, on indexed columns): a card known to have nothing skips its own statement. Few orders
    have repeats, requests, a supervision, a case, an exclusion, a deputy's remark or a file; open ones no
    visit."""

    links: bool
    requests: bool
    visits: bool
    supervisions: bool
    cases: bool
    exclusion: bool
    remarks: bool
    attachments: bool
    handler_away: bool  # the handler has an absence now (roster.queries.absence_at's rule)


def _has(model):
    return exists().where(model.order_id == Order.id)


# The order with what it has, built once (the moment and the order's id bound per request).
_AT = bindparam("at")
PAGE_STATEMENT = (
    select(Order, _has(OrderLink), _has(OrderRequest), _has(ReturnVisit), _has(SupervisionOrder),
           _has(ConsultationOrder), _has(Exclusion), _has(DeputyRemark), _has(Attachment),
           exists().where(Absence.user_id == Order.handler_id, Absence.cancelled_at.is_(None),
                          Absence.start_at <= _AT, Absence.end_at > _AT))
    .where(Order.id == bindparam("order_id")).options(*PAGE_LOADS))


def order_for_page(order_id: int, at: datetime) -> tuple[Order, OnPage] | None:
    """The order with what the page shows of it, and what it has (``OnPage``) at ``at``, in one statement
    plus its timeline's; None when there is no such order (the view checks who may see it)."""
    row = db.session.execute(PAGE_STATEMENT, {"order_id": order_id, "at": at}).unique().first()
    if row is None:
        return None
    order, present = row[0], OnPage(*(bool(value) for value in row[1:]))
    _fill_known(order, present)
    return order, present


def _fill_known(order: Order, present: OnPage) -> None:
    """Set the lists the order is known to lack as empty, so that reading them (the deadlines card, the
    allowed actions, the visits card, the repeats card) runs no lazy load; load the repeats it has."""
    set_committed_value(order, "links", _repeats(order.id) if present.links else [])
    if not present.requests:
        set_committed_value(order, "requests", [])
    if not present.visits:
        set_committed_value(order, "visits", [])


def _repeats(order_id: int) -> list[OrderLink]:
    return db.session.scalars(select(OrderLink).where(OrderLink.order_id == order_id)
                              .order_by(OrderLink.id).options(*REPEAT_LOADS)).all()
