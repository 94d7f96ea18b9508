"""The portal's idea of "now": naive local time in the configured time zone.

Times are stored naive, in local (Beijing) time: the portal serves one district in one time zone, and
deadlines are counted in its working days. Tests pin the clock with ``PORTAL_FIXED_NOW`` / the
``FIXED_NOW`` config key.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context():
        fixed = current_app.config.get("FIXED_NOW")
        if fixed:
            return fixed if isinstance(fixed, datetime) else datetime.fromisoformat(fixed)
        tz = current_app.config.get("TIMEZONE", "Asia/Shanghai")
    else:
        tz = "Asia/Shanghai"
    return datetime.now(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)
