"""Who sees what, page by page and fragment by fragment, enforced on the server."""
import pytest

from portal.extensions import db
from portal.permissions import mask_name, mask_phone
from portal.public.access import is_public_endpoint

HX = {"HX-Request": "true"}
ROLES = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler", "deputy"]

# Pages that are not about one order: which roles may open them (others get 403).
PAGES = {
    "/orders/": set(ROLES) - {"deputy"},
    "/orders/pool": {"dispatcher"},
    "/orders/review": {"dispatcher"},
    "/orders/visits": {"dispatcher"},
    "/orders/new": {"dispatcher", "admin"},
    "/orders/inbox": {"handler", "unit_leader", "other_handler"},
    "/units/": {"admin", "dispatcher"},
    "/deadlines/policy": {"admin", "dispatcher"},
    "/deadlines/calendar": {"admin"},
    "/dispatching/list": {"admin", "dispatcher"},
    "/intake/import": {"dispatcher", "admin"},
    "/ledger/": set(ROLES) - {"deputy"},
    "/ledger/new": {"supervisor"},
    "/ledger/export.xlsx": set(ROLES) - {"deputy"},
    "/supervision/": set(ROLES) - {"deputy"},
    "/supervision/candidates": {"supervisor"},
    "/supervision/new": {"supervisor"},
    "/consultations/": set(ROLES) - {"deputy", "admin"},
    "/consultations/new": {"dispatcher", "leader"},
    "/consultations/request": {"handler", "unit_leader", "other_handler"},
    "/assessment/": set(ROLES) - {"deputy"},
    "/assessment/export.xlsx": set(ROLES) - {"deputy"},
    "/assessment/config": {"admin"},
    "/assessment/exclusions": set(ROLES) - {"deputy"},
    "/talks/": {"supervisor", "leader", "admin"},
    "/talks/rules": {"admin", "supervisor"},
    "/talks/notices": {"supervisor", "leader", "admin", "handler", "unit_leader", "other_handler"},
    "/reports/": set(ROLES) - {"deputy"},
    "/dashboard/": {"dispatcher", "supervisor", "leader", "admin"},
    "/jobs/": {"admin"},
    "/exports/": {"admin", "supervisor"},
    "/replies/": {"dispatcher", "supervisor", "leader", "admin"},
    "/replies/candidates": {"dispatcher", "leader"},
    "/replies/new": {"dispatcher"},
    "/deputies/": {"dispatcher", "supervisor", "leader", "admin"},
    "/deputies/mine": {"deputy"},
}
# Every endpoint of the app must be listed here or in PAGES, so a new page cannot slip through untested.
# One supervision's page and actions, its notices (one and several in one PDF):
# tested role by role in tests/test_supervision_pages.py and tests/test_supervision_downloads.py.
SUPERVISION_ENDPOINTS = {"supervision.show", "supervision.act", "supervision.notice", "supervision.print_notices"}
# Attachments: a file, its thumbnail, and the order page's upload: tested role by role in
# tests/test_attachments_access.py (files of orders, replies, supervision answers, consultation opinions).
ATTACHMENT_ENDPOINTS = {"attachments.download", "attachments.thumb", "attachments.upload"}
# The ledger's entry page, its changes, the PDF export and registration from a supervision: tested role by
# role in tests/test_ledger_pages.py and tests/test_ledger_exports.py.
LEDGER_ENDPOINTS = {"ledger.show", "ledger.note", "ledger.cancel_entry", "ledger.reopen_entry", "ledger.export_pdf",
                    "ledger.from_supervision"}
ORDER_ENDPOINTS = {"orders.show", "orders.action_form", "orders.row", "orders.act"}
# Exclusion requests and decisions, the talk run's confirmation, talk records and notices, rule changes:
# tested role by role in tests/test_assessment_exclusions.py, tests/test_talks_rules.py, tests/test_talks_pages.py.
ASSESSMENT_ENDPOINTS = {"assessment.order_exclusion", "assessment.decide", "talks.confirm", "talks.record",
                        "talks.case", "talks.notice", "talks.save"}
# Roster pages and changes: tested role by role in tests/test_roster_pages.py.
ROSTER_ENDPOINTS = {"roster.index", "roster.unit", "roster.set_slot", "roster.add_absence", "roster.end_absence",
                    "roster.leave"}
# Admin-only changes, tested for refusal in tests/test_units_admin.py and tests/test_deadlines_*.py.
ADMIN_ACTIONS = {"units.create_unit", "units.create_user_view", "units.user_op", "units.unit_op",
                 "deadlines.policy_row", "deadlines.save_policy", "deadlines.upload_calendar",
                 "deadlines.paste_calendar", "deadlines.confirm_remove", "deadlines.year_card",
                 "deadlines.remove_year"}
OPEN_ENDPOINTS = {"static", "auth.login", "auth.logout", "main.home", "main.healthz",
                  "auth.change_password"}  # one's own password, any role: tests/test_security_passwords.py
# Each user's own notifications, tested in tests/test_notifications.py.
NOTIFICATION_ENDPOINTS = {"notifications.index", "notifications.badge", "notifications.read", "notifications.read_all"}
# The import's upload (POST), tested role by role in tests/test_intake_import.py.
INTAKE_ENDPOINTS = {"intake.upload"}
# The JSON API: token only (a session gets 401), tested in tests/test_api_tokens.py and tests/test_api_orders.py.
API_ENDPOINTS = {"api.create_order", "api.get_order", "api.list_orders", "api.openapi"}
# The responsibility list's changes (admin only) and the dispatch suggestions (dispatchers; the API by token),
# tested role by role in tests/test_responsibility_list.py and tests/test_dispatch_suggestions.py.
DISPATCHING_ENDPOINTS = {"dispatching.create_item", "dispatching.item_row", "dispatching.save_item",
                         "dispatching.set_item_active", "dispatching.import_list", "dispatching.export_list",
                         "dispatching.suggestions", "api_suggestions.suggestions"}


# One consultation case's page and its actions (404 to those not taking part): tested role by role in
# tests/test_consultation_pages.py.
CONSULTATION_ENDPOINTS = {"consultation.show", "consultation.approve", "consultation.decline", "consultation.take_over",
                          "consultation.opinion", "consultation.remind", "consultation.invite", "consultation.escalate"}
# The meeting's record, applying decisions, follow-up items, closing, issuing and downloading documents (403 to
# participants who do not run the case, 404 to others): tests/test_consultation_meetings.py and
# tests/test_consultation_documents.py.
CONSULTATION_MEETING_ENDPOINTS = {"consultation_meetings.record", "consultation_meetings.apply",
                                  "consultation_meetings.task_done", "consultation_meetings.close",
                                  "consultation_meetings.issue", "consultation_meetings.document"}
# Report downloads (published kinds to units, the rest to the office and leaders), generating and
# regenerating (supervisors, admins): tested role by role in tests/test_reports_pages.py.
REPORT_ENDPOINTS = {"reports.pdf", "reports.xlsx", "reports.generate", "reports.regenerate"}
# "立即运行" on the jobs page (admins only): tested role by role in tests/test_jobs_page.py.
JOBS_ENDPOINTS = {"jobs.run_now"}
# One standard reply, editing a draft, its steps (submit, approve...), and the offer in an order's answer form:
# tested role by role in tests/test_replies_records.py and tests/test_replies_pages.py.
REPLY_ENDPOINTS = {"replies.show", "replies.edit", "replies.act", "replies.offer"}
# The office's publishing pages (dispatchers only), tested in tests/test_public_rankings.py and
# tests/test_open311.py. Endpoints made by portal.public.access.public_blueprint answer without log-in and
# are walked, whatever they are, by tests/test_public_no_personal_data.py.
PUBLISHING_ENDPOINTS = {"publishing.index", "publishing.preview", "publishing.publish", "publishing.orders",
                        "publishing.order_publication"}
# Deputies' lists: the office's editor (dispatchers edit; supervisors, leaders, admins view) and the deputies'
# pages (404 unless the list was pushed to them): tested role by role in tests/test_deputies_pages.py and
# tests/test_deputies_pdf.py.
DEPUTY_ENDPOINTS = {"deputies.create", "deputies.show", "deputies.add_item", "deputies.edit_item",
                    "deputies.recipients", "deputies.publish", "deputies.new_version", "deputies.matter",
                    "deputies.remark", "deputies.list_pdf"}


def test_every_endpoint_is_covered(app):
    covered = (ASSESSMENT_ENDPOINTS | ORDER_ENDPOINTS | ROSTER_ENDPOINTS | OPEN_ENDPOINTS | ADMIN_ACTIONS | NOTIFICATION_ENDPOINTS | API_ENDPOINTS
               | INTAKE_ENDPOINTS | LEDGER_ENDPOINTS | SUPERVISION_ENDPOINTS
               | DISPATCHING_ENDPOINTS | REPORT_ENDPOINTS | JOBS_ENDPOINTS | CONSULTATION_ENDPOINTS | DEPUTY_ENDPOINTS
               | CONSULTATION_MEETING_ENDPOINTS | REPLY_ENDPOINTS | ATTACHMENT_ENDPOINTS)
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for path in PAGES:
            covered.add(adapter.match(path)[0])
    covered |= PUBLISHING_ENDPOINTS | {rule.endpoint for rule in app.url_map.iter_rules()
                                       if is_public_endpoint(app, rule.endpoint)}
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - covered
    assert not missing, f"endpoints without a permission test: {sorted(missing)}"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_pages_by_role(path, district, login, client):
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ROLES:
        response = login(district.people[role]).get(path)
        expected = 200 if role in PAGES[path] else 403
        assert response.status_code == expected, (path, role, response.status_code)


def order_urls(order):
    return [
        ("get", f"/orders/{order.id}"),
        ("get", f"/orders/{order.id}/form/reply?view=page"),
        ("get", f"/orders/{order.id}/form/dispatch?view=pool"),
        ("get", f"/orders/{order.id}/row?view=inbox"),
        ("post", f"/orders/{order.id}/act/reply"),
        ("post", f"/orders/{order.id}/act/sign_for"),
    ]


def test_other_units_orders_are_invisible(district, make_order, login):
    order = make_order("accepted", caller_name="王秀英", caller_phone="13987654321",
                       content="城管局专属诉求：夜市摊点油烟扰民。")
    client = login(district.other_handler)
    for method, url in order_urls(order):
        for headers in ({}, HX):
            response = getattr(client, method)(url, headers=headers, data={"reply": "x" * 20, "view": "page"})
            assert response.status_code == 404, (url, headers)
            body = response.get_data(as_text=True)
            assert "王秀英" not in body and "13987654321" not in body and "夜市摊点" not in body
    for url in ["/orders/", f"/orders/?q={order.number}", "/orders/inbox?tab=in_progress", "/orders/?q=夜市"]:
        assert f"/orders/{order.id}" not in client.get(url).get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "accepted"


def test_assisting_unit_sees_the_order(district, make_order, login):
    order = make_order("accepted", assist=[district.zhujian])
    client = login(district.other_handler)
    assert client.get(f"/orders/{order.id}").status_code == 200
    assert order.number in client.get("/orders/inbox?tab=assisting").get_data(as_text=True)
    assert order.number in client.get("/orders/").get_data(as_text=True)


def test_unit_leader_sees_all_of_the_units_orders(district, make_order, login):
    mine = make_order("accepted")
    theirs = make_order("accepted", lead=district.zhujian)
    page = login(district.unit_leader).get("/orders/").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page


@pytest.mark.parametrize("role", ["dispatcher", "supervisor", "leader", "admin"])
def test_office_and_leaders_see_everything(role, district, make_order, login):
    a = make_order("accepted")
    b = make_order("dispatched", lead=district.zhujian)
    client = login(district.people[role])
    page = client.get("/orders/").get_data(as_text=True)
    assert a.number in page and b.number in page
    assert client.get(f"/orders/{b.id}").status_code == 200


def test_deputies_see_orders_only_through_their_lists(district, make_order, login):
    """Even an order pushed to deputies is not open to them on the order pages (full address, internal
    steps): the order search is refused, an order page is 404, no action is taken."""
    pushed = make_order("accepted", caller_name="欧阳娜娜", caller_phone="13812345678")
    pushed.deputy_pushed = True
    db.session.commit()
    client = login(district.deputy)
    assert client.get("/orders/").status_code == 403
    assert client.get(f"/orders/{pushed.id}").status_code == 404
    assert client.post(f"/orders/{pushed.id}/act/reply", data={"reply": "x" * 20}).status_code in (403, 404)
    db.session.refresh(pushed)
    assert pushed.state == "accepted"


def test_masks():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+8613812341234") == "+86****1234"
    assert mask_phone("88886666") == "******66"


def test_handler_cannot_take_office_actions(district, make_order, login):
    order = make_order("replied")
    response = login(district.handler).post(f"/orders/{order.id}/act/approve_reply", headers=HX,
                                            data={"view": "page", "version": order.version})
    assert response.status_code == 422 and "不能执行" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "replied"


def test_unknown_action_and_bad_view_are_refused(district, make_order, login):
    order = make_order("accepted")
    client = login(district.handler)
    assert client.post(f"/orders/{order.id}/act/delete_everything").status_code == 404
    assert client.post(f"/orders/{order.id}/act/take_in").status_code == 404
    assert client.post(f"/orders/{order.id}/act/reply", data={"view": "../../x"}).status_code == 400


def test_csrf_is_required_on_forms_and_htmx(app, district, make_order, client):
    app.config["WTF_CSRF_ENABLED"] = True
    order = make_order("accepted")
    response = client.post("/login", data={"username": "cg_a", "password": "x"})
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert client.post(f"/orders/{order.id}/act/reply", headers=HX, data={"reply": "x" * 20}).status_code in (400, 302)


def test_login_throttled_after_repeated_failures(app, district, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login", data={"username": "cg_a", "password": "wrong"}).status_code == 401
    from tests.fixtures.people import PASSWORD

    blocked = client.post("/login", data={"username": "cg_a", "password": PASSWORD})
    assert blocked.status_code == 429 and "失败次数过多" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0


def test_inactive_user_cannot_log_in(district, make_user, client):
    from tests.fixtures.people import PASSWORD

    user = make_user("handler", district.chengguan, active=False)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401


def test_session_cookie_flags(district, client):
    from tests.fixtures.people import PASSWORD

    response = client.post("/login", data={"username": "cg_a", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_redirect_stays_on_site(district, client):
    from tests.fixtures.people import PASSWORD

    response = client.post("/login?next=https://evil.example/x", data={"username": "cg_a", "password": PASSWORD})
    assert response.headers["Location"] == "/"
