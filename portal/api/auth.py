"""API tokens: issue, verify, revoke, and the ``token_required`` decorator for the JSON API's views.

A token is 32 random bytes (``secrets.token_urlsafe``) shown once when issued; only its sha256 is
stored, so a copy of the database does not give access. A browser session never opens the API: the
views look only at ``Authorization: Bearer <token>``.
"""
import hashlib
from datetime import datetime, timedelta
from functools import wraps
from secrets import token_urlsafe

from flask import g, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Unauthorized as HTTPUnauthorized

from ..clock import now
from ..extensions import db
from .models import ApiToken

NAME_LIMIT = 80
# last_used_at is written at most this often per token, so a busy client does not write on every GET.
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be issued or revoked; the message says why (in English, for operators)."""


class Unauthorized(HTTPUnauthorized):
    """No valid token on the request: a 401, which the API blueprint answers in JSON."""

    def __init__(self, message: str, invalid: bool):
        super().__init__(message)
        # the WWW-Authenticate challenge the JSON answer carries (RFC 6750)
        self.challenge = 'Bearer realm="api", error="invalid_token"' if invalid else 'Bearer realm="api"'


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(name: str, at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token named ``name`` (e.g. the client it is for); returns the row and the token itself,
    which is not stored and cannot be shown again. Commits."""
    name = (name or "").strip()
    if not name:
        raise TokenError("a token needs a name")
    if len(name) > NAME_LIMIT:
        raise TokenError(f"the name is longer than {NAME_LIMIT} characters")
    if db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == name)):
        raise TokenError(f"a token named {name!r} already exists (names are kept after revocation)")
    secret = token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_token(secret), created_at=at or now())
    db.session.add(token)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise TokenError(f"a token named {name!r} already exists")
    return token, secret


def revoke(name: str, at: datetime | None = None) -> ApiToken:
    """Stop the token named ``name`` from working, from the next request on. Commits."""
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.name == (name or "").strip()))
    if token is None:
        raise TokenError(f"no token named {name!r}")
    if token.revoked_at is not None:
        raise TokenError(f"the token {name!r} was already revoked on {token.revoked_at:%Y-%m-%d %H:%M}")
    token.revoked_at = at or now()
    db.session.commit()
    return token


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.name)))


def verify(secret: str | None, at: datetime | None = None) -> ApiToken | None:
    """The live token whose hash matches ``secret``, or None. Records the use (committed)."""
    if not secret:
        return None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    at = at or now()
    if token.last_used_at is None or at - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = at
        db.session.commit()
    return token


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer ...`` (scheme case-insensitive), or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def token_required(view):
    """Let the request through only with a live token, which goes to ``g.api_token``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        secret = bearer_token()
        if secret is None:
            raise Unauthorized("缺少访问令牌（请求头 Authorization: Bearer <令牌>）。", invalid=False)
        token = verify(secret)
        if token is None:
            raise Unauthorized("访问令牌无效或已被吊销。", invalid=True)
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped
