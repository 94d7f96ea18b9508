"""Deputies' monthly lists: candidates and their reasons (each rule), publishing freezes a version, a new
version leaves the published one as it was, recipients."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.assessment.periods import parse
from portal.clock import now
from portal.deputies import operations
from portal.deputies.candidates import propose
from portal.deputies.models import DeputyList
from portal.deputies.states import Refused
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import operations as order_ops
from portal.permissions import mask_address

NOV = parse("2026-11")
TOPICS = ["楼下烧烤摊营业到凌晨，油烟和噪音扰民。", "电梯经常停运，物业维修不及时。", "井盖缺失，夜间行人容易踩空。",
          "工地夜间施工噪音扰民，影响休息。", "自来水水质发黄，有异味。"]


def _reasons(order):
    found = {c.order.id: c.reasons for c in propose(NOV)}
    return [kind for kind, _ in found.get(order.id, [])], [text for _, text in found.get(order.id, [])]


def _order(make_order, n, state="received", **extra):
    """Orders about different places from different callers (no repeats, no hotspot) unless asked."""
    extra.setdefault("address", f"城关街道和平路{n}号")
    extra.setdefault("content", TOPICS[n % len(TOPICS)])
    return make_order(state, caller_phone=f"1390000{n:04d}", **extra)


def test_hotspot_three_orders_on_one_address_and_category(make_order):
    same = [_order(make_order, n, address="城关街道建设路12号3单元") for n in (1, 2)]
    assert _reasons(same[1])[0] == []  # two are not enough (DEPUTY_HOTSPOT_MIN_ORDERS = 3)
    same.append(_order(make_order, 3, address="城关街道建设路12号4单元"))  # the same building
    kinds, texts = _reasons(same[2])
    assert kinds == ["hotspot"] and texts == ["本月同一地址同类诉求3件"]
    assert _reasons(same[0])[0] == []  # the group's latest order stands for the matter


def test_repeat_orders_are_proposed(make_order):
    first = make_order(caller_phone="13700001111", address="城关街道人民路1号")
    second = make_order(caller_phone="13700001111", address="城关街道解放路9号")
    assert second.is_repeat
    kinds, texts = _reasons(second)
    assert kinds == ["repeat"] and texts == ["重复投诉（与此前1件工单相关）"]
    assert _reasons(first)[0] == []


def test_unsolved_after_reprocessing(make_order, district):
    order = _order(make_order, 1, "approved")
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="unresolved",
                    reason="问题仍未解决")
    assert _reasons(order)[0] == []  # unsatisfied but not yet reopened
    order_ops.apply(order.id, "reopen", district.dispatcher, reason="请重新核查并彻底解决。")
    kinds, texts = _reasons(order)
    assert kinds == ["reprocess"] and texts == ["重办1次仍未解决"]


def test_long_overdue_by_working_days(make_order):
    late = _order(make_order, 1, "accepted")
    slightly = _order(make_order, 2, "accepted")
    late.reply_due_at = now() - timedelta(days=14)
    slightly.reply_due_at = now() - timedelta(days=1)
    db.session.commit()
    kinds, texts = _reasons(late)
    assert kinds == ["overdue"] and texts[0].startswith("超过答复期限") and "工作日" in texts[0]
    assert _reasons(slightly)[0] == []  # overdue by less than DEPUTY_OVERDUE_WORKDAYS (5)


def test_reasons_never_name_the_caller_or_address(make_order):
    orders = [make_order(caller_name="赵大海", caller_phone="13600001234") for _ in range(3)]
    for candidate in propose(NOV):
        for _, text in candidate.reasons:
            assert "赵大海" not in text and "13600001234" not in text and "建设路12号" not in text
    assert orders


def test_publish_freezes_and_an_edit_makes_a_new_version(make_order, district, published_list):
    a, b = _order(make_order, 1, "accepted"), _order(make_order, 2, "accepted")
    v1 = published_list([a, b], notes=["请关注路灯维修进度"])
    assert v1.state == "published" and v1.version == 1
    assert db.session.get(type(a), a.id).deputy_pushed and db.session.get(type(b), b.id).deputy_pushed
    with pytest.raises(Refused, match="已发布"):
        operations.edit_item(district.dispatcher, v1.items[0].id, "note", "改一下")
    with pytest.raises(Refused, match="已发布"):
        operations.add_item(district.dispatcher, v1.id, _order(make_order, 3).id)

    v2 = operations.new_version(district.dispatcher, v1.id)
    assert (v2.version, v2.state, v2.previous_id) == (2, "draft", v1.id)
    assert [i.order_id for i in v2.items] == [a.id, b.id] and v2.items[0].note == "请关注路灯维修进度"
    operations.edit_item(district.dispatcher, v2.items[0].id, "note", "新的说明")
    operations.edit_item(district.dispatcher, v2.items[1].id, "up")
    operations.edit_item(district.dispatcher, next(i.id for i in v2.items if i.order_id == a.id), "remove")
    operations.publish(district.dispatcher, v2.id)

    db.session.expire_all()
    v1 = db.session.get(DeputyList, v1.id)
    assert [(i.order_id, i.note) for i in v1.items] == [(a.id, "请关注路灯维修进度"), (b.id, None)]
    assert v1.state == "published"
    assert [i.order_id for i in db.session.get(DeputyList, v2.id).items] == [b.id]
    with pytest.raises(Refused, match="第2版"):
        operations.new_version(district.dispatcher, v1.id)  # only from the latest version


def test_publish_notifies_recipients_and_refuses_an_empty_list(district, other_deputy, make_order):
    empty = operations.open_list(district.dispatcher, "2026-11")
    with pytest.raises(Refused, match="还没有事项"):
        operations.publish(district.dispatcher, empty.id)
    operations.add_item(district.dispatcher, empty.id, _order(make_order, 1, "accepted").id)
    operations.publish(district.dispatcher, empty.id)
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "deputy_list")).all()
    assert sorted(told) == sorted([district.deputy.id, other_deputy.id])
    with pytest.raises(Refused, match="已存在"):
        operations.open_list(district.dispatcher, "2026-11")


def test_only_dispatchers_edit_lists(district):
    for user in (district.supervisor, district.deputy, district.handler):
        with pytest.raises(Refused):
            operations.open_list(user, "2026-11")


def test_chosen_recipients(district, other_deputy, make_order, published_list):
    found = published_list([_order(make_order, 1, "accepted")], recipients=[other_deputy])
    assert [r.deputy_id for r in found.recipients] == [other_deputy.id]
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "deputy_list")).all()
    assert told == [other_deputy.id]


def test_mask_address_keeps_the_street():
    assert mask_address("城关街道建设路12号3单元") == "城关街道建设路…"
    assert mask_address("城关街道东关社区幸福小区5栋201") == "城关街道东关社区幸福小区…"
    assert mask_address("幸福小区东门") == "幸福小区…"


def test_only_the_latest_visit_counts_after_reprocessing(make_order, district):
    order = _order(make_order, 1, "approved")
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="unresolved",
                    reason="问题仍未解决")
    order_ops.apply(order.id, "reopen", district.dispatcher, reason="请重新核查并彻底解决。")
    handler = district.handler
    order_ops.apply(order.id, "sign_for", handler)
    order_ops.apply(order.id, "reply", handler, reply="已再次到场处置，问题已彻底解决，并回复市民。")
    order_ops.apply(order.id, "approve_reply", district.dispatcher)
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction="satisfied", resolution="resolved")
    assert _reasons(order)[0] == []  # solved the second time


def test_one_orders_reasons_are_those_of_the_whole_month(make_order):
    """add_item asks the rules about one order only; the answer must be the month's answer for it."""
    same = [_order(make_order, n, address="城关街道建设路12号3单元") for n in (1, 2, 3)]
    other = _order(make_order, 4)
    month = {c.order.id: c.reasons for c in propose(NOV)}
    for order in same + [other]:
        alone = [c.reasons for c in propose(NOV, only=order.id)]
        assert alone == ([month[order.id]] if order.id in month else [])
    assert month[same[2].id][0][0] == "hotspot"
