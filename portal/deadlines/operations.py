"""The only place where the deadline policy and the holiday calendar change.

Each operation checks that the actor is an admin, validates everything before touching the database,
makes the change in one transaction and commits, or raises with a message for the user (in Chinese)
and changes nothing. Deadlines already set on orders stay as they are: a new policy or calendar applies
to deadlines computed afterwards (dispatch, reopen).
"""
from collections.abc import Iterable
from datetime import date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role
from ..clock import now
from ..extensions import db
from .holiday_csv import NAME_LIMIT, HolidayRow
from .models import CalendarDay, CalendarYear, DeadlinePolicy
from .queries import DEFAULT_POLICIES, forget_work_calendar
from ..errors import InvalidInput, NotAllowed  # noqa: F401  (re-exported for views)

UNITS = {"workday": "工作日", "hour": "小时"}
# (field, label) in the order the policy page shows them
STEPS = (
    ("sign_for", "签收"),
    ("first_feedback", "首次反馈"),
    ("reply", "答复"),
    ("complex_reply", "复杂疑难方案"),
)
# Upper bounds that catch typos (30 instead of 3) and keep the date arithmetic in range.
MAX_AMOUNT = {"workday": 60, "hour": 720}
MAX_WARN_MINUTES = 7 * 24 * 60
SOURCE_LIMIT = 200  # CalendarYear.source


def _require_admin(actor) -> None:
    if Role(actor.role) is not Role.ADMIN:
        raise NotAllowed("只有系统管理员可以修改时限规则和节假日安排。")


# --- the deadline policy -----------------------------------------------------------------------------

def save_policy(actor, urgency: str, data: dict, at: datetime | None = None) -> DeadlinePolicy:
    """Save one urgency's policy from ``data`` (strings or ints, as a form sends them).

    Rules: the unit is workday or hour; every amount and the warning time are positive whole numbers
    (with an upper bound against typos); sign-for and first feedback come no later than the reply, and
    the reply no later than the complex-case plan.
    """
    _require_admin(actor)
    if urgency not in DEFAULT_POLICIES:
        raise InvalidInput("未知的紧急程度。")
    unit = (str(data.get("unit") or "")).strip()
    if unit not in UNITS:
        raise InvalidInput("计时单位应为“工作日”或“小时”。")
    errors: list[str] = []
    values: dict[str, int] = {}
    for key, label in STEPS:
        value = _positive_int(data.get(key), f"{label}时限", MAX_AMOUNT[unit], UNITS[unit], errors)
        if value is not None:
            values[key] = value
    warn = _positive_int(data.get("warn_minutes"), "提前预警时间", MAX_WARN_MINUTES, "分钟", errors)
    if not errors:
        if values["sign_for"] > values["reply"]:
            errors.append("签收时限不能长于答复时限。")
        if values["first_feedback"] > values["reply"]:
            errors.append("首次反馈时限不能长于答复时限。")
        if values["reply"] > values["complex_reply"]:
            errors.append("答复时限不能长于复杂疑难方案时限。")
    if errors:
        raise InvalidInput(*errors)

    policy = db.session.get(DeadlinePolicy, urgency, with_for_update=True)
    if policy is None:
        policy = DeadlinePolicy(urgency=urgency)
        db.session.add(policy)
    policy.unit = unit
    for key, value in values.items():
        setattr(policy, key, value)
    policy.warn_minutes = warn
    policy.updated_at = at or now()
    try:
        db.session.commit()
    except IntegrityError:  # another admin saved the first row for this urgency at the same moment
        db.session.rollback()
        raise InvalidInput("其他管理员刚刚修改了这条规则，请刷新页面后重试。")
    current_app.logger.info("deadline policy %s changed by %s: %s %s, warn %s min", urgency,
                            actor.username, unit, values, warn)
    return policy


def _positive_int(raw, label: str, limit: int, unit_label: str, errors: list[str]) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        errors.append(f"请填写{label}。")
        return None
    try:
        value = int(text)
    except ValueError:
        errors.append(f"{label}须为正整数（填写的是“{text}”）。")
        return None
    if value < 1:
        errors.append(f"{label}须为正整数（至少为1）。")
        return None
    if value > limit:
        errors.append(f"{label}不能超过{limit}{unit_label}。")
        return None
    return value


# --- the holiday calendar ----------------------------------------------------------------------------

def load_year(actor, year_rows: Iterable[HolidayRow], source: str, at: datetime | None = None) -> CalendarYear:
    """Replace one year's holidays and make-up working days with ``year_rows``, all or nothing.

    The rows come from ``holiday_csv.parse_file``/``parse_text``, which report errors line by line; the
    checks here guard the same rules for any other caller.
    """
    _require_admin(actor)
    rows = list(year_rows)
    if not rows:
        raise InvalidInput("没有要导入的日期。")
    years = {r.day.year for r in rows}
    if len(years) != 1:
        raise InvalidInput("一次只能导入一个年份的数据（收到：" + "、".join(str(y) for y in sorted(years)) + "）。")
    year = years.pop()
    days = [r.day for r in rows]
    if len(set(days)) != len(days):
        raise InvalidInput("日期有重复。")
    if any(not (r.name or "").strip() or len(r.name.strip()) > NAME_LIMIT for r in rows):
        raise InvalidInput(f"每个日期都需要名称（最多{NAME_LIMIT}字）。")
    source = (source or "").strip()[:SOURCE_LIMIT] or "管理员导入"

    try:
        entry = db.session.get(CalendarYear, year, with_for_update=True)  # serialises two reloads
        _delete_days(year)
        if entry is None:
            entry = CalendarYear(year=year)
            db.session.add(entry)
        entry.loaded_at = at or now()
        entry.source = source
        db.session.add_all(CalendarDay(day=r.day, workday=bool(r.workday), name=r.name.strip()) for r in rows)
        db.session.commit()
    except IntegrityError:  # another admin loaded the same year at the same moment
        db.session.rollback()
        raise InvalidInput(f"其他管理员正在导入{year}年的数据，请刷新页面查看后再试。")
    except Exception:
        db.session.rollback()
        raise
    forget_work_calendar()
    current_app.logger.info("calendar year %s loaded by %s from %s: %d days", year, actor.username, source,
                            len(rows))
    return entry


def remove_year(actor, year: int) -> None:
    """Forget a loaded year: its deadlines fall back to the built-in data or to Monday-to-Friday."""
    _require_admin(actor)
    try:
        entry = db.session.get(CalendarYear, year, with_for_update=True)
        if entry is None:
            raise InvalidInput(f"{year}年的节假日安排没有导入过，或已被删除。")
        _delete_days(year)
        db.session.delete(entry)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    forget_work_calendar()
    current_app.logger.info("calendar year %s removed by %s", year, actor.username)


def _delete_days(year: int) -> None:
    db.session.execute(
        db.delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
