"""PostgreSQL plans: kept from one request to the next, and made once on the pages marked here.

psycopg prepares a statement on a connection once it has run five times there, and from then on the
server neither parses it nor, with a generic plan, plans it again. Two things stood in the way:

* psycopg drops every prepared statement of a connection at each ROLLBACK, and a request's transaction
  ended with one, even after reading only. A request whose transaction ran nothing but SELECT (SHOW,
  SET LOCAL) now ends it with COMMIT (``end_reads_with_commit``), which for such a transaction is the
  same thing; any other statement, changes left in the session, or an error, and it is rolled back as
  before. So a connection keeps its prepared statements across the requests it serves.
* Every connection plans each statement for its values (``plan_cache_mode = force_custom_plan``, set in
  ``setup._postgres_plans``): a lookup such as "these 500 phones within 30 days" needs its values to
  find the phone index. On the pages everyone opens all day that planning is most of the server's work:
  the order page's statement of the order with its units, handler and category takes 1.2 ms of planning
  for 0.1 ms of execution. A view marked ``@generic_plans`` runs its transaction with
  ``force_generic_plan`` (``SET LOCAL``, before the user is loaded): each prepared statement is planned
  once per connection, without its values. Mark only pages whose statements look rows up by key, the
  same plan being right for every value (an order by id, a unit's open orders, a user by id), never a
  search or a range chosen by the user. The setting ends with the transaction.

Measured on the million-order benchmark database, the server's time for the statements of one request:
inbox 2.2 ms planned per value, 1.1 ms with kept generic plans; order page 1.9 ms and 0.5 ms.

A migration that changes a column's type makes the kept statements that read it fail once per connection
("cached plan must not change result type"): restart the web workers after migrating (a deployment does).
SQLite: nothing here applies.
"""
import re

from flask import current_app, g, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from .extensions import db

MARK = "generic_plans"
SET_GENERIC = text("SET LOCAL plan_cache_mode = force_generic_plan")
_READING = re.compile(r"\s*(SELECT|SHOW|SET LOCAL)\b", re.IGNORECASE)
_WROTE = "sql_wrote"


def generic_plans(view):
    """Mark a view (under ``@bp.route``) whose statements are planned once, without their values."""
    setattr(view, MARK, True)
    return view


def plan_marked_views_once() -> None:
    """Before each request: the marked views' transaction uses generic plans (PostgreSQL)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, MARK, False) and db.engine.dialect.name == "postgresql":
        db.session.execute(SET_GENERIC)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    """Note in the request's ``g`` any statement that is not a plain read."""
    if not _READING.match(statement):
        note_write()


def note_write() -> None:
    """Note that this request wrote. Statements sent through SQLAlchemy are noted by themselves; writing
    that goes to the driver directly (a COPY) must call this, or a request that left it uncommitted
    would have it committed."""
    if g:
        g.setdefault(_WROTE, True)


def end_reads_with_commit(error) -> None:
    """After each request: COMMIT a PostgreSQL transaction that only read, so that psycopg keeps the
    connection's prepared statements (Flask-SQLAlchemy's ROLLBACK comes next and finds nothing open)."""
    if (error is not None or g.get(_WROTE) or not db.session.registry.has()  # has: this request used one
            or db.engine.dialect.name != "postgresql"):
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except Exception:  # nosec B110  # a transaction that cannot commit is rolled back by the teardown that follows
        pass
