"""GeoReport v2 documents: services, service requests and errors, as JSON and as XML.

Field names and XML element names follow the Open311 GeoReport v2 specification
(<services><service>…, <service_requests><request>…, <errors><error>…). Datetimes are W3C (ISO 8601)
with the district's offset, e.g. 2026-11-20T09:30:00+08:00. Only what the office published is used:
a request's description is its public summary and its address is cut to the street.
"""
import json
from datetime import datetime
from xml.etree import ElementTree as ET  # nosec B405  # used to write XML only, never to parse it
from zoneinfo import ZoneInfo

from flask import current_app, make_response

from ..orders.models import Category, Order
from ..public.models import PublicRequest

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
SERVICE_GROUP = "12345热线诉求"
OFFICE_NAME = "区政务服务便民热线办公室"
# What a citizen is told of an open order's progress (the internal states say more than the public needs).
STATUS_NOTES = {
    "received": "已受理，正在转办",
    "dispatched": "已转承办单位，待签收",
    "accepted": "承办单位办理中",
    "return_requested": "承办单位办理中",
    "replied": "承办单位已答复，热线办审核中",
    "approved": "已答复，正在回访",
    "visited": "已回访，待办结",
    "closed": "已办结",
}


def w3c(value: datetime | None) -> str | None:
    """A stored (naive, local) time as a W3C datetime with the district's offset."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    return value.replace(tzinfo=zone, microsecond=0).isoformat()


def service(category: Category) -> dict:
    return {"service_code": str(category.id), "service_name": category.name,
            "description": f"{category.name}类诉求", "metadata": False, "type": "realtime",
            "keywords": category.name, "group": SERVICE_GROUP}


def service_request(public: PublicRequest, order: Order) -> dict:
    closed = order.state == "closed"
    agency = order.lead_unit.name if order.lead_unit is not None else OFFICE_NAME
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": STATUS_NOTES.get(order.state, ""),
        "service_name": order.category.name if order.category else "其他",
        "service_code": str(order.category_id) if order.category_id else "",
        "description": public.summary,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(order.received_at),
        "updated_datetime": w3c(order.closed_at if closed and order.closed_at else order.updated_at),
        "expected_datetime": None if closed else w3c(order.reply_due_at),
        "address": public.address,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def document(items: list[dict], fmt: str, root: str, element: str, fields: list[str], status: int = 200):
    """``items`` as a JSON array or as XML <root><element>…</element></root>."""
    if fmt == "xml":
        top = ET.Element(root)
        for item in items:
            node = ET.SubElement(top, element)
            for name in fields:
                value = item.get(name)
                ET.SubElement(node, name).text = _xml_text(value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
        response = make_response(body, status)
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
    else:
        response = make_response(json.dumps([{k: item.get(k) for k in fields} for item in items], ensure_ascii=False),
                                 status)
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, read-only data
    return response


def errors(fmt: str, status: int, description: str):
    """The spec's error document: [{code, description}] or <errors><error>…</error></errors>."""
    return document([{"code": status, "description": description}], fmt, "errors", "error",
                    ["code", "description"], status)


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
