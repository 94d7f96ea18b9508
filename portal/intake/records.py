"""One order as the city platform sends it, validated field by field.

The batch import maps the export's Chinese column headers to these English field names; the API takes
them as they are. ``validate`` returns the clean record, or every field's problem at once.
"""
import hashlib
import json
from dataclasses import dataclass, fields
from datetime import datetime

from ..extensions import db
from ..orders.models import Category
from ..orders.vocab import CHANNELS, TYPES, URGENCIES
from ..units.models import Unit
from . import normalise

# 工单编号 ... 办理时限: the export's headers, and the field each feeds.
HEADERS = {
    "工单编号": "city_no", "受理时间": "received_at", "来源渠道": "channel", "诉求类型": "type",
    "诉求分类": "category", "紧急程度": "urgency", "诉求人": "citizen_name", "联系电话": "citizen_phone",
    "诉求地址": "address", "诉求内容": "content", "建议承办单位": "suggested_unit", "涉企": "enterprise",
    "领导批示": "leader_instruction", "办理时限": "due_at", "代表转办": "via_deputy",
}
REQUIRED = ["city_no", "received_at", "channel", "type", "category", "urgency", "citizen_name", "citizen_phone",
            "address", "content"]
FIELD_LABELS = {field: header for header, field in HEADERS.items()}
LIMITS = {"city_no": 40, "citizen_name": 40, "address": 200, "content": 4000, "leader_instruction": 2000}


@dataclass(frozen=True)
class CityRecord:
    city_no: str
    received_at: datetime
    channel: str
    type: str
    category_id: int
    urgency: str
    citizen_name: str
    citizen_phone: str
    address: str
    content: str
    suggested_unit_id: int | None = None
    enterprise: bool = False
    leader_instruction: str | None = None
    due_at: datetime | None = None
    via_deputy: bool = False  # 代表转办: a matter a people's congress deputy received and forwarded

    def content_hash(self) -> str:
        """A fingerprint of what the city sent: the same record sent twice has the same hash (stored as
        ``orders.city_hash``, so its text must never change: sorted keys, times in ISO form). Computed once
        and kept on the record, which cannot change."""
        kept = self.__dict__.get("_content_hash")
        if kept is None:
            data = {name: getattr(self, name) for name in _HASHED}
            if not data["via_deputy"]:
                del data["via_deputy"]  # files without the column keep the fingerprints they had
            for name in ("received_at", "due_at"):
                if data[name] is not None:
                    data[name] = data[name].isoformat()
            kept = hashlib.sha256(_HASH_JSON.encode(data).encode()).hexdigest()
            object.__setattr__(self, "_content_hash", kept)  # not a field: equality and repr ignore it
        return kept


_HASHED = sorted(f.name for f in fields(CityRecord))  # sorted: the JSON is written as if sort_keys were set
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


class Lookups:
    """Categories and units by name, loaded once per batch."""

    def __init__(self):
        self.categories = {c.name: c.id for c in db.session.scalars(db.select(Category))}
        self.units = {u.name: u.id for u in db.session.scalars(db.select(Unit).where(Unit.active.is_(True)))}


def validate(raw: dict, lookups: Lookups) -> tuple[CityRecord | None, list[tuple[str, str]]]:
    """(record, []) or (None, [(field, problem), ...]) with every problem found."""
    errors: list[tuple[str, str]] = []
    clean: dict = {}

    def text(field):
        value = raw.get(field)
        value = "" if value is None else normalise.to_halfwidth(str(value)).strip() if field == "city_no" else str(value).strip()
        if not value and field in REQUIRED:
            errors.append((field, f"缺少{FIELD_LABELS[field]}"))
        elif len(value) > LIMITS.get(field, 4000):
            errors.append((field, f"{FIELD_LABELS[field]}过长（最多{LIMITS[field]}字）"))
        return value or None

    def attempt(field, fn, *args):
        try:
            return fn(*args)
        except ValueError as exc:
            errors.append((field, str(exc)))
            return None

    clean["city_no"] = text("city_no")
    clean["citizen_name"] = text("citizen_name")
    clean["address"] = text("address")
    clean["content"] = text("content")
    clean["leader_instruction"] = text("leader_instruction")
    clean["received_at"] = attempt("received_at", normalise.when, raw.get("received_at"))
    clean["channel"] = attempt("channel", normalise.code_of, CHANNELS, raw.get("channel"), "来源渠道")
    clean["type"] = attempt("type", normalise.code_of, TYPES, raw.get("type"), "诉求类型")
    clean["urgency"] = attempt("urgency", normalise.code_of, URGENCIES, raw.get("urgency"), "紧急程度")
    clean["citizen_phone"] = attempt("citizen_phone", normalise.phone, raw.get("citizen_phone"))
    clean["enterprise"] = attempt("enterprise", normalise.yes_no, raw.get("enterprise"))
    clean["via_deputy"] = attempt("via_deputy", normalise.yes_no, raw.get("via_deputy"))
    if raw.get("due_at") not in (None, ""):
        clean["due_at"] = attempt("due_at", normalise.when, raw.get("due_at"))
    category = str(raw.get("category") or "").strip()
    if not category:
        errors.append(("category", "缺少诉求分类"))
    elif category not in lookups.categories:
        errors.append(("category", f"未知的诉求分类“{category}”"))
    else:
        clean["category_id"] = lookups.categories[category]
    unit = str(raw.get("suggested_unit") or "").strip()
    if unit:
        if unit not in lookups.units:
            errors.append(("suggested_unit", f"未知的承办单位“{unit}”"))
        else:
            clean["suggested_unit_id"] = lookups.units[unit]
    if errors:
        return None, errors
    return CityRecord(**{k: v for k, v in clean.items() if v is not None or k in ("leader_instruction",)}), []
