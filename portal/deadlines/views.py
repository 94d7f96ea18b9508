"""Admin pages for the deadline policy and the holiday calendar.

Views read the form, call one operation in ``operations`` and render the page, or for htmx the table row
that changed. Dispatchers may read the policy; everything else here is for admins only.
"""
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..calendar import WorkCalendar
from ..clock import now
from ..extensions import db
from ..htmx import is_htmx, render
from ..permissions import require_role
from . import forms, operations
from .models import CalendarDay, CalendarYear
from .operations import InvalidInput, NotAllowed
from .queries import DEFAULT_POLICIES, missing_years, policies, work_calendar
from .rules import due_after

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")

WEEKDAYS = "一二三四五六日"
MAX_ERRORS_SHOWN = 100


# --- the deadline policy -----------------------------------------------------------------------------

@bp.route("/policy")
@login_required
def policy():
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    editing = request.args.get("edit") if _is_admin() else None
    return render("deadlines/policy.html", **_policy_context(editing=editing))


@bp.route("/policy/<urgency>")
@login_required
def policy_row(urgency: str):
    """One row of the policy table, to read or (admins, ``?edit=1``) to edit; htmx swaps it in place."""
    require_role(current_user, Role.ADMIN, Role.DISPATCHER)
    _urgency_or_404(urgency)
    editing = request.args.get("edit") == "1" and _is_admin()
    if not is_htmx():
        return redirect(url_for("deadlines.policy", edit=urgency if editing else None))
    return render("deadlines/_policy_row.html", **_row_context(urgency, editing=editing))


@bp.route("/policy/<urgency>", methods=["POST"])
@login_required
def save_policy(urgency: str):
    require_role(current_user, Role.ADMIN)
    _urgency_or_404(urgency)
    try:
        operations.save_policy(current_user, urgency, forms.policy_data(request.form))
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        failed = {"errors": exc.messages, "typed": request.form}
        if is_htmx():
            return render("deadlines/_policy_row.html", status=422, **_row_context(urgency, editing=True, **failed))
        return render("deadlines/policy.html", status=422, **_policy_context(editing=urgency, failed=failed))
    if is_htmx():
        return render("deadlines/_policy_row.html", **_row_context(urgency, saved=True))
    flash(f"已保存“{_urgency_label(urgency)}”工单的时限规则，此后派发的工单按新规则计算期限。", "success")
    return redirect(url_for("deadlines.policy"))


def _policy_context(editing: str | None = None, failed: dict | None = None) -> dict:
    rows = [
        _row_context(u, editing=(u == editing), **(failed if failed and u == editing else {}))
        for u in DEFAULT_POLICIES
    ]
    return {"rows": rows, "can_edit": _is_admin(), "example_at": now()}


def _row_context(urgency: str, editing: bool = False, saved: bool = False, errors=None, typed=None) -> dict:
    p = policies()[urgency]
    at = now()
    cal = work_calendar()
    example = {
        "sign_for": due_after(p, cal, at, p.sign_for),
        "reply": due_after(p, cal, at, p.reply),
        "complex_reply": due_after(p, cal, at, p.complex_reply),
    }
    return {"urgency": urgency, "p": p, "example": example, "editing": editing, "saved": saved,
            "errors": errors or [], "typed": typed, "can_edit": _is_admin(), "units": operations.UNITS,
            "steps": operations.STEPS, "is_default": p.updated_at is None}


def _urgency_or_404(urgency: str) -> None:
    if urgency not in DEFAULT_POLICIES:
        abort(404)


def _urgency_label(urgency: str) -> str:
    from ..orders.vocab import URGENCIES

    return URGENCIES.get(urgency, urgency)


def _is_admin() -> bool:
    return Role(current_user.role) is Role.ADMIN


# --- the holiday calendar ----------------------------------------------------------------------------

@bp.route("/calendar")
@login_required
def calendar():
    require_role(current_user, Role.ADMIN)
    edit_year = request.args.get("edit", type=int)
    text = _year_as_text(edit_year) if edit_year else ""
    return render("deadlines/calendar.html", **_calendar_context(
        text=text, edit_year=edit_year if text else None, confirm_remove=request.args.get("remove", type=int)))


@bp.route("/calendar/upload", methods=["POST"])
@login_required
def upload_calendar():
    require_role(current_user, Role.ADMIN)
    parsed, source = forms.holiday_upload(request.files)
    return _load(parsed, source, form="file")


@bp.route("/calendar/text", methods=["POST"])
@login_required
def paste_calendar():
    require_role(current_user, Role.ADMIN)
    parsed, source = forms.holiday_text(request.form)
    return _load(parsed, source, form="text", text=request.form.get("text", ""))


@bp.route("/calendar/<int:year>/remove")
@login_required
def confirm_remove(year: int):
    """The year's card asking to confirm the removal; without htmx, the page with that card."""
    require_role(current_user, Role.ADMIN)
    entry = db.session.get(CalendarYear, year) or abort(404)
    if not is_htmx():
        return redirect(url_for("deadlines.calendar", remove=year, _anchor=f"year-{year}"))
    return render("deadlines/_calendar_year.html", **_year_context(entry, confirm_remove=True))


@bp.route("/calendar/<int:year>/card")
@login_required
def year_card(year: int):
    require_role(current_user, Role.ADMIN)
    entry = db.session.get(CalendarYear, year) or abort(404)
    if not is_htmx():
        return redirect(url_for("deadlines.calendar", _anchor=f"year-{year}"))
    return render("deadlines/_calendar_year.html", **_year_context(entry))


@bp.route("/calendar/<int:year>/remove", methods=["POST"])
@login_required
def remove_year(year: int):
    require_role(current_user, Role.ADMIN)
    try:
        operations.remove_year(current_user, year)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        flash(str(exc), "warning")
    else:
        fallback = "内置数据" if WorkCalendar().has_data(year) else "周一至周五"
        flash(f"已删除{year}年的节假日安排，该年此后计算的期限按{fallback}计算。", "success")
    return redirect(url_for("deadlines.calendar"))


def _load(parsed, source: str, form: str, text: str = ""):
    errors = [str(e) for e in parsed.errors]
    if parsed.ok:
        year = parsed.year
        replaced = db.session.get(CalendarYear, year) is not None
        try:
            operations.load_year(current_user, parsed.rows, source)
        except NotAllowed:
            abort(403)
        except InvalidInput as exc:
            errors = exc.messages
        else:
            off = sum(not r.workday for r in parsed.rows)
            work = len(parsed.rows) - off
            flash(f"已{'重新' if replaced else ''}导入{year}年节假日安排：放假{off}天，调休上班{work}天"
                  f"{'（原有数据已替换）' if replaced else ''}。此后计算的期限按此安排。", "success")
            return redirect(url_for("deadlines.calendar", _anchor=f"year-{year}"))
    shown = errors[:MAX_ERRORS_SHOWN]
    more = len(errors) - len(shown)
    return render("deadlines/calendar.html", status=422, **_calendar_context(
        load_errors=shown, more_errors=more, failed_form=form, text=text))


def _calendar_context(**extra) -> dict:
    cal = work_calendar()
    today = now().date()
    entries = db.session.scalars(db.select(CalendarYear).order_by(CalendarYear.year.desc())).all()
    by_year = _days_by_year()
    confirm = extra.pop("confirm_remove", None)
    years = [_year_context(e, days=by_year.get(e.year, []), confirm_remove=(e.year == confirm)) for e in entries]
    loaded = {e.year for e in entries}
    status_years = sorted({today.year - 1, today.year, today.year + 1} | loaded)
    package = _package_years()
    missing = missing_years(cal)
    statuses = [
        {"year": y, "source": "loaded" if y in loaded else ("package" if y in package else "none"),
         "missing": y in missing}
        for y in status_years
    ]
    context = {"years": years, "statuses": statuses, "missing": missing,
               "package_first": min(package) if package else None, "package_last": max(package) if package else None,
               "load_errors": [], "more_errors": 0, "failed_form": None, "text": "", "edit_year": None}
    context.update(extra)
    return context


def _year_context(entry: CalendarYear, days: list[CalendarDay] | None = None, confirm_remove: bool = False) -> dict:
    if days is None:
        days = _days_by_year(entry.year).get(entry.year, [])
    return {"entry": entry, "days": days, "summary": _summary(days), "confirm_remove": confirm_remove,
            "off_count": sum(not d.workday for d in days), "work_count": sum(d.workday for d in days),
            "fallback": "内置数据" if WorkCalendar().has_data(entry.year) else "周一至周五"}


def _days_by_year(year: int | None = None) -> dict[int, list[CalendarDay]]:
    query = db.select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    by_year: dict[int, list[CalendarDay]] = {}
    for day in db.session.scalars(query):
        by_year.setdefault(day.day.year, []).append(day)
    return by_year


def _summary(days: list[CalendarDay]) -> list[dict]:
    """Per holiday name, in date order: the days off as ranges, and the make-up working days."""
    holiday_names = {d.name for d in days if not d.workday}
    groups: dict[str, dict] = {}
    for d in days:
        name = _holiday_of(d.name, holiday_names) if d.workday else d.name
        group = groups.setdefault(name, {"name": name, "off": [], "work": []})
        group["work" if d.workday else "off"].append(d.day)
    return [
        {"name": g["name"], "off": _ranges(g["off"]), "off_count": len(g["off"]),
         "work": "、".join(_day_label(x) for x in g["work"])}
        for g in groups.values()
    ]


MAKE_UP_SUFFIXES = ("调休上班", "调休", "补班", "上班")


def _holiday_of(name: str, holiday_names: set[str]) -> str:
    """国庆节调休 belongs with 国庆节 when that holiday is in the same year."""
    for suffix in MAKE_UP_SUFFIXES:
        base = name.removesuffix(suffix)
        if base != name and base in holiday_names:
            return base
    return name


def _ranges(days: list[date]) -> str:
    """10月1日（四）至10月7日（三）, 1月1日（五）: consecutive days joined into ranges."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return "、".join(
        _day_label(r[0]) if len(r) == 1 else f"{_day_label(r[0])}至{_day_label(r[-1])}" for r in runs
    )


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def _year_as_text(year: int) -> str:
    """A loaded year as lines of 日期,类型,名称, to correct it in the text box and load it again."""
    days = _days_by_year(year).get(year, [])
    return "\n".join(f"{d.day:%Y-%m-%d},{'班' if d.workday else '休'},{d.name}" for d in days)


def _package_years() -> set[int]:
    """The years the chinese_calendar package knows (2004-2026 in version 1.11)."""
    empty = WorkCalendar()
    this_year = now().year
    return {y for y in range(2000, this_year + 6) if empty.has_data(y)}
