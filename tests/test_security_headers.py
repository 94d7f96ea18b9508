"""Security headers on every kind of response: a page, an htmx fragment, the JSON API, a public page, a
PDF, a 404 and a 500; HSTS only over HTTPS (and through a trusted proxy's X-Forwarded-Proto)."""
import pytest

from portal import create_app
from portal.security.headers import CONTENT_SECURITY_POLICY

HX = {"HX-Request": "true"}


def assert_secured(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_page_and_htmx_fragment(district, make_order, login):
    order = make_order("accepted")
    client = login(district.dispatcher)
    page = client.get(f"/orders/{order.id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert_secured(page)
    fragment = client.get("/orders/pool", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert_secured(fragment)


def test_login_page_and_static_files(client):
    assert_secured(client.get("/login"))
    assert_secured(client.get("/static/js/portal.js"))


def test_json_api(client, ctx):
    from portal.api import auth

    _, secret = auth.issue("city")
    ok = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and ok.mimetype == "application/json"
    assert_secured(ok)
    refused = client.get("/api/v1/orders")
    assert refused.status_code == 401 and refused.mimetype == "application/json"
    assert_secured(refused)


def test_public_page(client, ctx):
    response = client.get("/public/rankings")
    assert response.status_code == 200
    assert_secured(response)


def test_pdf(district, login, open_supervision):
    s = open_supervision(issue_notice=True)
    response = login(district.supervisor).get(f"/supervision/notices/{s.notice.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_secured(response)


def test_404_and_500_pages(app, district, login):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom-for-test", "boom_for_test", boom)
    client = login(district.dispatcher)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert_secured(missing)
    failed = client.get("/boom-for-test")
    assert failed.status_code == 500 and "Traceback" not in failed.get_data(as_text=True)
    assert_secured(failed)
    assert_secured(client.get("/api/v1/no-such-endpoint"))


def test_hsts_only_over_https(client):
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("proxies, hsts", [(0, False), (1, True)])
def test_forwarded_proto_counts_only_with_proxy_fix(tmp_path, proxies, hsts):
    """Behind a proxy that ends TLS, X-Forwarded-Proto: https means HTTPS only when PROXY_FIX trusts it."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PROXY_FIX": proxies,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "p.sqlite3")})
    response = app.test_client().get("/static/js/portal.js", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is hsts
