"""The order page shows every card the order has something for, and none for what it lacks. The page asks
in the statement that loads the order which cards have anything (repeats, requests, visits, supervisions,
cases, exclusion, deputies' remarks, files, the handler's absence) and skips the others' statements: a wrong
answer would hide a card."""
import re
from datetime import datetime

from portal.attachments import operations as attachments
from portal.orders import operations
from tests.fixtures import attachments as samples

# What each card shows only when the order has something for it (the supervision and consultation cards
# also offer buttons, and the exclusion card a request form, with nothing on the order).
CONTENT_MARKS = ('id="repeats"', "延期申请待审批", "申请回退：", "回访记录", r'href="/supervision/\d+"',
                 r'href="/consultations/\d+"', "data-exclusion-status", 'id="order-deputy-remarks"', "不在岗",
                 r'href="/attachments/\d+')


def page(client, order) -> str:
    response = client.get(f"/orders/{order.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_bare_order_shows_no_card_it_has_nothing_for(district, make_order, login):
    order = make_order("dispatched", caller_phone="13900001111", content="路灯不亮，夜间出行不便。")
    for user in (district.dispatcher, district.handler, district.supervisor):
        html = page(login(user), order)
        assert order.number in html and "办理过程" in html and "办理时限" in html
        assert [mark for mark in CONTENT_MARKS if re.search(mark, html)] == []


def test_pending_extension_supervision_and_case_are_shown(district, make_order, login, open_supervision,
                                                          open_case):
    order = make_order("accepted")
    operations.apply(order.id, "request_extension", district.handler, reason="需协调住建部门共同处置。",
                     requested_due_at=datetime(2026, 12, 31, 17, 0))
    supervision = open_supervision(orders=[order])
    open_case(orders=[order], title="建设路占道经营联合会商")
    for user in (district.dispatcher, district.handler):
        html = page(login(user), order)
        assert "延期申请待审批" in html and "需协调住建部门共同处置。" in html
        assert 'id="order-supervision"' in html and f"#{supervision.id}" in html
        assert "建设路占道经营联合会商" in html


def test_files_are_shown(district, make_order, login):
    order = make_order("accepted")
    (row,) = attachments.attach(district.handler, order.id, [("现场照片.jpg", samples.image("JPEG"))])
    for user in (district.dispatcher, district.handler):
        html = page(login(user), order)
        assert f'href="/attachments/{row.id}"' in html and "现场照片.jpg" in html and "暂无附件" not in html


def test_pending_return_is_shown(district, make_order, login):
    order = make_order("dispatched")
    operations.apply(order.id, "request_return", district.handler, reason="不属于本单位职责，建议派住建局。")
    html = page(login(district.dispatcher), order)
    assert f"{district.chengguan.name}申请回退：不属于本单位职责，建议派住建局。" in html


def test_visits_and_repeats_are_shown(district, make_order, login):
    earlier = make_order("visited")
    order = make_order("dispatched")  # the same caller and words: repeats the earlier one
    html = page(login(district.dispatcher), earlier)
    assert "回访记录" in html and "满意" in html
    html = page(login(district.dispatcher), order)
    assert 'id="repeats"' in html and earlier.number in html


def test_the_exclusion_request_is_shown(district, make_order, login):
    from portal.assessment.operations import request_exclusion

    order = make_order("accepted")
    request_exclusion(order, district.handler, "abuse", "诉求人多次就同一事项恶意重复投诉，已核实。")
    html = page(login(district.dispatcher), order)
    assert 'id="order-exclusion"' in html and "恶意重复投诉" in html
