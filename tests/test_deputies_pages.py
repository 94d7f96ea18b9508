"""Deputies' pages: only lists pushed to them, masked data, no internal notes; remarks and meeting requests
reach the order page for the office and the unit; the office's editor through htmx."""
import pytest
from sqlalchemy import select

from portal.deputies.models import DeputyList
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import operations as order_ops

HX = {"HX-Request": "true"}
NAME, PHONE, ADDRESS = "王小明", "13912345678", "城关街道建设路88号3单元"
INTERNAL = "内部原因：经费尚未到位"


@pytest.fixture
def matter(make_order, district):
    """An order with personal data in its fields and its content, and internal steps on its timeline."""
    order = make_order("accepted", caller_name=NAME, caller_phone=PHONE, address=ADDRESS,
                       content=f"我是{NAME}，住{ADDRESS}，电话{PHONE}，楼道灯坏了一个月没人修。")
    order_ops.apply(order.id, "request_extension", district.handler, reason=INTERNAL,
                    requested_due_at=order.reply_due_at.replace(day=28))
    order_ops.apply(order.id, "reject_extension", district.dispatcher, note="驳回：内部协调后再议")
    order_ops.apply(order.id, "first_feedback", district.handler, note=f"已联系{NAME}（{PHONE}），约定上门查看。")
    db.session.refresh(order)
    return order


def _pages(client, found, order):
    return [client.get(url) for url in ("/deputies/mine", f"/deputies/{found.id}",
                                        f"/deputies/{found.id}/matters/{order.id}")]


def test_deputy_sees_masked_data_and_no_internal_notes(matter, district, login, published_list):
    found = published_list([matter], notes=["请代表关注楼道照明维修"])
    client = login(district.deputy)
    pages = _pages(client, found, matter)
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for secret in (NAME, PHONE, "建设路88号", INTERNAL, "内部协调", "申请延期", "驳回延期"):
            assert secret not in html, secret
    list_page, matter_page = pages[1].get_data(as_text=True), pages[2].get_data(as_text=True)
    assert "城关街道建设路…" in list_page and "请代表关注楼道照明维修" in list_page
    assert "王**" in matter_page and "139****5678" in matter_page and "城关街道建设路…" in matter_page
    assert "首次反馈" in matter_page and "约定上门查看" in matter_page  # the public step, its note masked
    assert "受理登记" in matter_page and "签收" in matter_page


def test_a_deputy_not_a_recipient_gets_404(matter, district, other_deputy, login, published_list):
    found = published_list([matter], recipients=[district.deputy])
    client = login(other_deputy)
    assert "2026年11月人大代表推送清单" not in client.get("/deputies/mine").get_data(as_text=True)
    for url in (f"/deputies/{found.id}", f"/deputies/{found.id}/matters/{matter.id}", f"/deputies/{found.id}/pdf"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/deputies/{found.id}/matters/{matter.id}/remark", data={"kind": "remark", "text": "请尽快解决"})
    assert response.status_code == 404
    client = login(district.deputy)
    assert client.get(f"/deputies/{found.id}/matters/{matter.id}").status_code == 200


def test_a_draft_is_not_shown_to_deputies(matter, district, login):
    from portal.deputies import operations

    draft = operations.open_list(district.dispatcher, "2026-11")
    operations.add_item(district.dispatcher, draft.id, matter.id)
    client = login(district.deputy)
    assert client.get(f"/deputies/{draft.id}").status_code == 404
    assert client.get(f"/deputies/{draft.id}/matters/{matter.id}").status_code == 404


def test_remark_and_meeting_request_reach_the_order_page(matter, district, login, published_list):
    found = published_list([matter])
    client = login(district.deputy)
    response = client.post(f"/deputies/{found.id}/matters/{matter.id}/remark", headers=HX,
                           data={"kind": "meeting", "text": "建议召开现场会，有请诉求人到场。"})
    assert response.status_code == 200 and "已提交" in response.get_data(as_text=True)
    client.post(f"/deputies/{found.id}/matters/{matter.id}/remark", data={"kind": "remark", "text": "请加快维修进度"})
    bad = client.post(f"/deputies/{found.id}/matters/{matter.id}/remark", data={"kind": "remark", "text": "好"})
    assert bad.status_code == 422 and "至少4个字" in bad.get_data(as_text=True)
    for user in (district.dispatcher, district.handler):
        html = login(user).get(f"/orders/{matter.id}").get_data(as_text=True)
        assert "人大代表意见" in html and "有请诉求人到场" in html and "请加快维修进度" in html
        assert "申请现场会商" in html
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "deputy_remark")).all()
    assert sorted(set(told)) == sorted({district.handler.id, district.dispatcher.id}) and len(told) == 4
    # a unit not on the order does not see the order at all
    assert login(district.other_handler).get(f"/orders/{matter.id}").status_code == 404


def test_office_builds_and_publishes_a_list_through_htmx(make_order, district, login):
    order = make_order("accepted", caller_phone="13700002222", address="城关街道人民路3号")
    client = login(district.dispatcher)
    assert client.get("/deputies/").status_code == 200
    response = client.post("/deputies/new", data={"month": "2026-11"})
    found = db.session.scalar(select(DeputyList))
    assert response.status_code == 302 and found.version == 1
    page = client.get(f"/deputies/{found.id}").get_data(as_text=True)
    assert "候选事项" in page and "发布并推送" in page
    fragment = client.post(f"/deputies/{found.id}/items", headers=HX, data={"number": order.number})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and f'data-item="{order.number}"' in html
    refused = client.post(f"/deputies/{found.id}/items", headers=HX, data={"number": "NOPE"})
    assert refused.status_code == 422 and "工单编号" in refused.get_data(as_text=True)
    item = found.items[0]
    client.post(f"/deputies/items/{item.id}/note", headers=HX, data={"note": "已协调街道现场处置"})
    client.post(f"/deputies/{found.id}/publish")
    db.session.expire_all()
    found = db.session.get(DeputyList, found.id)
    assert found.state == "published" and found.items[0].note == "已协调街道现场处置"
    again = client.post(f"/deputies/items/{item.id}/note", data={"note": "再改"})
    assert again.status_code == 422 and "已发布" in again.get_data(as_text=True)
    assert client.post("/deputies/new", data={"month": "2026-11"}).status_code == 422
    response = client.post(f"/deputies/{found.id}/new-version")
    assert response.status_code == 302
    assert db.session.scalar(select(DeputyList).where(DeputyList.version == 2)).state == "draft"


def test_supervisors_and_leaders_view_but_do_not_edit(matter, district, login, published_list):
    found = published_list([matter])
    for user in (district.supervisor, district.leader):
        client = login(user)
        assert client.get(f"/deputies/{found.id}").status_code == 200
        assert client.post(f"/deputies/{found.id}/new-version").status_code == 403
    assert login(district.handler).get(f"/deputies/{found.id}").status_code == 404
    assert login(district.handler).get("/deputies/").status_code == 403


def test_mine_lists_newest_first_and_marks_superseded_versions(make_order, district, login, published_list):
    from portal.deputies import operations

    october = published_list([make_order("accepted", caller_phone="13700003333", address="城关街道胜利街5号")],
                             month="2026-10")
    v2 = operations.new_version(district.dispatcher, october.id)
    operations.publish(district.dispatcher, v2.id, at=v2.created_at.replace(minute=30))
    html = login(district.deputy).get("/deputies/mine").get_data(as_text=True)
    first, second = html.index(f'data-list="{v2.id}"'), html.index(f'data-list="{october.id}"')
    assert first < second and html.count("已有新版本") == 1
