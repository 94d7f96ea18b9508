"""Sessions end after inactivity and after their lifetime; a password change ends the user's other
sessions; background polling does not keep a session alive."""
import pytest
from flask import g

from portal.clock import now
from tests.fixtures.people import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def request_globals_per_request(app):
    """The test keeps an app context open, so every request would share one ``g`` (and Flask-Login's
    cached user in it); in production each request has its own. Start each request afresh."""
    def forget():
        for name in list(g):
            g.pop(name)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


def stamp(**back) -> int:
    from datetime import timedelta

    return int((now() - timedelta(**back)).timestamp())


def set_session(client, **values):
    with client.session_transaction() as session:
        session.update(values)


def get_session(client, key):
    with client.session_transaction() as session:
        return session.get(key)


def test_idle_session_ends_with_a_message(app, district, login):
    client = login(district.dispatcher)
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    set_session(client, last_seen=stamp(minutes=29))
    assert client.get("/orders/pool").status_code == 200  # still within the idle time
    assert get_session(client, "last_seen") == stamp()  # and the request counts as activity

    set_session(client, last_seen=stamp(minutes=31))
    response = client.get("/orders/pool")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "登录已超时，请重新登录。" in page and "请先登录。" not in page
    assert client.get("/orders/pool").status_code == 302  # logged out for good


def test_idle_htmx_request_is_sent_to_the_login_page(district, login):
    client = login(district.dispatcher)
    set_session(client, last_seen=stamp(minutes=45))
    response = client.get("/orders/pool", headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/login")
    assert "登录已超时" in client.get("/login").get_data(as_text=True)


def test_absolute_lifetime_since_log_in(app, district, login):
    client = login(district.dispatcher)
    hours = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() / 3600
    set_session(client, login_at=stamp(hours=hours, minutes=1), last_seen=stamp(minutes=1))  # active, but old
    response = client.get("/orders/pool")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_background_polls_and_static_files_do_not_count_as_activity(district, login):
    client = login(district.dispatcher)
    set_session(client, last_seen=stamp(minutes=20))
    badge = client.get("/notifications/badge", headers={**HX, "X-Background-Request": "1"})
    assert badge.status_code == 200
    client.get("/static/js/portal.js")
    assert get_session(client, "last_seen") == stamp(minutes=20)
    client.get("/notifications/badge", headers=HX)  # the same request made by the user counts
    assert get_session(client, "last_seen") == stamp()


def test_idle_time_off(app, district, login):
    app.config["SESSION_IDLE_MINUTES"] = 0
    client = login(district.dispatcher)
    set_session(client, last_seen=stamp(hours=5))
    assert client.get("/orders/pool").status_code == 200


def test_password_change_ends_the_other_sessions(app, district):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        assert client.post("/login", data={"username": "dispatcher", "password": PASSWORD}).status_code == 302
        assert client.get("/orders/pool").status_code == 200
    new = "Hotline-2026-new"
    response = first.post("/password", data={"old_password": PASSWORD, "new_password": new,
                                             "repeat_password": new})
    assert response.status_code == 302
    assert first.get("/orders/pool").status_code == 200  # the session that changed it goes on
    assert second.get("/orders/pool").status_code == 302  # the other one has ended
    assert second.post("/login", data={"username": "dispatcher", "password": PASSWORD}).status_code == 401
    assert second.post("/login", data={"username": "dispatcher", "password": new}).status_code == 302


def test_a_session_from_before_the_version_is_refused(district, client):
    """An old-style session value (the bare id) does not log anyone in."""
    set_session(client, _user_id=str(district.dispatcher.id), _fresh=True)
    assert client.get("/orders/pool").status_code == 302


def test_activity_is_noted_once_a_minute_not_on_every_response(district, login):
    """Within a minute of the last noted activity a page leaves the session as it is (no cookie signed
    and sent again); a minute later it moves the last activity to now."""
    client = login(district.dispatcher)
    client.get("/orders/pool")  # the first page after log-in adds the form token to the session
    set_session(client, last_seen=stamp(seconds=59))
    response = client.get("/orders/pool")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert get_session(client, "last_seen") == stamp(seconds=59)

    set_session(client, last_seen=stamp(seconds=60))
    response = client.get("/orders/pool")
    assert "Set-Cookie" in response.headers
    assert get_session(client, "last_seen") == stamp()
