"""The only code that stores attachments: check every file of an upload, then store them all or none.

Every check happens before anything is written: the number of files, each file's size, its type (from
its content, ``sniffing.py``) and the order's total. Then, in the caller's transaction, the bytes go to
the store and a row per file is added; if anything fails before the commit, the rows are rolled back and
the files this upload created (and no other attachment names) are removed, so a refused or failed upload
leaves nothing behind.

Other areas attach through ``check_files`` + ``storing`` + ``store`` inside their own operation (a
supervision answer, a consultation opinion); the order page uses ``attach`` (files on the order) and
``reply_with_files`` (a reply and its files, in the reply's transaction).
"""
import hashlib
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ..clock import now
from ..extensions import db
from ..orders.models import Order, OrderEvent
from ..orders.states import Action, State
from . import storage
from .access import may_attach
from .errors import Refused
from .models import OWNER_KINDS, Attachment
from .sniffing import Sniffed, sniff


@dataclass(frozen=True)
class Checked:
    """A file that passed every check, ready to store."""
    name: str
    data: bytes
    sha256: str
    sniffed: Sniffed


def megabytes(size: int) -> str:
    """10MB, 1.5MB, 300KB: a size as the messages give it."""
    if size < 1024 * 1024:
        return f"{max(round(size / 1024), 1)}KB"
    value = size / (1024 * 1024)
    return f"{value:.0f}MB" if value >= 10 or value == int(value) else f"{value:.1f}MB"


def clean_name(name: str | None) -> str:
    """The uploaded name without folders, control or reserved characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/")).rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name).strip().strip(".").strip()
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:120]
    return name or "附件"


def check_files(files, order_id: int) -> list[Checked]:
    """Check an upload (``files``: (name, bytes) pairs) for ``order_id``; raise Refused naming the file
    and the limit. Nothing is written."""
    config = current_app.config
    files = [(name, data) for name, data in files if name or data]
    max_files = config["ATTACHMENT_MAX_FILES"]
    if len(files) > max_files:
        raise Refused(f"一次最多上传{max_files}个附件（本次选择了{len(files)}个）。")
    per_file, per_order = config["ATTACHMENT_MAX_BYTES"], config["ATTACHMENT_MAX_PER_ORDER_BYTES"]
    used = db.session.scalar(select(func.coalesce(func.sum(Attachment.size), 0))
                             .where(Attachment.order_id == order_id)) or 0
    checked = []
    for name, data in files:
        name = clean_name(name)
        if len(data) > per_file:
            raise Refused(f"附件“{name}”大小为{megabytes(len(data))}，超过单个附件上限{megabytes(per_file)}。")
        sniffed = sniff(name, data, config["ATTACHMENT_MAX_PIXELS"])
        used += len(data)
        if used > per_order:
            raise Refused(f"附件“{name}”超出本工单附件总量上限{megabytes(per_order)}"
                          f"（本工单已有附件及本次上传合计{megabytes(used)}）。")
        checked.append(Checked(name, data, hashlib.sha256(data).hexdigest(), sniffed))
    return checked


@contextmanager
def storing():
    """Around the caller's work and commit: on any failure, roll back and remove the files this upload
    created that no attachment row names; the error goes on to the caller."""
    created: list[tuple[str, Path]] = []
    try:
        yield created
    except BaseException:
        db.session.rollback()
        for sha256, path in created:
            if not db.session.scalar(select(Attachment.id).where(Attachment.sha256 == sha256).limit(1)):
                storage.remove(path)
        raise


def store(actor, order_id: int, owner_kind: str, owner_id: int, checked: list[Checked], at: datetime,
          created: list) -> list[Attachment]:
    """Write the checked files to the store and add their rows (the caller commits, inside ``storing``)."""
    if owner_kind not in OWNER_KINDS:
        raise ValueError(f"unknown attachment owner kind {owner_kind!r}")
    rows = []
    for item in checked:
        path = storage.put(item.sha256, item.data)
        if path:
            created.append((item.sha256, path))
        if item.sniffed.is_image:
            thumb = storage.put_thumbnail(item.sha256, item.data, current_app.config["ATTACHMENT_THUMB_SIZE"])
            if thumb:
                created.append((item.sha256, thumb))
        row = Attachment(order_id=order_id, owner_kind=owner_kind, owner_id=owner_id, filename=item.name,
                         extension=item.sniffed.extension, content_type=item.sniffed.content_type,
                         sha256=item.sha256, size=len(item.data), width=item.sniffed.width,
                         height=item.sniffed.height, uploaded_by_id=actor.id, uploaded_at=at)
        db.session.add(row)
        rows.append(row)
    return rows


def attach(actor, order_id: int, files, at: datetime | None = None) -> list[Attachment]:
    """Files on the order itself (the order page's 附件 card), with an event on the order's timeline."""
    order = db.session.get(Order, order_id, with_for_update={"of": Order}, populate_existing=True)
    if order is None:
        raise Refused("工单不存在。")
    if not may_attach(actor, order):
        raise Refused(f"您的角色（{actor.role_label}）不能为该工单上传附件。")
    if order.state == State.CLOSED:
        raise Refused("工单已办结，不能再上传附件。")
    files = [(name, data) for name, data in files if name or data]
    if not files:
        raise Refused("请选择要上传的文件。")
    checked = check_files(files, order.id)
    at = at or now()
    with storing() as created:
        rows = store(actor, order.id, "order", order.id, checked, at, created)
        db.session.add(OrderEvent(order_id=order.id, at=at, actor_id=actor.id, action="attach",
                                  from_state=order.state, to_state=order.state,
                                  note="、".join(item.name for item in checked)))
        db.session.commit()
    return rows


def reply_with_files(order_id: int, actor, files, *, version: int | None = None, at: datetime | None = None,
                     **params) -> Order:
    """The lead unit's reply (办理答复) with its files, in one transaction: the reply's event owns them."""
    from ..orders.operations import apply_many

    checked = check_files(files, order_id)
    at = at or now()
    with storing() as created:
        def attach_to_reply(orders):
            order = orders[0]
            db.session.flush()
            event = order.events[-1]
            store(actor, order.id, "reply", event.id, checked, at, created)

        step = {**params, "version": version}
        (order,) = apply_many([(order_id, Action.REPLY, step)], actor, at=at, before_commit=attach_to_reply)
    return order
