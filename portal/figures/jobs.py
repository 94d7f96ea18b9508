"""The scheduler's job that keeps the figures the dashboard and the assessment pages read
(``sets.refresh``): every ``FIGURES_REFRESH_MINUTES`` minutes of the default configuration (the trigger
is fixed when the job is registered). Safe to run twice: a run replaces the stored sets."""
from datetime import datetime

from .. import config as defaults
from ..jobs.registry import Every, Job, register
from . import sets, store


def refresh_figures(at: datetime) -> str:
    if not store.enabled():
        return "未启用（FIGURES_MAX_AGE_SECONDS 为 0，页面实时计算）"
    count, ms = sets.refresh(at)
    return f"更新统计快照 {count} 份，耗时 {ms / 1000:.1f} 秒"


register(Job("figures_refresh", "驾驶舱与考核统计快照", Every(minutes=defaults.FIGURES_REFRESH_MINUTES),
             refresh_figures, cumulative=True,
             description="计算领导驾驶舱和考核指标页所用的统计数据（本月及前12个月），页面直接读取。"))
