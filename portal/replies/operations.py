"""The only code that changes standard replies: draft, edit, submit, send back, approve, withdraw, revise;
and ``record_use``, which the order's reply and direct-answer effects call inside the order's transaction.

Each operation takes the actor explicitly (and ``at``, for back-dated demo data; default now), checks
the rule (``states.check``), writes the version's change and the reply's event, then commits. A refusal
raises ``Refused`` with a Chinese message and changes nothing.
"""
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..clock import now
from ..dispatching.matching import split_keywords
from ..extensions import db
from ..orders.errors import InvalidInput
from ..orders.models import Category, Order
from .models import StandardReply, StandardReplyEvent, StandardReplyUse, StandardReplyVersion
from .states import DRAFTERS, TRANSITIONS, USE_KINDS, Action, Refused, VersionState, check

FIELDS = ("title", "category_id", "keywords", "answer", "policy_name", "policy_number", "policy_clause")
LIMITS = {"title": 100, "keywords": 300, "answer": 4000, "policy_name": 200, "policy_number": 100,
          "policy_clause": 200}


def create(actor: User, data: dict, at: datetime | None = None) -> StandardReply:
    """Draft a new standard reply (its first version)."""
    if Role(actor.role) not in DRAFTERS:
        raise Refused(f"您的角色（{actor.role_label}）不能起草标准通稿。")
    at = at or now()
    fields = validate(data)
    reply = StandardReply(created_by_id=actor.id, created_at=at, updated_at=at)
    version = StandardReplyVersion(number=1, state=VersionState.DRAFT, author_id=actor.id,
                                   author_unit_id=actor.unit_id, created_at=at, updated_at=at, **fields)
    reply.versions.append(version)
    db.session.add(reply)
    db.session.flush()
    _event(version, actor, Action.CREATE, None, at)
    db.session.commit()
    return reply


def edit(actor: User, version_id: int, data: dict, at: datetime | None = None) -> StandardReplyVersion:
    """Change a draft. Submitted and published versions never change."""
    version = _load(version_id)
    check(version, Action.EDIT, actor)
    at = at or now()
    for key, value in validate(data).items():
        setattr(version, key, value)
    version.updated_at = version.reply.updated_at = at
    _event(version, actor, Action.EDIT, version.state, at)
    db.session.commit()
    return version


def submit(actor: User, version_id: int, at: datetime | None = None) -> StandardReplyVersion:
    version = _load(version_id)
    check(version, Action.SUBMIT, actor)
    at = at or now()
    validate({key: getattr(version, key) for key in FIELDS})  # a draft made before a rule tightened
    version.submitted_at = at
    return _move(version, actor, Action.SUBMIT, at, None)


def send_back(actor: User, version_id: int, reason: str, at: datetime | None = None) -> StandardReplyVersion:
    version = _load(version_id)
    check(version, Action.SEND_BACK, actor)
    note = _reason(reason, "退回理由")
    version.note = note
    return _move(version, actor, Action.SEND_BACK, at or now(), note)


def approve(actor: User, version_id: int, at: datetime | None = None) -> StandardReplyVersion:
    """Publish the version; the version it replaces (if any) is superseded."""
    version = _load(version_id)
    check(version, Action.APPROVE, actor)
    at = at or now()
    before = version.reply.published
    if before is not None:
        before.state, before.ended_at = VersionState.SUPERSEDED, at
        _event(before, actor, Action.APPROVE, VersionState.PUBLISHED, at, f"由第{version.number}版替代",
               to_state=VersionState.SUPERSEDED)
    version.approved_by_id, version.published_at, version.note = actor.id, at, None
    return _move(version, actor, Action.APPROVE, at, None)


def withdraw(actor: User, version_id: int, reason: str, at: datetime | None = None) -> StandardReplyVersion:
    version = _load(version_id)
    check(version, Action.WITHDRAW, actor)
    at = at or now()
    version.note, version.ended_at = _reason(reason, "撤回理由"), at
    return _move(version, actor, Action.WITHDRAW, at, version.note)


def revise(actor: User, version_id: int, at: datetime | None = None) -> StandardReplyVersion:
    """Start the next version of a published or withdrawn reply: a draft copy of it."""
    version = _load(version_id)
    check(version, Action.REVISE, actor)
    at = at or now()
    draft = StandardReplyVersion(number=version.number + 1, state=VersionState.DRAFT, author_id=actor.id,
                                 author_unit_id=actor.unit_id, created_at=at, updated_at=at,
                                 **{key: getattr(version, key) for key in FIELDS})
    version.reply.versions.append(draft)
    version.reply.updated_at = at
    try:
        db.session.flush()  # two revising at once: the (reply, number) constraint lets one through
    except IntegrityError:
        db.session.rollback()
        raise Refused("该通稿刚被他人修订，请刷新页面后在新版本上继续。")
    _event(draft, actor, Action.REVISE, None, at, f"以第{version.number}版为底稿")
    db.session.commit()
    return draft


def record_use(order: Order, actor: User, at: datetime, version_id, kind: str, sent_text: str) -> StandardReplyUse:
    """Record that ``order``'s answer went out with a standard reply (called by the order's effect, in its
    transaction: the row exists exactly when the answer was taken). The version must have been published
    (it may have been superseded or withdrawn since it was offered: the use is still of that text)."""
    if kind not in USE_KINDS:
        raise ValueError(f"unknown kind of use: {kind!r}")
    try:
        version = db.session.get(StandardReplyVersion, int(version_id))
    except (TypeError, ValueError):
        version = None
    if version is None or version.published_at is None:
        raise InvalidInput("所选标准通稿不存在或未发布，请重新选用。")
    use = StandardReplyUse(reply_id=version.reply_id, version_id=version.id, order_id=order.id, user_id=actor.id,
                           at=at, kind=kind, verbatim=_plain(sent_text) == _plain(version.answer))
    db.session.add(use)
    return use


def validate(data: dict) -> dict:
    """The version's fields, checked; raise ``Refused`` naming the first problem."""
    values = {key: " ".join(str(data.get(key) or "").split()) if key != "answer" else str(data.get(key) or "").strip()
              for key in FIELDS if key != "category_id"}
    if len(values["title"]) < 4:
        raise Refused("请填写标题（至少4个字）。")
    try:
        category = db.session.get(Category, int(data.get("category_id") or 0))
    except (TypeError, ValueError):
        category = None
    if category is None:
        raise Refused("请选择适用的诉求分类。")
    keywords = split_keywords(values["keywords"])
    if not keywords:
        raise Refused("请至少填写一个关键词（多个关键词用顿号或逗号分隔）。")
    values["keywords"] = "、".join(keywords)
    if len(values["answer"]) < 20:
        raise Refused("答复内容过于简单，请至少写20个字。")
    if not values["policy_name"]:
        raise Refused("请填写政策依据的文件名称。")
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            raise Refused(f"{LABELS[key]}过长（最多{limit}字）。")
    values["policy_number"] = values["policy_number"] or None
    values["policy_clause"] = values["policy_clause"] or None
    return {**values, "category_id": category.id}


LABELS = {"title": "标题", "keywords": "关键词", "answer": "答复内容", "policy_name": "文件名称",
          "policy_number": "文号", "policy_clause": "条款"}


def _plain(text: str | None) -> str:
    return "".join((text or "").split())


def _reason(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if len(text) < 4:
        raise Refused(f"请填写{what}（至少4个字）。")
    if len(text) > 500:
        raise Refused(f"{what}过长（最多500字）。")
    return text


def _load(version_id: int) -> StandardReplyVersion:
    """The version, row-locked until the commit (PostgreSQL), so two deciding at once take turns."""
    version = db.session.get(StandardReplyVersion, version_id, with_for_update={"of": StandardReplyVersion},
                             populate_existing=True)
    if version is None:
        raise Refused("该标准通稿不存在。")
    return version


def _move(version: StandardReplyVersion, actor: User, action: Action, at: datetime, note: str | None):
    before = version.state
    version.state = TRANSITIONS[action].target
    version.updated_at = version.reply.updated_at = at
    _event(version, actor, action, before, at, note)
    db.session.commit()
    return version


def _event(version, actor, action: Action, before, at, note=None, to_state=None) -> None:
    db.session.add(StandardReplyEvent(reply_id=version.reply_id or version.reply.id, version_id=version.id,
                                      at=at, actor_id=actor.id, action=action, from_state=before,
                                      to_state=to_state or version.state, note=note))
