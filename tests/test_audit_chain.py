"""The audit record: every event sealed in its record's chain on insert; no code path may change or
delete one; ``verify-audit`` names each event changed, removed or reordered by hand in the database."""
import pytest
from sqlalchemy import delete, select, text, update

from portal.audit.chain import GENESIS, chained_models
from portal.audit.sealing import AuditViolation
from portal.audit.verify import verify, write_checkpoints
from portal.clock import now
from portal.extensions import db
from portal.intake.importer import import_file
from portal.orders.models import OrderEvent
from portal.roster.models import RosterEvent
from tests.fixtures.city_files import city_row


def chain(order_id):
    return db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.seq)).all()


def tamper(sql, **params):
    """A change made by hand in the database, outside the portal (as an intruder with SQL access would)."""
    db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def problems():
    return [str(p) for p in verify()[1]]


def test_every_event_table_is_chained():
    tables = {model.__tablename__ for model in chained_models()}
    assert {"order_events", "supervision_events", "consultation_events", "ledger_events",
            "standard_reply_events", "roster_events"} <= tables


def test_an_orders_events_form_one_chain(make_order):
    order = make_order("closed")
    events = chain(order.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1)) and len(events) == 7
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert len({e.hash for e in events}) == len(events)
    assert problems() == []


def test_imported_orders_are_sealed_too(city_setup, city_file):
    with open(city_file([city_row(1), city_row(2)]), "rb") as stream:
        result = import_file(stream, "city.csv")
    assert len(result.created) == 2
    first = chain(result.created[0].order_id)
    assert [(e.seq, e.prev_hash) for e in first] == [(1, GENESIS)] and len(first[0].hash) == 64
    assert problems() == []


def test_roster_changes_are_chained_per_unit(roster):
    events = db.session.scalars(select(RosterEvent).where(RosterEvent.unit_id == roster.chengguan.id)
                                .order_by(RosterEvent.seq)).all()
    assert [(e.seq, e.action, e.user_id) for e in events] == [(1, "assign", roster.handler.id),
                                                              (2, "assign", roster.handler_b.id)]
    assert events[1].prev_hash == events[0].hash
    assert problems() == []


def test_the_portal_cannot_change_or_delete_an_event(make_order):
    order = make_order("accepted")
    event = chain(order.id)[-1]
    event.note = "改过的说明"
    with pytest.raises(AuditViolation):
        db.session.commit()
    db.session.rollback()
    db.session.delete(chain(order.id)[0])
    with pytest.raises(AuditViolation):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditViolation):
        db.session.execute(update(OrderEvent).where(OrderEvent.order_id == order.id).values(note="x"))
    db.session.rollback()
    with pytest.raises(AuditViolation):
        db.session.execute(delete(RosterEvent))
    db.session.rollback()
    assert [e.note for e in chain(order.id)] != [] and problems() == []


def test_a_changed_event_is_named(make_order):
    order = make_order("replied")
    victim = chain(order.id)[2]
    tamper("UPDATE order_events SET note = :note WHERE id = :id", note="已办结（篡改）", id=victim.id)
    found = problems()
    assert found == [f"order_events chain {order.id}: event id {victim.id} (seq 3) content changed after it was recorded"]


def test_a_changed_time_or_actor_is_named(make_order, district):
    order = make_order("accepted")
    victim = chain(order.id)[1]
    tamper("UPDATE order_events SET actor_id = :actor WHERE id = :id", actor=district.admin.id, id=victim.id)
    assert [f"event id {victim.id}" in p for p in problems()] == [True]


def test_a_removed_event_is_named(make_order):
    order = make_order("approved")
    events = chain(order.id)
    tamper("DELETE FROM order_events WHERE id = :id", id=events[2].id)
    found = problems()
    assert len(found) == 1 and f"event id {events[3].id} (seq 4) events missing before it" in found[0]


def test_reordered_events_are_named(make_order):
    order = make_order("replied")
    (a, a_seq), (b, b_seq) = [(e.id, e.seq) for e in chain(order.id)[1:3]]
    tamper("UPDATE order_events SET seq = -1 WHERE id = :id", id=a)
    tamper("UPDATE order_events SET seq = :seq WHERE id = :id", seq=a_seq, id=b)
    tamper("UPDATE order_events SET seq = :seq WHERE id = :id", seq=b_seq, id=a)
    found = problems()
    assert any(f"event id {a} " in p for p in found) and any(f"event id {b} " in p for p in found)


def test_a_forged_rehashed_chain_is_caught_by_the_checkpoint(make_order):
    """Someone who recomputes the hashes after an edit keeps the chain consistent, but not the checkpoint."""
    from portal.audit.chain import content_of, seal

    order = make_order("accepted")
    write_checkpoints(now())
    db.session.commit()
    events = chain(order.id)
    last = events[-1]
    content = {**content_of(OrderEvent, last), "note": "伪造"}
    forged = seal("order_events", order.id, last.seq, last.prev_hash, content)
    tamper("UPDATE order_events SET note = '伪造', hash = :hash WHERE id = :id", hash=forged, id=last.id)
    found = problems()
    assert len(found) == 1 and found[0].startswith("order_events:") and "differ from checkpoint" in found[0]


def test_the_last_event_removed_is_caught_by_the_checkpoint(make_order):
    order = make_order("accepted")
    write_checkpoints(now())
    db.session.commit()
    assert problems() == []
    tamper("DELETE FROM order_events WHERE id = :id", id=chain(order.id)[-1].id)
    found = problems()
    assert len(found) == 1 and "1 event(s) missing against checkpoint" in found[0]


def test_a_removed_checkpoint_is_named(make_order):
    make_order("accepted")
    first = write_checkpoints(now())[0].id
    write_checkpoints(now())
    db.session.commit()
    tamper("DELETE FROM audit_checkpoints WHERE id = :id", id=first)
    assert any("audit_checkpoints" in p for p in problems())


def test_the_command_exits_1_naming_the_event(app, make_order):
    order = make_order("accepted")
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["verify-audit"])
    assert clean.exit_code == 0 and "audit record intact" in clean.output
    assert "order_events" in clean.output and "roster_events" in clean.output
    victim = chain(order.id)[0]
    tamper("UPDATE order_events SET to_state = 'closed' WHERE id = :id", id=victim.id)
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"TAMPERED order_events chain {order.id}: event id {victim.id} (seq 1)" in result.output
    assert "1 problem(s) found" in result.output


def test_checkpoint_command_and_job(app, make_order):
    from portal.audit.jobs import checkpoint
    from portal.audit.models import AuditCheckpoint

    make_order("dispatched")
    result = app.test_cli_runner().invoke(args=["audit-checkpoint"])
    assert result.exit_code == 0 and "order_events" in result.output
    assert "张事件表的校验点" in checkpoint(now())
    rows = db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
    assert len(rows) == 2 * len(chained_models())
    assert [r.events for r in rows if r.table_name == "order_events"] == [2, 2]
    assert problems() == []


def test_the_units_roster_page_shows_its_chain(roster, login, client):
    login(roster.admin)
    page = client.get(f"/roster/unit/{roster.chengguan.id}").get_data(as_text=True)
    assert "调整记录" in page and f"B角：{roster.handler_b.name}" in page and "调整AB角" in page


def test_the_nightly_check_tells_the_admins(app, make_order, district):
    from portal.jobs.registry import jobs_for
    from portal.notifications.models import Notification

    order = make_order("accepted")
    jobs = jobs_for(app)
    assert "审计记录完整" in jobs["audit_verify"].run(now())
    assert db.session.scalar(select(db.func.count()).select_from(Notification).where(Notification.kind == "audit")) == 0
    victim = chain(order.id)[1]
    tamper("UPDATE order_events SET note = 'x' WHERE id = :id", id=victim.id)
    summary = jobs["audit_verify"].run(now())
    assert summary.startswith("发现 1 处记录被改动") and f"event id {victim.id}" in summary
    told = db.session.scalars(select(Notification).where(Notification.kind == "audit")).all()
    assert [n.user_id for n in told] == [district.admin.id] and f"event id {victim.id}" in told[0].text


def test_writers_appending_to_one_chain_at_once_take_turns(app, make_order, district):
    """Events written to one order from several transactions at the same moment (a deputy's remark, a
    supervision step...) all land, each after the other, and the chain stays whole."""
    import threading

    order = make_order("accepted")
    writers = 6
    barrier, failures = threading.Barrier(writers), []

    def write(n):
        with app.app_context():
            try:
                barrier.wait()
                db.session.add(OrderEvent(order_id=order.id, at=now(), actor_id=district.dispatcher.id,
                                          action="deputy_remark", from_state="accepted", to_state="accepted",
                                          note=f"意见{n}"))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - any failure is the test's finding
                failures.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    assert failures == []
    assert [e.seq for e in chain(order.id)] == list(range(1, 4 + writers))
    assert problems() == []


def test_a_supervision_of_many_orders_chains_each_orders_event_onto_its_head(district, make_order, open_supervision):
    # the heads of all the orders are read in one statement before the events are sealed (prime_heads)
    orders = [make_order("accepted"), make_order("accepted", lead=district.zhujian), make_order("dispatched")]
    lengths = {o.id: len(chain(o.id)) for o in orders}
    open_supervision(orders=orders, issue_notice=True)
    for order in orders:
        events = chain(order.id)
        added = [e.action for e in events[lengths[order.id]:]]
        assert added[0] == "supervise_supervision" and len(added) == 2  # opened, then its notice issued
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert problems() == []
