"""Matching an order's text against the responsibility list (首接负责主协办清单).

An entry matches when one of its keywords (or its matter's name) occurs in the order's content. More
keywords found, longer keywords and the same 诉求分类 rank an entry higher; a different category ranks
it lower but keeps it, since orders are often filed under a neighbouring category.
"""
import re
import unicodedata
from dataclasses import dataclass

from ..extensions import db
from .models import ResponsibilityItem

SEPARATORS = re.compile(r"[\s,，、;；/|]+")
# A list match's score lies between these bounds (its source, not its score, puts it above history).
BASE_SCORE = 0.9
MAX_SCORE = 1.0


def split_keywords(text: str | None) -> list[str]:
    """``占道经营、流动摊贩, 马路市场`` -> the keywords, stripped, without duplicates, in order."""
    seen: list[str] = []
    for word in SEPARATORS.split(text or ""):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def normalise(text: str | None) -> str:
    """Full-width to half-width and lower case, so ＷＩＦＩ matches wifi."""
    return unicodedata.normalize("NFKC", text or "").lower()


@dataclass
class Match:
    item: ResponsibilityItem
    hits: list[str]  # the keywords found, as written in the list
    category: bool | None  # True same category, False another one, None when either has none
    score: float

    @property
    def reason(self) -> str:
        words = "、".join(f"“{w}”" for w in self.hits)
        note = {True: "，诉求分类一致", False: "，但诉求分类不同"}.get(self.category, "")
        return f"首接负责清单：{self.item.matter}（内容含{words}{note}）"


def active_items() -> list[ResponsibilityItem]:
    return list(db.session.scalars(
        db.select(ResponsibilityItem).where(ResponsibilityItem.active.is_(True)).order_by(ResponsibilityItem.id)))


def match(content: str, category_id: int | None = None,
          items: list[ResponsibilityItem] | None = None) -> list[Match]:
    """The list entries that match ``content``, best first."""
    text = normalise(content)
    if not text:
        return []
    found = []
    for item in active_items() if items is None else items:
        words = split_keywords(item.keywords)
        if item.matter not in words:
            words.append(item.matter)
        hits = [w for w in words if normalise(w) in text]
        if not hits:
            continue
        same = None if not (item.category_id and category_id) else item.category_id == category_id
        quality = (0.5 * min(len(hits), 3) / 3 + 0.2 * min(sum(len(w) for w in hits), 10) / 10
                   + 0.3 * {True: 1.0, None: 0.5, False: 0.0}[same])
        found.append(Match(item, hits, same, round(BASE_SCORE + (MAX_SCORE - BASE_SCORE) * quality, 3)))
    found.sort(key=lambda m: (-m.score, m.item.id))
    return found
