"""The only place where the responsibility list (首接负责主协办清单) changes: add, edit, switch an entry
off or on, and import entries from Excel.

Only the admin changes the list. Each operation validates everything first and either commits or
raises ``InvalidInput`` with messages for the user (in Chinese) and changes nothing. An import takes
the good rows and reports each bad one with its row number and reason.
"""
from dataclasses import dataclass, field
from datetime import datetime

from ..auth.models import Role
from ..clock import now
from ..extensions import db
from ..orders.models import Category
from ..units.models import Unit, UnitKind
from .excel import SheetRow
from .matching import split_keywords
from .models import ResponsibilityItem
from ..errors import InvalidInput, NotAllowed  # noqa: F401  (re-exported for views)

MATTER_LIMIT = 120
KEYWORDS_LIMIT = 500
NOTE_LIMIT = 1000
MIN_KEYWORD = 2  # one character (树, 水) would match almost every order


def _require_admin(actor) -> None:
    if Role(actor.role) is not Role.ADMIN:
        raise NotAllowed("只有系统管理员可以修改首接负责清单。")


@dataclass
class Fields:
    """An entry's fields, checked and resolved to ids."""

    matter: str
    keywords: str
    category_id: int | None
    lead_unit_id: int
    assist_unit_ids: list[int]
    note: str | None

    def apply_to(self, item: ResponsibilityItem) -> bool:
        """Copy onto ``item``; True when anything changed."""
        changed = False
        for key in ("matter", "keywords", "category_id", "lead_unit_id", "assist_unit_ids", "note"):
            value = getattr(self, key)
            if getattr(item, key) != value:
                setattr(item, key, value)
                changed = True
        return changed


def _handling_unit(unit: Unit | None) -> bool:
    return _unit_problem(unit) is None


def _unit_problem(unit: Unit | None) -> str | None:
    """Why a unit cannot lead or assist on orders, or None if it can."""
    if unit is None:
        return "不存在（须与系统中的单位名称一致）"
    if not unit.active:
        return "已停用"
    if unit.kind == UnitKind.OFFICE:
        return "不是承办单位"
    return None


def _text_fields(matter, keywords, note, errors: list[str]) -> tuple[str, str, str | None]:
    matter = (matter or "").strip()
    if not matter:
        errors.append("请填写事项名称。")
    elif len(matter) > MATTER_LIMIT:
        errors.append(f"事项名称过长（最多{MATTER_LIMIT}字）。")
    words = split_keywords(keywords)
    if not words:
        errors.append("请填写至少一个关键词。")
    short = [w for w in words if len(w) < MIN_KEYWORD]
    if short:
        errors.append(f"关键词{'、'.join(f'“{w}”' for w in short)}过短，每个关键词至少{MIN_KEYWORD}个字。")
    joined = "、".join(words)
    if len(joined) > KEYWORDS_LIMIT:
        errors.append(f"关键词过多（合计最多{KEYWORDS_LIMIT}字）。")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LIMIT:
        errors.append(f"依据过长（最多{NOTE_LIMIT}字）。")
    return matter, joined, note


def check_form(data) -> Fields:
    """An entry from the page's form: ids for the category and units (``assist_unit_ids`` a list)."""
    errors: list[str] = []
    matter, keywords, note = _text_fields(data.get("matter"), data.get("keywords"), data.get("note"), errors)
    category_id = _int(data.get("category_id"))
    if category_id is not None and db.session.get(Category, category_id) is None:
        errors.append("请选择有效的诉求分类。")
    lead_id = _int(data.get("lead_unit_id"))
    if lead_id is None or not _handling_unit(db.session.get(Unit, lead_id)):
        errors.append("请选择有效的主办单位。")
    assist_ids = []
    for raw in data.get("assist_unit_ids") or []:
        unit_id = _int(raw)
        if unit_id is None or not _handling_unit(db.session.get(Unit, unit_id)):
            errors.append("请选择有效的协办单位。")
            break
        if unit_id != lead_id and unit_id not in assist_ids:
            assist_ids.append(unit_id)
    if errors:
        raise InvalidInput(*errors)
    return Fields(matter, keywords, category_id, lead_id, assist_ids, note)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _unique_matter(matter: str, item_id: int | None = None) -> None:
    query = db.select(ResponsibilityItem.id).where(ResponsibilityItem.matter == matter)
    if item_id is not None:
        query = query.where(ResponsibilityItem.id != item_id)
    if db.session.scalar(query):
        raise InvalidInput(f"清单中已有事项“{matter}”，请直接修改该条。")


def add_item(actor, data, at: datetime | None = None) -> ResponsibilityItem:
    _require_admin(actor)
    fields = check_form(data)
    _unique_matter(fields.matter)
    item = ResponsibilityItem(active=True, updated_at=at or now(), assist_unit_ids=[])
    fields.apply_to(item)
    db.session.add(item)
    db.session.commit()
    return item


def edit_item(actor, item: ResponsibilityItem, data, at: datetime | None = None) -> ResponsibilityItem:
    _require_admin(actor)
    fields = check_form(data)
    _unique_matter(fields.matter, item.id)
    if fields.apply_to(item):
        item.updated_at = at or now()
    db.session.commit()
    return item


def set_active(actor, item: ResponsibilityItem, active: bool, at: datetime | None = None) -> ResponsibilityItem:
    """Switch an entry off (it no longer suggests anything; kept for the record) or on again."""
    _require_admin(actor)
    if item.active != active:
        item.active = active
        item.updated_at = at or now()
        db.session.commit()
    return item


# --- import from Excel -------------------------------------------------------------------------------

@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # 第N行：reason

    @property
    def summary(self) -> str:
        text = (f"新增{len(self.added)}条，更新{len(self.updated)}条，未变{len(self.unchanged)}条")
        return text + (f"，{len(self.errors)}行有误未导入" if self.errors else "")


def import_rows(actor, rows: list[SheetRow], at: datetime | None = None) -> ImportResult:
    """Add or update (by 事项) an entry per good row, in one commit; report every bad row. An entry whose
    row is imported is in force again if it had been switched off. Entries not in the file stay."""
    _require_admin(actor)
    at = at or now()
    result = ImportResult()
    units = {u.name: u for u in db.session.scalars(db.select(Unit))}
    categories = {c.name: c for c in db.session.scalars(db.select(Category))}
    existing = {i.matter: i for i in db.session.scalars(db.select(ResponsibilityItem))}
    seen: dict[str, int] = {}
    for row in rows:
        errors: list[str] = []
        fields = _row_fields(row, units, categories, errors)
        if fields and fields.matter in seen:
            errors.append(f"事项“{fields.matter}”与第{seen[fields.matter]}行重复")
        if errors:
            result.errors.append(f"第{row.line}行：" + "；".join(e.rstrip("。") for e in errors) + "。")
            continue
        seen[fields.matter] = row.line
        item = existing.get(fields.matter)
        if item is None:
            item = ResponsibilityItem(active=True, updated_at=at, assist_unit_ids=[])
            fields.apply_to(item)
            db.session.add(item)
            result.added.append(fields.matter)
        elif fields.apply_to(item) or not item.active:
            item.active = True
            item.updated_at = at
            result.updated.append(fields.matter)
        else:
            result.unchanged.append(fields.matter)
    db.session.commit()
    return result


def _row_fields(row: SheetRow, units: dict, categories: dict, errors: list[str]) -> Fields | None:
    v = row.values
    matter, keywords, note = _text_fields(v.get("matter"), v.get("keywords"), v.get("note"), errors)
    category_id = None
    if v.get("category"):
        category = categories.get(v["category"])
        if category is None:
            errors.append(f"诉求分类“{v['category']}”不存在")
        else:
            category_id = category.id
    lead_id = None
    if not v.get("lead"):
        errors.append("缺少主办单位")
    else:
        lead = units.get(v["lead"])
        problem = _unit_problem(lead)
        if problem:
            errors.append(f"主办单位“{v['lead']}”{problem}")
        else:
            lead_id = lead.id
    assist_ids = []
    for name in split_keywords(v.get("assists")):  # 、-separated, like keywords
        unit = units.get(name)
        problem = _unit_problem(unit)
        if problem:
            errors.append(f"协办单位“{name}”{problem}")
        elif unit.id != lead_id and unit.id not in assist_ids:
            assist_ids.append(unit.id)
    if errors:
        return None
    return Fields(matter, keywords, category_id, lead_id, assist_ids, note)
