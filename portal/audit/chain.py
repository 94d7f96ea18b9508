"""What a sealed event is: ``ChainedEvent`` gives an event table its place in a chain (``seq``, 1, 2, ...
per record) and its seal (``hash`` over its content and the previous event's hash, ``prev_hash``).

The hash covers the chain's name, the record's id, ``seq``, ``prev_hash`` and every content column
named in ``__chain_fields__``, written as canonical JSON: changing any of them, removing an event or
swapping two breaks the chain at that point.
"""
import hashlib
import json
from datetime import date, datetime
from enum import Enum

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

GENESIS = "0" * 64


class ChainedEvent:
    """Mixin for an append-only event table. Subclasses set ``__chain_key__`` (the column holding the
    record's id: one chain per value) and ``__chain_fields__`` (the content columns sealed)."""

    __chain_key__: str
    __chain_fields__: tuple[str, ...]

    seq: Mapped[int] = mapped_column(default=0)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint(cls.__chain_key__, "seq", name=f"uq_{cls.__tablename__}_chain_seq"),)


def _plain(value):
    if isinstance(value, (dict, list, tuple)):  # as stored in a JSON column and read back: string keys
        return json.loads(json.dumps(value, ensure_ascii=False, default=str))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def seal(table: str, key, seq: int, prev_hash: str, content: dict) -> str:
    """The hash of one event: canonical JSON of where it stands in its chain and what it says."""
    body = {"table": table, "key": key, "seq": seq, "prev": prev_hash,
            "content": {name: _plain(value) for name, value in content.items()}}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_of(model, row) -> dict:
    """The sealed content columns of an event (an ORM object or a row mapping)."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    return {name: get(name) for name in model.__chain_fields__}


def chained_models() -> list:
    """Every event model that carries a chain (imported here so the list is complete)."""
    from .. import models  # noqa: F401
    from ..extensions import db

    return sorted((m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, ChainedEvent)),
                  key=lambda cls: cls.__tablename__)
