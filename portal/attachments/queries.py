"""Read side of attachments: an owner's files, an order's files as one user may see them, the forms' limits."""
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from .access import can_see
from .models import Attachment
from .sniffing import ACCEPTED


def of_owner(owner_kind: str, owner_id: int) -> list[Attachment]:
    return db.session.scalars(select(Attachment).where(Attachment.owner_kind == owner_kind,
                                                       Attachment.owner_id == owner_id)
                              .order_by(Attachment.id)).all()


def for_order(user, order_id: int) -> list[Attachment]:
    """Every file that belongs to the order (on it, its replies, supervision answers, consultation
    opinions) that ``user`` may open."""
    rows = db.session.scalars(select(Attachment).where(Attachment.order_id == order_id)
                              .order_by(Attachment.id)).all()
    return [a for a in rows if can_see(user, a)]


def used_bytes(order_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Attachment.size), 0))
                             .where(Attachment.order_id == order_id)) or 0


def limits() -> dict:
    """What the upload forms tell the user."""
    config = current_app.config
    return {"accepted": ACCEPTED, "per_file": config["ATTACHMENT_MAX_BYTES"],
            "per_order": config["ATTACHMENT_MAX_PER_ORDER_BYTES"], "files": config["ATTACHMENT_MAX_FILES"],
            "request": config.get("MAX_CONTENT_LENGTH")}
