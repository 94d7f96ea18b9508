"""Recomputing seals from raw database rows, fast: the walk of a million orders' events spends its time
per row, so each event's JSON text is written field by field from the driver's values, with one small
function per column chosen once for its type.

The text is byte for byte the one ``chain.seal`` writes for the values the ORM would have read: a value
the driver hands over in another form than the ORM's (a datetime or JSON document stored as text on
SQLite) goes through the column type's own result processor first, except a datetime already stored in
its canonical form, which is used as it stands. tests/test_audit_reseal.py holds the two to each other.
"""
import hashlib
import json
import re
from datetime import datetime
from json.encoder import encode_basestring

from sqlalchemy import JSON, DateTime, Integer, String

from .chain import _plain

# seal's json.dumps(...) settings, in one encoder object made once.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode
_canonical_datetime = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}").fullmatch


def fragment(value) -> str:
    """Any value as it appears inside seal's JSON text."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is datetime:
        return f'"{value.isoformat(sep=" ", timespec="microseconds")}"'
    return _encode(_plain(value))


def _text(value) -> str:
    if value is None:
        return "null"
    return encode_basestring(value) if type(value) is str else fragment(value)


def _number(value) -> str:
    if value is None:
        return "null"
    return int.__repr__(value) if type(value) is int else fragment(value)


def _column_fragment(column, dialect):
    """The function from the driver's value of one content column to its fragment of seal's text."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None and isinstance(column.type, String):
        return _text
    if process is None and isinstance(column.type, Integer):
        return _number
    if isinstance(column.type, JSON):
        def document(value):
            if value is None:
                return "null"
            if process is not None:
                try:
                    value = process(value)
                except (TypeError, ValueError):
                    return fragment(value)  # not JSON: hashed as stored, so the event is reported changed
            return _encode(value)  # decoded JSON is plain already (what _plain gives back)

        return document
    if isinstance(column.type, DateTime) and process is not None:
        def timestamp(value):
            if type(value) is str and _canonical_datetime(value):
                return f'"{value}"'  # what parsing it and writing it out again gives back
            try:
                return fragment(process(value))
            except (TypeError, ValueError):
                return fragment(value)  # unreadable: hashed as stored, so the event is reported changed

        return timestamp
    return lambda value: fragment(process(value) if process else value)


def row_sealer(model, dialect, first: int):
    """A function (key, seq, prev_hash, row) -> the seal ``chain.seal`` gives that event, where ``row`` is a
    DB-API row holding the model's ``__chain_fields__`` in their declared order from index ``first``."""
    fields = sorted((name, first + i) for i, name in enumerate(model.__chain_fields__))  # seal sorts keys
    parts = [(encode_basestring(name) + ":", _column_fragment(model.__table__.c[name], dialect), index)
             for name, index in fields]
    tail = f',"table":{encode_basestring(model.__tablename__)}}}'
    sha256 = hashlib.sha256

    def reseal(key, seq, prev_hash, row) -> str:
        content = ",".join([label + write(row[index]) for label, write, index in parts])
        text = (f'{{"content":{{{content}}},"key":{fragment(key)},"prev":{fragment(prev_hash)},'
                f'"seq":{fragment(seq)}{tail}')
        return sha256(text.encode("utf-8")).hexdigest()

    return reseal
