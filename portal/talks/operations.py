"""The only place talk rules, runs and talk records change. Each function takes the actor, checks,
writes and commits; a refusal raises TalkRefused (Chinese message) and changes nothing."""
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..assessment.periods import Period
from ..assessment.rates import MEASURES, RATES, current_config
from ..form_values import int_or_none
from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..numbering import allocate_number, format_number, number_pattern
from ..pdf import render_pdf
from ..units.models import UnitKind
from .models import PERIOD_KINDS, SELECTIONS, TalkCase, TalkRule, TalkRun
from .rules import evaluate, measure_label, pct

MAX_TEXT = 4000


class TalkRefused(Exception):
    """A change that may not be made; the message says why."""


# --- rules (admin) ---

def save_rule(actor: User, values: dict, rule: TalkRule | None = None) -> TalkRule:
    """Create (rule None) or change a talk rule from form values."""
    if actor.role != Role.ADMIN:
        raise TalkRefused("只有系统管理员可以修改约谈规则。")
    problems = []
    name = (values.get("name") or "").strip()
    if not name or len(name) > 80:
        problems.append("请填写规则名称（80字以内）。")
    kind = values.get("period_kind")
    if kind not in PERIOD_KINDS:
        problems.append("请选择周期（每周、每月或每季度）。")
    measure = values.get("measure") or "composite"
    if measure not in MEASURES:
        problems.append("请选择考核指标。")
    selection = values.get("selection")
    n = threshold = None
    if selection not in SELECTIONS:
        problems.append("请选择约谈条件。")
    elif selection == "bottom_n":
        n = int_or_none(values.get("n"))
        if n is None or not 1 <= n <= 50:
            problems.append("排名后N位的N须为1到50之间的整数。")
    elif selection == "below_threshold":
        threshold = _float(values.get("threshold"))
        if threshold is None or not 0 < threshold <= 100:
            problems.append("阈值须为0到100之间的百分数，如95。")
    holder = (values.get("holder") or "").strip()
    if not holder or len(holder) > 40:
        problems.append("请填写约谈人（如分管副区长、区长、热线办主任）。")
    kinds = [k for k in values.get("unit_kinds") or [] if k in {u.value for u in UnitKind}]
    if not kinds:
        problems.append("请至少选择一类参评单位。")
    min_visits = int_or_none(values.get("min_visits", 1))
    if min_visits is None or not 0 <= min_visits <= 1000:
        problems.append("最少回访量须为0到1000之间的整数。")
    if problems:
        raise TalkRefused("".join(problems))
    rule = rule or TalkRule()
    rule.name, rule.period_kind, rule.measure, rule.selection = name, kind, measure, selection
    rule.n, rule.threshold, rule.holder, rule.unit_kinds, rule.min_visits = n, threshold, holder, kinds, min_visits
    rule.basis = (values.get("basis") or "").strip()[:MAX_TEXT] or None
    rule.active = bool(values.get("active", True))
    rule.updated_at, rule.updated_by_id = now(), actor.id
    db.session.add(rule)
    db.session.commit()
    return rule


def _float(value):
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- runs: confirm a rule's list for a period and issue the notices ---

def confirm_run(rule: TalkRule, period: Period, actor: User, as_of: datetime | None = None) -> TalkRun:
    """The supervisor confirms the units ``rule`` catches in ``period``: the figures are fixed as of now,
    each unit gets a numbered talk notice (PDF, stored), and the unit's leaders are told."""
    if actor.role != Role.SUPERVISOR:
        raise TalkRefused("只有督查人员可以确认约谈名单。")
    if not rule.active:
        raise TalkRefused("该约谈规则已停用。")
    if period.kind != rule.period_kind:
        raise TalkRefused("期间与规则的周期不一致。")
    at = as_of or now()
    if period.end > at:
        raise TalkRefused(f"{period.label}尚未结束，期满后才能确认约谈名单。")
    if db.session.scalar(select(TalkRun).where(TalkRun.rule_id == rule.id, TalkRun.period_key == period.key)):
        raise TalkRefused(f"“{rule.name}”{period.label}的约谈名单已确认，不能重复确认。")
    assessment, caught = evaluate(rule, period, at)
    if not caught:
        raise TalkRefused(f"按“{rule.name}”，{period.label}没有需要约谈的单位。")
    config = current_config()
    run = TalkRun(rule_id=rule.id, period_key=period.key, period_label=period.label, as_of=at,
                  district_value=assessment.total.value(rule.measure), rule_snapshot=_snapshot(rule),
                  config_id=config.id, confirmed_by_id=actor.id, confirmed_at=at)
    db.session.add(run)
    pattern = number_pattern("talk")
    for catch in caught:
        n = allocate_number("talk", at.year)
        case = TalkCase(run=run, unit_id=catch.row.key, value=catch.value, position=catch.position,
                        ranked=catch.ranked, reason=catch.reason, figures=_figures(catch.row, assessment),
                        notice_number=format_number(pattern, at.year, n), notice_pdf=b"", issued_at=at,
                        issued_by_id=actor.id)
        db.session.add(case)
        db.session.flush()
        case.notice_pdf = render_notice(case, rule, period, assessment.total.value(rule.measure))
        for leader in _unit_leaders(case.unit_id):
            notify(leader.id, "talk", f"约谈通知：{case.notice_number}，{rule.holder}约谈（{period.label}）", at=at)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise TalkRefused(f"“{rule.name}”{period.label}的约谈名单已由他人确认。")
    return run


def _snapshot(rule: TalkRule) -> dict:
    return {"name": rule.name, "period_kind": rule.period_kind, "measure": rule.measure, "selection": rule.selection,
            "n": rule.n, "threshold": rule.threshold, "holder": rule.holder, "unit_kinds": rule.unit_kinds,
            "min_visits": rule.min_visits, "description": rule.describe()}


def _figures(row, assessment) -> dict:
    unit = {r.key: row.rates.get(r.key) for r in RATES if r.for_units}
    district = {r.key: assessment.total.rates.get(r.key) for r in RATES if r.for_units}
    unit["composite"], district["composite"] = row.composite, assessment.total.composite
    return {"unit": unit, "district": district, "visited": row.counts.get("visited", 0),
            "received": row.counts.get("received", 0)}


def _unit_leaders(unit_id: int) -> list[User]:
    return db.session.scalars(select(User).where(User.unit_id == unit_id, User.role == Role.UNIT_LEADER,
                                                 User.active.is_(True))).all()


def render_notice(case: TalkCase, rule: TalkRule, period: Period, district_value) -> bytes:
    keys = ["composite", "satisfaction_process", "satisfaction_result", "resolution", "on_time_reply", "response"]
    if rule.measure not in keys:
        keys.insert(1, rule.measure)
    rows = [(MEASURES[key], pct(case.figures["unit"].get(key)), pct(case.figures["district"].get(key))) for key in keys]
    return render_pdf("talks/notice_pdf.html", case=case, rule=rule, period_label=period.label,
                      measure=measure_label(rule.measure), value=pct(case.value), district=pct(district_value),
                      rows=rows, office=current_app.config["ISSUING_OFFICE"])


# --- the talk itself ---

def record_talk(case: TalkCase, actor: User, held_at: datetime | None, attendees: str, agreed: str) -> TalkCase:
    """Record when the talk was held, who attended and what was agreed."""
    if actor.role != Role.SUPERVISOR:
        raise TalkRefused("只有督查人员可以登记约谈情况。")
    if case.held_at is not None:
        raise TalkRefused("该约谈已登记，不能重复登记。")
    if held_at is None:
        raise TalkRefused("请填写约谈时间（如 2026-11-20 15:00）。")
    if held_at < case.issued_at.replace(hour=0, minute=0, second=0):
        raise TalkRefused("约谈时间不能早于约谈通知书签发日期。")
    if held_at > now():
        raise TalkRefused("约谈尚未进行，不能登记未来的时间。")
    agreed = (agreed or "").strip()
    attendees = (attendees or "").strip()
    if len(agreed) < 10:
        raise TalkRefused("请写明约谈达成的整改事项（至少10个字）。")
    if not attendees:
        raise TalkRefused("请填写参加约谈的人员。")
    if len(agreed) > MAX_TEXT or len(attendees) > MAX_TEXT:
        raise TalkRefused(f"内容过长（最多{MAX_TEXT}字）。")
    case.held_at, case.attendees, case.agreed = held_at, attendees, agreed
    case.recorded_by_id, case.recorded_at = actor.id, now()
    db.session.commit()
    return case


def can_download(user: User, case: TalkCase) -> bool:
    """The unit talked to, the issuer, and district leaders; no one else."""
    if user.role == Role.LEADER or user.id == case.issued_by_id:
        return True
    return user.role in (Role.HANDLER, Role.UNIT_LEADER) and user.unit_id == case.unit_id
