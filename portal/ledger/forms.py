"""The registration form read from a POST into a ``Registration`` (types only; rules are in operations)."""
from datetime import date

from ..form_values import int_or_none
from .operations import Registration, split_numbers


def registration(form) -> Registration:
    return Registration(
        title=form.get("title", ""),
        description=form.get("description", ""),
        owner_unit_id=int_or_none(form.get("owner_unit_id")),
        leader_id=int_or_none(form.get("leader_id")),
        target_date=_day(form.get("target_date")),
        order_numbers=split_numbers(form.get("order_numbers", "")),
    )


def _day(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None
