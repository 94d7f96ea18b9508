"""One uploaded file attached to something on an order.

Every attachment belongs to an order (``order_id``: the per-order size limit and, for files on the order
and its replies, the permission) and to an owner: the order itself, one reply (the reply's order event),
a supervision answer, or a consultation invitation's written opinion. The bytes are kept once per content
(``sha256``) in the attachment store (``storage.py``); the row keeps what the user sees.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db

# The label of the event an upload on the order page writes on the order's timeline.
ORDER_EVENTS = {"attach": "上传附件"}
OWNER_KINDS = {"order": "工单附件", "reply": "答复附件", "supervision_answer": "督办反馈附件",
               "consultation_opinion": "会商意见附件"}


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(24))  # see OWNER_KINDS
    owner_id: Mapped[int]  # the order, the reply's order event, the supervision answer, the invitation
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, without folders or control characters
    extension: Mapped[str] = mapped_column(String(8))  # from the content: the served name ends with it
    content_type: Mapped[str] = mapped_column(String(100))  # from the content, never from the name
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # names the stored file
    size: Mapped[int]
    width: Mapped[int | None]  # images only
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]

    uploaded_by: Mapped[User] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def owner_label(self) -> str:
        return OWNER_KINDS[self.owner_kind]

    @property
    def download_name(self) -> str:
        """The uploaded name with the extension of what the file really is."""
        stem = self.filename.rsplit(".", 1)[0] if "." in self.filename.lstrip(".") else self.filename
        return f"{stem or '附件'}.{self.extension}"

    @property
    def icon(self) -> str:
        return {"pdf": "bi-file-earmark-pdf", "doc": "bi-file-earmark-word", "docx": "bi-file-earmark-word",
                "xls": "bi-file-earmark-excel", "xlsx": "bi-file-earmark-excel", "ppt": "bi-file-earmark-ppt",
                "pptx": "bi-file-earmark-ppt"}.get(self.extension, "bi-file-earmark")
