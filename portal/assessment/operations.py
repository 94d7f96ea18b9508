"""The only place assessment settings and exclusions change. Each function takes the actor, checks,
writes and commits; a refusal raises AssessmentRefused with a Chinese message and changes nothing."""
from ..auth.models import Role, User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..orders.models import Order
from .models import EXCLUSION_REASONS, AssessmentConfig, Exclusion
from .rates import DEFAULT_PARAMS, DEFAULT_WEIGHTS, RATE_BY_KEY


class AssessmentRefused(Exception):
    """A change that may not be made; the message says why."""


MAX_REASON = 2000
PARAM_NAMES = {"basic_weight": "基本满意折算系数", "partly_resolution": "部分解决折算系数"}


def save_config(actor: User, params: dict, weights: dict) -> AssessmentConfig:
    """Save new formula parameters and composite weights (a new row: old figures stay recomputable)."""
    if actor.role != Role.ADMIN:
        raise AssessmentRefused("只有系统管理员可以修改考核口径。")
    clean_params, clean_weights, problems = {}, {}, []
    for key in DEFAULT_PARAMS:
        value = _number(params.get(key))
        if value is None or not 0 <= value <= 1:
            problems.append(f"{PARAM_NAMES[key]}须为0到1之间的数。")
        else:
            clean_params[key] = value
    for key in DEFAULT_WEIGHTS:
        value = _number(weights.get(key, 0))
        if value is None or value < 0 or value > 100:
            problems.append(f"“{RATE_BY_KEY[key].label}”的权重须为0到100之间的数。")
        else:
            clean_weights[key] = value
    if not problems and not any(clean_weights.values()):
        problems.append("综合得分至少要有一项权重大于0。")
    if problems:
        raise AssessmentRefused("".join(problems))
    row = AssessmentConfig(params=clean_params, weights=clean_weights, saved_at=now(), saved_by_id=actor.id)
    db.session.add(row)
    db.session.commit()
    return row


def _number(value) -> float | None:
    try:
        return round(float(str(value).strip()), 4)
    except (TypeError, ValueError):
        return None


def request_exclusion(order: Order, actor: User, reason_kind: str, reason: str) -> Exclusion:
    """The order's lead unit asks to leave it out of assessment."""
    if actor.role not in (Role.HANDLER, Role.UNIT_LEADER) or actor.unit_id is None:
        raise AssessmentRefused("只有承办单位的承办人或负责人可以申请剔除。")
    if order.lead_unit_id != actor.unit_id or order.state == "received":
        raise AssessmentRefused("只有工单的主办单位可以申请剔除。")
    if order.direct_answer:
        raise AssessmentRefused("热线办直接答复的工单不参与单位考核，无需剔除。")
    if reason_kind not in EXCLUSION_REASONS:
        raise AssessmentRefused("请选择剔除理由类别。")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise AssessmentRefused("请写明剔除理由（至少10个字），说明诉求为何不应计入考核。")
    if len(reason) > MAX_REASON:
        raise AssessmentRefused(f"剔除理由过长（最多{MAX_REASON}字）。")
    existing = db.session.scalar(db.select(Exclusion).where(Exclusion.order_id == order.id,
                                                            Exclusion.status.in_(("pending", "approved"))))
    if existing is not None:
        raise AssessmentRefused("该工单已剔除，不能重复申请。" if existing.status == "approved"
                                else "该工单已有剔除申请在等待审批。")
    exclusion = Exclusion(order_id=order.id, unit_id=actor.unit_id, reason_kind=reason_kind, reason=reason,
                          status="pending", requested_by_id=actor.id, requested_at=now())
    db.session.add(exclusion)
    db.session.commit()
    return exclusion


def decide_exclusion(exclusion: Exclusion, actor: User, approve: bool, note: str | None) -> Exclusion:
    """The hotline office approves (the order leaves every rate) or refuses, with a reason."""
    if actor.role != Role.DISPATCHER:
        raise AssessmentRefused("只有热线办可以审批剔除申请。")
    if exclusion.status != "pending":
        raise AssessmentRefused(f"该申请已处理（{exclusion.status_label}），不能再次审批。")
    note = (note or "").strip() or None
    if not approve and (note is None or len(note) < 4):
        raise AssessmentRefused("不予剔除须写明理由（至少4个字）。")
    if note and len(note) > MAX_REASON:
        raise AssessmentRefused(f"审批意见过长（最多{MAX_REASON}字）。")
    at = now()
    exclusion.status = "approved" if approve else "refused"
    exclusion.decided_by_id, exclusion.decided_at, exclusion.decision_note = actor.id, at, note
    verdict = "已同意剔除" if approve else "不予剔除"
    notify(exclusion.requested_by_id, "exclusion", f"工单{exclusion.order.number}的剔除申请{verdict}"
           + (f"：{note}" if note else "。"), order_id=exclusion.order_id, at=at)
    db.session.commit()
    return exclusion
