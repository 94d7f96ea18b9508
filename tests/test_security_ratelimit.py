"""Rate limits: the API per token and per address (counted in the database, so all workers share them),
and log-in throttling per account and per address across usernames, answered with Retry-After."""
from datetime import datetime, timedelta

from portal.api import auth
from portal.extensions import db
from portal.orders.models import Order
from portal.security.models import RateWindow
from portal.security.ratelimit import hit
from tests.fixtures.people import PASSWORD

CITY_ORDER = {
    "city_no": "SX2026112400001", "received_at": "2026-11-24 09:15:00", "channel": "电话", "type": "投诉",
    "category": "城管", "urgency": "紧急", "citizen_name": "张三", "citizen_phone": "13812341234",
    "address": "城关街道东关社区建设路12号", "content": "小区门口占道经营，油烟扰民，请尽快处理。",
}


def order_count() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Order.id)))


def test_api_answers_429_after_the_limit_and_the_refused_call_changes_nothing(app, client, district, category):
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    _, secret = auth.issue("city")
    bearer = {"Authorization": f"Bearer {secret}"}
    for _ in range(3):
        assert client.get("/api/v1/orders", headers=bearer).status_code == 200
    refused = client.post("/api/v1/orders", headers=bearer, json=CITY_ORDER)
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert refused.json["error"] == "too_many_requests" and "每分钟最多 3 次" in refused.json["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert order_count() == 0  # the refused push made no order

    # a token has its own count: another token still gets through
    _, other = auth.issue("scripts")
    assert client.post("/api/v1/orders", headers={"Authorization": f"Bearer {other}"},
                       json=CITY_ORDER).status_code == 201
    assert order_count() == 1


def test_calls_without_a_live_token_are_counted_per_address(app, client, ctx):
    app.config["API_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = 2
    for header in ({}, {"Authorization": "Bearer made-up-token"}):  # a made-up token does not get a count of its own
        assert client.get("/api/v1/orders", headers=header).status_code == 401
    refused = client.get("/api/v1/orders", headers={"Authorization": "Bearer another-made-up-token"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other_address = client.get("/api/v1/orders", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 401
    assert client.get("/api/v1/no-such-url").status_code == 429  # every URL under /api/ counts


def test_limit_zero_is_off(app, client, ctx):
    app.config["API_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = 0
    for _ in range(5):
        assert client.get("/api/v1/orders").status_code == 401


def test_windows_are_fixed_and_old_ones_are_removed(ctx):
    at = datetime(2026, 11, 24, 10, 0, 50)
    assert [hit("k", 2, 60, at).allowed for _ in range(3)] == [True, True, False]
    assert hit("k", 2, 60, at).retry_after == 10
    next_minute = at + timedelta(seconds=15)
    assert hit("k", 2, 60, next_minute).allowed  # a new window
    assert db.session.scalar(db.select(db.func.count()).select_from(RateWindow)) == 2
    hit("k", 2, 60, at + timedelta(days=1, minutes=2))  # a day later: the old windows go
    assert db.session.scalar(db.select(db.func.count()).select_from(RateWindow)) == 1


def test_login_throttled_per_address_across_usernames(app, client, district):
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 4
    for name in ("dispatcher", "supervisor", "leader", "cg_a"):  # one failure each: no account is locked
        assert client.post("/login", data={"username": name, "password": "wrong"}).status_code == 401
    blocked = client.post("/login", data={"username": "zj_a", "password": PASSWORD})
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.get_data(as_text=True)
    window = app.config["LOGIN_FAILURE_WINDOW"].total_seconds()
    assert 0 < int(blocked.headers["Retry-After"]) <= window
    # the same account from another address is not locked
    elsewhere = client.post("/login", data={"username": "zj_a", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 302


def test_concurrent_requests_share_one_count(app, ctx):
    """Several workers at once (threads with connections of their own): every request is counted once and
    exactly ``limit`` get through."""
    import threading

    at = datetime(2026, 11, 24, 10, 0, 5)
    allowed = []

    def worker():
        with app.app_context():
            for _ in range(10):
                allowed.append(hit("shared", 25, 60, at).allowed)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 60 and allowed.count(True) == 25
    assert db.session.scalar(db.select(RateWindow.hits).where(RateWindow.key == "shared")) == 60
