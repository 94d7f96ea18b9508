"""The A/B invariant, driven by random sequences of dispatches, sign-fors, replies, absences, returns,
roster changes, deactivations, moves and takeover checks (hypothesis):

every order a unit holds always has exactly one responsible person, an active user of its lead unit,
and every change of who is responsible is an event on the order.
"""
import tempfile
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.auth.models import User
from portal.clock import now
from portal.extensions import db
from portal.orders import operations
from portal.orders.errors import Conflict, InvalidInput, TransitionRefused
from portal.orders.models import Order
from portal.roster.operations import (RosterRefused, cancel_absence, deactivate_user, move_user, record_absence,
                                      set_holder)
from portal.roster.queries import HELD_STATES, absence_at
from portal.roster.routing import Responsibility
from portal.roster.takeover import check_takeovers
from portal.units.models import Unit

START = datetime(2026, 9, 28, 9, 0)  # the week before National Day
HANDLER_CHANGES = {"dispatch": "handler_id", "reopen": "handler_id"}

step = st.one_of(
    st.tuples(st.just("dispatch"), st.integers(0, 1)),
    st.tuples(st.just("sign"), st.integers(0, 20)),
    st.tuples(st.just("reply"), st.integers(0, 20)),
    st.tuples(st.just("return"), st.integers(0, 20)),
    st.tuples(st.just("absence"), st.integers(0, 4), st.integers(0, 48), st.integers(1, 120)),
    st.tuples(st.just("back"), st.integers(0, 4)),
    st.tuples(st.just("roster"), st.integers(0, 1), st.integers(0, 4)),
    st.tuples(st.just("deactivate"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 4)),
    st.tuples(st.just("hire"), st.integers(0, 1)),
    st.tuples(st.just("takeover"),),
    st.tuples(st.just("advance"), st.integers(1, 30)),
)


def build(app):
    units = [Unit(name="区城管局", kind="department"), Unit(name="区住建局", kind="department")]
    office = Unit(name="区热线办", kind="office")
    db.session.add_all(units + [office])
    db.session.flush()

    def person(username, role, unit):
        user = User(username=username, name=username, role=role, unit_id=unit.id if unit else None, created_at=START)
        user.set_password("x" * 10)
        db.session.add(user)
        return user

    people = [person("cg_a", "handler", units[0]), person("cg_b", "handler", units[0]),
              person("cg_c", "handler", units[0]), person("cg_lead", "unit_leader", units[0]),
              person("zj_a", "handler", units[1])]
    dispatcher = person("disp", "dispatcher", office)
    admin = person("admin", "admin", None)
    db.session.commit()
    set_holder(units[0], "A", people[0], admin, at=START)
    set_holder(units[0], "B", people[1], admin, at=START)
    return units, people, dispatcher, admin


def expected_handler(order):
    """Who the events say is responsible: the last event that named someone."""
    handler = None
    for event in order.events:
        if event.action in HANDLER_CHANGES:
            handler = event.data[HANDLER_CHANGES[event.action]]
        elif event.action == "sign_for":
            handler = event.actor_id
        elif event.action in ("takeover", "handover"):
            assert event.data["from_user_id"] == handler, "a responsibility change from someone not responsible"
            handler = event.data["to_user_id"]
        elif event.action == "approve_return":
            handler = None
    return handler


def check_invariant(at):
    db.session.expire_all()
    for order in db.session.scalars(db.select(Order)).all():
        assert order.handler_id == expected_handler(order), f"{order.number}: handler changed without an event"
        if order.state not in HELD_STATES:
            continue
        of_record = db.session.get(User, order.handler_id)
        assert of_record.active and of_record.unit_id == order.lead_unit_id, (
            f"{order.number}: its handler {of_record.name} left without handing it over")
        person, acting = Responsibility(order.lead_unit_id, at).answering(order)
        assert person is not None, f"{order.number} has no one responsible"
        assert person.active and person.unit_id == order.lead_unit_id, f"{order.number}: {person.name} cannot answer"
        if not acting:
            assert absence_at(person.id, at) is None or not _someone_else_present(order, at)


def _someone_else_present(order, at):
    unit_people = db.session.scalars(db.select(User).where(User.unit_id == order.lead_unit_id, User.active.is_(True)))
    return any(absence_at(p.id, at) is None for p in unit_people)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=40))
def test_every_held_order_always_has_one_responsible_active_person(steps):
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/p.sqlite3",
                          "FIXED_NOW": START, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            db.create_all()
            units, people, dispatcher, admin = build(app)
            clock = START
            numbers = iter(range(1, 10_000))
            for action, *args in steps:
                app.config["FIXED_NOW"] = clock
                orders = db.session.scalars(db.select(Order).order_by(Order.id)).all()
                pick = (lambda i: orders[i % len(orders)]) if orders else (lambda i: None)
                try:
                    run(action, args, clock, units, people, dispatcher, admin, orders, pick, numbers)
                except (RosterRefused, TransitionRefused, InvalidInput, Conflict):
                    db.session.rollback()
                if action == "advance":  # time passes; the scheduler runs the takeover check
                    clock += timedelta(hours=args[0])
                    app.config["FIXED_NOW"] = clock
                    check_takeovers(clock)
                check_invariant(clock)
            db.session.remove()
            db.engine.dispose()


def run(action, args, clock, units, people, dispatcher, admin, orders, pick, numbers):
    if action == "dispatch":
        order = operations.take_in(dispatcher, {
            "number": f"P{next(numbers)}", "channel": "phone", "type": "complaint", "urgency": "normal",
            "caller_name": "张三", "caller_phone": "13800000000", "address": "建设路1号",
            "content": "夜间施工噪音扰民，请处理。"}, at=clock)
        operations.apply(order.id, "dispatch", dispatcher, at=clock, lead_unit_id=units[args[0]].id)
    elif action in ("sign", "reply", "return") and orders:
        order = pick(args[0])
        person, _ = Responsibility(order.lead_unit_id, clock).answering(order) if order.lead_unit_id else (None, False)
        if person is None:
            return
        if action == "sign":
            operations.apply(order.id, "sign_for", person, at=clock)
        elif action == "reply":
            operations.apply(order.id, "reply", person, at=clock, reply="已到现场处理完毕，并告知市民处理结果。")
        else:
            operations.apply(order.id, "request_return", person, at=clock, reason="不属于本单位职责范围。")
            operations.apply(order.id, "approve_return", dispatcher, at=clock)
            other = units[1] if order.lead_unit_id == units[0].id else units[0]
            operations.apply(order.id, "dispatch", dispatcher, at=clock, lead_unit_id=other.id)
    elif action == "absence":
        who = people[args[0]]
        start = clock + timedelta(hours=args[1])
        record_absence(who, "leave", start, start + timedelta(hours=args[2]), who)
    elif action == "back":
        who = people[args[0]]
        current = absence_at(who.id, clock)
        if current:
            cancel_absence(current, who)
    elif action == "roster":
        slot = "AB"[args[0]]
        set_holder(units[0], slot, people[args[1]], admin, at=clock)
    elif action == "deactivate":
        who = people[args[0]]
        successor = next((p for p in people if p.id != who.id and p.active and p.unit_id == who.unit_id), None)
        deactivate_user(who, admin, successor if args[1] else None)
    elif action == "move":
        who = people[args[0]]
        target = units[1] if who.unit_id == units[0].id else units[0]
        move_user(who, target, admin)
    elif action == "hire":
        user = User(username=f"new{next(numbers)}", name="新人", role="handler", unit_id=units[args[0]].id,
                    created_at=now())
        user.set_password("x" * 10)
        db.session.add(user)
        db.session.commit()
        people.append(user)
    elif action == "takeover":
        check_takeovers(clock)
