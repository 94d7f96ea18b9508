"""The inbox and the pool start from their short lists, whatever else the filters name.

A handler's orders over the years run to thousands, the unit's open ones to dozens: the inbox's "mine"
tab must not start from the handler index. The pool holds the orders waiting for dispatch: with a
category and a search string it must not start from every order of the category or every order that
holds the word (the planner's statistics favour those indexes, and at a million orders each costs a
tenth of a second or more). The assisting tab reads the unit's parts on open orders."""
from sqlalchemy import select, text

from portal.extensions import db
from portal.orders import queries
from portal.orders.filters import OrderFilters
from portal.orders.models import Order


def _plan(statement) -> str:
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # tables of a few rows are read whole
        plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
    else:
        plan = "\n".join(r[-1] for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    db.session.rollback()
    return plan


def test_the_mine_tab_does_not_start_from_the_handler_index(district, make_order):
    d = district
    mine = make_order("accepted")
    make_order("closed")
    query = select(Order).where(queries.inbox_clause("mine", d.chengguan.id, [d.handler.id]))
    assert "ix_orders_handler_id" not in _plan(query)
    rows, _ = queries.inbox(d.chengguan.id, "mine", 1, 20, [d.handler.id])
    assert [o.id for o in rows] == [mine.id]


def test_the_pool_with_a_category_and_a_word_reads_the_waiting_orders(district, make_order, category):
    waiting = make_order(content="建设路夜间施工噪音扰民")
    make_order("closed", content="建设路夜间施工噪音扰民")
    make_order(content="幸福里小区停水两天")
    f = OrderFilters(category_id=category.id, q="噪音")
    plan = _plan(queries.pool_query(f, district.dispatcher))
    assert "ix_orders_state_received" in plan, plan
    assert not any(name in plan for name in ("ix_orders_category_received", "orders_search", "bigrams")), plan
    rows, more = queries.pool(f, district.dispatcher, 20)
    assert [o.id for o in rows] == [waiting.id] and not more


def test_the_assisting_tab_reads_the_units_open_parts(district, make_order):
    """The tab starts from the unit's parts on open orders (ix_order_units_unit_open), neither from every
    part the unit had over the years nor from every open order of the district; the parts of orders that
    moved on (replied, closed) are not counted."""
    d = district
    assisted = make_order("dispatched", lead=d.zhujian, assist=[d.chengguan])
    make_order("closed", lead=d.zhujian, assist=[d.chengguan])
    make_order("replied", lead=d.zhujian, assist=[d.chengguan])
    make_order("dispatched", lead=d.zhujian)
    plan = _plan(select(Order.id).where(queries.inbox_clause("assisting", d.chengguan.id)))
    if db.engine.dialect.name == "postgresql":  # with a few rows either index on the unit will do
        assert "ix_order_units_unit_open" in plan or "ix_order_units_unit_order" in plan, plan
        assert "SubPlan" not in plan and "ix_order_units_order_id" not in plan, plan
    else:
        assert "ix_order_units_unit_open" in plan, plan
    assert queries.inbox_counts(d.chengguan.id)["assisting"] == 1
    rows, _ = queries.inbox(d.chengguan.id, "assisting", 1, 20)
    assert [o.id for o in rows] == [assisted.id]


def test_the_inbox_counts_read_the_unit_index_alone(district, make_order):
    """Every column the lead tabs test is in ix_orders_lead_state_due_handler: the counts never read the
    orders themselves (at a million orders that was 2-3 ms of the inbox's 10)."""
    d = district
    make_order("dispatched")
    make_order("accepted")
    statement = queries._counts_statement().params(unit=d.chengguan.id, mine=[d.handler.id], at=queries.now())
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True, "render_postcompile": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
        lead = plan.split("SubPlan")[0]  # the assisting tab's subquery reads order_units
        assert "Index Only Scan using ix_orders_lead_state_due_handler" in lead, plan
    else:
        plan = "\n".join(r[-1] for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "COVERING INDEX ix_orders_lead_state_due_handler" in plan, plan
    db.session.rollback()
    assert queries.inbox_counts(d.chengguan.id, [d.handler.id])["to_sign"] == 1
