"""Security headers on every response: pages, htmx fragments, the JSON API, public pages, PDFs, errors.

The Content-Security-Policy allows scripts and styles from the portal itself only: no inline script, no
inline style attribute (tests/test_security_templates.py keeps the templates so), no ``eval``. htmx runs
under it because base.html's ``htmx-config`` turns off its injected indicator ``<style>``
(``includeIndicatorStyles: false``; the indicator rules are in portal.css). PDFs are rendered server-side
and served as files; ``frame-ancestors 'none'`` only stops other pages from framing them.
HSTS is sent only on HTTPS requests; behind a reverse proxy that ends TLS, ``PROXY_FIX`` makes the
proxy's ``X-Forwarded-Proto`` count (see ``portal/security/__init__.py``).
"""
from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def security_headers(response):
    """Add the headers a response does not set itself (a view may set a stricter or looser one)."""
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config.get("CONTENT_SECURITY_POLICY") or CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    max_age = config.get("HSTS_MAX_AGE")
    if request.is_secure and max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}")
    return response


def register(app: Flask) -> None:
    app.after_request(security_headers)
