"""The JSON API's orders: push one in, read one back, page through changes; every answer checked
against portal/api/openapi.yaml."""
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from portal.api import auth
from portal.extensions import db
from portal.orders import operations
from portal.orders.models import Order, OrderEvent
from tests.fixtures.app import FIXED_NOW

SPEC_FILE = Path(__file__).resolve().parents[1] / "portal" / "api" / "openapi.yaml"
SPEC = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
PREFIX = SPEC["servers"][0]["url"]  # /api/v1
_DEFAULT = object()


# --- checking answers against the OpenAPI description ------------------------------------------

def resolve(node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = SPEC
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def spec_path(path: str) -> str | None:
    """The OpenAPI path template an /api/v1 URL path matches (/orders/X -> /orders/{city_no})."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX):]
    for template in SPEC["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, rest):
            return template
    return None


def validate_json(body, schema: dict) -> None:
    """Validate against a schema whose $refs point into components.schemas, by giving the schema
    the spec's components so "#/components/schemas/X" resolves within it."""
    Draft202012Validator({**schema, "components": SPEC["components"]}).validate(body)


def check_against_spec(method: str, path: str, response) -> None:
    """The answer's status is documented for its path and method, its required headers are there,
    and its body matches the schema. URLs and methods the API does not have answer with Error."""
    template = spec_path(path)
    operation = SPEC["paths"].get(template, {}).get(method.lower()) if template else None
    if operation is None:
        assert response.status_code in (404, 405), (method, path, response.status_code)
        assert response.mimetype == "application/json"
        validate_json(response.get_json(), {"$ref": "#/components/schemas/Error"})
        return
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {template} answered {status}, which openapi.yaml does not describe"
    described = resolve(documented[status])
    for name, header in described.get("headers", {}).items():
        if header.get("required"):
            assert response.headers.get(name), f"{method} {template} {status} lacks the {name} header"
    assert response.mimetype in described["content"], (response.mimetype, list(described["content"]))
    if response.mimetype == "application/json":
        validate_json(response.get_json(), described["content"]["application/json"]["schema"])


class Api:
    """The test client with a token, checking every answer against openapi.yaml."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def open(self, method, url, token=_DEFAULT, headers=None, **kwargs):
        headers = dict(headers or {})
        token = self.token if token is _DEFAULT else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        check_against_spec(method, url.split("?")[0], response)
        assert "Traceback" not in response.get_data(as_text=True)
        return response

    def get(self, url, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.open("POST", url, **kwargs)


@pytest.fixture
def api_token(ctx):
    _, secret = auth.issue("city")
    return secret


@pytest.fixture
def api(client, api_token):
    return Api(client, api_token)


def city_order(**changes) -> dict:
    """An order as the city platform sends it, with Chinese labels where a person would write them."""
    order = {
        "city_no": "SX2026112400001", "received_at": "2026-11-24 09:15:00", "channel": "电话", "type": "投诉",
        "category": "城管", "urgency": "紧急", "citizen_name": "张三", "citizen_phone": "13812341234",
        "address": "城关街道东关社区建设路12号", "content": "小区门口占道经营，油烟扰民，请尽快处理。",
    }
    order.update(changes)
    return {k: v for k, v in order.items() if v is not None}


def stored(number: str) -> Order | None:
    db.session.rollback()  # only what was committed
    db.session.expire_all()
    return db.session.scalar(db.select(Order).where(Order.number == number))


def order_count() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Order.id)))


# --- POST /api/v1/orders -------------------------------------------------------------------------

def test_push_creates_the_order_with_labels_or_codes(api, district, category, login):
    response = api.post("/api/v1/orders", json=city_order())
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/orders/SX2026112400001"
    body = response.get_json()
    assert body["state"] == {"code": "received", "label": "待派发"}
    assert body["type"] == {"code": "complaint", "label": "投诉"}
    assert body["urgency"] == {"code": "urgent", "label": "紧急"}
    assert body["channel"]["code"] == "phone" and body["category"] == "城管" and body["source"] == "city"
    assert body["timestamps"]["received_at"] == "2026-11-24T09:15:00+08:00"
    assert body["lead_unit"] is None and body["assisting_units"] == []
    order = stored("SX2026112400001")
    assert order.urgency == "urgent" and order.type == "complaint" and order.caller_name == "张三"
    assert [e.action for e in order.events] == ["take_in"]
    assert "SX2026112400001" in login(district.dispatcher).get("/orders/pool").get_data(as_text=True)

    codes = city_order(city_no="SX2026112400002", channel="phone", type="complaint", urgency="urgent")
    assert api.post("/api/v1/orders", json=codes).status_code == 201
    assert stored("SX2026112400002").urgency == "urgent"


def test_identical_resend_is_200_and_changes_nothing(api, district, category):
    assert api.post("/api/v1/orders", json=city_order()).status_code == 201
    count = order_count()
    again = api.post("/api/v1/orders", json=city_order())
    assert again.status_code == 200 and again.get_json()["city_no"] == "SX2026112400001"
    # the same order written differently: codes for labels, the time with its offset, spaces around text
    same = city_order(type="complaint", urgency="urgent", channel="phone", received_at="2026-11-24T09:15:00+08:00",
                      citizen_name=" 张三 ", citizen_phone="138 1234 1234")
    assert api.post("/api/v1/orders", json=same).status_code == 200
    utc = city_order(received_at="2026-11-24T01:15:00Z")
    assert api.post("/api/v1/orders", json=utc).status_code == 200
    assert order_count() == count
    assert len(stored("SX2026112400001").events) == 1


def test_same_number_with_other_content_is_409_and_not_overwritten(api, district, category):
    api.post("/api/v1/orders", json=city_order())
    response = api.post("/api/v1/orders", json=city_order(content="另一件事：路灯不亮，晚上行走不便。"))
    assert response.status_code == 409
    assert response.get_json()["error"] == "conflict" and "SX2026112400001" in response.get_json()["message"]
    assert stored("SX2026112400001").content == "小区门口占道经营，油烟扰民，请尽快处理。"


def test_number_of_an_order_registered_in_the_portal_is_a_conflict(api, make_order):
    order = make_order(number="SX2026112499999")
    assert api.post("/api/v1/orders", json=city_order(city_no=order.number)).status_code == 409


def test_every_field_error_at_once(api, district, category):
    bad = city_order(citizen_name=None, urgency="很急", citizen_phone="12345", category="不存在的分类",
                     received_at="昨天上午", suggested_unit="不存在的单位", enterprise=3, citizen_tel="13800000000")
    response = api.post("/api/v1/orders", json=bad)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_order"
    problems = {e["field"]: e["message"] for e in body["errors"]}
    assert set(problems) == {"citizen_name", "urgency", "citizen_phone", "category", "received_at",
                             "suggested_unit", "enterprise", "citizen_tel"}
    assert "缺少诉求人" in problems["citizen_name"] and "未知的紧急程度" in problems["urgency"]
    assert "未知字段" in problems["citizen_tel"] and "不存在的分类" in problems["category"]
    assert body["message"] == "工单有 8 处错误。"
    assert order_count() == 0


def test_wrong_json_types_and_unstorable_text_are_field_errors(api, district, category):
    response = api.post("/api/v1/orders", json=city_order(content=["列表"], city_no=123, address="门口\u0000号"))
    assert response.status_code == 400
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"content", "city_no", "address"}
    too_long = api.post("/api/v1/orders", json=city_order(content="长" * 4001))
    assert too_long.status_code == 400 and too_long.get_json()["errors"][0]["field"] == "content"
    assert order_count() == 0


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b"", b"null", b'"an order"', b"{\"a\": ",
                                  b"[" * 30000 + b"]" * 30000, "{}".encode("utf-16")[:3]])
def test_a_body_that_is_not_a_json_object_is_400(api, district, category, body):
    response = api.post("/api/v1/orders", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] is None


def test_full_width_and_spaced_phone_numbers_are_normalised(api, district, category):
    api.post("/api/v1/orders", json=city_order(citizen_phone="１３８ １２３４ ５６７８", city_no="ＳＸ００１"))
    order = stored("SX001")
    assert order is not None and order.caller_phone == "13812345678"
    api.post("/api/v1/orders", json=city_order(citizen_phone="+86 139-8765-4321", city_no="SX002"))
    assert stored("SX002").caller_phone == "13987654321"
    assert api.get("/api/v1/orders/ＳＸ００１").get_json()["city_no"] == "SX001"


def test_optional_fields(api, district, category):
    response = api.post("/api/v1/orders", json=city_order(
        suggested_unit="区住建局", enterprise="是", leader_instruction="请尽快办理。", due_at="2026/11/30 17:00"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["enterprise"] is True and body["deadlines"]["city_due_at"] == "2026-11-30T17:00:00+08:00"
    order = stored("SX2026112400001")
    assert order.suggested_unit.name == "区住建局" and order.leader_instruction == "请尽快办理。"
    again = api.post("/api/v1/orders", json=city_order(
        suggested_unit="区住建局", enterprise=True, leader_instruction="请尽快办理。", due_at="2026-11-30T17:00:00+08:00"))
    assert again.status_code == 200


def test_oversize_body_is_413(api, app, district, category):
    big = city_order(content="长" * 30000)  # about 90 KB in UTF-8
    response = api.post("/api/v1/orders", json=big)
    assert response.status_code == 413 and response.get_json()["error"] == "payload_too_large"
    # the same without Content-Length (chunked): cut off while read
    raw = json.dumps(big, ensure_ascii=False).encode()
    chunked = api.post("/api/v1/orders", input_stream=io.BytesIO(raw), content_type="application/json",
                       headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert chunked.status_code == 413
    assert order_count() == 0
    # the app's own upload limit (16 MB) is not the API's
    assert app.config["MAX_CONTENT_LENGTH"] > 64 * 1024


def test_small_chunked_body_is_read(api, district, category):
    raw = json.dumps(city_order(), ensure_ascii=False).encode()
    response = api.post("/api/v1/orders", input_stream=io.BytesIO(raw), content_type="application/json",
                        headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201


def test_two_pushes_of_one_number_at_once_give_one_order(app, api, district, category, monkeypatch):
    """The loser of a race on the number sees the winner's order: 200, not a 500."""
    from portal.api import operations as api_operations
    from portal.intake.operations import receive

    statuses = []

    def racing_receive(record, at=None):
        result = receive(record, at)
        statuses.append(result.status)
        if len(statuses) == 1:  # another request commits the same order between our look and our commit
            with app.app_context():
                receive(record, at)
                db.session.commit()
        return result

    monkeypatch.setattr(api_operations, "receive", racing_receive)
    response = api.post("/api/v1/orders", json=city_order())
    assert response.status_code == 200 and statuses == ["created", "present"]
    assert order_count() == 1


# --- GET /api/v1/orders/<city_no> ----------------------------------------------------------------

def test_read_back_a_pushed_order_after_dispatch(api, district, category):
    api.post("/api/v1/orders", json=city_order())
    order = stored("SX2026112400001")
    operations.apply(order.id, "dispatch", district.dispatcher, lead_unit_id=district.chengguan.id,
                     assist_unit_ids=[district.zhujian.id])
    body = api.get("/api/v1/orders/SX2026112400001").get_json()
    assert body["state"] == {"code": "dispatched", "label": "待签收"}
    assert body["lead_unit"] == "区城管局" and body["assisting_units"] == ["区住建局"]
    deadlines = body["deadlines"]
    assert deadlines["sign_due_at"].endswith("+08:00") and deadlines["next_due_at"] == deadlines["sign_due_at"]
    assert body["timestamps"]["dispatched_at"] == "2026-11-24T10:00:00+08:00"


def test_read_back_reply_and_visit_of_a_finished_order(api, district, make_order):
    order = make_order("visited", assist=[district.zhujian])
    body = api.get(f"/api/v1/orders/{order.number}").get_json()
    assert body["state"] == {"code": "visited", "label": "已回访"} and body["source"] == "manual"
    assert body["lead_unit"] == "区城管局" and body["assisting_units"] == ["区住建局"]
    assert body["reply_text"] == "已安排执法队员到场处置，占道摊点已清理，并约谈经营者。"
    assert body["visit"]["satisfaction"] == {"code": "satisfied", "label": "满意"}
    assert body["visit"]["resolution"] == {"code": "resolved", "label": "已解决"}
    stamps = body["timestamps"]
    assert all(stamps[k] == "2026-11-24T10:00:00+08:00" for k in ("dispatched_at", "signed_at", "replied_at"))
    assert stamps["closed_at"] is None
    # personal data is not echoed: the city has it
    text = json.dumps(body, ensure_ascii=False)
    assert "张三" not in text and "13812341234" not in text and "建设路" not in text


def test_a_reply_under_review_is_not_sent_to_the_city(api, district, make_order):
    order = make_order("replied")
    body = api.get(f"/api/v1/orders/{order.number}").get_json()
    assert body["state"]["code"] == "replied" and body["reply_text"] is None
    check_against_spec("get", f"/api/v1/orders/{order.number}", api.get(f"/api/v1/orders/{order.number}"))


def test_unknown_number_is_404_json(api, district):
    response = api.get("/api/v1/orders/SX-NOPE")
    assert response.status_code == 404 and "SX-NOPE" in response.get_json()["message"]


# --- GET /api/v1/orders?updated_since=&limit=&cursor= --------------------------------------------

def _feed(api, query=""):
    response = api.get(f"/api/v1/orders{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_paging_through_changes_with_a_cursor(app, api, district, make_order):
    orders = []
    for minute in (5, 1, 3, 3, 3):  # three changed in the same second: the id breaks the tie
        app.config["FIXED_NOW"] = FIXED_NOW + timedelta(minutes=minute)
        orders.append(make_order())
    expected = [o.number for o in sorted(orders, key=lambda o: (o.updated_at, o.id))]
    seen, cursor, pages = [], None, 0
    while True:
        page = _feed(api, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [o["city_no"] for o in page["orders"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert seen == expected and pages == 3
    # nothing new: an empty page that keeps the cursor
    idle = _feed(api, f"?cursor={cursor}")
    assert idle["orders"] == [] and idle["next_cursor"] == cursor and idle["has_more"] is False
    # a change comes round again after the cursor, with its new state
    app.config["FIXED_NOW"] = FIXED_NOW + timedelta(hours=1)
    operations.apply(orders[1].id, "dispatch", district.dispatcher, lead_unit_id=district.chengguan.id)
    later = _feed(api, f"?cursor={cursor}")
    assert [o["city_no"] for o in later["orders"]] == [orders[1].number]
    assert later["orders"][0]["state"]["code"] == "dispatched"


def test_updated_since(app, api, district, make_order):
    app.config["FIXED_NOW"] = datetime(2026, 11, 20, 9, 0)
    old = make_order()
    app.config["FIXED_NOW"] = datetime(2026, 11, 23, 9, 0)
    new = make_order()
    for query in ("?updated_since=2026-11-22T00:00:00%2B08:00", "?updated_since=2026-11-22T00:00:00+08:00",
                  "?updated_since=2026-11-21T16:00:00Z", "?updated_since=2026-11-22",
                  "?updated_since=2026-11-23T09:00:00"):
        numbers = [o["city_no"] for o in _feed(api, query)["orders"]]
        assert numbers == [new.number], query
    assert [o["city_no"] for o in _feed(api)["orders"]] == [old.number, new.number]
    assert _feed(api, "?updated_since=2026-11-23T09:00:01")["orders"] == []


@pytest.mark.parametrize("query, field", [
    ("?limit=0", "limit"), ("?limit=abc", "limit"), ("?limit=1000", "limit"), ("?limit=-1", "limit"),
    ("?updated_since=yesterday", "updated_since"), ("?cursor=garbage", "cursor"),
    ("?cursor=W10", "cursor"), ("?updatedSince=2026-11-22", "updatedSince"),
])
def test_bad_list_parameters_are_400(api, district, query, field):
    response = api.get(f"/api/v1/orders{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


# --- errors are JSON everywhere under /api/v1 ------------------------------------------------------

def test_unknown_urls_and_methods_answer_json(api, district):
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong = api.open("PUT", "/api/v1/orders", json={})
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"] and "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["error"] == "method_not_allowed"
    delete = api.open("DELETE", "/api/v1/orders/SX1")
    assert delete.status_code == 405


def test_unexpected_error_is_a_json_500_without_details(api, district, monkeypatch):
    from portal.api import queries

    def boom(city_no):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "order_by_number", boom)
    response = api.get("/api/v1/orders/SX1")
    assert response.status_code == 500 and response.get_json()["error"] == "server_error"
    assert "secret internals" not in response.get_data(as_text=True)


def test_a_push_that_fails_half_way_leaves_nothing(api, district, category, monkeypatch):
    from portal.intake import operations as intake_operations

    real = intake_operations.add_new

    def add_then_fail(order, *args, **kwargs):
        real(order, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(intake_operations, "add_new", add_then_fail)
    response = api.post("/api/v1/orders", json=city_order())
    assert response.status_code == 500 and "disk full" not in response.get_data(as_text=True)
    assert order_count() == 0
    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))) == 0


# --- the description itself ------------------------------------------------------------------------

def test_openapi_is_served_without_a_token(api):
    response = api.get("/api/v1/openapi.yaml", token=None)
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert yaml.safe_load(response.get_data(as_text=True)) == SPEC
    assert SPEC["openapi"].startswith("3.1")


def test_every_route_is_described_and_every_description_is_a_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
            routes |= {(template, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, item in SPEC["paths"].items() for method in item
                 if method in ("get", "post", "put", "patch", "delete")}
    assert routes == described


def test_suggestion_answers_fit_the_description(api, district, category):
    """POST /api/v1/suggestions is served by portal/dispatching; its answers must match this description."""
    assert api.post("/api/v1/suggestions", json={"content": "路灯不亮，晚上行走不便。", "category": "城管"}).status_code == 200
    assert api.post("/api/v1/suggestions", json={"address": "建设路"}).status_code == 400
    assert api.post("/api/v1/suggestions", token=None, json={"content": "路灯不亮"}).status_code == 401


def test_the_description_is_valid_and_its_examples_fit(app):
    for name, schema in SPEC["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    example = SPEC["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]["example"]
    validate_json(example, {"$ref": "#/components/schemas/OrderIn"})
    validate_json(city_order(), {"$ref": "#/components/schemas/OrderIn"})
