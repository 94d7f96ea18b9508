"""The demo district (``flask --app portal seed-demo``): complete, consistent, in Chinese, and only ever
made in an empty database."""
import re
from random import Random

import pytest

from portal.auth.models import Role, User
from portal.clock import now
from portal.deadlines.queries import policies, work_calendar
from portal.deadlines.rules import OVERDUE, SOON, status
from portal.demo import seed_demo
from portal.demo.planning import Planner
from portal.demo.scenarios import SCENARIOS
from portal.demo.topic import topic_list
from portal.extensions import db
from portal.orders.models import Order, OrderEvent, ReturnVisit
from portal.orders.states import State
from portal.units.models import Unit

ORDERS = 40  # enough for every scenario once (there are fewer than 40), small enough to be quick
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDERS = re.compile(r"lorem|ipsum|\btest|todo|xxx|\{|\}|None", re.IGNORECASE)


def _log_in(app, username, password) -> int:
    return app.test_client().post("/login", data={"username": username, "password": password}).status_code


def test_cli_prints_passwords_that_log_in_and_refuses_a_second_run(app, runner):
    result = runner.invoke(args=["seed-demo", "--orders", str(ORDERS), "--seed", "1"])
    assert result.exit_code == 0, result.output

    lines = result.output.splitlines()[1:]
    accounts = {line.split()[0]: line.split()[-1] for line in lines if line.strip()}
    for username in ("admin", "dispatcher", "dispatcher2", "supervisor", "leader", "deputy",
                     "cgj_lead", "cgj_a", "cgj_b", "zjj_a", "scjg_b", "chengguan_a", "nanhu_lead"):
        assert username in accounts, result.output
    assert len(set(accounts.values())) == len(accounts), "each printed account has its own password"
    assert _log_in(app, "cgj_a", accounts["cgj_a"]) == 302
    assert _log_in(app, "dispatcher", accounts["dispatcher"]) == 302
    assert _log_in(app, "deputy", accounts["deputy"]) == 302
    shared = next(password for name, password in accounts.items() if "_a/_b/_lead" in name)
    assert _log_in(app, "gaj_a", shared) == 302  # a unit whose accounts share one password
    assert _log_in(app, "cgj_a", accounts["cgj_b"]) == 401

    again = runner.invoke(args=["seed-demo", "--orders", "5"])
    assert again.exit_code != 0
    assert "already has units, users, categories, orders" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Order.id))) == ORDERS


def test_refuses_a_database_that_has_users(ctx, make_user):
    make_user("admin", username="someone")
    with pytest.raises(ValueError, match="already has users"):
        seed_demo(order_count=5, seed=1)
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0


def test_demo_district_is_complete_and_consistent(ctx):
    accounts = seed_demo(order_count=ORDERS, seed=2)
    assert {role for _, role, _ in accounts} >= {r.value for r in Role}

    units = db.session.scalars(db.select(Unit)).all()
    kinds = {kind: [u for u in units if u.kind == kind] for kind in
             ("office", "department", "street", "soe", "committee", "community")}
    assert len(kinds["department"]) >= 30 and len(kinds["street"]) == 12
    assert len(kinds["soe"]) == 9 and len(kinds["committee"]) == 4
    assert all(c.parent and c.parent.kind == "street" for c in kinds["community"])
    assert all(3 <= len(s.children) <= 10 for s in kinds["street"])
    staffed = set(db.session.scalars(db.select(User.unit_id).where(User.role == Role.HANDLER, User.active)))
    assert all(u.id in staffed for kind in ("department", "street", "soe", "committee") for u in kinds[kind])

    orders = db.session.scalars(db.select(Order)).all()
    assert len(orders) == ORDERS
    assert len({o.number for o in orders}) == ORDERS
    assert {o.state for o in orders} == {s.value for s in State}
    assert all(o.lead_unit_id in staffed for o in orders if o.lead_unit_id)
    assert db.session.scalar(db.select(db.func.max(OrderEvent.at))) <= now()

    # Every side path was taken through the real operations.
    actions = set(db.session.scalars(db.select(OrderEvent.action)))
    assert actions >= {"direct_answer", "approve_return", "reject_return", "request_extension",
                       "approve_extension", "reject_extension", "send_back", "reopen", "contribute"}
    assert any(o.pending_request("extension") for o in orders)
    assert any(o.pending_request("return") for o in orders)
    assert any(o.reprocess_count and o.state == State.CLOSED for o in orders)
    assert any(sum(1 for e in o.events if e.action == "dispatch") == 2 for o in orders)  # returned, re-sent
    unsatisfied = db.session.scalars(db.select(ReturnVisit).where(ReturnVisit.satisfaction == "unsatisfied")).all()
    assert unsatisfied and all(v.reason for v in unsatisfied)
    assert {status(o, now()) for o in orders} >= {OVERDUE, SOON}
    assert any(o.deputy_pushed for o in orders)

    # Chinese text from templates, fully filled in.
    notes = db.session.scalars(db.select(OrderEvent.note).where(OrderEvent.note.is_not(None))).all()
    texts = [o.content for o in orders] + [o.address for o in orders] + notes + [
        t for o in orders for t in (o.reply_text, o.answer_text, o.leader_instruction) if t]
    for text in texts:
        assert CJK.search(text), text
        assert not PLACEHOLDERS.search(text), text
    assert all(re.fullmatch(r"1[3-9]\d{9}", o.caller_phone) for o in orders)


def test_same_seed_plans_the_same_orders(ctx):
    def plan(seed):
        planner = Planner(Random(seed), now(), work_calendar(), topic_list(), policies(),
                          unit_names=_unit_names(), leader_name="刘志刚")
        return [(p.number, p.scenario.name, p.lead, p.place.address, p.content) for p in planner.plan(60)]

    first = plan(7)
    assert first == plan(7)
    assert first != plan(8)
    assert {name for _, name, *_ in first} == {s.name for s in SCENARIOS}


def _unit_names():
    from portal.demo.district import DEPARTMENTS, PARKS, SOES, STREETS

    names = dict(DEPARTMENTS + SOES)
    names |= {s.code: s.name for s in STREETS} | {p.code: p.name for p in PARKS}
    return names
