"""The API's rate limit: so many requests a minute per token, and per address for calls without a live
token (``API_RATE_LIMIT_PER_MINUTE``, ``API_ANONYMOUS_RATE_LIMIT_PER_MINUTE``; 0 turns a limit off).

Checked before anything else on every URL under /api/ (the dispatch suggestions and unknown URLs too), so
a refused call changes nothing. The answer is 429 in the API's error shape with ``Retry-After``. Counts
live in the database (``portal.security.ratelimit``), so the limit holds across all web workers.
"""
from flask import current_app, request

from ..extensions import db
from ..security.ratelimit import hit
from . import serializers
from .auth import bearer_token, hash_token
from .models import ApiToken

WINDOW_SECONDS = 60


def _caller() -> tuple[str, int]:
    """The key to count under and its limit: the live token, else the address."""
    config = current_app.config
    secret = bearer_token()
    if secret:
        token_id = db.session.scalar(db.select(ApiToken.id).where(
            ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None)))
        if token_id is not None:
            return f"api-token:{token_id}", int(config.get("API_RATE_LIMIT_PER_MINUTE") or 0)
    return f"api-address:{request.remote_addr or '-'}", int(config.get("API_ANONYMOUS_RATE_LIMIT_PER_MINUTE") or 0)


def limit_api_requests():
    """Before each request under /api/: count it, and refuse it with a 429 beyond the limit."""
    if not request.path.startswith("/api/"):
        return None
    key, limit = _caller()
    if limit <= 0:
        return None
    count = hit(key, limit, WINDOW_SECONDS)
    if count.allowed:
        return None
    from .views import respond

    body = serializers.error("too_many_requests", f"请求过于频繁（每分钟最多 {limit} 次），请 {count.retry_after} 秒后再试。")
    return respond(body, 429, {"Retry-After": str(count.retry_after), "Cache-Control": "no-store"})
