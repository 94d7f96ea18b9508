"""API tokens: issued and revoked by operators' commands, stored only as a hash, and the only way
into the API (a browser session is not)."""
import hashlib
from datetime import timedelta

from portal.api import auth
from portal.api.models import ApiToken
from portal.extensions import db
from tests.fixtures.app import FIXED_NOW
from tests.test_api_orders import Api, api, api_token, city_order, order_count  # noqa: F401  (fixtures)


def _token_row(name: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalar(db.select(ApiToken).where(ApiToken.name == name))


def test_create_token_prints_it_once_and_stores_only_its_hash(runner, client, district, category):
    result = runner.invoke(args=["create-token", "city-platform"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert len(secret) >= 43  # 32 random bytes, base64url
    row = _token_row("city-platform")
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.name, row.token_hash)
    assert Api(client, secret).post("/api/v1/orders", json=city_order()).status_code == 201
    listing = runner.invoke(args=["list-tokens"])
    assert "city-platform" in listing.output and "active" in listing.output and secret not in listing.output


def test_tokens_are_random_and_names_unique(runner, ctx):
    first = runner.invoke(args=["create-token", "a"]).output.strip().splitlines()[-1]
    second = runner.invoke(args=["create-token", "b"]).output.strip().splitlines()[-1]
    assert first != second
    again = runner.invoke(args=["create-token", "a"])
    assert again.exit_code != 0 and "already exists" in again.output
    blank = runner.invoke(args=["create-token", "  "])
    assert blank.exit_code != 0 and "needs a name" in blank.output
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 2


def test_revoked_token_is_refused(runner, api, district, category):
    assert api.get("/api/v1/orders").status_code == 200
    result = runner.invoke(args=["revoke-token", "city"])
    assert result.exit_code == 0 and "revoked" in result.output
    response = api.get("/api/v1/orders")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert api.post("/api/v1/orders", json=city_order()).status_code == 401
    assert order_count() == 0
    listing = runner.invoke(args=["list-tokens"]).output
    assert "revoked 2026-11-24 10:00" in listing
    twice = runner.invoke(args=["revoke-token", "city"])
    assert twice.exit_code != 0 and "already revoked" in twice.output
    unknown = runner.invoke(args=["revoke-token", "nobody"])
    assert unknown.exit_code != 0 and "no token named" in unknown.output


def test_missing_wrong_and_malformed_tokens_are_401(api, district, category):
    for token in (None, "not-a-token", auth.hash_token("x")):
        for method, url, kwargs in (("GET", "/api/v1/orders", {}), ("GET", "/api/v1/orders/SX1", {}),
                                    ("POST", "/api/v1/orders", {"json": city_order()})):
            response = api.open(method, url, token=token, **kwargs)
            assert response.status_code == 401, (token, url)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.get_json()["error"] == "unauthorized"
    for header in ("Basic Y2l0eTpwYXNz", "Token " + api.token, api.token, "Bearer"):
        response = api.open("GET", "/api/v1/orders", token=None, headers={"Authorization": header})
        assert response.status_code == 401, header
    lower = api.open("GET", "/api/v1/orders", token=None, headers={"Authorization": "bearer " + api.token})
    assert lower.status_code == 200
    assert order_count() == 0


def test_a_browser_session_alone_does_not_open_the_api(app, api, district, category, login):
    login(district.dispatcher)  # the client now carries a logged-in session cookie
    app.config["WTF_CSRF_ENABLED"] = True
    assert api.client.get("/orders/pool").status_code == 200
    for method, url, kwargs in (("GET", "/api/v1/orders", {}), ("POST", "/api/v1/orders", {"json": city_order()})):
        response = api.open(method, url, token=None, **kwargs)
        assert response.status_code == 401, url
        assert "Set-Cookie" not in response.headers
    assert order_count() == 0
    # with a token, the API needs no CSRF token (it is exempt: no cookie authenticates it), while forms do
    assert api.client.post("/login", data={"username": "x", "password": "y"}).status_code == 400
    assert api.post("/api/v1/orders", json=city_order()).status_code == 201


def test_last_used_is_recorded(app, api, district):
    assert _token_row("city").last_used_at is None
    api.get("/api/v1/orders")
    assert _token_row("city").last_used_at == FIXED_NOW
    app.config["FIXED_NOW"] = FIXED_NOW + timedelta(seconds=20)
    api.get("/api/v1/orders")  # within a minute: not written again
    assert _token_row("city").last_used_at == FIXED_NOW
    app.config["FIXED_NOW"] = FIXED_NOW + timedelta(minutes=5)
    api.get("/api/v1/orders")
    assert _token_row("city").last_used_at == FIXED_NOW + timedelta(minutes=5)


def test_list_tokens_with_none(runner, ctx):
    result = runner.invoke(args=["list-tokens"])
    assert result.exit_code == 0 and "no API tokens" in result.output
