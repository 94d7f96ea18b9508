"""Screenshots of a running portal as its users see it (for the README and for looking at pages).

Usage: .venv/bin/python scripts/screenshots.py BASE_URL OUT_DIR "user|password|/path,/path|width" ...
Debian's chromium through Playwright; no browser download.
"""
import sys
from playwright.sync_api import sync_playwright

base, out = sys.argv[1], sys.argv[2]
jobs = sys.argv[3:]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    for job in jobs:
        user, pw, paths, width = job.split("|")
        ctx = browser.new_context(viewport={"width": int(width), "height": 900}, locale="zh-CN",
                                  device_scale_factor=1)
        page = ctx.new_page()
        page.goto(base + "/login")
        page.fill("#username", user); page.fill("#password", pw); page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in paths.split(","):
            page.goto(base + path); page.wait_for_load_state("networkidle")
            name = f"{out}/{user}-{width}-{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}.png"
            page.screenshot(path=name, full_page=True)
            print(name)
        ctx.close()
    browser.close()
