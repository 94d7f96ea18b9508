"""Dispatch suggestions for scripts and the city platform: ``suggestions_json(payload) -> (body, status)``.

Payload: ``{"content": "...", "category": "城管" (optional, by name), "address": "..." (optional),
"k": 3 (optional, 1-10)}``. Answer 200: ``{"lead_units": [{unit_id, name, score, reason, source,
assist_units}], "assist_units": [{unit_id, name, reason}], "model": {trained_at, n_orders, n_units} | null}``,
lead units best first; 400 with every field error otherwise. Error bodies have the API's shape:
``{"error": code, "message": ..., "errors": [{"field", "message"}]}``.
"""
from ..extensions import db
from ..orders.models import Category
from .suggest import suggest

CONTENT_LIMIT = 4000
ADDRESS_LIMIT = 200


def error_body(code: str, message: str, errors: list[tuple[str | None, str]] | None = None) -> dict:
    body = {"error": code, "message": message}
    if errors is not None:
        body["errors"] = [{"field": field, "message": text} for field, text in errors]
    return body


def suggestions_json(payload) -> tuple[dict, int]:
    if not isinstance(payload, dict):
        return error_body("bad_request", "请求体应为一个 JSON 对象。", [(None, "请求体应为 JSON 对象")]), 400
    errors: list[tuple[str, str]] = []
    content = payload.get("content")
    if not isinstance(content, str) or not content.strip():
        errors.append(("content", "诉求内容（content）必填。"))
    elif len(content) > CONTENT_LIMIT:
        errors.append(("content", f"诉求内容过长（最多{CONTENT_LIMIT}字）。"))
    address = payload.get("address")
    if address is not None and (not isinstance(address, str) or len(address) > ADDRESS_LIMIT):
        errors.append(("address", f"诉求地址应为不超过{ADDRESS_LIMIT}字的文本。"))
    category_id = None
    category = payload.get("category")
    if category not in (None, ""):
        category_id = db.session.scalar(db.select(Category.id).where(Category.name == category)) \
            if isinstance(category, str) else None
        if category_id is None:
            errors.append(("category", f"未知的诉求分类：{category}。"))
    k = payload.get("k", 3)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 10:
        errors.append(("k", "k应为1到10的整数。"))
    if errors:
        return error_body("invalid_request", f"请求有 {len(errors)} 处错误。", errors), 400
    result = suggest(content, category_id=category_id, address=address or None, k=k)
    lead = [{"unit_id": s["unit_id"], "name": s["name"], "score": s["score"], "reason": s["reason"],
             "source": s["source"], "assist_units": s["assist"]} for s in result["lead"]]
    return {"lead_units": lead, "assist_units": result["assist"], "model": result["model"]}, 200
