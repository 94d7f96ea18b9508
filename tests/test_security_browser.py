"""In a real browser, under the real Content-Security-Policy: log in, act through htmx, open a Bootstrap
dropdown and the collapsed navbar, and visit the key pages, with zero CSP violations reported.

Debian's chromium, driven by Playwright (``executable_path="/usr/bin/chromium"``; no browser download).
Violations are caught twice: the page's ``securitypolicyviolation`` events (reported to the test through
an exposed function, so they survive navigation) and the console's "Content Security Policy" messages.
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal.roster.operations import set_holder
from tests.fixtures.browser import log_in
from tests.fixtures.people import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not shutil.which(CHROMIUM) and not os.environ.get("PORTAL_REQUIRE_BROWSER"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

LISTEN = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.reportViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
"""


@pytest.fixture
def live_server(app, district, make_order, open_supervision):
    """The test app over HTTP on a free port, with CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    set_holder(district.chengguan, "A", district.handler, district.admin)
    set_holder(district.chengguan, "B", district.handler_b, district.admin)
    order = make_order(content="建设路与人民路交叉口的井盖缺失，夜间行人容易踩空，请尽快处理。")
    supervision = open_supervision(issue_notice=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", order, supervision
    server.shutdown()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def watched(browser):
    """A page whose CSP violations and console errors are collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    violations, console = [], []
    context.expose_function("reportViolation", lambda text: violations.append(text))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield page, violations, console
    context.close()


def settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)  # violation events are dispatched asynchronously


def test_key_pages_and_htmx_actions_raise_no_csp_violation(live_server, watched, district):
    base, order, supervision = live_server
    page, violations, console = watched
    row = f"#row-{order.id}"

    log_in(page, base, district.dispatcher.username, PASSWORD)
    response = page.goto(f"{base}/orders/pool")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    settle(page)
    page.evaluate("window.__noReload = 'still here'")
    page.click(f"{row} button:has-text('派发')")  # htmx: the dispatch form swapped into the row
    page.select_option(f"{row} select[name=lead_unit_id]", label="区城管局")
    page.click(f"{row} button[data-action=dispatch]")
    page.wait_for_selector(f"{row}:has-text('待签收')")
    assert page.evaluate("window.__noReload") == "still here"  # htmx did it in place

    page.click("nav .dropdown-toggle:has-text('设置')")  # Bootstrap's dropdown
    page.wait_for_selector("nav .dropdown-menu.show a:has-text('单位与人员')")
    page.keyboard.press("Escape")

    for url in (f"/orders/{order.id}", "/dashboard/", "/supervision/", f"/supervision/{supervision.id}",
                "/notifications/", "/password"):
        response = page.goto(base + url)
        assert response.status == 200, url
        settle(page)

    page.set_viewport_size({"width": 600, "height": 900})  # Bootstrap's collapse: the navbar's toggler
    page.click("nav .navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    settle(page)

    csp_console = [line for line in console if "Content Security Policy" in line or "Content-Security-Policy" in line]
    assert violations == [] and csp_console == [], violations + csp_console
    assert not [line for line in console if line.startswith("pageerror")], console


def test_public_page_and_login_page_raise_no_csp_violation(live_server, watched):
    base, _, _ = live_server
    page, violations, console = watched
    for url in ("/login", "/public/rankings", "/public/replies/"):
        page.goto(base + url)
        settle(page)
    assert violations == [] and not [c for c in console if "Content Security Policy" in c], violations + console

    # the watch itself works: an inline style attribute is refused and reported
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    settle(page)
    assert any("style-src" in v for v in violations), violations


def test_pdf_opens_inline_in_chromium_under_the_headers(live_server, watched, district):
    """frame-ancestors 'none' and X-Frame-Options DENY stop other pages from framing a PDF, not
    Chromium's own viewer from showing it."""
    base, _, supervision = live_server
    page, violations, console = watched
    log_in(page, base, district.supervisor.username, PASSWORD)
    response = page.goto(f"{base}/supervision/notices/{supervision.notice.id}")
    assert response.headers["content-type"] == "application/pdf" and response.headers["x-frame-options"] == "DENY"
    page.wait_for_timeout(1500)
    viewer = [frame.url for frame in page.frames if frame.url.startswith("chrome-extension://")]
    assert viewer and viewer[0].endswith("/index.html"), [frame.url for frame in page.frames]
    assert violations == [], violations
