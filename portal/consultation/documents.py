"""The case's official documents: the consultation notice (会商通知), the meeting's minutes (会议纪要) and
the executive meeting's brief (常务会材料).

Each is numbered in its own series (``consult_notice``, ``consult_minutes``, ``consult_brief``; patterns in
the configuration), rendered once through ``portal/pdf.py`` in the official-document frame and stored with
its sha256; afterwards the stored bytes are served, never a new rendering. One of each per meeting (round).
"""
import hashlib
from datetime import datetime

from sqlalchemy import select

from ..auth.models import User
from ..clock import now
from ..extensions import db
from ..notifications.operations import notify
from ..numbering import allocate_number, format_number, number_pattern
from ..deputies.masking import mask_text
from ..pdf import render_pdf
from ..units.models import Unit
from .models import Consultation, ConsultationDocument, ConsultationMeeting
from .operations import _event, _first_order_id, _load, _require_runner, _touch, unit_recipients
from .states import OPEN_STATES, Action, Refused, State, check

DOCUMENTS = {  # kind -> (series, title, template)
    "notice": ("consult_notice", "会商通知", "consultation/pdf/notice.html"),
    "minutes": ("consult_minutes", "会议纪要", "consultation/pdf/minutes.html"),
    "brief": ("consult_brief", "提请区政府常务会研究事项的材料", "consultation/pdf/brief.html"),
}
ISSUED = {"notice": "issue_notice", "minutes": "issue_minutes", "brief": "issue_brief"}


def issue_notice(actor: User, case: Consultation, at: datetime | None = None) -> ConsultationDocument:
    """The consultation notice to the invited units and leaders: time, place, matter, orders, opinions due."""
    case = _load(case)
    _require_runner(actor, case, "印发会商通知")
    check(case.state, Action.ISSUE_NOTICE)
    meeting = case.meeting
    if not meeting.invitations or meeting.scheduled_at is None:
        raise Refused("请先确定会议时间、地点并邀请参会单位，再印发会商通知。")
    people = [u for i in meeting.invitations for u in (unit_recipients(i.unit_id) if i.unit_id else [i.user])]
    return _issue_and_tell(actor, case, meeting, "notice", at, people, "的会商通知（{number}）已印发，请按时参会。")


def issue_minutes(actor: User, case: Consultation, at: datetime | None = None) -> ConsultationDocument:
    """The minutes of the recorded meeting: attendance, the minutes text, the decisions and rulings."""
    case = _load(case)
    _require_runner(actor, case, "印发会议纪要")
    meeting = case.meeting
    if meeting is None or meeting.recorded_at is None:
        raise Refused("会议尚未记录纪要和决定，不能印发会议纪要。")
    people = [u for unit_id in participant_units(meeting) for u in unit_recipients(unit_id)]
    return _issue_and_tell(actor, case, meeting, "minutes", at, people, "的会议纪要（{number}）已印发，请按纪要落实。")


def issue_brief(actor: User, case: Consultation, at: datetime | None = None) -> ConsultationDocument:
    """The brief for the district executive meeting: the matter, the units' positions, the options."""
    case = _load(case)
    _require_runner(actor, case, "印发常务会材料")
    meeting = case.meeting
    if case.kind != "executive" or meeting is None or not meeting.brief_summary:
        raise Refused("只有提交常务会的事项才有常务会材料。")
    if State(case.state) not in OPEN_STATES:
        raise Refused(f"会商当前为“{case.state_label}”，不能印发常务会材料。")
    return _issue_and_tell(actor, case, meeting, "brief", at, [], "")


def participant_units(meeting: ConsultationMeeting) -> list[int]:
    """The units invited to or named in the meeting's decisions, in a stable order."""
    ids = [i.unit_id for i in meeting.invitations if i.unit_id]
    for decision in meeting.decisions:
        ids += [decision.lead_unit_id] + list(decision.assist_unit_ids or [])
    return list(dict.fromkeys(ids))


def _issue_and_tell(actor: User, case: Consultation, meeting: ConsultationMeeting, kind: str,
                    at: datetime | None, people: list[User], text: str) -> ConsultationDocument:
    """Issue the document, tell ``people`` (``text`` follows the case's name; ``{number}`` is filled) and commit."""
    document = _issue(actor, case, meeting, kind, at or now())
    for user in {u.id: u for u in people}.values():
        notify(user.id, "consultation", f"{meeting.kind_label}“{case.title}”" + text.format(number=document.number),
               order_id=_first_order_id(case), at=document.issued_at)
    db.session.commit()
    return document


def _issue(actor: User, case: Consultation, meeting: ConsultationMeeting, kind: str,
           at: datetime) -> ConsultationDocument:
    series, title, template = DOCUMENTS[kind]
    earlier = db.session.scalar(select(ConsultationDocument).where(
        ConsultationDocument.meeting_id == meeting.id, ConsultationDocument.kind == kind))
    if earlier is not None:
        raise Refused(f"本轮已印发{title}（{earlier.number}），印发后不再更改。")
    seq = allocate_number(series, at.year)  # row-locked until the commit: no gap, no duplicate
    number = format_number(number_pattern(series), at.year, seq)
    document = ConsultationDocument(kind=kind, number=number, issued_by_id=actor.id, issued_at=at)
    with db.session.no_autoflush:  # the document joins the session only once its PDF is there
        data = render_pdf(template, case=case, meeting=meeting, document=document, title=title, issuer=actor,
                          units=_unit_names(case, meeting), masked=mask_text)  # invited units need no caller
    document.pdf, document.sha256, document.size = data, hashlib.sha256(data).hexdigest(), len(data)
    document.consultation, document.meeting = case, meeting
    db.session.add(document)
    _touch(case, at)
    _event(case, actor, ISSUED[kind], case.state, case.state, at, f"印发{title} {number}")
    return document


def _unit_names(case: Consultation, meeting: ConsultationMeeting) -> dict[int, str]:
    ids = set(participant_units(meeting)) | {d["unit_id"] for dec in meeting.decisions for d in dec.duties}
    ids |= {r.lead_unit_id for r in meeting.rulings} | {i for r in meeting.rulings for i in r.assist_unit_ids or []}
    ids |= {o.lead_unit_id for o in case.orders if o.lead_unit_id}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all() if ids else []
    return {u.id: u.name for u in units}


__all__ = ["DOCUMENTS", "issue_brief", "issue_minutes", "issue_notice"]
