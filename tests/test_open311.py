"""Open311 GeoReport v2, read-only: read the way a client reads it (json, xml.etree), field by field.

Only orders the office published appear; addresses are cut to the street; descriptions carry no
personal data; datetimes are W3C with +08:00; errors come in the spec's format.
"""
import json
import re
import threading
from datetime import datetime
from xml.etree import ElementTree as ET

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from portal.public.models import PublicRequest
from portal.public.operations import Refused, publish_order, withdraw_order

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
PRIVATE = "我是王秀英，电话13987654321，住幸福小区3号楼2单元501室，楼下烧烤店油烟扰民到深夜。"


@pytest.fixture
def published(district, make_order, public_order, category):
    """One closed and one open public order, and one the office has not published."""
    closed = make_order("closed", caller_name="王秀英", caller_phone="13987654321", content=PRIVATE,
                        address="城关街道东关社区幸福小区3号楼2单元501室")
    open_ = make_order("accepted", lead=district.zhujian, content="建设路井盖缺失，夜间行人易摔倒。")
    hidden = make_order("closed", caller_name="李建国", content="私下反映：单位领导违规收费。")
    public_order(closed)
    public_order(open_)
    return closed, open_, hidden


def _json(client, url):
    response = client.get(url)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.get_data(as_text=True))


def _xml(client, url):
    response = client.get(url)
    assert response.headers["Content-Type"].startswith("text/xml")
    return response.status_code, ET.fromstring(response.data)


def test_services_in_both_formats(client, category):
    status, services = _json(client, "/open311/v2/services.json")
    assert status == 200
    assert services == [{"service_code": str(category.id), "service_name": "城管", "description": "城管类诉求",
                         "metadata": False, "type": "realtime", "keywords": "城管", "group": "12345热线诉求"}]
    status, root = _xml(client, "/open311/v2/services.xml")
    assert root.tag == "services"
    service = root.find("service")
    assert [child.tag for child in service] == ["service_code", "service_name", "description", "metadata", "type",
                                                "keywords", "group"]
    assert service.findtext("service_code") == str(category.id) and service.findtext("metadata") == "false"


def test_requests_show_only_published_orders_field_by_field(client, published, district):
    closed, open_, hidden = published
    status, items = _json(client, "/open311/v2/requests.json")
    assert status == 200
    assert [i["service_request_id"] for i in items] == sorted([closed.number, open_.number], reverse=True)
    item = next(i for i in items if i["service_request_id"] == closed.number)
    assert list(item) == REQUEST_FIELDS
    assert item["status"] == "closed" and item["status_notes"] == "已办结"
    assert item["service_name"] == "城管" and item["service_code"] == str(closed.category_id)
    assert item["agency_responsible"] == "区城管局"
    assert item["address"] == "城关街道东关社区幸福小区"
    assert "王秀英" not in item["description"] and "13987654321" not in item["description"]
    assert "3号楼" not in item["description"] and "烧烤店油烟扰民" in item["description"]
    assert W3C.match(item["requested_datetime"]) and W3C.match(item["updated_datetime"])
    assert item["requested_datetime"] == "2026-11-24T10:00:00+08:00"
    assert item["expected_datetime"] is None and item["lat"] is None and item["media_url"] is None
    other = next(i for i in items if i["service_request_id"] == open_.number)
    assert other["status"] == "open" and W3C.match(other["expected_datetime"])
    assert other["agency_responsible"] == "区住建局"

    status, root = _xml(client, "/open311/v2/requests.xml")
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 2 and hidden.number not in ET.tostring(root, encoding="unicode")
    first = {child.tag: child.text for child in requests[0]}
    assert list(first) == REQUEST_FIELDS
    as_json = next(i for i in items if i["service_request_id"] == first["service_request_id"])
    for name in REQUEST_FIELDS:
        assert (first[name] or None) == as_json[name], name


def test_one_request_and_not_found(client, published):
    closed, _, hidden = published
    status, items = _json(client, f"/open311/v2/requests/{closed.number}.json")
    assert status == 200 and len(items) == 1 and items[0]["service_request_id"] == closed.number
    status, root = _xml(client, f"/open311/v2/requests/{closed.number}.xml")
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == closed.number
    status, errors = _json(client, f"/open311/v2/requests/{hidden.number}.json")
    assert status == 404 and errors[0]["code"] == 404 and hidden.number in errors[0]["description"]
    status, root = _xml(client, "/open311/v2/requests/NOPE.xml")
    assert status == 404 and root.tag == "errors" and root.find("error/code").text == "404"


def test_filters(client, published, district, make_order, public_order):
    closed, open_, _ = published
    ids = lambda url: [i["service_request_id"] for i in _json(client, url)[1]]  # noqa: E731
    assert ids("/open311/v2/requests.json?status=closed") == [closed.number]
    assert ids("/open311/v2/requests.json?status=open") == [open_.number]
    assert ids(f"/open311/v2/requests.json?service_request_id={closed.number},NOPE") == [closed.number]
    assert ids(f"/open311/v2/requests.json?service_code={closed.category_id}&status=open") == [open_.number]
    assert ids("/open311/v2/requests.json?service_code=99999") == []
    # an old order: outside the default 90 days, found with explicit dates
    old = make_order("closed", received_at=datetime(2026, 5, 10, 9, 0))
    public_order(old)
    assert old.number not in ids("/open311/v2/requests.json")
    window = "start_date=2026-05-01T00:00:00%2B08:00&end_date=2026-05-31T00:00:00Z"
    assert ids(f"/open311/v2/requests.json?{window}") == [old.number]
    assert ids(f"/open311/v2/requests.json?service_request_id={old.number}") == [old.number]


@pytest.mark.parametrize("query, message", [
    ("status=pending", "status"), ("start_date=yesterday", "start_date"), ("service_code=abc", "service_code"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
    ("start_date=2026-06-01&end_date=2026-05-01", "end_date"),
])
def test_bad_filters_are_errors_in_the_specs_format(client, published, query, message):
    status, errors = _json(client, f"/open311/v2/requests.json?{query}")
    assert status == 400 and errors[0]["code"] == 400 and message in errors[0]["description"]
    status, root = _xml(client, f"/open311/v2/requests.xml?{query}")
    assert status == 400 and root.tag == "errors" and message in root.findtext("error/description")


def test_at_most_1000(client, published, monkeypatch):
    import portal.open311.views as views

    monkeypatch.setattr(views, "MAX_RESULTS", 1)  # the cap, not a thousand orders
    assert len(_json(client, "/open311/v2/requests.json")[1]) == 1


def test_the_office_publishes_and_withdraws(district, make_order, login, client):
    order = make_order("closed", caller_name="王秀英", caller_phone="13987654321", content=PRIVATE)
    office = login(district.dispatcher)
    listing = office.get("/publishing/orders").get_data(as_text=True)
    assert order.number in listing and "（电话已隐去）" in listing
    office.post(f"/publishing/orders/{order.id}", data={"action": "publish", "summary": "幸福小区楼下烧烤店油烟扰民。"})
    assert db.session.query(PublicRequest).one().summary == "幸福小区楼下烧烤店油烟扰民。"
    refused = office.post(f"/publishing/orders/{order.id}", data={"summary": "王秀英反映油烟，电话13987654321"},
                          follow_redirects=True).get_data(as_text=True)
    assert "含有来电人姓名、电话" in refused
    db.session.expire_all()
    assert db.session.query(PublicRequest).one().summary == "幸福小区楼下烧烤店油烟扰民。"
    office.post(f"/publishing/orders/{order.id}", data={"action": "withdraw"})
    assert client.get(f"/open311/v2/requests/{order.number}.json").status_code == 404


def test_publication_rules(district, make_order):
    with pytest.raises(Refused, match="尚未派发"):
        publish_order(district.dispatcher, make_order("received"))
    order = make_order("closed")
    with pytest.raises(Refused, match="热线办"):
        publish_order(district.supervisor, order)
    with pytest.raises(Refused, match="未公开"):
        withdraw_order(district.dispatcher, order)
    assert db.session.query(PublicRequest).count() == 0


@pytest.fixture
def live_base(app, published):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_real_open311_client_reads_it(live_base, published, fmt):
    """The `georeport` client from PyPI (a test dependency) reads our endpoint."""
    import georeport
    closed, open_, _ = published
    client = georeport.GeoReport(live_base, output_format=fmt)
    services = client.get_service_list()
    services = services if isinstance(services, list) else [services]
    assert services[0]["service_name"] == "城管"
    found = client.get_service_requests(status="closed")
    found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [closed.number]
    one = client.get_service_request(open_.number)
    assert one["status"] == "open" and one["address"] == "城关街道东关社区建设路"
