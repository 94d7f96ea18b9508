"""The production layout under load: gunicorn (gunicorn.conf.py, three sync workers) on a PostgreSQL
database built by ``flask db upgrade``; people act on the same orders at the same moment through the
real pages and the API, and afterwards nothing is lost or duplicated: one event per accepted action,
one order per city number, every loser told why in Chinese, the audit chains intact, no traceback."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.api import auth as api_auth
from portal.audit.verify import verify
from portal.auth.models import User
from portal.clock import now
from portal.extensions import db
from portal.orders import operations
from portal.orders.models import Category, Order, OrderEvent
from portal.units.models import Unit
from tests.fixtures.app import PG_URL, _admin_engine

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (PORTAL_TEST_DATABASE_URL): "
                                                    "gunicorn's workers share one database server")]

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = str(ROOT / "migrations")
PASSWORD = "Gunicorn-test-1"
REPLY = "已安排人员到现场处置，问题已解决，并电话告知市民。"
REASON = "该事项属于住建部门职责，申请退回重新派发。"


@pytest.fixture
def scratch_url():
    """A database of this test's own, dropped afterwards."""
    name = f"portal_test_{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_gunicorn"
    admin = _admin_engine(PG_URL)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def world(scratch_url, tmp_path):
    """The schema by ``flask db upgrade``; two dispatchers, a unit with its A and B handlers, another unit,
    orders waiting to be dispatched, signed for and answered, and an API token."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": scratch_url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "ATTACHMENTS_DIR": str(tmp_path / "attachments")})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "upgrade", "--directory", MIGRATIONS])
        assert result.exit_code == 0, result.output
        office, chengguan, zhujian = (Unit(name="区热线办", kind="office"), Unit(name="区城管局", kind="department"),
                                      Unit(name="区住建局", kind="department"))
        db.session.add_all([office, chengguan, zhujian, Category(name="城管")])
        people = {}
        for username, role, unit in (("dispatcher", "dispatcher", office), ("dispatcher2", "dispatcher", office),
                                     ("cg_a", "handler", chengguan), ("cg_b", "handler", chengguan),
                                     ("zj_a", "handler", zhujian)):
            people[username] = User(username=username, name=username, role=role, unit=unit, active=True,
                                    created_at=now())
            people[username].set_password(PASSWORD)
        db.session.add_all(people.values())
        db.session.commit()
        _, token = api_auth.issue("city")
        orders = {"received": [], "dispatched": [], "accepted": []}
        for state, how_many in (("received", 4), ("dispatched", 3), ("accepted", 3)):
            for _ in range(how_many):
                orders[state].append(_order(people, chengguan, state))
        ids = {state: [(o.id, o.version) for o in found] for state, found in orders.items()}
        units = {"chengguan": chengguan.id, "zhujian": zhujian.id}
        db.session.remove()
    yield app, ids, units, token
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_numbers = iter(range(1, 1000))


def _order(people, lead, state) -> Order:
    order = operations.take_in(people["dispatcher"], {
        "number": f"GU2026{next(_numbers):06d}", "channel": "phone", "type": "complaint", "urgency": "normal",
        "caller_name": "张三", "caller_phone": "13812341234", "address": "城关街道东关社区建设路12号",
        "content": "小区门口占道经营，油烟扰民，请尽快处理。"})
    if state in ("dispatched", "accepted"):
        operations.apply(order.id, "dispatch", people["dispatcher"], lead_unit_id=lead.id)
    if state == "accepted":
        operations.apply(order.id, "sign_for", people["cg_a"])
    db.session.refresh(order)
    return order


@pytest.fixture
def gunicorn(world, scratch_url, tmp_path):
    """``gunicorn -c gunicorn.conf.py`` with three workers on a free port; stopped with SIGTERM."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = os.environ | {
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_WORKERS": "3",
        "PORTAL_SQLALCHEMY_DATABASE_URI": scratch_url, "PORTAL_SECRET_KEY": "gunicorn-test-secret",
        "PORTAL_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
    }
    env.pop("PORTAL_TEST_DATABASE_URL", None)
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, process, log)
        yield base, process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(base: str, process, log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


class Person:
    """A browser session: logged in through the real form, CSRF token from the page."""

    def __init__(self, base: str, username: str):
        self.base, self.http = base, requests.Session()
        self.token = _csrf(self.http.get(f"{base}/login", timeout=10).text)
        answer = self.http.post(f"{base}/login", data={"username": username, "password": PASSWORD,
                                                       "csrf_token": self.token}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        self.token = _csrf(self.http.get(f"{base}/orders/", timeout=10).text)  # the session's token after log-in

    def act(self, order_id: int, action: str, **fields) -> requests.Response:
        return self.http.post(f"{self.base}/orders/{order_id}/act/{action}",
                              data={"csrf_token": self.token, "view": "page", **fields},
                              allow_redirects=False, timeout=30)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def race(calls) -> list:
    """Run the calls in threads released together; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            answers[i] = call()
        except Exception as exc:  # noqa: BLE001  (reported by the caller)
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def city_order(number: str, content: str) -> dict:
    return {"city_no": number, "received_at": "2026-11-24 09:15:00", "channel": "电话", "type": "投诉",
            "category": "城管", "urgency": "一般", "citizen_name": "李四", "citizen_phone": "13900001111",
            "address": "城关街道建设路1号", "content": content}


def test_concurrent_actions_under_gunicorn_lose_and_duplicate_nothing(world, gunicorn):
    app, ids, units, token = world
    base, process, log = gunicorn
    people = {name: Person(base, name) for name in ("dispatcher", "dispatcher2", "cg_a", "cg_b")}

    calls, expected = [], []  # expected: (order id, the actions racing, the call indexes)
    for order_id, version in ids["received"]:  # two dispatchers, two different lead units
        expected.append((order_id, ("dispatch",), [len(calls), len(calls) + 1]))
        calls += [lambda o=order_id, v=version: people["dispatcher"].act(o, "dispatch", version=v,
                                                                         lead_unit_id=units["chengguan"]),
                  lambda o=order_id, v=version: people["dispatcher2"].act(o, "dispatch", version=v,
                                                                          lead_unit_id=units["zhujian"])]
    for order_id, version in ids["dispatched"]:  # A and B sign for the same order
        expected.append((order_id, ("sign_for",), [len(calls), len(calls) + 1]))
        calls += [lambda o=order_id, v=version: people["cg_a"].act(o, "sign_for", version=v),
                  lambda o=order_id, v=version: people["cg_b"].act(o, "sign_for", version=v)]
    for order_id, version in ids["accepted"]:  # A replies while B asks to return it
        expected.append((order_id, ("reply", "request_return"), [len(calls), len(calls) + 1]))
        calls += [lambda o=order_id, v=version: people["cg_a"].act(o, "reply", version=v, reply=REPLY),
                  lambda o=order_id, v=version: people["cg_b"].act(o, "request_return", version=v, reason=REASON)]
    api_calls = []
    for number in ("CITY-GU-0001", "CITY-GU-0002"):  # the city pushes one number from five threads
        for content in ["路面塌陷，存在安全隐患，请尽快修复。"] * 4 + ["另一份内容不同的工单，编号却相同。"]:
            api_calls.append((number, content, len(calls)))
            calls.append(lambda n=number, c=content: requests.post(
                f"{base}/api/v1/orders", json=city_order(n, c), headers={"Authorization": f"Bearer {token}"},
                timeout=30))

    started = time.monotonic()
    answers = race(calls)
    took = time.monotonic() - started
    failures = [a for a in answers if isinstance(a, Exception)]
    assert not failures, failures

    with app.app_context():
        for order_id, actions, indexes in expected:
            codes = [answers[i].status_code for i in indexes]
            won = [i for i in indexes if answers[i].status_code == 302]
            assert len(won) == 1, (order_id, actions, codes)
            for i in indexes:
                if i not in won:  # the loser: 409 (changed meanwhile) or 422 (no longer allowed), in Chinese
                    assert answers[i].status_code in (409, 422), codes
                    said = re.findall(r"alert[^>]*>([^<]+)", answers[i].text)
                    assert any("已被他人更新" in m or "不能执行" in m for m in said), said
            events = db.session.execute(select(OrderEvent.action).where(
                OrderEvent.order_id == order_id, OrderEvent.action.in_(actions))).scalars().all()
            winner_action = actions[indexes.index(won[0])] if len(actions) > 1 else actions[0]
            assert events == [winner_action], (order_id, events)  # one event, the winner's
            order = db.session.get(Order, order_id)
            assert order.version == dict(sum(ids.values(), []))[order_id] + 1

        for number in ("CITY-GU-0001", "CITY-GU-0002"):
            stored = db.session.scalars(select(Order).where(Order.number == number)).all()
            assert len(stored) == 1, number
            codes = {i: answers[i].status_code for n, _, i in api_calls if n == number}
            assert sorted(codes.values()).count(201) == 1, codes
            for n, content, i in api_calls:
                if n != number:
                    continue
                if content == stored[0].content:
                    assert codes[i] in (200, 201), codes  # the same again is answered as the stored order
                else:
                    assert codes[i] == 409 and "已存在" in answers[i].json()["message"], answers[i].text
            take_ins = db.session.scalar(select(func.count(OrderEvent.id)).where(
                OrderEvent.order_id == stored[0].id, OrderEvent.action == "take_in"))
            assert take_ins == 1

        assert verify()[1] == []
        db.session.rollback()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    output = log.read_text()
    assert output.count("Booting worker with pid") >= 3
    assert "Traceback" not in output and "[ERROR]" not in output, output[-3000:]
    assert took < 15, f"{len(calls)} concurrent requests took {took:.1f} s"
