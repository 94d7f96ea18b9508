"""``flask --app portal gen-data``: a generated district that is consistent with the state machine, the
deadline policy and the audit record, shaped like a real one (seasons, closed share, satisfaction,
repeats), usable through the pages, and only ever made in an empty database."""
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.assessment.periods import parse
from portal.assessment.rates import compute
from portal.audit.verify import verify
from portal.auth.models import User
from portal.consultation.models import Consultation
from portal.deadlines.queries import policies, work_calendar
from portal.deadlines.rules import due_after
from portal.extensions import db
from portal.gendata import generate
from portal.orders.models import DispatchRecord, Order, OrderEvent, OrderLink, ReturnVisit
from portal.orders.states import STAY, TRANSITIONS, Action, State
from portal.supervision.models import Supervision
from portal.units.models import Unit

ORDERS, YEARS = 1500, 2
AS_OF = datetime(2026, 11, 20, 23, 59)  # the end of --end-date 2026-11-20 (the tests' clock is 2026-11-24)


@pytest.fixture
def district(ctx):
    """A generated district (made in this process)."""
    return generate(ORDERS, YEARS, AS_OF, seed=7, workers=0)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cli_fills_an_empty_database_prints_one_password_and_refuses_a_second_run(app, runner):
    refused = runner.invoke(args=["gen-data", "--orders", "0"])
    assert refused.exit_code != 0 and "must be positive" in refused.output
    result = runner.invoke(args=["gen-data", "--orders", str(ORDERS), "--years", str(YEARS), "--seed", "3",
                                 "--end-date", "2026-11-20", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    password = result.output.strip().splitlines()[-1].strip()
    with app.app_context():
        assert _count(Order) == ORDERS
        assert _count(OrderEvent) > ORDERS * 6
        assert _count(Supervision) >= 3 and _count(Consultation) >= 2
        assert _count(Unit) > 150  # offices, ~40 departments, 12 streets with 8 communities each, SOEs, parks
        order_id = db.session.scalar(select(Order.id).where(Order.state == "accepted").limit(1))
    client = app.test_client()
    for username, pages in (("dispatcher1", ["/orders/pool", "/orders/", f"/orders/{order_id}", "/dashboard/",
                                             "/assessment/"]),
                            ("cgj_a", ["/orders/inbox", "/orders/"]), ("leader1", ["/dashboard/", "/assessment/"])):
        client.post("/logout")
        assert client.post("/login", data={"username": username, "password": password}).status_code == 302
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (username, page)
    client.post("/logout")
    assert client.post("/login", data={"username": "cgj_b", "password": password + "x"}).status_code == 401

    again = runner.invoke(args=["gen-data", "--orders", "10"])
    assert again.exit_code != 0
    assert "already has orders, units, users" in again.output
    with app.app_context():
        assert _count(Order) == ORDERS


def test_refuses_a_database_with_users_and_changes_nothing(ctx, make_user):
    make_user("admin", username="someone")
    with pytest.raises(ValueError, match="already has users"):
        generate(10, 1, AS_OF)
    assert _count(Unit) == 0 and _count(Order) == 0


def test_every_order_went_the_way_the_state_machine_allows(district):
    events: dict[int, list] = {}
    for event in db.session.scalars(select(OrderEvent).order_by(OrderEvent.order_id, OrderEvent.seq)):
        events.setdefault(event.order_id, []).append(event)
    orders = db.session.scalars(select(Order)).all()
    assert len(events) == len(orders) == ORDERS
    for order in orders:
        chain = events[order.id]
        assert (chain[0].action, chain[0].from_state, chain[0].to_state) == ("take_in", None, "received")
        for before, event in zip(chain, chain[1:]):
            assert event.at >= before.at, order.number
            assert event.from_state == before.to_state, (order.number, event.action)
            if event.action in set(Action):
                rule = TRANSITIONS[Action(event.action)]
                assert State(event.from_state) in rule.sources, (order.number, event.action)
                if Action(event.action) in STAY:
                    assert event.to_state == event.from_state
                elif rule.target is not None:
                    assert event.to_state == rule.target, (order.number, event.action)
        assert chain[-1].to_state == order.state
        actions = Counter(e.action for e in chain)
        assert (order.closed_at is not None) == (order.state == "closed")
        assert order.direct_answer == bool(actions["direct_answer"])
        assert len(order.visits) == actions["visit"]
        assert sum(not p.active for p in order.units if p.part == "lead") == actions["approve_return"]
    assert _count(DispatchRecord) == db.session.scalar(
        select(func.count()).where(OrderEvent.action == "dispatch"))
    assert db.session.scalar(select(func.count()).where(DispatchRecord.returned.is_(True))) == \
        db.session.scalar(select(func.count()).where(OrderEvent.action == "approve_return"))


def test_the_audit_record_is_intact(district):
    walked, problems = verify()
    assert problems == []
    assert next(w for w in walked if w.table == "order_events").chains == ORDERS


def test_deadlines_follow_the_policy(district):
    cal, rules = work_calendar(), policies()
    running = db.session.scalars(select(Order).where(Order.state.in_(["dispatched", "accepted"]))).all()
    assert running
    for order in running:
        policy = rules[order.urgency]
        assert order.sign_due_at == due_after(policy, cal, order.dispatched_at, policy.sign_for)
        expected = order.sign_due_at if order.state == "dispatched" else (
            order.reply_due_at if order.first_feedback_at else min(order.feedback_due_at, order.reply_due_at))
        assert order.next_due_at == expected
        assert order.warn_at == expected - timedelta(minutes=policy.warn_minutes)
    closed = db.session.scalars(select(Order).where(Order.state == "closed").limit(200)).all()
    assert all(o.next_due_at is None for o in closed)
    assert db.session.scalar(select(func.count()).where(Order.next_due_at < AS_OF)) > 0  # some overdue


def test_the_district_looks_like_a_real_one(district):
    old = select(Order.state).where(Order.received_at < AS_OF - timedelta(days=60))
    assert set(db.session.scalars(old)) == {"closed"}
    recent_states = set(db.session.scalars(select(Order.state).where(Order.received_at > AS_OF - timedelta(days=7))))
    assert len(recent_states - {"closed"}) >= 3

    visits = Counter(db.session.scalars(select(ReturnVisit.satisfaction)))
    assert 0.85 < visits["satisfied"] / sum(visits.values()) < 0.93

    def noise_share(months):
        rows = db.session.execute(select(Order.received_at, Order.content)).all()
        picked = [content for at, content in rows if at.month in months]
        return sum("噪音" in content for content in picked) / len(picked)
    assert noise_share((6, 7, 8)) > 1.3 * noise_share((3, 4, 5))

    by_month = Counter(at.month for at in db.session.scalars(select(Order.received_at)))
    assert by_month[7] > by_month[2]  # summer peak, Spring Festival low

    assert db.session.scalar(select(func.count()).where(Order.is_repeat.is_(True))) == _count(OrderLink) > 0
    assert len(set(db.session.scalars(select(Order.number)))) == ORDERS
    channels = Counter(db.session.scalars(select(Order.channel)))
    assert channels.most_common(1)[0][0] == "phone"
    assert all(20 <= len(c) for c in db.session.scalars(select(Order.content)))


def test_assessment_computes_over_the_generated_orders(district):
    result = compute(parse("2026-10"), AS_OF, by="unit")
    assert result.total.counts["visited"] > 0
    assert 0.85 < result.total.rates["satisfaction_process"] <= 1
    assert result.total.rates["return_rate"] < 0.1
    assert any(row.rank == 1 for row in result.rows)


def test_generated_users_hold_the_roster(district):
    from portal.roster.queries import holders

    cgj = db.session.scalar(select(Unit).where(Unit.name == "区城管局"))
    current = holders(cgj.id)
    assert current["A"].username == "cgj_a" and current["B"].username == "cgj_b"
    assert db.session.scalar(select(func.count()).where(User.role == "dispatcher")) >= 5
