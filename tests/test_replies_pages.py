"""Standard replies on the pages: offered in the direct-answer and reply forms, taken with 采用, the use
recorded once per submitted answer; the library and its steps; the public page."""
import pytest

from portal.extensions import db
from portal.orders.models import Order
from portal.replies.models import StandardReplyUse
from tests.fixtures.replies import PARKING_ANSWER

HX = {"HX-Request": "true"}
CONTENT = "小区门口有人占道经营卖水果，堵住了出入口。"


def uses() -> list[StandardReplyUse]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(StandardReplyUse).order_by(StandardReplyUse.id)))


def test_dispatcher_is_offered_the_reply_and_answering_with_it_records_one_use(district, make_order, make_reply, login):
    version = make_reply()
    order = make_order("received", content=CONTENT)
    client = login(district.dispatcher)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    offer_url = f"/replies/offer/{order.id}/direct_answer"
    assert offer_url in page  # the direct-answer form loads the offer
    offered = client.get(offer_url, headers=HX).get_data(as_text=True)
    assert version.title in offered and f"pick={version.id}" in offered and "城市市容和环境卫生管理条例" in offered
    filled = client.get(f"{offer_url}?pick={version.id}", headers=HX).get_data(as_text=True)
    assert PARKING_ANSWER in filled and f'name="standard_reply" value="{version.id}"' in filled
    assert 'name="answer"' in filled and "已采用" in filled

    form = {"answer": PARKING_ANSWER, "standard_reply": str(version.id), "version": str(order.version), "view": "page"}
    assert client.post(f"/orders/{order.id}/act/direct_answer", data=form, headers=HX).status_code == 200
    again = client.post(f"/orders/{order.id}/act/direct_answer", data=form, headers=HX)  # a second click
    assert again.status_code in (409, 422)
    [use] = uses()
    assert (use.order_id, use.version_id, use.user_id, use.kind, use.verbatim) == (
        order.id, version.id, district.dispatcher.id, "direct_answer", True)
    assert db.session.get(Order, order.id).state == "closed"
    library = client.get("/replies/").get_data(as_text=True)
    assert f'data-reply="{version.reply_id}"' in library and '<td class="text-end" data-uses>1</td>' in library


def test_the_lead_unit_is_offered_the_reply_in_its_reply_form(district, make_order, make_reply, login):
    version = make_reply()
    order = make_order("accepted", content=CONTENT)
    handler = login(district.handler)
    assert f"/replies/offer/{order.id}/reply" in handler.get(f"/orders/{order.id}").get_data(as_text=True)
    filled = handler.get(f"/replies/offer/{order.id}/reply?pick={version.id}", headers=HX).get_data(as_text=True)
    assert 'name="reply"' in filled and PARKING_ANSWER in filled
    edited = PARKING_ANSWER + "执法队员已于当日到场，摊点已清理。"
    response = handler.post(f"/orders/{order.id}/act/reply", headers=HX, data={
        "reply": edited, "standard_reply": str(version.id), "version": str(order.version), "view": "page"})
    assert response.status_code == 200
    [use] = uses()
    assert (use.kind, use.verbatim, use.user_id) == ("unit_reply", False, district.handler.id)
    event = db.session.get(Order, order.id).events[-1]
    assert event.data == {"standard_reply_id": version.reply_id, "standard_reply_version_id": version.id}


def test_an_answer_without_a_standard_reply_or_refused_records_nothing(district, make_order, make_reply, login):
    version = make_reply()
    order = make_order("received", content=CONTENT)
    client = login(district.dispatcher)
    too_short = client.post(f"/orders/{order.id}/act/direct_answer", headers=HX, data={
        "answer": "好", "standard_reply": str(version.id), "version": str(order.version), "view": "page"})
    assert too_short.status_code == 422
    draft = make_reply("draft", title="未发布的草稿")
    never_published = client.post(f"/orders/{order.id}/act/direct_answer", headers=HX, data={
        "answer": PARKING_ANSWER, "standard_reply": str(draft.id), "version": str(order.version), "view": "page"})
    assert never_published.status_code == 422 and "标准通稿" in never_published.get_data(as_text=True)
    assert client.post(f"/orders/{order.id}/act/direct_answer", headers=HX, data={
        "answer": PARKING_ANSWER, "version": str(order.version), "view": "page"}).status_code == 200
    assert uses() == []


def test_the_offer_only_to_whoever_may_answer(district, make_order, make_reply, login):
    make_reply()
    received = make_order("received", content=CONTENT)
    accepted = make_order("accepted", content=CONTENT)
    assert login(district.handler).get(f"/replies/offer/{received.id}/direct_answer", headers=HX).status_code == 404
    assert login(district.supervisor).get(f"/replies/offer/{received.id}/direct_answer", headers=HX).status_code == 403
    assert login(district.dispatcher).get(f"/replies/offer/{accepted.id}/reply", headers=HX).status_code == 403
    assert login(district.other_handler).get(f"/replies/offer/{accepted.id}/reply", headers=HX).status_code == 404
    assert login(district.handler).get(f"/replies/offer/{accepted.id}/sign_for", headers=HX).status_code == 403


def test_library_steps_through_the_pages(district, reply_fields, login, category):
    client = login(district.dispatcher)
    response = client.post("/replies/new", data=reply_fields())
    assert response.status_code == 302
    reply_url = response.headers["Location"]
    page = client.get(reply_url).get_data(as_text=True)
    assert "草稿" in page and 'data-action="submit"' in page
    version_id = int(page.split("/replies/version/")[1].split("/")[0])
    assert client.post(f"/replies/version/{version_id}/act/submit").status_code == 302
    assert 'data-action="approve"' not in client.get(reply_url).get_data(as_text=True)
    leader = login(district.leader)
    assert 'data-action="approve"' in leader.get(reply_url).get_data(as_text=True)
    refused = leader.post(f"/replies/version/{version_id}/act/send_back", data={"reason": ""})
    assert refused.status_code == 422 and "退回理由" in refused.get_data(as_text=True)
    assert leader.post(f"/replies/version/{version_id}/act/approve").status_code == 302
    assert 'data-state="published"' in leader.get(reply_url).get_data(as_text=True)
    bad = login(district.dispatcher).post("/replies/new", data=reply_fields(answer="太短了"))
    assert bad.status_code == 422 and "至少写20个字" in bad.get_data(as_text=True)


def test_a_candidate_starts_a_draft_from_an_answer(district, make_order, login):
    order = make_order("received", content=CONTENT)
    from portal.orders import operations

    operations.apply(order.id, "direct_answer", district.dispatcher, answer=PARKING_ANSWER)
    page = login(district.dispatcher).get(f"/replies/new?from_order={order.id}").get_data(as_text=True)
    assert PARKING_ANSWER in page and order.number in page and "个人信息" in page


def test_public_page_lists_only_published_replies_and_searches(client, district, make_reply, reply_fields, ctx):
    from portal.orders.models import Category

    other = Category(name="教育")
    db.session.add(other)
    db.session.commit()
    published = make_reply(title="占道经营怎么管")
    school = make_reply(title="义务教育入学划片怎么确定", keywords="划片、入学", category_id=other.id,
                        answer="您好！义务教育阶段公办学校实行划片招生、免试就近入学，具体划片范围以区教育局每年公布的为准。",
                        policy_name="中华人民共和国义务教育法", policy_number=None, policy_clause="第十二条")
    make_reply("draft", title="尚在起草的草稿标题")
    make_reply("submitted", title="等待审核的通稿标题")
    withdrawn = make_reply("withdrawn", title="已经撤回的旧通稿")
    page = client.get("/public/replies/").get_data(as_text=True)
    assert published.title in page and school.title in page
    for hidden in ("尚在起草的草稿标题", "等待审核的通稿标题", "已经撤回的旧通稿", district.dispatcher.name, district.leader.name):
        assert hidden not in page
    assert "《城市市容和环境卫生管理条例》（国务院令第101号）第十四条" in page and "2026-11-24" in page
    assert "区热线办" in page  # the author's unit, not the author
    found = client.get("/public/replies/?q=划片").get_data(as_text=True)
    assert school.title in found and published.title not in found
    by_category = client.get(f"/public/replies/?category={other.id}").get_data(as_text=True)
    assert school.title in by_category and published.title not in by_category
    assert "没有找到" in client.get("/public/replies/?q=不存在的词").get_data(as_text=True)
    one = client.get(f"/public/replies/{published.reply_id}")
    assert one.status_code == 200 and PARKING_ANSWER in one.get_data(as_text=True)
    assert client.get(f"/public/replies/{withdrawn.reply_id}").status_code == 404
    assert client.get("/public/replies/99999").status_code == 404


def test_login_page_links_the_public_replies(client):
    assert "/public/replies/" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/replies/", "/replies/candidates", "/replies/new"])
def test_library_pages_need_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_library_pages_by_role(district, make_reply, login):
    version = make_reply("draft")
    pages = [f"/replies/{version.reply_id}", f"/replies/version/{version.id}/edit"]
    for role in ("handler", "unit_leader", "deputy"):
        client = login(district.people[role])
        for path in pages:
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(f"/replies/version/{version.id}/act/submit").status_code == 403
    for role in ("supervisor", "admin", "leader"):
        client = login(district.people[role])
        assert client.get(pages[0]).status_code == 200
        assert client.get(pages[1]).status_code == 403  # only dispatchers edit
        refused = client.post(f"/replies/version/{version.id}/act/submit")
        assert refused.status_code == 422 and "不能“提交审核”" in refused.get_data(as_text=True)
    db.session.refresh(version)
    assert version.state == "draft"
    assert login(district.dispatcher).post(f"/replies/version/{version.id}/act/nonsense").status_code == 404


def test_candidates_page_shows_the_cluster_with_its_orders_and_draft(district, make_order, login, ctx):
    from portal.orders.models import Category
    from tests.test_replies_matching import FEE_ANSWER, FEE_QUESTIONS, NOISE, _answered

    housing = Category(name="房产/物业")
    db.session.add(housing)
    db.session.commit()
    for content, _answer in NOISE:
        make_order("received", content=content)
    cluster = [_answered(make_order, district, q, FEE_ANSWER, housing.id) for q in FEE_QUESTIONS]
    page = login(district.dispatcher).get("/replies/candidates").get_data(as_text=True)
    assert page.count("data-cluster") == 1 and "6 件相近工单" in page and FEE_ANSWER in page
    assert all(o.number in page for o in cluster) and "/replies/new?from_order=" in page
    leader_page = login(district.leader).get("/replies/candidates").get_data(as_text=True)
    assert "data-cluster" in leader_page and "据此起草通稿" not in leader_page
