"""Which standard replies fit an order (category and keywords, or similar text), and candidates for new
replies from clusters of similar orders answered alike."""
from datetime import timedelta

import pytest

from portal.clock import now
from portal.extensions import db
from portal.orders import operations as order_operations
from portal.orders.models import Category
from portal.replies.clusters import candidates
from portal.replies.matching import offers

FEE_ANSWER = ("您好！物业服务收费实行市场调节价的，由业主与物业服务企业协商确定；物业企业调整收费标准，"
              "应经业主大会或专有部分占建筑物总面积过半数且人数过半数的业主同意。")
FEE_QUESTIONS = [
    "我们小区物业费今年从每平米1.2元涨到1.8元，没开业主大会，物业费上涨合理吗？",
    "物业公司要涨物业费，每平米涨了五毛，业主没同意，请问物业费上涨要什么程序？",
    "小区物业费突然上涨，物业公司说是成本增加，业主不认可，物业费涨价合法吗？",
    "物业费上涨问题：物业通知下月起物业费每平米涨0.4元，请问是否需要业主大会同意？",
    "咨询物业费上涨，物业公司单方面提高物业费标准，业主能否拒绝？",
    "物业费上涨了，物业服务却没有提高，物业费涨价由谁审批？",
]
NOISE = [
    ("小区门口占道经营，油烟扰民，请尽快处理。", "已转城管执法大队处置，摊点已清理。"),
    ("孩子上学划片问题咨询，户口在东关社区，能上哪个小学？", "请咨询区教育局招生办，电话已告知市民。"),
    ("路灯坏了好几天没人修，晚上走路很危险。", "已通知路灯管理所维修，次日恢复照明。"),
    ("楼上装修噪音太大，中午也在施工。", "已联系社区网格员上门劝导，装修户已调整施工时间。"),
    ("公交12路末班车太早，建议延长运营时间。", "建议已转区交通运输局研究，将结合客流评估。"),
    ("物业费发票开不出来，物业公司一直推脱。", "已联系物业公司，承诺三个工作日内开具发票。"),
]


@pytest.fixture
def background(make_order):
    """Orders about other matters: what every order says weighs little against them."""
    return [make_order("received", content=content) for content, _answer in NOISE]


@pytest.fixture
def housing(ctx):
    category = Category(name="房产/物业", sort=2)
    db.session.add(category)
    db.session.commit()
    return category


def test_same_category_and_a_keyword_in_the_content(make_order, make_reply, category, housing):
    fits = make_reply(title="占道经营怎么管", keywords="占道经营、流动摊贩")
    elsewhere = make_reply(title="物业费标准", keywords="物业费", answer=FEE_ANSWER, category_id=housing.id)
    make_reply("draft", title="占道经营草稿", keywords="占道经营")  # not published: never offered
    make_reply("withdrawn", title="占道经营旧稿", keywords="占道经营")
    order = make_order("received", content="小区门口有人占道经营卖水果，堵住了出入口。")
    found = offers(order)
    assert [o.version.id for o in found] == [fits.id]
    assert found[0].hits == ["占道经营"] and "诉求分类一致" in found[0].reason
    other_category = make_order("received", content="物业费收得太高了，占道经营也没人管。", category_id=housing.id)
    ids = [o.version.id for o in offers(other_category)]
    assert elsewhere.id in ids  # 房产/物业 + 物业费


def test_a_keyword_of_another_category_alone_is_not_enough(make_order, make_reply, housing):
    make_reply(title="物业费标准", keywords="物业费、收费", answer=FEE_ANSWER, category_id=housing.id)
    order = make_order("received", content="城管收费窗口排队太久。")  # 城管, "收费" only
    assert offers(order) == []


def test_similar_text_is_offered_across_categories(app, background, make_order, make_reply, housing):
    fee = make_reply(title="物业费上涨要经过业主同意吗", keywords="调价程序", answer=FEE_ANSWER, category_id=housing.id)
    order = make_order("received", content=FEE_QUESTIONS[0])  # filed under 城管, no keyword in it
    found = offers(order)
    assert [o.version.id for o in found] == [fee.id]
    assert found[0].hits == [] and "内容相似度" in found[0].reason
    app.config["REPLY_MATCH_SIMILARITY"] = 0.9  # the threshold is what decides
    assert offers(order) == []
    unrelated = make_order("received", content="路灯坏了好几天没人修，晚上走路很危险。")
    app.config["REPLY_MATCH_SIMILARITY"] = 0.1
    assert offers(unrelated) == []


def _answered(make_order, district, content, answer, category_id, days_ago=1):
    order = make_order("received", content=content, category_id=category_id)
    order_operations.apply(order.id, "direct_answer", district.dispatcher, answer=answer,
                           at=now() - timedelta(days=days_ago))
    return order


def test_one_cluster_of_orders_answered_alike_and_noise_that_is_not(district, make_order, housing):
    cluster = [_answered(make_order, district, q, FEE_ANSWER + ("" if i % 2 else "如有疑问可向区住建局咨询。"),
                         housing.id) for i, q in enumerate(FEE_QUESTIONS)]
    for content, answer in NOISE:
        _answered(make_order, district, content, answer, housing.id)
    # alike, but too long ago
    _answered(make_order, district, FEE_QUESTIONS[1], FEE_ANSWER, housing.id, days_ago=200)
    found = candidates()
    assert len(found) == 1
    c = found[0]
    assert c.category.id == housing.id
    assert {o.id for o in c.orders} == {o.id for o in cluster}
    assert c.alike == 3 and c.draft in (FEE_ANSWER, FEE_ANSWER + "如有疑问可向区住建局咨询。")


def test_too_few_or_different_answers_make_no_cluster(app, background, district, make_order, housing):
    for i, q in enumerate(FEE_QUESTIONS[:4]):
        _answered(make_order, district, q, FEE_ANSWER, housing.id)
    assert candidates() == []  # 4 < 5
    for q, (_content, answer) in zip(FEE_QUESTIONS[4:], NOISE):
        _answered(make_order, district, q, answer, housing.id)  # similar questions, unlike answers
    assert candidates() == []
    app.config["REPLY_CANDIDATE_MIN_ORDERS"] = 4
    assert len(candidates()) == 1


def test_a_cluster_served_by_a_published_reply_is_no_candidate(background, district, make_order, make_reply, housing):
    for q in FEE_QUESTIONS:
        _answered(make_order, district, q, FEE_ANSWER, housing.id)
    assert len(candidates()) == 1
    draft = make_reply("submitted", title="物业费上涨", keywords="物业费上涨、涨物业费", answer=FEE_ANSWER,
                       category_id=housing.id)
    assert len(candidates()) == 1  # not yet published
    from portal.replies import operations

    operations.approve(district.leader, draft.id)
    assert candidates() == []
