"""Who may upload and who may see an attachment.

- Files on an order and its replies: whoever may see the order (``permissions.can_view_order``: the
  office, leaders, admins, and the lead and assisting units' people; never deputies).
- Files with a supervision answer: whoever may download the supervision's notices and files
  (``supervision.queries.can_download``: the addressee unit, the issuer, district leaders).
- Files with a consultation opinion: those who may read that opinion (the office, leaders and the case's
  owner; a unit or leader its own invitation's), among those who may see the case.
Uploading on the order page: the office (dispatchers, supervisors) and the people of the units on the
order; deputies, leaders and admins read only.
"""
from ..auth.models import Role
from ..extensions import db
from ..orders.models import Order
from ..orders.states import unit_part
from ..permissions import can_view_order

OFFICE = frozenset({Role.DISPATCHER, Role.SUPERVISOR})
UNIT_SIDE = frozenset({Role.HANDLER, Role.UNIT_LEADER})


def may_attach(user, order: Order) -> bool:
    role = Role(user.role)
    if role in OFFICE:
        return True
    return role in UNIT_SIDE and unit_part(user, order) is not None


def can_see(user, attachment) -> bool:
    kind = attachment.owner_kind
    if kind in ("order", "reply"):
        order = db.session.get(Order, attachment.order_id)
        return order is not None and can_view_order(user, order)
    if kind == "supervision_answer":
        from ..supervision.models import SupervisionAnswer
        from ..supervision.queries import can_download

        answer = db.session.get(SupervisionAnswer, attachment.owner_id)
        return answer is not None and can_download(user, answer.supervision)
    if kind == "consultation_opinion":
        from ..consultation import access as consultation_access
        from ..consultation.models import ConsultationInvitation

        invitation = db.session.get(ConsultationInvitation, attachment.owner_id)
        if invitation is None:
            return False
        case = invitation.meeting.consultation
        if not consultation_access.can_view(user, case):
            return False
        if consultation_access.sees_all_opinions(user, case):
            return True
        own_unit = (Role(user.role) in UNIT_SIDE and user.unit_id is not None
                    and invitation.unit_id == user.unit_id)
        return own_unit or invitation.user_id == user.id
    return False
