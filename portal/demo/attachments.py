"""Demo attachments: photos of the problem on a few orders still with their units, as the unit's handler
would take them on site, stored through the real operation (portal/attachments)."""
import io
from datetime import datetime, timedelta
from random import Random

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select

from ..attachments.operations import attach
from ..auth.models import Role, User
from ..extensions import db
from ..orders.models import Order

# (file name, sky, ground, what stands in the street)
SCENES = [
    ("现场照片-占道摊点.jpg", (150, 190, 230), (120, 120, 125), [((60, 150, 200, 260), (200, 60, 40)),
                                                           ((230, 170, 330, 260), (240, 180, 40))]),
    ("现场照片-路面破损.jpg", (170, 200, 225), (95, 95, 100), [((120, 200, 300, 240), (45, 40, 35))]),
    ("整改后照片.jpg", (140, 185, 235), (130, 130, 135), [((40, 120, 90, 250), (60, 140, 70))]),
]


def photo(sky, ground, things, size=(480, 320)) -> bytes:
    """A small picture of a street: sky, road, a kerb, and a few blocks standing in for what was reported."""
    img = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(img)
    horizon = size[1] * 11 // 20
    draw.rectangle((0, horizon, size[0], size[1]), fill=ground)
    draw.rectangle((0, horizon - 6, size[0], horizon), fill=(200, 200, 195))
    for x in range(0, size[0], 60):
        draw.rectangle((x + 10, size[1] - 40, x + 40, size[1] - 34), fill=(235, 235, 230))
    for box, color in things:
        draw.rectangle(box, fill=color)
    out = io.BytesIO()
    img.filter(ImageFilter.SMOOTH).save(out, "JPEG", quality=85)
    return out.getvalue()


def seed_attachments(at: datetime, rng: Random, count: int = 4) -> None:
    """Attach site photos to ``count`` orders being handled (办理中 or 待审核)."""
    orders = db.session.scalars(select(Order).where(Order.state.in_(["accepted", "replied"]),
                                                    Order.lead_unit_id.is_not(None))
                                .order_by(Order.received_at.desc()).limit(count * 3)).all()
    for i, order in enumerate(rng.sample(orders, min(count, len(orders)))):
        handler = db.session.get(User, order.handler_id) if order.handler_id else None
        if handler is None or handler.role not in (Role.HANDLER, Role.UNIT_LEADER):
            handler = db.session.scalar(select(User).where(User.unit_id == order.lead_unit_id,
                                                           User.role == Role.HANDLER.value).limit(1))
        if handler is None:
            continue
        picked = rng.sample(SCENES, 3 if i == 0 else rng.choice([1, 2]))  # the first with all three
        files = [(name, photo(sky, ground, things)) for name, sky, ground, things in picked]
        when = max(order.signed_at or order.received_at, at - timedelta(days=2))
        attach(handler, order.id, files, at=when)


__all__ = ["seed_attachments"]
