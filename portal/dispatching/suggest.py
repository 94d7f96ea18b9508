"""Dispatch suggestions: which lead unit, and which assisting units, best first, each with why.

From the responsibility list first (the office's settled rules), then from history (the classifier,
with how many of the most similar past orders each unit handled), then the city platform's suggested
unit (建议承办单位) when it is not among them already. Only active units that can take orders are
suggested. Without a trained model the suggestions come from the list (and the city) alone.
"""
from ..extensions import db
from ..orders.models import Category, Order
from ..units.models import Unit, UnitKind
from . import classifier
from .matching import match

CITY_REASON = "市平台建议承办单位"
# A unit from history needs at least this probability to be suggested (below it, it is noise).
MIN_PROBABILITY = 0.05


def _units(ids) -> dict[int, Unit]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    units = db.session.scalars(db.select(Unit).where(Unit.id.in_(ids))).all()
    return {u.id: u for u in units if u.active and u.kind != UnitKind.OFFICE}


def suggest(content: str | None = None, category_id: int | None = None, address: str | None = None,
            order: Order | None = None, k: int = 3) -> dict:
    """``{"lead": [{unit_id, name, score, reason, source, assist}], "assist": [{unit_id, name, reason}],
    "model": {trained_at, n_orders, n_units} | None}``. ``lead`` holds up to ``k`` units from the list
    (source "list") and history ("history"), plus the city's suggested unit ("city") if it is not among
    them; each lead's ``assist`` are the assisting units that go with it; the top-level ``assist`` are
    the first lead's."""
    city_unit_id = None
    if order is not None:
        content = content or order.content
        category_id = category_id or order.category_id
        address = address or order.address
        city_unit_id = order.suggested_unit_id
    content = content or ""
    category = db.session.get(Category, category_id) if category_id else None

    leads: list[dict] = []
    assists_of: dict[int, list[tuple[int, str]]] = {}  # lead -> [(assisting unit, why)]

    matches = match(content, category_id)
    bundle = classifier.load() if content.strip() else None
    guesses = classifier.rank(bundle, classifier.document(content, category and category.name, address),
                              k + len(matches)) if bundle else []
    units = _units([m.item.lead_unit_id for m in matches] + [g.unit_id for g in guesses] + [city_unit_id]
                   + [a for m in matches for a in (m.item.assist_unit_ids or [])]
                   + [a for g in guesses for a in g.assist_ids])
    known = _still_named(bundle, units) if bundle else set()

    def add(unit_id: int, score: float, reason: str, source: str, assist: list[tuple[int, str]]) -> None:
        if unit_id not in units or any(s["unit_id"] == unit_id for s in leads) or len(leads) >= k:
            return
        leads.append({"unit_id": unit_id, "name": units[unit_id].name, "score": round(score, 3),
                      "reason": reason, "source": source})
        assists_of[unit_id] = [(a, why) for a, why in assist if a in units and a != unit_id]

    for m in matches:
        add(m.item.lead_unit_id, m.score, m.reason, "list",
            [(a, f"首接负责清单“{m.item.matter}”的协办单位") for a in m.item.assist_unit_ids or []])
    for g in guesses:
        listed = next((s for s in leads if s["unit_id"] == g.unit_id and s["source"] == "list"), None)
        if listed and g.similar and g.unit_id in known:  # history agrees with the list: say so
            listed["reason"] += f"；相似历史工单最相近的{g.compared}件中有{g.similar}件由该单位办理"
        if g.unit_id in known and g.probability >= MIN_PROBABILITY:
            add(g.unit_id, g.probability, _history_reason(g), "history",
                [(a, "相似历史工单中常由该单位协办") for a in g.assist_ids if a in known])
    if city_unit_id in units:
        already = next((s for s in leads if s["unit_id"] == city_unit_id), None)
        if already:
            already["reason"] += f"；{CITY_REASON}"
        else:
            leads.append({"unit_id": city_unit_id, "name": units[city_unit_id].name, "score": 0.0,
                          "reason": CITY_REASON, "source": "city"})
            assists_of[city_unit_id] = []
    for s in leads:
        s["assist"] = [{"unit_id": a, "name": units[a].name, "reason": why} for a, why in assists_of[s["unit_id"]]]
    return {
        "lead": leads,
        "assist": leads[0]["assist"] if leads else [],
        "model": ({"trained_at": bundle["trained_at"], "n_orders": bundle["n_orders"],
                   "n_units": len(bundle["classes"])} if bundle else None),
    }


def _history_reason(g: classifier.Guess) -> str:
    if g.similar:
        return f"相似历史工单：最相近的{g.compared}件中有{g.similar}件由该单位办理（模型置信度{g.probability:.0%}）"
    return f"相似历史工单：按历史工单内容判断（模型置信度{g.probability:.0%}）"


def _still_named(bundle: dict, units: dict[int, Unit]) -> set[int]:
    """Units the model knew under the same name: a model trained on another database, or before a unit
    was renamed or replaced, does not suggest a stranger under an old id."""
    names = bundle.get("unit_names", {})
    return {i for i, unit in units.items() if names.get(i) == unit.name}


def rank_of(suggestions: dict | list | None, unit_id: int) -> int | None:
    """1 when ``unit_id`` was the first suggested lead unit, 2 the second...; None if not suggested."""
    leads = suggestions.get("lead", []) if isinstance(suggestions, dict) else suggestions or []
    return next((i for i, s in enumerate(leads, 1) if s["unit_id"] == unit_id), None)
