"""A search string as a clause on orders, served by indexes whatever the size of the table.

The rule users see: an order is found when its number, caller phone or caller name is the search string
exactly (b-tree indexes), or when its content or address contains the string and the string has at
least ``SHORTEST`` characters (the search index of ``index``). Letter case is ignored; %, _ and quotes
are ordinary characters. A single character is looked up only as a number, phone or name (it would
match a large part of all orders); the lists say so with ``SHORT_HINT``.
"""
from sqlalchemy import String, bindparam, column, func, literal, literal_column, or_, select, table, union_all

from ..extensions import db
from ..list_filters import ListFilters
from ..orders.models import Order
from .index import SENTINEL, SQLITE_TABLE, SQLITE_TERMS

SHORTEST = 2
MANY = 2000  # matches from which reading them all costs more than walking the list's index
SHORT_HINT = "单个字不检索诉求内容和地址，只按工单编号、来电号码、来电人姓名精确查找；请至少输入两个字。"

_fts = table(SQLITE_TABLE, column("rowid"))
_terms = table(SQLITE_TERMS, column("term", String))
_NO_TERM = '"' + SENTINEL * 3 + '"'  # a trigram no text holds: matches nothing
_LAST_CHAR = "\U0010ffff"


def too_short(q: str) -> bool:
    """Whether ``q`` is searched only as a number, phone or name."""
    return 0 < len(q) < SHORTEST


def order_matches(q: str):
    """The clause on ``Order`` for the search string ``q`` (already trimmed, non-empty): its id is among
    the ids the indexes give for ``q`` (or, for a string many orders hold, the same rule order by order)."""
    sources = [select(Order.id).where(field == q) for field in (Order.number, Order.caller_phone,
                                                                Order.caller_name)]
    if too_short(q) or SENTINEL in q:
        return Order.id.in_(union_all(*sources))
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgres_order_matches(q, sources)
    found = select(_fts.c.rowid).where(literal_column(SQLITE_TABLE).op("MATCH")(_fts5_query(q)))
    ids = union_all(*sources, found)
    # SQLite's planner cannot tell how many orders match. Few: read those orders and sort them. Many: walk
    # the list's own index (newest first) and keep the orders among the matches ("+ 0" hides the id from
    # the planner), which stops after a page instead of reading every match.
    probe = select(func.count()).select_from(found.limit(MANY).subquery())
    return (Order.id + 0).in_(ids) if db.session.scalar(probe) >= MANY else Order.id.in_(ids)


def order_contains(q: str):
    """The same rule as ``order_matches`` tested order by order, with no search index: for lists that are
    short by nature (the dispatcher's pool), where testing each of their orders costs less than reading
    every order in the district that holds the string."""
    exact = [Order.number == q, Order.caller_phone == q, Order.caller_name == q]
    if too_short(q) or SENTINEL in q:
        return or_(*exact)
    needle = func.lower(bindparam(None, q, type_=String, unique=True))
    find = func.strpos if db.session.get_bind().dialect.name == "postgresql" else func.instr
    return or_(*exact, find(func.lower(Order.content), needle) > 0, find(func.lower(Order.address), needle) > 0)


def _fts5_query(q: str):
    """An FTS5 query on the trigram index: the string as one quoted phrase (three characters or more), or
    for two characters any indexed trigram that begins with them."""
    if len(q) >= 3:
        return bindparam(None, '"' + q.replace('"', '""') + '"', type_=String, unique=True)
    start = _fold(q)
    quoted = literal('"') + func.replace(_terms.c.term, '"', '""') + literal('"')
    phrases = select(func.coalesce(func.group_concat(quoted, " OR "), _NO_TERM)).where(
        _terms.c.term >= start, _terms.c.term < start + _LAST_CHAR)
    return phrases.scalar_subquery()


def _fold(q: str) -> str:
    """Lower case as the trigram tokenizer folds it, one character for one."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in q)


def _postgres_order_matches(q: str, sources):
    """As on SQLite, two plans for PostgreSQL, which reads every match before sorting them. Few (a probe
    of the GIN index, stopped at ``MANY``): the ids of those orders. Many: the same rule as a plain
    filter on each order, so that the list's own index (newest first) is walked and stops after a page."""
    found = select(Order.id).where(_postgres_pieces(q))
    probe = select(func.count()).select_from(found.limit(MANY).subquery())
    if db.session.scalar(probe) < MANY:
        return Order.id.in_(union_all(*sources, found.where(_postgres_like(q))))
    # strpos, not ILIKE: the planner estimates an ILIKE from the column's statistics, and where the sample
    # holds few of the word it reads the whole table and sorts; strpos on an expression gets the default
    # estimate (a third of the rows), so it walks the list's index, which stops after a page.
    needle = func.lower(bindparam(None, q, type_=String, unique=True))
    return or_(Order.number == q, Order.caller_phone == q, Order.caller_name == q,
               func.strpos(func.lower(Order.content), needle) > 0, func.strpos(func.lower(Order.address), needle) > 0)


def _postgres_pieces(q: str):
    """The GIN index's condition: the order's text holds every two-character piece of ``q``."""
    pieces = literal_column("portal_bigrams(orders.content || ' ' || orders.address)")
    return pieces.op("@>")(func.portal_bigrams(bindparam(None, q, type_=String, unique=True)))


def _postgres_like(q: str):
    """The order's content or address contains ``q``, letter case ignored."""
    pattern = ListFilters(q=q).q_pattern
    return or_(Order.content.ilike(pattern, escape="\\"), Order.address.ilike(pattern, escape="\\"))
