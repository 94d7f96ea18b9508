"""Repeats (重复件): an order is linked to earlier orders from the same phone, or about the same address
with similar content, within the window; a different matter is not."""
from datetime import datetime

import pytest

from portal.extensions import db
from portal.orders.repeats import similarity

NOISE = "小区东门外的烧烤摊每天晚上营业到凌晨两点，油烟和噪音严重扰民，请城管部门处理。"
NOISE_AGAIN = "东门外烧烤摊又在营业到凌晨，油烟噪音扰民，上次反映后没有改善，请城管处理。"
OTHER = "小区电梯经常停运，物业维修不及时，老人上下楼困难。"


def test_same_phone_same_matter_is_a_repeat(make_order, district, login):
    first = make_order("closed", content=NOISE, received_at=datetime(2026, 11, 10, 9))
    again = make_order(content=NOISE_AGAIN, received_at=datetime(2026, 11, 24, 9))
    assert again.is_repeat
    (link,) = again.links
    assert (link.earlier_id, link.reason) == (first.id, "phone")
    page = login(district.dispatcher).get(f"/orders/{again.id}").get_data(as_text=True)
    assert "重复件" in page and first.number in page and "满意" in page  # how the earlier one ended
    form = login(district.dispatcher).get(f"/orders/{again.id}/form/dispatch?view=pool",
                                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert first.number in form  # seen before dispatching


def test_same_address_similar_content_other_caller(make_order):
    first = make_order(content=NOISE, caller_phone="13900001111")
    again = make_order(content=NOISE_AGAIN, caller_phone="13700002222")
    assert again.is_repeat and again.links[0].reason == "address" and again.links[0].earlier_id == first.id


def test_a_different_matter_is_not_a_repeat(make_order):
    make_order(content=NOISE, caller_phone="13900001111")
    other = make_order(content=OTHER, caller_phone="13700002222")  # same address, other matter
    assert not other.is_repeat and other.links == []


def test_outside_the_window_is_not_a_repeat(make_order):
    make_order(content=NOISE, received_at=datetime(2026, 10, 1, 9))
    late = make_order(content=NOISE_AGAIN, received_at=datetime(2026, 11, 24, 9))
    assert not late.is_repeat


def test_threshold_is_configurable(app, make_order):
    app.config["REPEAT_SIMILARITY"] = 99
    make_order(content=NOISE, caller_phone="13900001111")
    again = make_order(content=NOISE_AGAIN, caller_phone="13700002222")
    assert not again.is_repeat


def test_similarity_is_a_real_measure():
    assert similarity(NOISE, NOISE_AGAIN) > 60 > similarity(NOISE, OTHER)


def test_other_units_do_not_see_earlier_orders_they_cannot_open(make_order, district, login):
    make_order("dispatched", content=NOISE, lead=district.zhujian)
    again = make_order("dispatched", content=NOISE_AGAIN)
    page = login(district.handler).get(f"/orders/{again.id}").get_data(as_text=True)
    assert again.is_repeat and "重复件：" not in page
