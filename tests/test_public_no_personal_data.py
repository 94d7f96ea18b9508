"""The walk: every URL that answers without log-in, none shows personal or unpublished data.

Generic over the URL map: every GET rule is tried anonymously with its parameters filled from the data
(every primary key, every order number and period key, every code, both Open311 formats), plain and as
htmx, with a few query strings. Whatever answers 200 must not contain a caller's name or phone, a
house-number address, an internal note, or a figure that was not published. A new public endpoint (the
standard replies' page, or any later one) is walked without changing this file, and an endpoint that
answers without log-in must be on a blueprint made by ``public_blueprint`` (or be one of the few known
open ones), so a page cannot become public by forgetting ``@login_required``.
"""
import itertools
from datetime import datetime

import pytest
from sqlalchemy import Integer, String, select
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.extensions import db
from portal.orders import operations as order_operations
from portal.public.access import is_public_endpoint

# Known endpoints that answer without log-in and are not public pages: the log-in page, the health check,
# the API's description.
OPEN_NOT_PUBLIC = {"static", "auth.login", "main.healthz", "api.openapi"}
CALLERS = {"王秀英": "13987654321", "李建国": "13700001111", "赵美兰": "18655554444"}
HOUSE_NUMBERS = ["幸福小区3号楼", "2单元501室", "人民路66号", "解放路108号"]
INTERNAL = ["内部批示甲乙丙", "内部回访备注甲乙丙", "内部退单理由甲乙丙", "内部答复甲乙丙", "内部草稿甲乙丙"]
QUERIES = ["", "?q=油烟", "?page=2", "?status=open,closed",
           "?start_date=2026-09-01T00:00:00%2B08:00&end_date=2026-11-24T00:00:00%2B08:00"]
MAX_COMBINATIONS = 300


@pytest.fixture
def realistic(district, make_order, october_order, published_ranking, public_order, request):
    """Orders with callers' names, phones, full addresses and internal notes, some made public; a
    published October ranking (50.00% for 区城管局) later outgrown by new orders (66.67%), and an
    unpublished September whose only unit is 区住建局; standard replies published and draft."""
    d = district
    private = make_order("closed", caller_name="王秀英", caller_phone="13987654321",
                         address="城关街道东关社区幸福小区3号楼2单元501室",
                         content="我是王秀英，电话13987654321，幸福小区3号楼2单元501室楼下烧烤店油烟扰民。",
                         leader_instruction="内部批示甲乙丙")
    public_order(private)
    returned = make_order("dispatched", caller_name="李建国", caller_phone="13700001111",
                          address="城关街道人民路66号", content="李建国反映人民路66号门前井盖缺失。")
    order_operations.apply(returned.id, "request_return", d.handler, reason="内部退单理由甲乙丙")
    order_operations.apply(returned.id, "approve_return", d.dispatcher)
    order_operations.apply(returned.id, "dispatch", d.dispatcher, lead_unit_id=d.chengguan.id, assist_unit_ids=[])
    order_operations.apply(returned.id, "sign_for", d.handler)
    order_operations.apply(returned.id, "reply", d.handler, reply="内部答复甲乙丙：已安排维修。")
    public_order(returned)
    unpublished = make_order("approved", caller_name="赵美兰", caller_phone="18655554444",
                             address="城关街道解放路108号", content="赵美兰（18655554444）反映解放路108号噪音。")
    order_operations.apply(unpublished.id, "visit", d.dispatcher, satisfaction="unsatisfied",
                           resolution="unresolved", reason="内部回访备注甲乙丙")

    october_order("closed")
    october_order("closed", satisfaction="unsatisfied")
    published_ranking("2026-10")
    october_order("closed")  # after publication: 66.67% now, 50.00% as published
    october_order("closed", lead=d.zhujian, when=datetime(2026, 9, 15, 9, 0))  # September: never published

    try:
        make_reply = request.getfixturevalue("make_reply")
    except pytest.FixtureLookupError:
        make_reply = None
    if make_reply is not None:
        make_reply("published")
        make_reply("draft", title="内部草稿甲乙丙", answer="内部草稿甲乙丙" * 5)
    return private, returned, unpublished


def _candidates():
    """Values to fill URL parameters with: every primary key, and every short string that names a row."""
    ints, strings = set(), {"2026-09", "2026-10", "2026-11", "2026-Q3", "2026-Q4", "2026-W40", "x"}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.primary_key and isinstance(c.type, Integer)]
        names = [c for c in table.columns if isinstance(c.type, String)
                 and c.name in {"number", "period_key", "key", "slug", "code", "week_key"}]
        for column in columns + names:
            for value in db.session.scalars(select(column)).all():
                (ints if isinstance(value, int) else strings).add(value)
    return sorted(ints), sorted(strings)


def _urls(app):
    ints, strings = _candidates()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        options = []
        for name in rule.arguments - set(rule.defaults or {}):
            converter = rule._converters[name]
            if isinstance(converter, AnyConverter):
                options.append([(name, v) for v in sorted(converter.items)])
            elif isinstance(converter, IntegerConverter):
                options.append([(name, v) for v in ints])
            else:
                options.append([(name, v) for v in strings + [str(i) for i in ints]])
        for combination in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
            with app.test_request_context():
                from flask import url_for

                yield rule.endpoint, url_for(rule.endpoint, **dict(combination), **(rule.defaults or {}))


def _leaks(body: str) -> list[str]:
    found = [s for name, phone in CALLERS.items() for s in (name, phone) if s in body]
    found += [s for s in HOUSE_NUMBERS + INTERNAL if s in body]
    found += [s for s in ("66.67", "区住建局") if s in body]  # a figure after publication; September's unit
    return found


def test_no_public_url_shows_personal_or_unpublished_data(app, client, realistic):
    answered, guarded = {}, set()
    for endpoint, url in _urls(app):
        if endpoint in guarded:
            continue
        first = client.get(url)
        if first.status_code == 401 or (first.status_code == 302 and "/login" in first.headers["Location"]):
            guarded.add(endpoint)  # log-in (or a token) is checked before any parameter is looked at
            continue
        if first.status_code != 200:
            continue
        for query, headers in itertools.product(QUERIES, ({}, {"HX-Request": "true"})):
            response = client.get(url + query, headers=headers)
            if response.status_code != 200:
                continue
            body = response.get_data(as_text=True)
            leaks = _leaks(body)
            assert not leaks, f"{url}{query} {headers} shows {leaks}"
            answered.setdefault(endpoint, set()).add(url)

    not_public = {e for e in answered if e not in OPEN_NOT_PUBLIC and not is_public_endpoint(app, e)}
    assert not not_public, f"answer without log-in but are not made by public_blueprint: {sorted(not_public)}"
    # the walk reached the public pages with real data (so a quiet pass means something)
    assert {"public.rankings", "public.ranking", "open311.services", "open311.requests",
            "open311.request_one"} <= set(answered)
    assert "/public/rankings/2026-10" in answered["public.ranking"]
    assert "/public/rankings/2026-09" not in answered["public.ranking"]
    assert len(answered["open311.request_one"]) == 4  # two public orders, json and xml
    body = client.get("/open311/v2/requests.json").get_data(as_text=True)
    assert "烧烤店油烟扰民" in body and "50.00%" in client.get("/public/rankings/2026-10").get_data(as_text=True)


def test_the_walk_catches_a_leaking_public_page(app, client, realistic):
    """The walk is generic: a public endpoint added later (here, one showing callers) is caught."""
    from portal.orders.models import Order
    from portal.public.access import public_blueprint

    leaky = public_blueprint("leaky", __name__, url_prefix="/leaky")

    @leaky.route("/<int:order_id>")
    def show(order_id):
        order = db.session.get(Order, order_id)
        return order.caller_name if order else ("", 404)

    app.register_blueprint(leaky)
    with pytest.raises(AssertionError, match="王秀英|李建国|赵美兰"):
        test_no_public_url_shows_personal_or_unpublished_data(app, client, realistic)


def test_the_walk_catches_a_page_that_forgot_login(app, client, realistic):
    from flask import Blueprint

    forgot = Blueprint("forgot", __name__, url_prefix="/forgot")
    forgot.add_url_rule("/", "index", lambda: "内容")
    app.register_blueprint(forgot)
    with pytest.raises(AssertionError, match="forgot.index"):
        test_no_public_url_shows_personal_or_unpublished_data(app, client, realistic)
