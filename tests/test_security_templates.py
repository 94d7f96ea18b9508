"""The templates served to browsers keep to the Content-Security-Policy: no inline script, no event
handler attribute, no style attribute or <style> block, no hx-on (htmx would eval it). PDF templates are
exempt: WeasyPrint lays them out on the server and browsers only ever see the PDF."""
import re
from pathlib import Path

import portal

TEMPLATES = Path(portal.__file__).parent / "templates"
FORBIDDEN = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "on* attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "hx-on": re.compile(r"\b(data-)?hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def browser_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        parts = path.relative_to(TEMPLATES).parts
        if "pdf" in parts or "_pdf" in parts:
            continue
        yield path


def test_no_inline_script_style_or_handlers_in_templates():
    found = []
    for path in browser_templates():
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)  # comments may say anything
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_check_sees_what_it_looks_for():
    samples = ['<script>alert(1)</script>', '<button onclick="x()">', '<div style="width:1px">', '<style>a{}</style>',
               '<a hx-on:click="x">', '<a href="javascript:x()">']
    for sample, pattern in zip(samples, FORBIDDEN.values()):
        assert pattern.search(sample), sample
    assert not FORBIDDEN["inline <script>"].search('<script src="/static/js/portal.js" defer></script>')
    assert not FORBIDDEN["on* attribute"].search('<input name="only_once" data-none="x">')
    assert len(list(browser_templates())) > 50
