"""Every URL of the app, as every role and as an anonymous visitor, against one table of who may do what.

The walk takes every rule of ``app.url_map`` (GET and POST), fills its variables from one district with one
of everything (tests/fixtures/walk_world.py) and asks as each role, logged in once with CSRF on as in
production, and anonymously:
- anonymous: a staff page sends to log-in, a public page answers, the API answers 401 JSON;
- a role the table allows: never 403, 404 or 500 (an empty form to a POST: never 403 or 500);
- a role the table refuses: 403 or 404 (422 where the role sees the object but may not take that step),
  without the caller's name, phone or house number, and a refused POST changes no row;
- nobody ever gets a 500.
``ACCESS`` must name every endpoint: a new one fails ``test_the_table_knows_every_endpoint`` until it is
added, with the roles that may use it.
"""
import re

import pytest
from flask import g
from sqlalchemy import text

from portal.extensions import db
from portal.public.access import is_public_endpoint
from tests.fixtures.fuzz import BOOKKEEPING
from tests.fixtures.people import PASSWORD
from tests.fixtures.walk_world import PERSONAL, build_world, url_values

ROLES = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler", "deputy"]
OFFICE = {"dispatcher", "supervisor", "leader", "admin"}
LEAD_UNIT = {"handler", "unit_leader"}  # 区城管局, the walked order's lead unit, talked to in October
UNITS = LEAD_UNIT | {"other_handler"}  # other_handler: 区住建局, unrelated to the order
STAFF = set(ROLES) - {"deputy"}
EVERYONE = set(ROLES)
SEES_ORDER = OFFICE | LEAD_UNIT
SEES_CASE = {"dispatcher", "supervisor", "leader"} | UNITS  # the consultation invites both units
RUNS_CASE = {"dispatcher", "leader"}
OPEN = "open"  # answers everyone, logged in or not (never 403/404/500)
API = "api"  # token only: a session or no one gets 401 JSON (429 once throttled)

# endpoint -> roles allowed (for every method), or {method: roles}. For pages about one object, the roles
# who see that object of the walked world. Public endpoints (portal.public.access) are not listed: they
# answer everyone.
ACCESS = {
    "static": OPEN, "auth.login": OPEN, "auth.logout": OPEN, "main.home": OPEN, "main.healthz": OPEN,
    "api.openapi": OPEN,
    "api.create_order": API, "api.get_order": API, "api.list_orders": API, "api_suggestions.suggestions": API,
    "orders.index": STAFF, "orders.inbox": UNITS, "orders.new": {"dispatcher", "admin"},
    "orders.pool": {"dispatcher"}, "orders.review": {"dispatcher"}, "orders.visits": {"dispatcher"},
    "orders.show": SEES_ORDER, "orders.action_form": SEES_ORDER, "orders.row": SEES_ORDER,
    "orders.act": LEAD_UNIT,  # the reply, by the lead unit
    "attachments.upload": {"dispatcher", "supervisor"} | LEAD_UNIT,  # files on the walked order
    "attachments.download": {"supervisor", "leader"} | LEAD_UNIT,  # the photo in the supervision's answer
    "attachments.thumb": {"supervisor", "leader"} | LEAD_UNIT,
    "auth.change_password": EVERYONE, "exports.index": {"admin", "supervisor"},
    "notifications.index": EVERYONE, "notifications.badge": EVERYONE, "notifications.read_all": EVERYONE,
    "notifications.read": {"handler"},  # the walked notification is the handler's
    "units.index": {"admin", "dispatcher"}, "units.create_unit": {"admin"}, "units.create_user_view": {"admin"},
    "units.unit_op": {"admin"}, "units.user_op": {"admin"},
    "roster.index": {"admin", "dispatcher"} | UNITS,  # units are sent on to their own unit's page
    "roster.unit": {"admin", "dispatcher"} | LEAD_UNIT,
    "roster.set_slot": {"admin", "unit_leader"}, "roster.leave": {"admin", "unit_leader"},
    "roster.add_absence": {"admin"} | LEAD_UNIT, "roster.end_absence": {"admin"} | LEAD_UNIT,
    "deadlines.policy": {"admin", "dispatcher"}, "deadlines.policy_row": {"admin", "dispatcher"},
    "deadlines.save_policy": {"admin"}, "deadlines.calendar": {"admin"}, "deadlines.upload_calendar": {"admin"},
    "deadlines.paste_calendar": {"admin"}, "deadlines.year_card": {"admin"}, "deadlines.confirm_remove": {"admin"},
    "deadlines.remove_year": {"admin"},
    "dispatching.responsibility_list": {"admin", "dispatcher"}, "dispatching.item_row": {"admin", "dispatcher"},
    "dispatching.export_list": {"admin", "dispatcher"}, "dispatching.create_item": {"admin"},
    "dispatching.save_item": {"admin"}, "dispatching.set_item_active": {"admin"},
    "dispatching.import_list": {"admin"}, "dispatching.suggestions": {"dispatcher"},
    "intake.import_page": {"dispatcher", "admin"}, "intake.upload": {"dispatcher", "admin"},
    "jobs.index": {"admin"}, "jobs.run_now": {"admin"},
    "ledger.index": STAFF, "ledger.export_xlsx": STAFF, "ledger.export_pdf": STAFF,
    "ledger.new": {"supervisor"}, "ledger.from_supervision": {"supervisor"},
    "ledger.show": SEES_ORDER,  # the entry of 区城管局
    "ledger.note": {"supervisor"} | LEAD_UNIT, "ledger.cancel_entry": {"supervisor"},
    "ledger.reopen_entry": {"supervisor"},
    "supervision.index": STAFF, "supervision.candidates": {"supervisor"}, "supervision.new": {"supervisor"},
    "supervision.show": SEES_ORDER, "supervision.act": {"supervisor"},  # accepting the unit's answer
    "supervision.notice": {"supervisor", "leader"} | LEAD_UNIT,
    "supervision.print_notices": {"supervisor", "leader"} | LEAD_UNIT,
    "consultation.index": STAFF - {"admin"}, "consultation.new": RUNS_CASE, "consultation.ask": UNITS,
    "consultation.show": SEES_CASE, "consultation.approve": RUNS_CASE, "consultation.decline": RUNS_CASE,
    "consultation.take_over": {"leader"}, "consultation.opinion": UNITS, "consultation.remind": RUNS_CASE,
    "consultation.invite": RUNS_CASE, "consultation.escalate": RUNS_CASE,
    "consultation_meetings.record": RUNS_CASE, "consultation_meetings.apply": RUNS_CASE,
    "consultation_meetings.close": RUNS_CASE, "consultation_meetings.issue": RUNS_CASE,
    "consultation_meetings.task_done": RUNS_CASE | {"other_handler"},  # the task of 区住建局, the lead
    "consultation_meetings.document": SEES_CASE,
    "assessment.index": STAFF, "assessment.export": STAFF, "assessment.exclusions": STAFF,
    "assessment.config": {"admin"}, "assessment.decide": {"dispatcher"},
    "assessment.order_exclusion": {"GET": SEES_ORDER, "POST": LEAD_UNIT},
    "talks.index": {"supervisor", "leader", "admin"}, "talks.case": {"supervisor", "leader", "admin"},
    "talks.rules": {"admin", "supervisor"}, "talks.save": {"admin"}, "talks.confirm": {"supervisor"},
    "talks.record": {"supervisor"}, "talks.notices": STAFF - {"dispatcher"},
    "talks.notice": {"supervisor", "leader"} | LEAD_UNIT,
    "reports.index": STAFF, "reports.pdf": STAFF, "reports.xlsx": STAFF,  # a monthly notice: units see it
    "reports.generate": {"supervisor", "admin"}, "reports.regenerate": {"supervisor", "admin"},
    "dashboard.index": OFFICE,
    "replies.index": OFFICE, "replies.show": OFFICE, "replies.new": {"dispatcher"},
    "replies.edit": {"dispatcher"}, "replies.act": {"dispatcher"}, "replies.candidates": {"dispatcher", "leader"},
    "replies.offer": LEAD_UNIT,
    "publishing.index": {"dispatcher"}, "publishing.preview": {"dispatcher"}, "publishing.publish": {"dispatcher"},
    "publishing.orders": {"dispatcher"}, "publishing.order_publication": {"dispatcher"},
    "deputies.index": OFFICE, "deputies.show": OFFICE | {"deputy"}, "deputies.matter": OFFICE | {"deputy"},
    "deputies.list_pdf": OFFICE | {"deputy"}, "deputies.mine": {"deputy"}, "deputies.remark": {"deputy"},
    "deputies.create": {"dispatcher"}, "deputies.add_item": {"dispatcher"}, "deputies.edit_item": {"dispatcher"},
    "deputies.recipients": {"dispatcher"}, "deputies.publish": {"dispatcher"},
    "deputies.new_version": {"dispatcher"},
}
# POSTs the walk does not send: they would end its sessions (tested in tests/test_permissions.py).
NOT_POSTED_EMPTY = {"auth.logout"}


def allowed(endpoint, method) -> set:
    rule = ACCESS.get(endpoint)
    if rule in (OPEN, API, None):
        return set()
    return rule.get(method, set()) if isinstance(rule, dict) else rule


@pytest.fixture
def world(district, make_order, make_user, open_supervision, make_entry, decided_case, published_list, make_reply,
          october_order, published_ranking, public_order):
    return build_world(district, make_order, make_user, open_supervision, make_entry, decided_case, published_list,
                       make_reply, october_order, published_ranking, public_order)


_TOKEN = re.compile(r'(?:"X-CSRFToken": "|name="csrf_token" type="hidden" value=")([^"]+)"')


def fresh(client):
    """The client, with the previous request's user and CSRF token forgotten: the test's app context, and so
    ``g`` where both are kept, is shared by every request of every client."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return client


def csrf_token(client, path):
    body = fresh(client).get(path).get_data(as_text=True)
    found = _TOKEN.search(body)
    assert found, body[:3000]
    return found.group(1)


def logged_in_clients(app, world):
    """One test client per role, logged in through the form with CSRF on, and an anonymous one; each with
    the CSRF token of its session."""
    clients = {}
    for role in ROLES:
        client = app.test_client()
        user = world.district.people[role]
        response = fresh(client).post("/login", data={"username": user.username, "password": PASSWORD,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, role
        clients[role] = (client, csrf_token(client, "/notifications/"))
    anonymous = app.test_client()
    clients[None] = (anonymous, csrf_token(anonymous, "/login"))
    return clients


def walked_rules(app, world, only=None):
    """(endpoint, method, url) for every rule and method of the URL map (or those of the endpoints ``only``),
    variables filled from the world."""
    common, by_endpoint, queries = url_values(world)
    found = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
            if only is not None and rule.endpoint not in only:
                continue
            values = {name: by_endpoint.get(rule.endpoint, {}).get(name, common.get(name)) for name in rule.arguments}
            missing = [name for name, value in values.items() if value is None]
            assert not missing, f"no value for {missing} of {rule.rule}"
            url = rule.build(values, append_unknown=False)[1] + queries.get(rule.endpoint, "")
            for method in sorted(rule.methods & {"GET", "POST"}):
                found.append((rule.endpoint, method, url))
    return found


CHANGEABLE = {"state", "updated_at", "version", "active", "read_at", "password_hash", "published_at", "note",
              "recorded_at"}


def snapshot():
    """Every table's row count, every order as a whole and the changeable fields of every other row that
    has them, read fresh."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING]
    counts = db.session.execute(text("SELECT " + ", ".join(
        f'(SELECT count(*) FROM "{t.name}")' for t in tables))).one()
    state = [tuple(counts)]
    for t in tables:
        columns = [c.name for c in t.columns if t.name == "orders" or c.name in CHANGEABLE]
        if columns:
            keys = ", ".join(f'"{c.name}"' for c in t.primary_key.columns)
            cols = ", ".join(f'"{c}"' for c in columns)
            state.append((t.name, tuple(map(tuple, db.session.execute(
                text(f'SELECT {keys}, {cols} FROM "{t.name}" ORDER BY {keys}')).all()))))
    db.session.rollback()
    return state

def personal_data_in(body: str) -> list[str]:
    return [value for value in PERSONAL if value in body]


def test_the_table_knows_every_endpoint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = {e for e in endpoints - set(ACCESS) if not is_public_endpoint(app, e)}
    assert not unknown, f"endpoints the walk does not know: add them to ACCESS with their roles: {sorted(unknown)}"
    assert not set(ACCESS) - endpoints, "endpoints in ACCESS that no longer exist"
    assert not {e for e in ACCESS if is_public_endpoint(app, e)}, "public endpoints answer everyone: not in ACCESS"


def check_answer(app, endpoint, method, url, who, response) -> list[str]:
    """What is wrong with ``response`` to ``who`` (None: anonymous)."""
    code, body = response.status_code, response.data.decode("utf-8", "replace")
    where = f"{method} {url} ({endpoint}) as {who or 'anonymous'}: {code}"
    problems = [f"{where} shows {value}" for value in personal_data_in(body) if who not in SEES_ORDER]
    if code >= 500:
        return problems + [where + " server error"]
    rule = None if is_public_endpoint(app, endpoint) else ACCESS[endpoint]
    if rule is None or rule == OPEN:
        return problems + ([where] if code in (403, 404) else [])
    if rule == API:
        # 429: failed token checks from one address are throttled, still as JSON
        return problems + ([] if code in (401, 429) and response.is_json and "error" in response.json
                           else [where + " not 401 JSON"])
    if who is None:
        return problems + ([] if code == 302 and "/login" in response.headers["Location"]
                           else [where + " not sent to log-in"])
    if who in allowed(endpoint, method):
        refusals = (403, 404) if method == "GET" else (403,)
        return problems + ([where + " refused to an allowed role"] if code in refusals else [])
    refusals = (403, 404) if method == "GET" else (403, 404, 422)
    return problems + ([] if code in refusals else [where + " not refused"])


def walk(app, world, clients, only=None):
    """Ask every URL as everyone: GETs, then POSTs refused (each must change nothing), then POSTs allowed
    (with an empty form: last, as they may change things)."""
    problems = []
    rules = walked_rules(app, world, only)
    for endpoint, method, url in rules:
        if method == "GET":
            for who, (client, _token) in clients.items():
                problems += check_answer(app, endpoint, method, url, who, fresh(client).get(url))
    before = snapshot()
    for endpoint, method, url in rules:
        if method != "POST" or endpoint in NOT_POSTED_EMPTY or ACCESS.get(endpoint) == OPEN:
            continue
        for who, (client, token) in clients.items():
            if who in allowed(endpoint, method):
                continue
            response = fresh(client).post(url, headers={"X-CSRFToken": token})
            problems += check_answer(app, endpoint, method, url, who, response)
            if snapshot() != before:
                problems.append(f"POST {url} as {who or 'anonymous'} ({response.status_code}) changed rows")
                before = snapshot()
    for endpoint, method, url in rules:
        if method != "POST" or endpoint in NOT_POSTED_EMPTY:
            continue
        for who in sorted(allowed(endpoint, method)):
            client, token = clients[who]
            response = fresh(client).post(url, headers={"X-CSRFToken": token})
            problems += check_answer(app, endpoint, method, url, who, response)
    return problems


def test_every_url_as_every_role(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    problems = walk(app, world, logged_in_clients(app, world))
    assert not problems, "\n".join(problems)


def test_the_walk_catches_leaks_refusals_and_errors(app, world, monkeypatch):
    """In an app of its own, views that break the rules: one shows the caller's phone to anyone logged in,
    one forgets the log-in, one refuses a role the table allows, one fails, one POST changes a row."""
    from flask_login import login_required

    from portal import create_app
    from portal.orders.models import Order

    leaky = create_app(dict(app.config))
    order_id = world.order.id

    @login_required
    def phone(order_id):
        return db.session.get(Order, order_id).caller_phone

    def open_to_all(order_id):
        return "工单"

    @login_required
    def refusing(order_id):
        return "无权", 403

    @login_required
    def failing(order_id):
        raise RuntimeError("boom")

    @login_required
    def changing(order_id):
        db.session.get(Order, order_id).caller_name = "改"
        db.session.commit()
        return "已改", 422

    views = {"leak_phone": phone, "leak_login": open_to_all, "leak_refusal": refusing, "leak_error": failing,
             "leak_change": changing}
    for name, view in views.items():
        leaky.add_url_rule(f"/orders/<int:order_id>/{name}", name, view,
                           methods=["POST"] if name == "leak_change" else ["GET"])
        monkeypatch.setitem(ACCESS, name, {"handler"} if name == "leak_refusal" else STAFF - {"handler"})
    leaky.config["WTF_CSRF_ENABLED"] = True
    monkeypatch.setattr(leaky.logger, "disabled", True)  # the failing view's traceback is expected
    problems = walk(leaky, world, logged_in_clients(leaky, world), only=set(views))
    url = f"/orders/{order_id}"
    expected = [f"GET {url}/leak_phone (leak_phone) as other_handler: 200 shows 13987654321",
                f"GET {url}/leak_login (leak_login) as anonymous: 200 not sent to log-in",
                f"GET {url}/leak_refusal (leak_refusal) as handler: 403 refused to an allowed role",
                f"GET {url}/leak_error (leak_error) as dispatcher: 500 server error",
                f"POST {url}/leak_change as handler (422) changed rows"]
    for line in expected:
        assert line in problems, (line, problems)
