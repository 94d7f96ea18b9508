"""The audit record's nightly jobs: a checkpoint of every event table (so later removals are seen even at
the end of a chain), then a walk of every chain that tells the administrators when anything was
tampered with."""
from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..extensions import db
from ..jobs.registry import Cron, Job, register
from ..notifications.operations import notify
from .verify import verify, write_checkpoints


def checkpoint(at: datetime) -> str:
    written = write_checkpoints(at)
    db.session.commit()
    return f"记录 {len(written)} 张事件表的校验点，共 {sum(row.events for row in written)} 条事件"


def check(at: datetime) -> str:
    walked, problems = verify()
    events = sum(w.events for w in walked)
    if not problems:
        return f"审计记录完整：{sum(w.chains for w in walked)} 条记录链，{events} 条事件"
    first = "；".join(str(p) for p in problems[:3])
    for admin in db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))):
        notify(admin.id, "audit", f"审计校验发现 {len(problems)} 处记录被改动：{first}"[:480], at=at,
               dedupe_key=f"audit:{admin.id}:{at:%Y%m%d%H%M}")
    db.session.commit()
    return f"发现 {len(problems)} 处记录被改动（已通知系统管理员）：{first}"[:480]


register(Job("audit_checkpoint", "审计校验点", Cron(hour=1, minute=30), run=checkpoint,
             description="每晚为各事件表记录一个校验点（事件条数与哈希摘要），校验据此发现被删除的事件。"))
register(Job("audit_verify", "审计记录校验", Cron(hour=1, minute=45), run=check,
             description="逐条重算各工单、督办、会商、台帐、通稿和AB角事件的哈希链，发现改动、删除或调序即通知系统管理员。"))
