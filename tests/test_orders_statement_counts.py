"""The everyday pages run a fixed number of statements, however many orders, units and timeline steps they
show: the inbox with every tab's count, the dispatcher's pool with a category and a search string, and the
order page. A lazy relationship read per row, or a count per tab, would make the number grow with the data.

The ceilings are today's numbers: a page that needs one more statement must raise its ceiling here."""
from datetime import datetime

import pytest

from portal.extensions import db
from portal.orders import operations
from tests.fixtures.app import is_postgres
from tests.fixtures.statements import recorded_statements

# PostgreSQL: the inbox and the order page first set their transaction's plans (portal/query_plans.py)
PLANS = 1 if is_postgres() else 0
INBOX_MOST = 5 + PLANS  # user, unit people with A/B and absences, list, handlers (协办 only), counts with the alerts
POOL_MOST = 5  # user, list, roster gaps, categories, units
ORDER_MOST = 8 + PLANS  # user, the order with what it has, timeline, repeats (3), requests, files
ORDER_BARE = 4 + PLANS  # user, the order with its units, handler and what it has, timeline, files


@pytest.fixture
def statements_of(app, client):
    """The number of statements one GET of ``path`` runs (after a first GET: caches a first request fills
    are not the page's). Each GET runs in an app context of its own, so with a session of its own, as on
    the server: nothing the test made is already loaded."""

    def count(path: str) -> int:
        with app.app_context():
            client.get(path)
        with recorded_statements(db.engine) as seen, app.app_context():
            response = client.get(path)
        assert response.status_code == 200, path
        return len(seen)

    return count


def _more_inbox_orders(district, make_order, n: int):
    """Orders of every kind the inbox shows: to sign, signed by different handlers, assisted, urgent."""
    d = district
    for i in range(n):
        make_order("dispatched", urgency="urgent" if i % 2 else "normal", leader_instruction="请尽快办理" if i % 3 else "")
        order = make_order("accepted", assist=[d.zhujian] if i % 2 else [d.street])
        if i % 2:  # signed by the B handler: another handler's row
            order.handler_id = d.handler_b.id
            db.session.commit()
        make_order("dispatched", lead=d.zhujian if i % 2 else d.street, assist=[d.chengguan])  # 协办, other units


def test_inbox_statements_stay_the_same_with_more_orders(district, make_order, login, statements_of):
    client = login(district.handler)
    _more_inbox_orders(district, make_order, 1)
    few = {tab: statements_of(f"/orders/inbox?tab={tab}") for tab in ("mine", "to_sign", "assisting")}
    _more_inbox_orders(district, make_order, 6)
    many = {tab: statements_of(f"/orders/inbox?tab={tab}") for tab in ("mine", "to_sign", "assisting")}
    assert "承办人" in client.get("/orders/inbox?tab=to_sign").get_data(as_text=True)
    assert many == few
    assert max(many.values()) <= INBOX_MOST


def test_pool_statements_stay_the_same_with_more_orders(district, make_order, category, login, statements_of):
    login(district.dispatcher)
    make_order(content="建设路夜间施工噪音扰民")
    path = f"/orders/pool?category={category.id}&q=噪音"
    few = statements_of(path)
    for i in range(12):
        make_order(content=f"第{i}户反映夜间施工噪音扰民", urgency="critical" if i % 3 else "normal",
                   leader_instruction="请重点关注" if i % 2 else "")
    many = statements_of(path)
    assert many == few <= POOL_MOST
    assert statements_of("/orders/pool") <= POOL_MOST


def test_order_page_statements_stay_the_same_with_more_steps_and_repeats(district, make_order, make_unit, make_user,
                                                                         login, statements_of):
    d = district
    night_shift = [make_user("dispatcher", make_unit(f"热线办夜班{i}", kind="office")) for i in (1, 2)]
    make_order("closed")
    plain = make_order("accepted")  # repeats one earlier order (same caller, same words)
    operations.apply(plain.id, "request_extension", d.handler, reason="需协调多个部门联合处置。",
                     requested_due_at=datetime(2026, 12, 31, 17, 0))
    operations.apply(plain.id, "reject_extension", d.dispatcher, note="理由不充分。")
    make_order("visited")
    make_order("dispatched")
    busy = make_order("accepted", assist=[d.zhujian, d.street])  # repeats four
    operations.apply(busy.id, "first_feedback", d.handler, note="已电话联系市民，明日上午到现场核实。")
    operations.apply(busy.id, "contribute", d.other_handler, note="住建局已督促物业公司限期整改。")
    operations.apply(busy.id, "contribute", d.street_handler, note="街道已安排网格员现场巡查。")
    for dispatcher in night_shift:  # steps by people of units the order is not on
        operations.apply(busy.id, "request_extension", d.handler, reason="需协调多个部门联合处置。",
                         requested_due_at=datetime(2026, 12, 31, 17, 0))
        operations.apply(busy.id, "reject_extension", dispatcher, note="理由不充分。")
    client = login(d.handler)
    few = statements_of(f"/orders/{plain.id}")
    many = statements_of(f"/orders/{busy.id}")
    page = client.get(f"/orders/{busy.id}").get_data(as_text=True)
    assert "区住建局" in page and "热线办夜班2" in page  # the steps with their people's units
    assert "4件相关的历史工单" in page
    assert many == few <= ORDER_MOST


def test_order_page_asks_nothing_for_cards_with_nothing_to_show(district, make_order, login, statements_of):
    """An order with no repeat, request, visit, supervision, case, exclusion or deputy's remark, its
    handler at work: the cards learn it from the statement that loads the order."""
    order = make_order("accepted", caller_phone="13900001111", content="路灯不亮，夜间出行不便。")
    login(district.handler)
    assert statements_of(f"/orders/{order.id}") <= ORDER_BARE
