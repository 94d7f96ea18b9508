"""The roster pages and the marks A/B roles leave on the other pages, role by role."""
from datetime import datetime

from portal.extensions import db
from portal.orders import operations
from portal.roster.operations import record_absence
from portal.roster.queries import holders

HX = {"HX-Request": "true"}


def body(response):
    return response.get_data(as_text=True)


def test_roster_overview_for_admin_and_dispatcher_only(district, login, client):
    assert client.get("/roster/").status_code == 302  # anonymous: to log-in
    for role in ("admin", "dispatcher"):
        page = body(login(district.people[role]).get("/roster/"))
        assert "AB角未配齐" in page or "未配齐" in page
    for role in ("supervisor", "leader", "deputy"):
        assert login(district.people[role]).get("/roster/").status_code == 403
    response = login(district.handler).get("/roster/")
    assert response.status_code == 302 and f"/roster/unit/{district.chengguan.id}" in response.headers["Location"]


def test_unit_page_visible_to_own_unit_and_office(district, login):
    url = f"/roster/unit/{district.chengguan.id}"
    for role in ("admin", "dispatcher", "handler", "unit_leader"):
        assert login(district.people[role]).get(url).status_code == 200, role
    for role in ("other_handler", "supervisor", "deputy"):
        assert login(district.people[role]).get(url).status_code == 404, role


def test_unit_leader_sets_a_and_b_on_the_page(district, login):
    client = login(district.unit_leader)
    url = f"/roster/unit/{district.chengguan.id}/slot"
    assert "设为A角" in body(client.get(f"/roster/unit/{district.chengguan.id}"))
    client.post(url, data={"slot": "A", "user_id": district.handler.id})
    response = client.post(url, data={"slot": "B", "user_id": district.handler_b.id})
    assert response.status_code == 200 and "已设置B角" in body(response)
    current = holders(district.chengguan.id)
    assert (current["A"].id, current["B"].id) == (district.handler.id, district.handler_b.id)
    refused = client.post(url, data={"slot": "B", "user_id": district.handler.id})
    assert refused.status_code == 422 and "两个不同" in body(refused)


def test_handlers_cannot_change_the_roster(district, login):
    client = login(district.handler)
    page = body(client.get(f"/roster/unit/{district.chengguan.id}"))
    assert "设为A角" not in page and "办理交接" not in page
    response = client.post(f"/roster/unit/{district.chengguan.id}/slot", data={"slot": "A", "user_id": district.handler.id})
    assert response.status_code == 422 and "负责人" in body(response)
    assert holders(district.chengguan.id)["A"] is None
    assert client.post(f"/roster/unit/{district.chengguan.id}/leave",
                       data={"user_id": district.handler_b.id}).status_code == 403
    other_unit = client.post(f"/roster/unit/{district.zhujian.id}/slot", data={"slot": "A", "user_id": district.other_handler.id})
    assert other_unit.status_code == 404


def test_handler_records_own_absence_on_the_page(roster, login):
    client = login(roster.handler)
    response = client.post(f"/roster/unit/{roster.chengguan.id}/absence", data={
        "user_id": roster.handler.id, "kind": "trip", "start_at": "2026-11-24T08:00", "end_at": "2026-11-26T18:00"})
    assert response.status_code == 200 and "已登记" in body(response) and "外出中" in body(response)
    bad = client.post(f"/roster/unit/{roster.chengguan.id}/absence", data={
        "user_id": roster.handler.id, "kind": "trip", "start_at": "下周", "end_at": ""})
    assert bad.status_code == 422 and "开始和结束时间" in body(bad)


def test_incomplete_roster_flagged_for_admin_and_dispatcher(district, make_order, login):
    units_page = body(login(district.admin).get("/units/"))
    assert "AB角未配齐" in units_page
    client = login(district.dispatcher)
    order = make_order()
    assert "AB角未配齐" in body(client.get("/orders/pool"))
    form = body(client.get(f"/orders/{order.id}/form/dispatch?view=pool", headers=HX))
    assert "区城管局（AB角未配齐）" in form


def test_complete_roster_not_flagged(roster, make_order, login):
    order = make_order()
    form = body(login(roster.dispatcher).get(f"/orders/{order.id}/form/dispatch?view=pool", headers=HX))
    assert "区城管局（AB角未配齐）" not in form and "区城管局" in form


def test_acting_mark_in_b_inbox_and_on_the_order(roster, make_order, login):
    d = roster
    order = make_order("dispatched")
    assert order.handler_id == d.handler.id
    record_absence(d.handler, "leave", datetime(2026, 11, 24, 0), datetime(2026, 11, 27, 0), d.handler)
    client = login(d.handler_b)
    inbox = body(client.get("/orders/inbox"))  # "mine" is the default tab
    assert order.number in inbox and f"{d.handler_b.name}代办" in inbox
    page = body(client.get(f"/orders/{order.id}"))
    assert "不在岗" in page and f"{d.handler_b.name}代办" in page


def test_leader_sees_the_units_load(roster, make_order, login, app):
    d = roster
    make_order("dispatched")
    late = make_order("accepted")
    app.config["FIXED_NOW"] = late.reply_due_at.replace(year=2027)
    page = body(login(d.unit_leader).get(f"/roster/unit/{d.chengguan.id}"))
    assert "人员工作量" in page
    row = page[page.index("人员工作量"):]
    start = row.index(d.handler.name)
    row = row[start:row.index("</tr>", start)]
    assert ">2<" in row.replace(" ", "")  # two open orders
    assert "text-bg-danger" in row  # overdue ones in red


def test_leave_with_handover_on_the_page(roster, make_order, login):
    d = roster
    order = make_order("accepted")
    response = login(d.unit_leader).post(f"/roster/unit/{d.chengguan.id}/leave", data={
        "user_id": d.handler.id, "successor_id": d.handler_b.id, "to_unit_id": ""})
    assert response.status_code == 200 and f"已移交{d.handler_b.name}" in body(response)
    db.session.refresh(order)
    assert order.handler_id == d.handler_b.id


def test_admin_deactivation_refused_with_the_open_orders(district, make_order, login):
    order = make_order("accepted")  # signed by cg_a; no roster, so no automatic successor
    operations.apply(order.id, "first_feedback", district.handler, note="已联系市民，明日到现场。")
    response = login(district.admin).post(f"/units/users/{district.handler.id}/deactivate")
    assert response.status_code == 422 and order.number in body(response)
    db.session.refresh(district.handler)
    assert district.handler.active
