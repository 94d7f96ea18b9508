"""PDF documents: ``render_pdf(template, **context) -> bytes`` and nothing else renders PDFs.

WeasyPrint lays out a Jinja template. The URL fetcher serves only files under the app's static folder,
so a document can never fetch anything from the network or read other files; fonts come from the
system's fontconfig (Noto Serif CJK and WenQuanYi Micro Hei, installed by scripts/system-packages.sh),
and WeasyPrint embeds the subset each document uses.
"""
import mimetypes
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:///"


class FetchRefused(ValueError):
    """A document asked for something outside the static folder."""


class _StaticOnlyFetcher(URLFetcher):
    """Serves ``static:///css/document.css`` from the static folder; refuses everything else."""

    def __init__(self, root: Path):
        super().__init__(fail_on_errors=True)
        self._root = root.resolve()

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise FetchRefused(f"documents may load only static files, not {url!r}")
        target = (self._root / unquote(urlparse(url).path).lstrip("/")).resolve()
        if self._root not in target.parents or not target.is_file():
            raise FetchRefused(f"no such static file: {url!r}")
        mime_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": mime_type})


def render_pdf(template: str, **context) -> bytes:
    """The PDF of ``template`` rendered with ``context`` (an app context is needed)."""
    html = render_template(template, **context)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_StaticOnlyFetcher(Path(current_app.static_folder))).write_pdf()


def pdf_response(data: bytes, filename: str, inline: bool = True):
    """A response serving ``data`` as ``filename`` (Chinese names kept, RFC 5987)."""
    disposition = "inline" if inline else "attachment"
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=document.pdf; filename*=UTF-8''{quote(filename)}")
    return response
