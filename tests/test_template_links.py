"""Links built without url_for on every use (template_helpers): each row's link to its order, and the
layout's and navigation's fixed links, remembered per script root. Each must be what url_for gives,
under the site root and under a prefix (a portal behind a proxy at /hotline)."""
from flask import url_for

from portal.template_helpers import fixed_url, order_url

ROOTS = ("", "/hotline")


def test_order_url_is_url_for_under_any_script_root(app):
    for root in ROOTS:
        with app.test_request_context("/orders/inbox", base_url=f"http://portal.example{root}"):
            assert order_url(913869) == url_for("orders.show", order_id=913869) == f"{root}/orders/913869"
            assert order_url(7) == f"{root}/orders/7"


def test_fixed_url_is_url_for_under_any_script_root(app):
    for _ in range(2):  # the second time from what was remembered
        for root in ROOTS:
            with app.test_request_context("/", base_url=f"http://portal.example{root}"):
                assert fixed_url("orders.pool") == url_for("orders.pool") == f"{root}/orders/pool"
                assert fixed_url("static", "css/portal.css") == url_for("static", filename="css/portal.css")
                assert fixed_url("static", "css/portal.css").startswith(f"{root}/static/")


def test_the_layout_links_under_a_prefix(district, login):
    client = login(district.dispatcher)
    response = client.get("/orders/pool", base_url="http://localhost/hotline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/hotline/orders/pool"' in html and 'href="/hotline/static/css/portal.css"' in html
    assert 'action="/hotline/logout"' in html and 'href="/orders/pool"' not in html
