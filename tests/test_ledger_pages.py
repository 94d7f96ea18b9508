"""The ledger's pages role by role: the list with its filters and paging, the entry page, and notes,
cancelling and reopening in place with htmx."""
from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.ledger import operations
from portal.ledger.models import LedgerEntry
from tests.fixtures.app import FIXED_NOW

HX = {"HX-Request": "true"}
TODAY = FIXED_NOW.date()
READERS = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler"]


@pytest.fixture
def ledger(district, make_order, make_entry):
    """Three entries: 区城管局's open one (linked to an order), its overdue one, and 区住建局's cancelled one."""
    order = make_order("accepted", content="建设路夜市油烟扰民，晚上十点后仍在营业。")
    entries = {
        "open": make_entry(title="建设路夜市油烟扰民", orders=[order]),
        "overdue": make_entry(title="东关菜市场占道经营", target=TODAY, description="早市摊贩占用人行道。",
                              at=FIXED_NOW - timedelta(days=20)),
        "cancelled": make_entry(title="幸福小区二次供水水压不足", unit=district.zhujian, leader=district.leader,
                                description="高层住户水压不足，夏季尤甚。"),
    }
    operations.cancel(district.supervisor, entries["cancelled"], "加压泵站已改造，回访满意。")
    # the overdue entry's target date has passed: move the clock on a day instead of back-dating the record
    entries["overdue"].target_date = TODAY - timedelta(days=1)
    db.session.commit()
    entries["order"] = order
    return entries


def _titles(body: str) -> set[str]:
    return {t for t in ("建设路夜市油烟扰民", "东关菜市场占道经营", "幸福小区二次供水水压不足") if t in body}


@pytest.mark.parametrize("role, expected", [
    ("supervisor", 3), ("leader", 3), ("dispatcher", 3), ("admin", 3),
    ("handler", 2), ("unit_leader", 2), ("other_handler", 1), ("street_handler", 0),
])
def test_list_shows_what_each_role_may_read(district, ledger, login, role, expected):
    response = login(district.people[role]).get("/ledger/")
    assert response.status_code == 200
    assert len(_titles(response.get_data(as_text=True))) == expected


def test_deputy_has_no_ledger(district, ledger, login):
    client = login(district.deputy)
    assert client.get("/ledger/").status_code == 403
    assert client.get("/ledger/export.xlsx").status_code == 403
    assert client.get(f"/ledger/{ledger['open'].id}").status_code == 404


def test_anonymous_is_sent_to_log_in(client, ledger):
    for url in ("/ledger/", f"/ledger/{ledger['open'].id}", "/ledger/export.pdf", "/ledger/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("query, titles", [
    ("state=open", {"建设路夜市油烟扰民", "东关菜市场占道经营"}),
    ("state=overdue", {"东关菜市场占道经营"}),
    ("state=cancelled", {"幸福小区二次供水水压不足"}),
    ("q=菜市场", {"东关菜市场占道经营"}),
    ("q=油烟", {"建设路夜市油烟扰民"}),
    ("q=人行道", {"东关菜市场占道经营"}),  # the description too
    ("start=2026-11-20", {"建设路夜市油烟扰民", "幸福小区二次供水水压不足"}),
    ("end=2026-11-10", {"东关菜市场占道经营"}),
    ("start=bad", {"建设路夜市油烟扰民", "东关菜市场占道经营", "幸福小区二次供水水压不足"}),
])
def test_filters(district, ledger, login, query, titles):
    body = login(district.supervisor).get(f"/ledger/?{query}").get_data(as_text=True)
    assert _titles(body) == titles


def test_filter_by_unit_and_leader(district, ledger, login):
    client = login(district.supervisor)
    assert _titles(client.get(f"/ledger/?unit={district.zhujian.id}").get_data(as_text=True)) == {"幸福小区二次供水水压不足"}
    assert _titles(client.get(f"/ledger/?leader={district.unit_leader.id}").get_data(as_text=True)) == {
        "建设路夜市油烟扰民", "东关菜市场占道经营"}
    # a unit's user filtering on another unit still sees nothing of it
    body = login(district.handler).get(f"/ledger/?unit={district.zhujian.id}").get_data(as_text=True)
    assert _titles(body) == set()


def test_htmx_filter_returns_the_list_fragment(district, ledger, login):
    response = login(district.supervisor).get("/ledger/?state=overdue", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "东关菜市场占道经营" in body
    assert "HX-Request" in response.headers["Vary"]
    assert "/ledger/export.xlsx?state=overdue" in body  # the exports follow the filters


def test_paging(app, district, make_entry, login):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        make_entry(title=f"分页事项{n}", target=TODAY + timedelta(days=n))
    client = login(district.supervisor)
    first = client.get("/ledger/").get_data(as_text=True)
    third = client.get("/ledger/?page=3").get_data(as_text=True)
    assert "分页事项0" in first and "分页事项1" in first and "分页事项2" not in first and "下一页" in first
    assert "分页事项4" in third and "分页事项0" not in third


def test_entry_page_shows_the_history_and_orders(district, ledger, login):
    entry = ledger["open"]
    operations.add_note(district.handler, entry, "已约谈夜市经营者，限期整改。")
    body = login(district.leader).get(f"/ledger/{entry.id}").get_data(as_text=True)
    assert "台帐〔2026〕第001号" in body and "已约谈夜市经营者" in body and ledger["order"].number in body
    assert "挂号" in body and "填报进展" not in body and "销号说明" not in body  # the leader only reads


def test_unit_cannot_open_another_units_entry(district, ledger, login):
    client = login(district.other_handler)
    for url in (f"/ledger/{ledger['open'].id}", f"/ledger/{ledger['overdue'].id}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/ledger/{ledger['open'].id}/notes", data={"note": "不是我单位的事项。"}).status_code == 404
    db.session.refresh(ledger["open"])
    assert ledger["open"].notes == []


def test_linked_orders_of_other_units_are_not_shown(district, make_order, make_entry, login):
    theirs = make_order("accepted", lead=district.zhujian, content="住建局工单：楼道墙皮脱落。")
    mine = make_order("accepted")
    entry = make_entry(orders=[theirs, mine])
    body = login(district.handler).get(f"/ledger/{entry.id}").get_data(as_text=True)
    assert mine.number in body and theirs.number not in body and "另有 1 件工单" in body


def test_owner_unit_adds_a_note_with_htmx(district, ledger, login):
    entry = ledger["open"]
    response = login(district.handler).post(f"/ledger/{entry.id}/notes", headers=HX,
                                            data={"note": "已安装油烟净化器12台。"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "已添加进展" in body and "已安装油烟净化器12台。" in body
    db.session.refresh(entry)
    assert entry.latest_note.actor.id == district.handler.id


def test_refused_note_keeps_the_text_and_says_why(district, ledger, login):
    entry = ledger["open"]
    response = login(district.handler).post(f"/ledger/{entry.id}/notes", headers=HX, data={"note": "好"})
    assert response.status_code == 422 and "至少4个字" in response.get_data(as_text=True)


def test_supervisor_cancels_and_reopens_in_place(district, ledger, login):
    entry = ledger["open"]
    client = login(district.supervisor)
    response = client.post(f"/ledger/{entry.id}/cancel", headers=HX, data={"note": "夜市已整体迁入室内市场。"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已销号" in body and "恢复在办的原因" in body
    db.session.refresh(entry)
    assert entry.state == "cancelled" and entry.cancelled_by.id == district.supervisor.id
    missing = client.post(f"/ledger/{entry.id}/reopen", headers=HX, data={"reason": ""})
    assert missing.status_code == 422 and "恢复在办的原因" in missing.get_data(as_text=True)
    response = client.post(f"/ledger/{entry.id}/reopen", data={"reason": "群众再次反映油烟反弹。"})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.state == "open"


@pytest.mark.parametrize("role", ["unit_leader", "handler", "leader", "dispatcher", "admin"])
def test_only_supervisors_cancel_through_the_page(district, ledger, login, role):
    entry = ledger["open"]
    response = login(district.people[role]).post(f"/ledger/{entry.id}/cancel", headers=HX,
                                                 data={"note": "问题已经解决了。"})
    assert response.status_code == 422 and "只有督查人员可以销号" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.state == "open"


def test_register_through_the_form(district, make_order, login):
    order = make_order("accepted")
    client = login(district.supervisor)
    form = client.get(f"/ledger/new?order={order.number}").get_data(as_text=True)
    assert order.number in form
    response = client.post("/ledger/new", data={
        "title": "夜市油烟", "description": "反复投诉", "owner_unit_id": district.chengguan.id,
        "leader_id": district.unit_leader.id, "target_date": "2026-12-20", "order_numbers": order.number})
    assert response.status_code == 302
    entry = db.session.scalar(db.select(LedgerEntry))
    assert response.headers["Location"].endswith(f"/ledger/{entry.id}")
    assert entry.target_date == date(2026, 12, 20) and entry.orders[0].id == order.id


def test_register_form_refusal_keeps_what_was_typed(district, login):
    response = login(district.supervisor).post("/ledger/new", data={
        "title": "没有单位的事项", "leader_id": district.leader.id, "target_date": "2026-12-20"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择责任单位" in body and "没有单位的事项" in body
    assert db.session.scalar(db.select(LedgerEntry)) is None


@pytest.mark.parametrize("role", ["dispatcher", "leader", "admin", "handler", "unit_leader", "deputy"])
def test_only_supervisors_open_the_form(district, login, role):
    client = login(district.people[role])
    assert client.get("/ledger/new").status_code == 403
    assert client.post("/ledger/new", data={"title": "x"}).status_code == 403


def test_register_from_a_supervision_page(district, make_order, login):
    from portal.supervision.operations import open_supervisions

    order = make_order("accepted")
    [supervision] = open_supervisions(district.supervisor, [order.id], step="supervision", level="system",
                                      reason="unsatisfied", requirements="请于三个工作日内反馈整改情况。",
                                      answer_due=TODAY + timedelta(days=3))
    url = f"/ledger/from-supervision/{supervision.id}"
    assert login(district.unit_leader).get(url).status_code == 403
    client = login(district.supervisor)
    form = client.get(url).get_data(as_text=True)
    assert "督办事项挂号" in form and order.number in form and "请于三个工作日内反馈整改情况" in form
    response = client.post(url, data={"title": "夜市油烟督办事项", "leader_id": district.unit_leader.id,
                                      "target_date": "2026-12-01"})
    assert response.status_code == 302
    entry = db.session.scalar(db.select(LedgerEntry))
    assert entry.supervision_id == supervision.id and entry.orders[0].id == order.id
    page = client.get(f"/ledger/{entry.id}").get_data(as_text=True)
    assert "来源督办" in page
    # a second visit goes to the entry already registered
    assert client.get(url).headers["Location"].endswith(f"/ledger/{entry.id}")
    assert client.get("/ledger/from-supervision/999999").status_code == 404
