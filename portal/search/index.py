"""How orders' content and address are indexed for free-text search, per database.

SQLite: an FTS5 table ``orders_search`` with the trigram tokenizer (contentless: it holds only the index),
kept in step with ``orders`` by triggers on insert, update of content or address, and delete, so the
importer's multi-row INSERT is indexed like a single take-in. Each value is indexed with ``SENTINEL``
appended, so every two characters of a text are the start of some indexed trigram: a two-character
search looks up the trigrams that begin with it in ``orders_search_terms`` (fts5vocab, a range on the
sorted terms) and matches any of them.

PostgreSQL: a GIN index on ``portal_bigrams(content || ' ' || address)``, the set of the text's
two-character pieces (lower-cased), made by an SQL function of that name (``PG_FUNCTION``). A search for
text of two or more characters asks for rows holding all its pieces (the index) whose content or address
then contains it (ILIKE, on those rows only). Needs no extension.

The schema parts come with ``create_all`` (``attach`` hooks them to the orders table) and, for databases
made by migrations, with the migration that runs ``UPGRADE`` and fills the index from the rows there.
"""
from sqlalchemy import DDL, event

SENTINEL = "\x1f"  # appended to each indexed value on SQLite; never part of a search
SQLITE_TABLE = "orders_search"
SQLITE_TERMS = "orders_search_terms"
PG_INDEX = "ix_orders_search_bigrams"

_SQLITE_ROW = "{r}.content || char(31), {r}.address || char(31)"
_SQLITE_ADD = f"INSERT INTO {SQLITE_TABLE}(rowid, content, address) VALUES (new.id, {_SQLITE_ROW.format(r='new')});"  # nosec B608  # names are this module's constants; no input
_SQLITE_REMOVE = (f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, content, address) "  # nosec B608  # names are this module's constants; no input
                  f"VALUES ('delete', old.id, {_SQLITE_ROW.format(r='old')});")

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER orders_search_update AFTER UPDATE OF content, address ON orders "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN {_SQLITE_REMOVE} END",
]

# The text's pieces: the pairs at odd positions and those at even ones, each found by one pass of a regular
# expression over the lower-cased text (letter case is ignored; '.' matches any character, line breaks too).
# Pieces may repeat: GIN indexes each key once and "@>" asks only which are there. Only built-ins in the body
# (safe for pg_restore). Taking substr(lower(value), i, 2) for each i instead costs five times as much: each
# call lower-cases the whole text again and walks it from the start (2.5 s against 0.45 s for 20,000 orders).
PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION portal_bigrams(value text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(piece[1]), '{}'::text[]) FROM ("
    "SELECT regexp_matches(lower(value), '..', 'g') AS piece "
    "UNION ALL SELECT regexp_matches(substr(lower(value), 2), '..', 'g')) AS pieces $$"
)

UPGRADE = {
    "sqlite": [
        f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(content, address, content='', columnsize=0, "
        f"tokenize='trigram')",
        f"CREATE VIRTUAL TABLE {SQLITE_TERMS} USING fts5vocab({SQLITE_TABLE}, 'row')",
        *SQLITE_TRIGGERS,
        f"INSERT INTO {SQLITE_TABLE}(rowid, content, address) "  # nosec B608  # names are this module's constants; no input
        f"SELECT id, content || char(31), address || char(31) FROM orders",
    ],
    "postgresql": [
        PG_FUNCTION,
        f"CREATE INDEX {PG_INDEX} ON orders USING gin (portal_bigrams(content || ' ' || address))",
    ],
}

DOWNGRADE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS orders_search_delete",
        "DROP TRIGGER IF EXISTS orders_search_update",
        "DROP TRIGGER IF EXISTS orders_search_insert",
        f"DROP TABLE IF EXISTS {SQLITE_TERMS}",
        f"DROP TABLE IF EXISTS {SQLITE_TABLE}",
    ],
    "postgresql": [
        f"DROP INDEX IF EXISTS {PG_INDEX}",
        "DROP FUNCTION IF EXISTS portal_bigrams(text)",
    ],
}


def attach(orders_table) -> None:
    """Create the search index with the orders table (``create_all``) and drop it before the table."""
    for dialect, statements in UPGRADE.items():
        for statement in statements:
            event.listen(orders_table, "after_create", DDL(_escape(statement)).execute_if(dialect=dialect))
    for dialect, statements in DOWNGRADE.items():
        for statement in statements:
            event.listen(orders_table, "before_drop", DDL(_escape(statement)).execute_if(dialect=dialect))


def _escape(statement: str) -> str:
    """DDL() formats its text with %: a literal % must be doubled."""
    return statement.replace("%", "%%")


def is_search_object(name: str) -> bool:
    """Whether a table or index name belongs to the search index (for schema comparisons, which do not
    know virtual tables and expression indexes)."""
    return name == PG_INDEX or name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_")


def include_in_comparison(name, type_, parent_names) -> bool:
    """Alembic's ``include_name``: schema comparisons (autogenerate, the migrations test) skip the search
    index, which the models do not describe."""
    return not (type_ in ("table", "index") and name and is_search_object(name))
