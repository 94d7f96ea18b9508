"""In-portal notifications for handlers and leaders: new order, takeover, due soon, sent back."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

KINDS = {
    "new_order": "新工单",
    "takeover": "B角接办",
    "acting": "代为办理",
    "due_soon": "即将到期",
    "sent_back": "答复被退回",
    "handover": "工作交接",
    "supervision": "督办",
    "exclusion": "剔除审批",
    "talk": "约谈通知",
    "ledger": "重点问题台帐",
    "hot_topic": "热点预警",
    "overdue": "已超期",
    "calendar": "节假日日历",
    "deputy_list": "代表清单",
    "deputy_remark": "代表意见",
    "consultation": "会商",
    "audit": "审计校验",
}


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    # One notification per (user, kind, order, key): the due-soon check may run many times.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    order = relationship("Order")

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)
