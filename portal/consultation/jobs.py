"""The consultation's scheduled job: each morning, tell the unit and the case's owner once about every
follow-up item (落实事项) that has gone past its due date without being done."""
from datetime import datetime

from ..jobs.registry import Cron, Job, register
from .meetings import notify_overdue


def overdue_tasks(at: datetime) -> str:
    told = notify_overdue(at)
    return f"{told} 项落实事项超期，已通知" if told else "无新超期的落实事项"


register(Job("consultation_overdue_tasks", "会商落实事项超期提醒", Cron(hour=8, minute=40), run=overdue_tasks,
             cumulative=True,
             description="会商决定的落实事项过了完成期限仍未办结的，通知承担单位和会商负责人（每项只通知一次）。"))
