"""PDF documents: ``render_pdf(template, **context) -> bytes`` and nothing else renders PDFs.

WeasyPrint lays out a Jinja template. The URL fetcher serves only files under the app's static folder,
so a document can never fetch anything from the network or read other files; fonts come from the
system's fontconfig (Noto Serif CJK and WenQuanYi Micro Hei, installed by scripts/system-packages.sh),
and WeasyPrint embeds the subset each document uses.

What does not change between renders is kept per thread: WeasyPrint's font configuration (so Pango
finds and loads each font face once, not on every document) and the parsed static stylesheets the
templates link to (parsed again only when the file changes).
"""
import atexit
import mimetypes
import re
import threading
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from flask import current_app, render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:///"
# <link rel="stylesheet" href="static:///css/x.css"> exactly as the templates write it.
STATIC_LINK = re.compile(r'<link rel="stylesheet" href="(static:///[^"]+\.css)">')


class FetchRefused(ValueError):
    """A document asked for something outside the static folder."""


class _StaticOnlyFetcher(URLFetcher):
    """Serves ``static:///css/document.css`` from the static folder; refuses everything else."""

    def __init__(self, root: Path):
        super().__init__(fail_on_errors=True)
        self._root = root.resolve()

    def path(self, url: str) -> Path:
        """The file ``url`` names; FetchRefused when it is not a file under the static folder."""
        if not url.startswith(STATIC_PREFIX):
            raise FetchRefused(f"documents may load only static files, not {url!r}")
        target = (self._root / unquote(urlparse(url).path).lstrip("/")).resolve()
        if self._root not in target.parents or not target.is_file():
            raise FetchRefused(f"no such static file: {url!r}")
        return target

    def fetch(self, url, headers=None):
        target = self.path(url)
        mime_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": mime_type})


class _Kept:
    """One thread's font configuration and parsed stylesheets (WeasyPrint objects are not shared
    between threads)."""

    def __init__(self):
        self.fonts = FontConfiguration()
        self.sheets: dict[tuple[str, int], CSS] = {}

    def sheet(self, url: str, fetcher: _StaticOnlyFetcher) -> CSS:
        target = fetcher.path(url)
        key = (str(target), target.stat().st_mtime_ns)
        if key not in self.sheets:
            self.sheets[key] = CSS(string=target.read_text("utf-8"), base_url=url, url_fetcher=fetcher,
                                   font_config=self.fonts)
        return self.sheets[key]


_KEPT: dict[int, _Kept] = {}  # by thread id; made at a thread's first render, not at import
# Pango's objects must go while the interpreter is whole: left to the last stage of shutdown, freeing
# them crashes the process.
atexit.register(_KEPT.clear)


def _kept() -> _Kept:
    thread = threading.get_ident()
    if thread not in _KEPT:
        _KEPT[thread] = _Kept()
    return _KEPT[thread]


def render_pdf(template: str, **context) -> bytes:
    """The PDF of ``template`` rendered with ``context`` (an app context is needed).

    The template's static stylesheet links are replaced by the kept parsed sheets, in the same order,
    so they still override one another as before; a ``<style>`` or ``style=""`` in the template still
    wins over them (WeasyPrint ranks passed sheets below the document's own)."""
    html = render_template(template, **context)
    kept = _kept()
    fetcher = _StaticOnlyFetcher(Path(current_app.static_folder))
    sheets = [kept.sheet(url, fetcher) for url in STATIC_LINK.findall(html)]
    document = HTML(string=STATIC_LINK.sub("", html), base_url=STATIC_PREFIX, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=sheets, font_config=kept.fonts)


def pdf_response(data: bytes, filename: str, inline: bool = True):
    """A response serving ``data`` as ``filename`` (Chinese names kept, RFC 5987)."""
    disposition = "inline" if inline else "attachment"
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=document.pdf; filename*=UTF-8''{quote(filename)}")
    return response
