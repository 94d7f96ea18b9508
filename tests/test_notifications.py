"""Notifications as their users see them: the navbar bell, the list, marking read, and who sees what."""
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.operations import notify
from tests.fixtures.app import FIXED_NOW

HX = {"HX-Request": "true"}
ROLES = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler", "deputy"]


def text(response):
    return response.get_data(as_text=True)


def badge(client):
    return client.get("/notifications/badge", headers=HX)


def count_shown(response) -> str | None:
    """The number in the bell's red badge, or None when there is none."""
    body = text(response)
    if "bg-danger" not in body:
        return None
    return body.split("bg-danger\">", 1)[1].split("<", 1)[0]


def test_notify_shows_in_the_badge(district, login):
    notify(district.handler.id, "new_order", "新工单待签收：SX2026000001")
    notify(district.handler.id, "sent_back", "答复被退回：SX2026000002。请补充现场照片")
    db.session.commit()
    client = login(district.handler)
    response = badge(client)
    assert response.status_code == 200 and "<html" not in text(response)
    assert "bi-bell" in text(response) and 'href="/notifications/"' in text(response)
    assert count_shown(response) == "2"
    assert "HX-Request" in response.headers.get("Vary", "")
    assert count_shown(badge(login(district.other_handler))) is None


def test_badge_outside_htmx_goes_to_the_list(district, login):
    response = login(district.handler).get("/notifications/badge")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications/")


def test_badge_is_one_count_query(app, district, login):
    notify(district.handler.id, "new_order", "新工单待签收：SX2026000001")
    db.session.commit()
    client = login(district.handler)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert count_shown(badge(client)) == "1"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    on_notifications = [s for s in statements if "notifications" in s]
    assert len(on_notifications) == 1 and "count(" in on_notifications[0].lower()


def test_pages_load_the_badge_for_logged_in_users_only(district, login, client):
    assert "/notifications/badge" not in text(client.get("/login"))
    page = text(login(district.handler).get("/orders/inbox"))
    assert 'hx-get="/notifications/badge"' in page and "notifications-changed from:body" in page


def test_dedupe_key_notifies_once(district, login):
    key = "due_soon:1:2:202611241700"
    first = notify(district.handler.id, "due_soon", "工单SX2026000001即将到期", dedupe_key=key)
    assert first is not None
    assert notify(district.handler.id, "due_soon", "工单SX2026000001即将到期", dedupe_key=key) is None  # pending
    db.session.commit()
    for _ in range(3):  # a scheduled check that runs again and again
        assert notify(district.handler.id, "due_soon", "工单SX2026000001即将到期", dedupe_key=key) is None
        db.session.commit()
    assert count_shown(badge(login(district.handler))) == "1"


def test_notify_leaves_the_commit_to_its_caller(district):
    notify(district.handler.id, "new_order", "新工单待签收：SX2026000001")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_notify_refuses_an_unknown_kind(district):
    with pytest.raises(ValueError):
        notify(district.handler.id, "gossip", "不是一种通知")


def test_list_shows_only_ones_own_newest_first(district, make_order, login):
    order = make_order()
    notify(district.handler.id, "new_order", "较早的一条：新工单待签收", order_id=order.id, at=FIXED_NOW - timedelta(hours=2))
    notify(district.handler.id, "handover", "较新的一条：张三移交给您3件工单（休假）", at=FIXED_NOW - timedelta(hours=1))
    notify(district.other_handler.id, "new_order", "住建局的通知，不应被城管局看到")
    db.session.commit()
    page = text(login(district.handler).get("/notifications/"))
    assert "较早的一条" in page and "较新的一条" in page
    assert page.index("较新的一条") < page.index("较早的一条")
    assert "住建局的通知" not in page
    assert "新工单" in page and "工作交接" in page  # the kinds' labels
    assert f'href="/orders/{order.id}"' in page and order.number in page
    assert "全部标为已读" in page and "未读" in page


def test_another_users_notification_is_a_404(district, make_order, login):
    order = make_order()
    theirs = notify(district.other_handler.id, "new_order", "住建局的通知", order_id=order.id)
    db.session.commit()
    client = login(district.handler)
    for headers in ({}, HX):
        response = client.post(f"/notifications/{theirs.id}/read", headers=headers)
        assert response.status_code == 404
        assert "住建局的通知" not in text(response)
    assert client.post("/notifications/999999/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    assert count_shown(badge(login(district.other_handler))) == "1"


def test_opening_a_notification_marks_it_read_and_opens_the_order(district, make_order, login):
    order = make_order()
    first = notify(district.dispatcher.id, "new_order", "新工单：SX1", order_id=order.id)
    second = notify(district.dispatcher.id, "new_order", "新工单：SX2", order_id=order.id)
    db.session.commit()
    client = login(district.dispatcher)
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.id}"
    response = client.post(f"/notifications/{second.id}/read", headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/orders/{order.id}"
    assert count_shown(badge(client)) is None


def test_a_notification_about_an_order_out_of_reach_opens_the_list(district, make_order, login):
    order = make_order()  # not dispatched yet: no unit sees it
    n = notify(district.handler.id, "new_order", "新工单：SX1", order_id=order.id)
    db.session.commit()
    client = login(district.handler)
    response = client.post(f"/notifications/{n.id}/read")
    assert response.status_code == 302 and "/notifications/" in response.headers["Location"]
    assert "不在您的查看范围内" in text(client.get(response.headers["Location"]))
    assert count_shown(badge(client)) is None


def test_mark_one_read_and_stay_on_the_list(district, login):
    n = notify(district.handler.id, "handover", "李四移交给您2件工单（出差）")
    notify(district.handler.id, "handover", "王五移交给您1件工单（休假）")
    db.session.commit()
    client = login(district.handler)
    response = client.post(f"/notifications/{n.id}/read", headers=HX, data={"stay": "1", "show": "unread"})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "notifications-changed"
    body = text(response)
    assert "<html" not in body and "李四移交" not in body and "王五移交" in body
    assert count_shown(badge(client)) == "1"


def test_mark_all_read_empties_the_badge(district, login):
    for i in range(3):
        notify(district.handler.id, "due_soon", f"工单SX{i}即将到期")
    notify(district.other_handler.id, "due_soon", "住建局的工单即将到期")
    db.session.commit()
    client = login(district.handler)
    assert count_shown(badge(client)) == "3"
    response = client.post("/notifications/read-all", headers=HX, data={"show": "unread"})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "notifications-changed"
    assert "没有未读消息" in text(response)
    assert count_shown(badge(client)) is None
    assert "工单SX1即将到期" in text(client.get("/notifications/?show=all"))  # read ones stay listed
    assert count_shown(badge(login(district.other_handler))) == "1"


def test_mark_all_read_without_htmx(district, login):
    notify(district.handler.id, "due_soon", "工单SX1即将到期")
    db.session.commit()
    client = login(district.handler)
    response = client.post("/notifications/read-all")
    assert response.status_code == 302
    assert "已全部标为已读" in text(client.get(response.headers["Location"]))
    assert count_shown(badge(client)) is None


def test_unread_filter_and_paging(app, district, login):
    size = app.config["PAGE_SIZE"]
    for i in range(size + 3):
        notify(district.handler.id, "new_order", f"第{i:02d}条通知", at=FIXED_NOW - timedelta(minutes=size + 3 - i))
    read = notify(district.handler.id, "new_order", "已经读过的一条", at=FIXED_NOW - timedelta(days=1))
    read.read_at = FIXED_NOW
    db.session.commit()
    client = login(district.handler)
    first = text(client.get("/notifications/?show=unread"))
    assert f"第{size + 2:02d}条通知" in first and "第02条通知" not in first and "已经读过的一条" not in first
    second = client.get("/notifications/?show=unread&page=2", headers=HX)
    assert "<html" not in text(second) and "第02条通知" in text(second) and "第00条通知" in text(second)
    assert "已经读过的一条" not in text(second)
    assert "已经读过的一条" in text(client.get("/notifications/?show=all&page=2"))


def test_history_restore_gets_the_full_page(district, login):
    client = login(district.handler)
    response = client.get("/notifications/?show=unread", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


@pytest.mark.parametrize("role", ROLES)
def test_list_page_renders_for_every_role(role, district, login):
    user = district.people[role]
    notify(user.id, "new_order", f"给{user.name}的通知")
    db.session.commit()
    client = login(user)
    response = client.get("/notifications/")
    assert response.status_code == 200 and f"给{user.name}的通知" in text(response)
    assert count_shown(badge(client)) == "1"


def test_anonymous_is_sent_to_log_in(district, client):
    n = notify(district.handler.id, "new_order", "新工单")
    db.session.commit()
    for method, url in [("get", "/notifications/"), ("get", "/notifications/badge"),
                        ("post", f"/notifications/{n.id}/read"), ("post", "/notifications/read-all")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is None
