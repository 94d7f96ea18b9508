"""The reports' scheduled jobs: hot-topic detection every morning, and each report the morning after its
period ends. A report's snapshot time is the job's scheduled time (not the wall clock), so a run caught
up after the scheduler was down gives the figures an on-time run would have; a period already made is
left as it is (``generate_report`` is idempotent)."""
from datetime import datetime, timedelta

from ..assessment.periods import containing
from ..jobs.registry import Cron, Job, register
from .models import REPORT_KINDS
from .operations import detect_hot_topics, generate_report


def hot_topics(at: datetime) -> str:
    created = detect_hot_topics(at)
    return f"新增热点预警 {len(created)} 条" if created else "无新增热点预警"


def _report_job(kind: str):
    def run(at: datetime) -> str:
        period = containing(REPORT_KINDS[kind][1], (at - timedelta(days=1)).date())
        report = generate_report(kind, period, as_of=at)
        return f"{report.period_label}{report.kind_label}（数据截至 {report.as_of:%Y-%m-%d %H:%M}）"

    run.__name__ = f"make_{kind}"
    run.__module__ = __name__
    return run


register(Job("hot_topics", "热点预警检测", Cron(hour=8, minute=30), run=hot_topics, cumulative=True,
             description="诉求分类或承办单位本周受理量明显高于前几周时，生成热点预警并通知区领导和派单员。"))
SCHEDULES = {
    "weekly_summary": Cron(day_of_week="mon", hour=7),
    "weekly_ranking": Cron(day_of_week="mon", hour=7, minute=10),
    "monthly_notice": Cron(day=1, hour=7, minute=20),
    "monthly_unsolved": Cron(day=1, hour=7, minute=30),
    "quarterly_publication": Cron(month="1,4,7,10", day=1, hour=7, minute=40),
    "yearly_evaluation": Cron(month=1, day=2, hour=7),
}
for _kind, _trigger in SCHEDULES.items():
    register(Job(f"report_{_kind}", REPORT_KINDS[_kind][0], _trigger, run=_report_job(_kind),
                 description=f"生成上一期的{REPORT_KINDS[_kind][0]}（PDF 与 Excel），存档供下载。"))
