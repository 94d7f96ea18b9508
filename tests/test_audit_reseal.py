"""The audit walk recomputes seals from raw database rows, not ORM objects: whatever content an event
holds, the walk must reach the very hash the portal sealed it with (or every such event would be
reported tampered), and still name an event changed by hand, in any batch size."""
import hashlib
from datetime import datetime

import pytest
from sqlalchemy import select, text

from portal.audit.verify import table_digest, verify
from portal.extensions import db
from portal.orders.models import OrderEvent

AWKWARD_NOTES = ['引号"和\\反斜杠', "换行\n制表\t回车\r", "\u2028\u2029 \x01 😀", "", None, "  前后空格  "]
AWKWARD_DATA = [None, {}, {"b": 1, "a": [3, {"z": None, "y": True}], "中文": "值"},
                {"x": 1.5, "n": -0.0},
                {"list": [], "nested": {"deep": {"deeper": ["a", 2, False]}}}, {"10": "数字键", "2": "排序"}]


def add_events(order, actor):
    for n, (note, data) in enumerate(zip(AWKWARD_NOTES, AWKWARD_DATA)):
        db.session.add(OrderEvent(order_id=order.id, at=datetime(2026, 3, 1, 9, 30, n),
                                  actor_id=actor.id if n % 2 else None, action="deputy_remark",
                                  from_state="accepted", to_state="accepted", note=note, data=data))
    db.session.commit()
    return db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.action == "deputy_remark")
                              .order_by(OrderEvent.seq)).all()


def tamper(sql, **params):
    db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def problems(**options):
    return [str(p) for p in verify(**options)[1]]


def test_awkward_content_reseals_to_the_stored_hash(make_order, district):
    add_events(make_order("accepted"), district.dispatcher)
    assert problems() == [] and problems(batch=2) == []


def test_a_changed_document_is_named_in_any_batch_size(make_order, district):
    order = make_order("accepted")
    victim = add_events(order, district.dispatcher)[-2]
    tamper("UPDATE order_events SET data = :data WHERE id = :id", data='{"list": [], "nested": {}}', id=victim.id)
    expected = [f"order_events chain {order.id}: event id {victim.id} (seq {victim.seq}) "
                "content changed after it was recorded"]
    assert problems() == expected and problems(batch=1) == expected and problems(batch=3) == expected


def test_the_same_time_written_another_way_is_not_a_change(make_order, district):
    """The database may hold a time as other text for the same instant (written by another tool): the
    event says the same thing, as it did when the walk read it through the ORM."""
    order = make_order("accepted")
    victim = add_events(order, district.dispatcher)[1]
    tamper("UPDATE order_events SET at = :at WHERE id = :id", at="2026-03-01T09:30:01", id=victim.id)
    assert problems() == []
    tamper("UPDATE order_events SET at = :at WHERE id = :id", at="2026-03-01 09:31:01", id=victim.id)
    assert problems() == [f"order_events chain {order.id}: event id {victim.id} (seq {victim.seq}) "
                          "content changed after it was recorded"]


def test_unreadable_stored_values_are_named_not_fatal(make_order, district):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses such values in typed columns")
    order = make_order("accepted")
    bad_time, bad_data = [e.id for e in add_events(order, district.dispatcher)][2:5:2]
    tamper("UPDATE order_events SET at = 'gestern' WHERE id = :id", id=bad_time)
    tamper("UPDATE order_events SET data = '{not json' WHERE id = :id", id=bad_data)
    found = problems()
    assert len(found) == 2 and all("content changed after it was recorded" in p for p in found)
    assert f"event id {bad_time} " in found[0] and f"event id {bad_data} " in found[1]


def test_table_digest_is_the_sha256_of_the_hashes_in_id_order(make_order, district):
    add_events(make_order("accepted"), district.dispatcher)
    add_events(make_order("dispatched"), district.dispatcher)
    hashes = db.session.scalars(select(OrderEvent.hash).order_by(OrderEvent.id)).all()
    upto = db.session.scalars(select(OrderEvent.id).order_by(OrderEvent.id)).all()[-3]
    expected = hashlib.sha256("".join(hashes[:-2]).encode("ascii")).hexdigest()
    assert table_digest(OrderEvent, upto) == (len(hashes) - 2, expected)
    assert table_digest(OrderEvent, upto, batch=4) == (len(hashes) - 2, expected)
