"""Every model, imported in one place so the metadata (create_all, migrations) knows them all."""
from .api.models import ApiToken  # noqa: F401
from .assessment.models import AssessmentConfig, Exclusion  # noqa: F401
from .attachments.models import Attachment  # noqa: F401
from .audit import sealing  # noqa: F401  (seals events on insert, refuses changes)
from .audit.models import AuditCheckpoint  # noqa: F401
from .auth.models import LoginAttempt, User  # noqa: F401
from .consultation.models import (  # noqa: F401
    Consultation, ConsultationDecision, ConsultationDocument, ConsultationEvent, ConsultationInvitation,
    ConsultationMeeting, ConsultationOrder, ConsultationRuling, ConsultationTask)
from .deputies.models import DeputyList, DeputyListItem, DeputyListRecipient, DeputyRemark  # noqa: F401
from .deadlines.models import CalendarDay, CalendarYear, DeadlinePolicy  # noqa: F401
from .dispatching.models import ResponsibilityItem  # noqa: F401
from .exports.models import ExportRecord  # noqa: F401
from .figures.models import FigureSnapshot  # noqa: F401
from .jobs.models import JobLease, JobRun  # noqa: F401
from .ledger.models import LedgerEntry, LedgerEvent, LedgerOrder  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .numbering import DocumentCounter  # noqa: F401
from .orders.models import (  # noqa: F401
    Category, DispatchRecord, Order, OrderEvent, OrderLink, OrderRequest, OrderUnit, ReturnVisit)
from .replies.models import (  # noqa: F401
    StandardReply, StandardReplyEvent, StandardReplyUse, StandardReplyVersion)
from .reports.models import HotTopic, Report  # noqa: F401
from .public.models import PublicRequest, PublishedRanking  # noqa: F401
from .roster.models import Absence, Handover, RosterAssignment, RosterEvent  # noqa: F401
from .security.models import RateWindow  # noqa: F401
from .supervision.models import (  # noqa: F401
    Supervision, SupervisionAnswer, SupervisionEvent, SupervisionNotice, SupervisionOrder)
from .talks.models import TalkCase, TalkRule, TalkRun  # noqa: F401
from .units.models import Unit  # noqa: F401
