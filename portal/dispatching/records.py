"""The dispatch record: what was suggested and what was chosen at each dispatch, and whether the unit's
return was approved. Written by the order's own effects (``orders.effects``) inside the action's
transaction, so a refused or failed dispatch leaves no record.

From these rows, dispatch accuracy (转办准确率: dispatches not returned / dispatches) and suggestion
accuracy (the chosen unit was the first suggestion) can be counted by unit and month.
"""
from datetime import datetime

from flask import current_app

from ..extensions import db
from ..orders.models import DispatchRecord, Order
from .suggest import rank_of, suggest


def record_dispatch(order: Order, actor, at: datetime, lead_unit_id: int) -> DispatchRecord:
    """Add the record of this dispatch (the caller commits). Suggestions are worked out again now, from
    the list and the saved model; if that fails the dispatch still goes ahead, recorded without them."""
    try:
        leads = [{key: s[key] for key in ("unit_id", "score", "reason", "source")}
                 for s in suggest(order=order)["lead"]]
    except Exception:
        current_app.logger.exception("dispatch suggestions failed for order %s", order.id)
        leads = None
    record = DispatchRecord(order_id=order.id, at=at, dispatcher_id=actor.id, chosen_unit_id=lead_unit_id,
                            suggested=leads, suggestion_rank=rank_of(leads, lead_unit_id), returned=False)
    db.session.add(record)
    return record


def mark_returned(order: Order) -> DispatchRecord | None:
    """The unit's return of the order was approved: its latest dispatch counts as wrong."""
    record = db.session.scalar(
        db.select(DispatchRecord).where(DispatchRecord.order_id == order.id)
        .order_by(DispatchRecord.at.desc(), DispatchRecord.id.desc()).limit(1))
    if record is not None:
        record.returned = True
    return record
