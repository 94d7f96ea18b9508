"""The ledger's records and transitions: register (挂号), progress notes, cancel (销号), reopen, and
registration from a supervision. Each refusal changes nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ledger import operations
from portal.ledger.models import LedgerEntry, LedgerEvent
from portal.ledger.operations import LedgerRefused, Registration
from tests.fixtures.app import FIXED_NOW

TODAY = FIXED_NOW.date()


def _count(model=LedgerEntry) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_register_records_everything(district, make_order, make_entry):
    a, b = make_order("accepted"), make_order("dispatched")
    entry = make_entry(orders=[a, b], target=date(2026, 12, 31))
    assert entry.state == "open" and entry.number == "台帐〔2026〕第001号"
    assert entry.owner_unit.id == district.chengguan.id and entry.leader.id == district.unit_leader.id
    assert entry.registered_by.id == district.supervisor.id and entry.registered_at == FIXED_NOW
    assert [o.number for o in entry.orders] == [a.number, b.number]
    assert [(e.kind, e.actor.id) for e in entry.events] == [("register", district.supervisor.id)]
    assert "关联工单2件" in entry.events[0].note
    assert make_entry(title="第二件").number == "台帐〔2026〕第002号"


def test_district_leader_may_answer_for_any_unit(district, make_entry):
    entry = make_entry(unit=district.zhujian, leader=district.leader)
    assert entry.leader.role == "leader"


@pytest.mark.parametrize("change, message", [
    (dict(title=""), "事项名称"),
    (dict(title="长" * 201), "不能超过200字"),
    (dict(owner_unit_id=None), "责任单位"),
    (dict(leader_id=None), "责任领导"),
    (dict(target_date=None), "目标完成日期"),
    (dict(target_date=TODAY - timedelta(days=1)), "不能早于登记当天"),
    (dict(order_numbers=["SX-NOPE"]), "找不到工单：SX-NOPE"),
])
def test_register_refusals_change_nothing(district, change, message):
    data = Registration(title="事项", owner_unit_id=district.chengguan.id, leader_id=district.unit_leader.id,
                        target_date=TODAY + timedelta(days=5))
    for key, value in change.items():
        setattr(data, key, value)
    with pytest.raises(LedgerRefused, match=message):
        operations.register(district.supervisor, data)
    assert _count() == 0


def test_leader_must_be_a_leader_or_the_units_own_leader(district, make_user):
    base = dict(title="事项", owner_unit_id=district.zhujian.id, target_date=TODAY)
    with pytest.raises(LedgerRefused, match="不是区住建局的负责人"):
        operations.register(district.supervisor, Registration(leader_id=district.unit_leader.id, **base))
    with pytest.raises(LedgerRefused, match="责任领导"):
        operations.register(district.supervisor, Registration(leader_id=district.handler.id, **base))
    gone = make_user("leader", active=False)
    with pytest.raises(LedgerRefused, match="责任领导"):
        operations.register(district.supervisor, Registration(leader_id=gone.id, **base))
    with pytest.raises(LedgerRefused, match="承办单位"):
        operations.register(district.supervisor, Registration(leader_id=district.leader.id, title="事项",
                                                              owner_unit_id=district.office.id, target_date=TODAY))
    assert _count() == 0


@pytest.mark.parametrize("role", ["dispatcher", "leader", "admin", "handler", "unit_leader", "deputy"])
def test_only_supervisors_register(district, role):
    data = Registration(title="事项", owner_unit_id=district.chengguan.id, leader_id=district.unit_leader.id,
                        target_date=TODAY)
    with pytest.raises(LedgerRefused, match="只有督查人员"):
        operations.register(district.people[role], data)
    assert _count() == 0


def test_split_numbers():
    assert operations.split_numbers("A1, A2、A3\nA1  A4；A5") == ["A1", "A2", "A3", "A4", "A5"]


def test_progress_notes_by_supervisor_and_owner_unit(district, make_entry):
    entry = make_entry()
    operations.add_note(district.handler, entry, "已约谈夜市经营者，设置油烟净化设备。")
    operations.add_note(district.supervisor, entry, "督查室现场复核，油烟仍有反弹。")
    db.session.refresh(entry)
    assert [(n.actor.username, n.at) for n in entry.notes] == [("cg_a", FIXED_NOW), ("supervisor", FIXED_NOW)]
    assert entry.latest_note.note == "督查室现场复核，油烟仍有反弹。"


@pytest.mark.parametrize("role", ["other_handler", "street_handler", "leader", "dispatcher", "admin", "deputy"])
def test_others_may_not_add_notes(district, make_entry, role):
    entry = make_entry()
    with pytest.raises(LedgerRefused, match="只有督查人员和责任单位"):
        operations.add_note(district.people[role], entry, "我来写一条进展。")
    assert entry.notes == []


def test_note_needs_text(district, make_entry):
    entry = make_entry()
    with pytest.raises(LedgerRefused, match="请填写进展"):
        operations.add_note(district.handler, entry, "  好 ")
    assert _count(LedgerEvent) == 1


def test_cancel_records_who_when_and_why(district, make_entry):
    entry = make_entry()
    operations.cancel(district.supervisor, entry, "夜市已迁入室内市场，回访群众满意。")
    assert entry.state == "cancelled" and entry.cancelled_at == FIXED_NOW
    assert entry.cancelled_by.id == district.supervisor.id and entry.closing_note.startswith("夜市已迁入")
    assert entry.events[-1].kind == "cancel"
    with pytest.raises(LedgerRefused, match="已销号"):
        operations.add_note(district.handler, entry, "销号后再填进展。")
    with pytest.raises(LedgerRefused, match="已销号"):  # the state-guarded UPDATE: of two at once, one wins
        operations.cancel(district.supervisor, entry, "再销一次号试试。")
    assert len(entry.events) == 2


@pytest.mark.parametrize("role", ["unit_leader", "handler", "leader", "dispatcher", "admin"])
def test_only_supervisors_cancel(district, make_entry, role):
    entry = make_entry()
    with pytest.raises(LedgerRefused, match="只有督查人员可以销号"):
        operations.cancel(district.people[role], entry, "问题已解决，申请销号。")
    db.session.refresh(entry)
    assert entry.state == "open" and entry.cancelled_at is None


def test_cancel_needs_a_closing_note(district, make_entry):
    entry = make_entry()
    with pytest.raises(LedgerRefused, match="销号说明"):
        operations.cancel(district.supervisor, entry, "")
    db.session.refresh(entry)
    assert entry.state == "open"


def test_reopen_only_with_a_reason_and_keeps_the_history(district, make_entry):
    entry = make_entry()
    with pytest.raises(LedgerRefused, match="不是已销号"):
        operations.reopen(district.supervisor, entry, "还没销号就恢复。")
    operations.cancel(district.supervisor, entry, "夜市已迁入室内市场。")
    with pytest.raises(LedgerRefused, match="恢复在办的原因"):
        operations.reopen(district.supervisor, entry, " ")
    with pytest.raises(LedgerRefused, match="只有督查人员"):
        operations.reopen(district.unit_leader, entry, "群众再次反映问题反弹。")
    db.session.refresh(entry)
    assert entry.state == "cancelled"
    operations.reopen(district.supervisor, entry, "群众再次反映问题反弹。")
    assert entry.state == "open" and entry.cancelled_at is None and entry.closing_note is None
    assert [e.kind for e in entry.events] == ["register", "cancel", "reopen"]
    assert entry.events[1].note == "夜市已迁入室内市场。"  # the cancellation stays in the history


def test_overdue_is_read_against_the_target_date(district, make_entry):
    entry = make_entry(target=TODAY)
    assert entry.status(TODAY) == "open"
    assert entry.status(TODAY + timedelta(days=1)) == "overdue"
    operations.cancel(district.supervisor, entry, "按期解决。")
    assert entry.status(TODAY + timedelta(days=1)) == "cancelled"


# --- registration from a supervision ---------------------------------------------------------------

@pytest.fixture
def supervision(district, make_order):
    from portal.supervision.operations import open_supervisions

    orders = [make_order("accepted"), make_order("accepted", content="背街小巷垃圾清运不及时，夏季异味明显。")]
    [record] = open_supervisions(district.supervisor, [o.id for o in orders], step="supervision", level="system",
                                 reason="overdue", requirements="三个工作日内反馈整改情况并附现场照片。",
                                 answer_due=TODAY + timedelta(days=3))
    return record


def test_register_from_supervision_prefills_unit_orders_leader_and_date(district, supervision):
    entry = operations.register_from_supervision(district.supervisor, supervision)
    assert entry.supervision.id == supervision.id
    assert entry.owner_unit.id == district.chengguan.id
    assert [o.id for o in entry.orders] == [o.id for o in supervision.orders]
    assert entry.leader.id == district.unit_leader.id  # the unit's leader when no leader leads the supervision
    assert entry.target_date == TODAY + timedelta(days=3)  # the answer deadline
    assert entry.title.startswith("区城管局：") and "三个工作日内反馈" in entry.description
    assert "由督办登记" in entry.events[0].note
    with pytest.raises(LedgerRefused, match="已登记台帐"):
        operations.register_from_supervision(district.supervisor, supervision)
    assert _count() == 1


def test_register_from_supervision_takes_edits_but_not_the_unit(district, supervision):
    data = Registration(title="城管局两件超期工单", leader_id=district.leader.id, owner_unit_id=district.zhujian.id,
                        target_date=TODAY + timedelta(days=20))
    entry = operations.register_from_supervision(district.supervisor, supervision, data)
    assert (entry.title, entry.leader.id, entry.target_date) == ("城管局两件超期工单", district.leader.id,
                                                                 TODAY + timedelta(days=20))
    assert entry.owner_unit.id == district.chengguan.id


def test_register_from_supervision_is_for_supervisors(district, supervision):
    with pytest.raises(LedgerRefused, match="只有督查人员"):
        operations.register_from_supervision(district.unit_leader, supervision)
    assert _count() == 0


def test_two_supervisors_cancel_at_once_one_wins(app, district, make_user, make_entry):
    """Each in its own thread and session, both having loaded the entry while it was open."""
    import threading

    from portal.auth.models import User

    second = make_user("supervisor", district.office)
    entry_id = make_entry().id
    barrier = threading.Barrier(2)
    results = {}

    def run(user_id, note):
        with app.app_context():
            try:
                entry = db.session.get(LedgerEntry, entry_id)
                assert entry.state == "open"
                barrier.wait()
                operations.cancel(db.session.get(User, user_id), entry, note)
                results[user_id] = "ok"
            except LedgerRefused as exc:
                results[user_id] = str(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(district.supervisor.id, "第一位督查人员销号。")),
               threading.Thread(target=run, args=(second.id, "第二位督查人员销号。"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values(), key=len) == ["ok", "该事项已销号（可能刚被他人销号），请刷新页面。"]
    db.session.expire_all()
    entry = db.session.get(LedgerEntry, entry_id)
    assert [e.kind for e in entry.events] == ["register", "cancel"] and entry.state == "cancelled"
    assert entry.cancelled_by_id == [uid for uid, r in results.items() if r == "ok"][0]


def test_registration_tells_the_unit_leader_and_the_leader(district, make_entry):
    from portal.notifications.models import Notification

    make_entry(leader=district.leader)
    told = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert {n.user_id for n in told} == {district.unit_leader.id, district.leader.id}
    assert all(n.kind == "ledger" and "台帐〔2026〕第001号" in n.text for n in told)
