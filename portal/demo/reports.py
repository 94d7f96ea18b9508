"""Demo data for reports: the reports the scheduler would have made by now (last week's summary and
ranking, last month's notice and list of repeatedly unsolved matters), each with the snapshot time its
job would have used, and this morning's hot-topic detection."""
from datetime import datetime, timedelta

from ..assessment.periods import containing
from ..reports.jobs import SCHEDULES
from ..reports.models import REPORT_KINDS
from ..reports.operations import ReportRefused, detect_hot_topics, generate_report

DEMO_KINDS = ["weekly_summary", "weekly_ranking", "monthly_notice", "monthly_unsolved"]


def seed_reports(at: datetime) -> None:
    for kind in DEMO_KINDS:
        period = containing(REPORT_KINDS[kind][1], at.date()).previous()
        scheduled = SCHEDULES[kind].next_after(period.end - timedelta(seconds=1))
        try:
            generate_report(kind, period, as_of=min(scheduled, at))
        except ReportRefused:
            pass
    detect_hot_topics(at)
