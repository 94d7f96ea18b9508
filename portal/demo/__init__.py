"""A demo district for trying the portal: ``flask --app portal seed-demo``.

``seed_demo`` fills an empty database with a district's unit tree, categories, staff accounts and
orders taken through the real operations into every state and side path, over the last ~45 days.
It refuses a database that already has data, so it never mixes with real records.
"""
from random import Random

from ..auth.models import User
from ..clock import now
from ..deadlines.queries import policies, work_calendar
from ..extensions import db
from ..orders.models import Category, Order
from ..units.models import Unit
from .attachments import seed_attachments
from .categories import create_categories
from .orders import Runner
from .people import create_staff
from .planning import Planner
from .topic import topic_list
from .units import create_units

__all__ = ["seed_demo"]


def seed_demo(order_count: int = 300, seed: int | None = None) -> list[tuple[str, str, str]]:
    """Fill an empty database with the demo district; return the accounts to print as
    (username, role, password). Raise ValueError (English, for operators) if there is data already."""
    if order_count < 0:
        raise ValueError("the number of orders must not be negative")
    _refuse_unless_empty()
    rng = Random(seed)  # nosec B311  # reproducible demo data, never a secret
    at = now()
    units = create_units()
    categories = create_categories()
    staff = create_staff(units, rng)
    create_roster(staff, units, at)
    cal = work_calendar()
    planner = Planner(rng, at, cal, topic_list(), policies(), {c: u.name for c, u in units.items()},
                      staff.leader.name)
    runner = Runner(rng, at, cal, staff, units, categories)
    pushed = []
    for plan in planner.plan(order_count):
        order = runner.run(plan)
        if plan.deputy_pushed:
            pushed.append(order)
    db.session.commit()
    check_takeovers(at)  # as the scheduler would have: late unsigned orders are with their B by now
    seed_supervision(staff, units, at, rng)  # reminders, supervisions, notices, answers (督办)
    seed_ledger(staff, units, at, rng)  # the ledger of key matters (重点问题工作台帐)
    seed_consultation(staff, units, at, rng)  # requested, being prepared, escalated and taken over (会商)
    seed_consultation_meetings(staff, units, at, rng)  # decided and applied, follow-up items, a ruling on the list
    seed_assessment(staff, at, rng)  # talk rules, exclusions, last month's talk list (约谈)
    seed_reports(at)  # the reports the scheduler would have made, this morning's hot topics
    seed_jobs(at)  # the scheduler's recent runs: deadline watch (system supervision), takeovers, calendar
    seed_replies(staff, categories, at)  # standard replies (标准通稿): published, pending, used in answers
    seed_deputies(staff, at, rng, pushed)  # deputies' lists: published versions, a draft, remarks (人大代表)
    seed_public(staff, at)  # last month's ranking published, closed orders public through Open311
    seed_attachments(at, Random(seed))  # nosec B311  # demo site photos (附件), its own stream, no secret
    return staff.printed


from ..roster.takeover import check_takeovers  # noqa: E402
from .ledger import seed_ledger  # noqa: E402
from .replies import seed_replies  # noqa: E402
from .deputies import seed_deputies  # noqa: E402
from .consultation import seed_consultation  # noqa: E402
from .consultation_meetings import seed_consultation_meetings  # noqa: E402
from .supervision import seed_supervision  # noqa: E402
from .assessment import seed_assessment  # noqa: E402
from .reports import seed_reports  # noqa: E402
from .jobs import seed_jobs  # noqa: E402
from .public import seed_public  # noqa: E402


def create_roster(staff, units: dict, at) -> None:
    """Every handling unit gets its A and B (set three months ago); 区住建局's A is on leave this week,
    so its B acts for them."""
    from datetime import timedelta

    from ..roster.operations import record_absence, set_holder

    since = at - timedelta(days=90)
    for code, people in staff.by_unit.items():
        set_holder(units[code], "A", people["a"], staff.admin, at=since)
        set_holder(units[code], "B", people["b"], staff.admin, at=since)
    away = staff.by_unit["zjj"]["a"]
    record_absence(away, "leave", at - timedelta(days=1), at + timedelta(days=3), staff.by_unit["zjj"]["lead"],
                   note="年休假")


def _refuse_unless_empty() -> None:
    found = [name for name, model in (("units", Unit), ("users", User), ("categories", Category), ("orders", Order))
             if db.session.scalar(db.select(model).limit(1)) is not None]
    if found:
        raise ValueError(
            f"the database already has {', '.join(found)}; seed-demo only fills an empty database, "
            "so that demo records never mix with real ones"
        )
