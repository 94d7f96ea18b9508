"""Every model, imported in one place so the metadata (create_all, migrations) knows them all."""
from .auth.models import LoginAttempt, User  # noqa: F401
from .deadlines.models import CalendarDay, CalendarYear, DeadlinePolicy  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .orders.models import Category, Order, OrderEvent, OrderRequest, OrderUnit, ReturnVisit  # noqa: F401
from .roster.models import Absence, Handover, RosterAssignment  # noqa: F401
from .units.models import Unit  # noqa: F401
