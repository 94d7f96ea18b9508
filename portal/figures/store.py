"""Reading and writing stored figures; the only writer of ``figure_snapshots``.

A stored set is served while it is younger than ``FIGURES_MAX_AGE_SECONDS``; 0 means never (every page
computes its figures, and nothing is stored: the tests' setting, so they test the live computation).
"""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import FigureSnapshot

log = logging.getLogger(__name__)


def max_age() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("FIGURES_MAX_AGE_SECONDS") or 0))


def enabled() -> bool:
    return max_age() > timedelta(0)


def fresh(kind: str, keys: list[str], at: datetime) -> dict[str, FigureSnapshot]:
    """The stored sets of ``kind`` for ``keys`` computed within the maximum age before ``at``, by key."""
    if not enabled() or not keys:
        return {}
    rows = db.session.scalars(select(FigureSnapshot).where(
        FigureSnapshot.kind == kind, FigureSnapshot.key.in_(keys),
        FigureSnapshot.computed_at >= at - max_age(), FigureSnapshot.computed_at <= at)).all()
    return {row.key: row for row in rows}


def save(kind: str, payloads: dict[str, dict], computed_at: datetime, duration_ms: int = 0) -> None:
    """Store (replace) the sets of ``kind`` and commit. A failed write (another process stored the same
    set first, a read-only database) is logged and given up: the caller has its figures either way."""
    if not enabled() or not payloads:
        return
    try:
        existing = {row.key: row for row in db.session.scalars(select(FigureSnapshot).where(
            FigureSnapshot.kind == kind, FigureSnapshot.key.in_(list(payloads))))}
        for key, payload in payloads.items():
            row = existing.get(key) or FigureSnapshot(kind=kind, key=key)
            row.computed_at, row.payload, row.duration_ms = computed_at, payload, duration_ms
            db.session.add(row)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("figures %s not stored: %s", kind, exc)

