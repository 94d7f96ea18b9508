"""No NUL character reaches the database: a request whose query string or form carries one is refused
with 400 before any view runs.

PostgreSQL cannot store or even compare text containing NUL (SQLite can), so without this guard a search
for ``%00`` or a form field with one is a server error on PostgreSQL only. JSON bodies are the API's own
business: it refuses NUL in its fields with a message naming the field.
"""
from flask import abort, request


def _has_nul(multidict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in multidict.lists())


def refuse_nul_characters():
    """A ``before_request`` hook: 400 (请求有误) when any query-string or form key or value holds a NUL."""
    if "\x00" in request.path or _has_nul(request.args) or (request.form and _has_nul(request.form)):
        abort(400)
