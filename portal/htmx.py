"""The one place that knows htmx: page-or-fragment rendering and the headers that go with it.

flask-htmx (a maintained package with the same API as htmx-flask) tells whether a request came from
htmx. A view calls ``render(page_template, fragment_template, **ctx)``: htmx requests that target a part of the page get
the fragment, everything else (including htmx's history-restore requests) gets the full page.
Responses that can be either carry ``Vary: HX-Request`` so no cache mixes them up.
"""
from flask import make_response, render_template

from .extensions import htmx


def is_htmx() -> bool:
    """True for an htmx request that wants a fragment (not a history restore)."""
    return bool(htmx) and not htmx.history_restore_request


def render(page_template: str, fragment_template: str | None = None, status: int = 200, **context):
    template = fragment_template if (fragment_template and is_htmx()) else page_template
    response = make_response(render_template(template, **context), status)
    response.headers.add("Vary", "HX-Request")
    return response


def trigger(response, event: str):
    """Ask the page to fire a client-side event (e.g. refresh a badge) after the swap."""
    response.headers["HX-Trigger"] = event
    return response


def redirect(url: str):
    """A redirect that works for htmx (HX-Redirect) and for plain requests alike."""
    from flask import redirect as flask_redirect

    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return flask_redirect(url)
