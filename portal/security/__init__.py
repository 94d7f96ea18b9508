"""The portal's defences that apply to every request: security headers, session expiry and the forced
password change, the proxy set-up that tells HTTPS from HTTP, and the API's rate limit.

``PROXY_FIX`` (``PORTAL_PROXY_FIX=1``): the number of reverse proxies in front of the portal whose
``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers are trusted. With it, log-in throttling and the
API's limits see the client's address, and HTTPS requests get HSTS. Leave it at 0
when nothing sits in front of the portal (clients could otherwise forge their address).
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import headers, sessions


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    headers.register(app)
    sessions.register(app)
    from ..api.ratelimit import limit_api_requests

    app.before_request(limit_api_requests)
