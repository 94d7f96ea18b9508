"""Read side of the responsibility list: the entries a page shows, and unit names."""
from sqlalchemy import func, or_

from ..extensions import db
from ..units.models import Unit
from .models import ResponsibilityItem


def items(q: str = "", show: str = "active") -> list[ResponsibilityItem]:
    """Entries whose matter, keywords or lead unit's name contain ``q``; ``show`` is active, inactive or all."""
    query = db.select(ResponsibilityItem).order_by(ResponsibilityItem.active.desc(), ResponsibilityItem.matter)
    if show == "active":
        query = query.where(ResponsibilityItem.active.is_(True))
    elif show == "inactive":
        query = query.where(ResponsibilityItem.active.is_(False))
    if q:
        like = f"%{q}%"
        units = db.select(Unit.id).where(Unit.name.like(like))
        query = query.where(or_(ResponsibilityItem.matter.like(like), ResponsibilityItem.keywords.like(like),
                                ResponsibilityItem.lead_unit_id.in_(units)))
    return list(db.session.scalars(query))


def counts() -> dict[str, int]:
    rows = db.session.execute(
        db.select(ResponsibilityItem.active, func.count()).group_by(ResponsibilityItem.active)).all()
    by = {bool(active): n for active, n in rows}
    return {"active": by.get(True, 0), "inactive": by.get(False, 0)}


def unit_names() -> dict[int, str]:
    return dict(db.session.execute(db.select(Unit.id, Unit.name)).all())
