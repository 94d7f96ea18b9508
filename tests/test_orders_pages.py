"""The order pages as their users see them: lists, filters, the order page, actions in place."""
import pytest

from portal.extensions import db
from portal.orders.models import Order

HX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def test_pool_lists_orders_to_dispatch_oldest_first(district, make_order, login):
    first = make_order(content="第一张：夜间施工噪音扰民，请尽快处理。")
    second = make_order(content="第二张：路灯不亮，晚上行走不便。")
    make_order("dispatched", content="已派发的不应出现在派单池。")
    page = text(login(district.dispatcher).get("/orders/pool"))
    assert first.number in page and second.number in page
    assert page.index(first.number) < page.index(second.number)
    assert "已派发的不应出现在派单池" not in page


def test_dispatch_inline_from_pool_returns_the_row(district, make_order, login):
    order = make_order()
    client = login(district.dispatcher)
    form = client.get(f"/orders/{order.id}/form/dispatch?view=pool", headers=HX)
    assert form.status_code == 200 and "<html" not in text(form) and "区住建局" in text(form)
    response = client.post(f"/orders/{order.id}/act/dispatch", headers=HX, data={
        "view": "pool", "version": order.version, "lead_unit_id": district.zhujian.id,
        "assist_unit_ids": [district.chengguan.id]})
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith("<tr") and "区住建局" in body and "待签收" in body
    assert "HX-Request" in response.headers.get("Vary", "")
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "dispatched"


def test_full_page_without_htmx_and_history_restore(district, make_order, login):
    order = make_order()
    client = login(district.dispatcher)
    assert "<html" in text(client.get(f"/orders/{order.id}"))
    assert "<html" not in text(client.get(f"/orders/{order.id}", headers=HX))
    restore = client.get(f"/orders/{order.id}", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_inbox_tabs_count_and_sign_in_place(district, make_order, login):
    order = make_order("dispatched")
    make_order("accepted")
    client = login(district.handler)
    page = text(client.get("/orders/inbox?tab=to_sign"))
    assert order.number in page and "待签收" in page
    response = client.post(f"/orders/{order.id}/act/sign_for", headers=HX,
                           data={"view": "inbox", "version": order.version})
    assert response.status_code == 200 and "办理中" in text(response) and "已签收" in text(response)
    in_progress = text(client.get("/orders/inbox?tab=in_progress", headers=HX))
    assert order.number in in_progress


def test_reply_on_order_page_updates_panel_and_timeline(district, make_order, login):
    order = make_order("accepted")
    client = login(district.handler)
    response = client.post(f"/orders/{order.id}/act/reply", headers=HX, data={
        "view": "page", "version": order.version, "reply": "已到现场核查，摊点已清理，已电话告知市民。"})
    body = text(response)
    assert response.status_code == 200 and "待审核" in body and "已到现场核查" in body
    assert "办理答复" in body  # the new event in the timeline


def test_refused_action_keeps_typed_text_and_changes_nothing(district, make_order, login):
    order = make_order("accepted")
    client = login(district.handler)
    response = client.post(f"/orders/{order.id}/act/reply", headers=HX,
                           data={"view": "page", "version": order.version, "reply": "太短"})
    assert response.status_code == 422
    assert "答复内容过于简单" in text(response) and "太短" in text(response)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "accepted"


def test_stale_version_is_a_conflict_and_keeps_typed_text(district, make_order, login):
    order = make_order("accepted")
    stale = order.version
    client = login(district.handler)
    client.post(f"/orders/{order.id}/act/first_feedback", headers=HX,
                data={"view": "page", "version": stale, "note": "已联系市民，明日上午到现场。"})
    response = client.post(f"/orders/{order.id}/act/reply", headers=HX, data={
        "view": "page", "version": stale, "reply": "这是我写了很久的一段答复内容，不能丢。"})
    assert response.status_code == 409
    assert "已被他人更新" in text(response) and "这是我写了很久的一段答复内容" in text(response)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "accepted"


@pytest.mark.parametrize("query", ["state=dispatched", "urgency=urgent", "q=路灯", "deadline=overdue",
                                   "start=2026-11-24&end=2026-11-24"])
def test_search_filters(district, make_order, login, query):
    match = {
        "state=dispatched": make_order("dispatched"),
        "urgency=urgent": make_order(urgency="urgent"),
        "q=路灯": make_order(content="小区路灯坏了一个月无人修理。"),
        "deadline=overdue": None,
        "start=2026-11-24&end=2026-11-24": make_order(),
    }[query]
    other = make_order(received_at=__import__("datetime").datetime(2026, 10, 8, 9, 0), content="其他诉求内容示例。")
    page = text(login(district.dispatcher).get(f"/orders/?{query}", headers=HX))
    if match is not None:
        assert match.number in page
    assert other.number not in page


def test_overdue_filter_finds_late_orders(app, district, make_order, login):
    order = make_order("dispatched")
    app.config["FIXED_NOW"] = order.sign_due_at.replace(year=order.sign_due_at.year + 1)
    page = text(login(district.dispatcher).get("/orders/?deadline=overdue", headers=HX))
    assert order.number in page and "已超期" in page


def test_bad_filter_values_are_reported_not_fatal(district, login):
    response = login(district.dispatcher).get("/orders/?start=yesterday&page=x&state=nonsense")
    assert response.status_code == 200 and "开始日期格式不正确" in text(response)


def test_paging_without_counting(app, district, make_order, login):
    app.config["PAGE_SIZE"] = 2
    orders = [make_order() for _ in range(3)]
    client = login(district.dispatcher)
    first = text(client.get("/orders/"))
    assert "下一页" in first and orders[0].number not in first
    second = text(client.get("/orders/?page=2"))
    assert orders[0].number in second


def test_take_in_form(district, category, login):
    client = login(district.dispatcher)
    response = client.post("/orders/new", data={
        "number": "SX20261124001", "channel": "phone", "type": "help", "urgency": "normal",
        "category_id": category.id, "caller_name": "李四", "caller_phone": "13900001111",
        "address": "城关街道建设路1号", "content": "家门口下水道堵塞，污水外溢。"})
    assert response.status_code == 302
    order = db.session.scalar(db.select(Order).where(Order.number == "SX20261124001"))
    assert order.state == "received" and order.events[0].action == "take_in"
    again = client.post("/orders/new", data={"number": "SX20261124001", "channel": "phone", "type": "help",
                                             "urgency": "normal", "caller_name": "李四", "caller_phone": "1",
                                             "address": "x", "content": "重复编号的工单内容"})
    assert again.status_code == 422 and "已存在" in text(again) and "重复编号的工单内容" in text(again)


def test_html_in_content_stays_inert(district, make_order, login):
    order = make_order(content="<script>alert('x')</script> 楼道堆物")
    page = text(login(district.dispatcher).get(f"/orders/{order.id}"))
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_action_form_for_the_order_page_opens_that_action(district, make_order, login):
    order = make_order("accepted")
    response = login(district.handler).get(f"/orders/{order.id}/form/reply?view=page", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="act-reply" class="accordion-collapse collapse show"' in body
