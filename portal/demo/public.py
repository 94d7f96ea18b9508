"""Demo data for public information: last month's ranking published (on the monthly notice's figures)
a day after the notice, and a dozen recently closed orders made public for Open311 with their default
summaries (content without names, phones and house numbers)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..assessment.periods import containing
from ..extensions import db
from ..orders.models import Order
from ..public.operations import Refused, publish_order, publish_ranking

PUBLIC_ORDERS = 12


def seed_public(staff, at: datetime) -> None:
    office = staff.dispatchers[0]
    last_month = containing("month", at.date()).previous()
    try:
        publish_ranking(office, last_month.key, at=min(at, last_month.end + timedelta(days=3, hours=10)))
    except Refused:
        pass  # e.g. the demo's clock in the first days of a month with no orders yet
    closed = db.session.scalars(select(Order).where(Order.state == "closed", Order.direct_answer.is_(False),
                                                    Order.received_at >= at - timedelta(days=60))
                                .order_by(Order.closed_at.desc()).limit(PUBLIC_ORDERS)).all()
    for order in closed:
        try:
            publish_order(office, order, at=order.closed_at or at)
        except Refused:
            pass
