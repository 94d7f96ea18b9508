"""PostgreSQL plans (portal/query_plans.py): a request that only read ends with COMMIT, so the connection
keeps its prepared statements; one that changed anything is rolled back as before, on both databases; the
marked pages plan once (generic plans) and the rest per value, and the setting ends with the request."""
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.orders.models import Order, OrderEvent
from tests.fixtures.app import FIXED_NOW, is_postgres

postgres_only = pytest.mark.skipif(not is_postgres(),
                                   reason="prepared statements and plan settings are PostgreSQL's; its leg runs it")


def _prepared_on_pooled_connection() -> int:
    """Statements prepared on the pool's connection (the only one: each test empties the pool first)."""
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


@postgres_only
def test_pages_that_only_read_leave_the_connection_its_prepared_statements(app, district, make_order, login):
    make_order("dispatched")
    client = login(district.handler)
    with app.app_context():
        db.engine.dispose()  # one connection from here on, serving each request in turn
    for _ in range(7):  # psycopg prepares a statement on its sixth run on a connection
        with app.app_context():
            assert client.get("/orders/inbox").status_code == 200
    with app.app_context():
        assert _prepared_on_pooled_connection() >= 3  # the user, the unit's people, the rows, the counts


def _route_that_leaves(app, name: str, change) -> None:
    """A GET view that makes ``change`` and returns without committing."""

    def view():
        change()
        return "done"

    app.add_url_rule(f"/test-leaves/{name}", name, view)


def _dirty():
    db.session.get(Order, 1).content = "未提交的修改（对象已改）"


def _flushed():
    db.session.get(Order, 1).content = "未提交的修改（已写入事务）"
    db.session.flush()


def _raw_update():
    db.session.execute(text("UPDATE orders SET content = '未提交的修改（语句）' WHERE id = 1"))


def _copied_in():
    """Rows written past SQLAlchemy's statements (PostgreSQL: COPY), as an import chunk's events are."""
    from portal.orders.operations import _insert_rows

    _insert_rows(OrderEvent.__table__, [{"order_id": 1, "at": FIXED_NOW, "action": "take_in",
                                         "to_state": "received", "note": "未提交的修改（COPY）"}])


@pytest.mark.parametrize("change", [_dirty, _flushed, _raw_update, _copied_in],
                         ids=["dirty", "flushed", "statement", "copy"])
def test_a_request_that_changed_something_without_committing_is_rolled_back(app, district, make_order, change):
    order = make_order()
    assert order.id == 1
    before = (order.content, len(order.events))
    _route_that_leaves(app, change.__name__, change)
    with app.app_context():
        assert app.test_client().get(f"/test-leaves/{change.__name__}").status_code == 200
    with Session(db.engine) as fresh:
        kept = fresh.get(Order, 1)
        assert (kept.content, len(kept.events)) == before


@postgres_only
def test_the_marked_pages_plan_once_and_the_others_per_value(app, district, make_order, category, login):
    make_order("dispatched")
    order = make_order("accepted")
    modes: list[tuple[str, str]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            with cursor.connection.cursor() as own:
                own.execute("SHOW plan_cache_mode")
                modes.append((statement.split()[-1], own.fetchone()[0]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        handler = login(district.handler)
        for path in ("/orders/inbox", f"/orders/{order.id}"):
            modes.clear()
            with app.app_context():
                assert handler.get(path).status_code == 200
            assert modes and {mode for _, mode in modes} == {"force_generic_plan"}, path
        login(district.dispatcher)
        modes.clear()
        with app.app_context():
            assert handler.get(f"/orders/pool?category={category.id}&q=占道").status_code == 200
        assert modes and {mode for _, mode in modes} == {"force_custom_plan"}
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with app.app_context(), db.engine.connect() as conn:  # the connection went back planning per value
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
