"""The one way to make an endpoint answer without log-in.

Every staff view carries ``@login_required``; a page meant for the public lives on a blueprint made by
``public_blueprint(name, import_name, ...)`` instead, and its views carry no log-in decorator. Such a
blueprint is marked ``public = True`` (so tests and tools can tell public endpoints from staff ones with
``is_public_endpoint``), and its successful GET responses get ``Cache-Control: public, max-age=300``.

Public pages extend ``public/base.html`` (no staff navigation, no flashed messages, no user name), show
only what has been published, and are walked by tests/test_public_no_personal_data.py, which fails if any
URL answering without log-in shows a caller's name, phone, house number, an internal note or an
unpublished figure.

Usage (e.g. the standard replies' public page)::

    from ..public.access import public_blueprint
    bp = public_blueprint("public_replies", __name__, url_prefix="/public/replies",
                          link=("标准答复", "public_replies.index"))

``link`` (label, endpoint) puts the page in the public navigation and in the log-in page's footer
(``public_links()`` in templates), in the order the blueprints are registered.
"""
from flask import Blueprint, Flask, current_app, request

PUBLIC_CACHE_CONTROL = "public, max-age=300"


def public_blueprint(name: str, import_name: str, *, link: tuple[str, str] | None = None, **kwargs) -> Blueprint:
    """A blueprint whose views answer without log-in, with public caching headers; ``link`` is
    (label, endpoint) of its entry page for the public navigation."""
    bp = Blueprint(name, import_name, **kwargs)
    bp.public = True
    bp.public_link = link
    bp.after_request(_cache_headers)
    return bp


def is_public_endpoint(app: Flask, endpoint: str) -> bool:
    """True if ``endpoint`` belongs to a blueprint made by ``public_blueprint``."""
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return bool(getattr(blueprint, "public", False))


def public_links() -> list[tuple[str, str]]:
    """(endpoint, label) of every public blueprint's entry page, for navigation and the log-in footer."""
    return [(bp.public_link[1], bp.public_link[0]) for bp in current_app.blueprints.values()
            if getattr(bp, "public", False) and getattr(bp, "public_link", None)]


def _cache_headers(response):
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response
