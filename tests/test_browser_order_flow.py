"""In a real browser: the dispatcher dispatches, the unit's handler signs for it and replies, and each
change appears in place, without a full page reload.

Debian's chromium, driven by Playwright (``executable_path="/usr/bin/chromium"``; no browser download).
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.roster.operations import set_holder
from tests.fixtures.browser import log_in
from tests.fixtures.people import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not shutil.which(CHROMIUM) and not os.environ.get("PORTAL_REQUIRE_BROWSER"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.fixture
def live_server(app, district, make_order):
    """The test app served over HTTP on a free port, with CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    set_holder(district.chengguan, "A", district.handler, district.admin)
    set_holder(district.chengguan, "B", district.handler_b, district.admin)
    order = make_order(content="建设路与人民路交叉口的井盖缺失，夜间行人容易踩空，请尽快处理。")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", order
    server.shutdown()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def mark_page(page):
    """Put a marker on the window; it survives htmx swaps and disappears on a full reload."""
    page.evaluate("window.__noReload = 'still here'")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload") == "still here"


def test_dispatch_sign_for_and_reply_without_reloads(live_server, page, district):
    base, order = live_server
    row = f"#row-{order.id}"

    log_in(page, base, district.dispatcher.username, PASSWORD)
    page.goto(f"{base}/orders/pool")
    page.wait_for_load_state("networkidle")
    mark_page(page)
    page.click(f"{row} button:has-text('派发')")
    page.select_option(f"{row} select[name=lead_unit_id]", label="区城管局")  # roster complete: no mark
    page.click(f"{row} button[data-action=dispatch]")
    page.wait_for_selector(f"{row}:has-text('待签收')")
    assert "区城管局" in page.inner_text(row)
    assert not_reloaded(page)
    page.click("nav form button:has-text('退出')")

    log_in(page, base, district.handler.username, PASSWORD)  # the unit's A handler, to whom the order was routed
    page.goto(f"{base}/orders/inbox")
    page.wait_for_load_state("networkidle")
    mark_page(page)
    assert order.number in page.inner_text(row)
    page.click(f"{row} button[data-action=sign_for]")
    page.wait_for_selector(f"{row}:has-text('已签收')")
    assert "办理中" in page.inner_text(row)
    assert not_reloaded(page)

    page.click(f"{row} a:has-text('办理')")
    page.wait_for_selector("#order-main")
    page.wait_for_load_state("networkidle")  # htmx and Bootstrap (deferred scripts) are ready
    mark_page(page)
    page.click("#order-actions button.accordion-button:has-text('办理答复')")
    page.wait_for_selector("#act-reply.show textarea[name=reply]", state="visible")
    page.fill("#act-reply textarea[name=reply]", "已安排人员补装井盖并设置警示标志，已电话告知市民处理结果。")
    page.click("#act-reply button[data-action=reply]")
    page.wait_for_selector("#order-main .alert-success:has-text('已办理答复')")
    assert "待审核" in page.inner_text("#order-main")
    assert "已安排人员补装井盖" in page.inner_text("#timeline")
    assert not_reloaded(page)

    db.session.expire_all()
    db.session.refresh(order)
    assert order.state == "replied" and order.handler_id == district.handler.id

