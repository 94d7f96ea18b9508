"""Read-side queries of the standard replies: the office's library, the uses, and the public search."""
from sqlalchemy import exists, func, or_, select

from ..extensions import db
from ..list_filters import ListFilters
from ..orders.models import Category
from .models import StandardReply, StandardReplyUse, StandardReplyVersion
from .states import VersionState

V = StandardReplyVersion
# tab -> (label, the state some version of the reply is in)
TABS = {
    "published": ("已发布", VersionState.PUBLISHED),
    "submitted": ("待审核", VersionState.SUBMITTED),
    "draft": ("草稿", VersionState.DRAFT),
    "withdrawn": ("已撤回", VersionState.WITHDRAWN),
}


def _has(state, *more):
    return exists().where(V.reply_id == StandardReply.id, V.state == state, *more)


def _tab_clause(tab: str):
    state = TABS[tab][1]
    if state is VersionState.WITHDRAWN:  # withdrawn and not published again since
        return _has(state) & ~_has(VersionState.PUBLISHED)
    return _has(state)


def _search_clause(pattern: str):
    return exists().where(V.reply_id == StandardReply.id, or_(
        V.title.like(pattern, escape="\\"), V.keywords.like(pattern, escape="\\"),
        V.answer.like(pattern, escape="\\"), V.policy_name.like(pattern, escape="\\")))


def like_pattern(q: str) -> str:
    """The list searches' one LIKE pattern (``ListFilters.q_pattern``)."""
    return ListFilters(q=q).q_pattern


def library(tab: str, q: str, category_id: int | None, page: int, size: int) -> tuple[list[StandardReply], bool]:
    query = select(StandardReply).where(_tab_clause(tab))
    if q:
        query = query.where(_search_clause(like_pattern(q)))
    if category_id:
        query = query.where(exists().where(V.reply_id == StandardReply.id, V.category_id == category_id))
    rows = db.session.scalars(query.order_by(StandardReply.updated_at.desc(), StandardReply.id.desc())
                              .offset((page - 1) * size).limit(size + 1)).all()
    return rows[:size], len(rows) > size


def counts() -> dict[str, int]:
    return {tab: db.session.scalar(select(func.count(StandardReply.id)).where(_tab_clause(tab))) or 0
            for tab in TABS}


def use_counts(reply_ids: list[int]) -> dict[int, int]:
    """How often each reply was used in an answer (all its versions)."""
    if not reply_ids:
        return {}
    rows = db.session.execute(select(StandardReplyUse.reply_id, func.count(StandardReplyUse.id))
                              .where(StandardReplyUse.reply_id.in_(reply_ids))
                              .group_by(StandardReplyUse.reply_id)).all()
    return {reply_id: n for reply_id, n in rows}


def recent_uses(reply_id: int, limit: int = 20) -> list[StandardReplyUse]:
    return list(db.session.scalars(select(StandardReplyUse).where(StandardReplyUse.reply_id == reply_id)
                                   .order_by(StandardReplyUse.at.desc(), StandardReplyUse.id.desc()).limit(limit)))


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).where(Category.active.is_(True))
                                   .order_by(Category.sort, Category.id)))


# --- the public page: published versions only --------------------------------------------------------

def public_search(q: str, category_id: int | None, page: int, size: int) -> tuple[list[StandardReplyVersion], bool]:
    """Published standard replies whose title, keywords, answer or policy contain every word of ``q``."""
    query = select(V).where(V.state == VersionState.PUBLISHED)
    for word in q.split()[:5]:
        pattern = like_pattern(word)
        query = query.where(or_(V.title.like(pattern, escape="\\"), V.keywords.like(pattern, escape="\\"),
                                V.answer.like(pattern, escape="\\"), V.policy_name.like(pattern, escape="\\"),
                                V.policy_number.like(pattern, escape="\\")))
    if category_id:
        query = query.where(V.category_id == category_id)
    rows = db.session.scalars(query.order_by(V.published_at.desc(), V.id.desc())
                              .offset((page - 1) * size).limit(size + 1)).all()
    return rows[:size], len(rows) > size


def public_categories() -> list[tuple[Category, int]]:
    """Categories with published replies, and how many each has."""
    return list(db.session.execute(
        select(Category, func.count(V.id)).join(V, V.category_id == Category.id)
        .where(V.state == VersionState.PUBLISHED).group_by(Category.id).order_by(Category.sort, Category.id)).all())


def public_version(reply_id: int) -> StandardReplyVersion | None:
    return db.session.scalar(select(V).where(V.reply_id == reply_id, V.state == VersionState.PUBLISHED))
