"""What the benchmark requests, found in the database: the three users (a unit handler with the most
open orders of their own, a dispatcher, a leader), and the five pages' paths."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import func, select


@dataclass
class Targets:
    users: dict = field(default_factory=dict)  # role -> User (handler, dispatcher, leader)
    unit_id: int = 0
    mine_ids: list[int] = field(default_factory=list)
    pages: dict = field(default_factory=dict)  # page name -> (role, path)
    notes: dict = field(default_factory=dict)  # what was chosen, for the report


class NothingToMeasure(RuntimeError):
    pass


def _user(role: str, username: str | None):
    from portal.auth.models import User
    from portal.extensions import db
    from portal.orders.models import Order
    from portal.orders.queries import HELD

    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NothingToMeasure(f"no user {username!r} in the database")
        return user
    query = select(User).where(User.role == role, User.active.is_(True))
    if role == "handler":  # the busiest one: an inbox with rows in it
        query = (query.join(Order, Order.handler_id == User.id).where(Order.state.in_(HELD))
                 .group_by(User.id).order_by(func.count(Order.id).desc(), User.id))
    user = db.session.scalar(query.order_by(User.id).limit(1))
    if user is None:
        raise NothingToMeasure(f"no active {role} in the database (fill it with gen-data or seed-demo)")
    return user


def _pool_filter() -> tuple[int, str]:
    """The category with the most orders waiting in the pool, and a word from the newest one's content."""
    from portal.extensions import db
    from portal.orders.models import Order
    from portal.orders.states import State

    category = db.session.scalar(select(Order.category_id).where(Order.state == State.RECEIVED)
                                 .group_by(Order.category_id).order_by(func.count(Order.id).desc()).limit(1))
    if category is None:
        raise NothingToMeasure("no order waits in the dispatcher's pool")
    content = db.session.scalar(select(Order.content).where(Order.state == State.RECEIVED,
                                                           Order.category_id == category)
                                .order_by(Order.received_at.desc()).limit(1))
    word = next((content[i:i + 2] for i in range(len(content) - 1)
                 if all("\u4e00" <= ch <= "\u9fff" for ch in content[i:i + 2])), content[:2])
    return category, word


def find(usernames: dict, search_word: str | None = None) -> Targets:
    """The users and paths, inside an app context on the benchmark database."""
    from portal.assessment.periods import containing
    from portal.clock import now
    from portal.orders.queries import inbox
    from portal.roster.routing import Responsibility

    t = Targets()
    for role in ("handler", "dispatcher", "leader"):
        t.users[role] = _user(role, usernames.get(role))
    handler = t.users["handler"]
    t.unit_id = handler.unit_id
    t.mine_ids = Responsibility(handler.unit_id, now()).answered_by(handler)
    rows, _ = inbox(handler.unit_id, "mine", 1, 20, t.mine_ids)
    if not rows:
        raise NothingToMeasure(f"{handler.username}'s inbox is empty")
    category, word = _pool_filter()
    word = search_word or word
    month = containing("month", now().date()).previous()
    t.pages = {
        "inbox": ("handler", "/orders/inbox"),
        "pool": ("dispatcher", "/orders/pool?" + urlencode({"category": category, "q": word})),
        "order": ("handler", f"/orders/{rows[0].id}"),
        "dashboard": ("leader", "/dashboard/"),
        "ranking": ("leader", "/assessment/?" + urlencode({"period": month.key})),
    }
    t.notes = {"handler": handler.username, "unit_id": handler.unit_id, "dispatcher": t.users["dispatcher"].username,
               "leader": t.users["leader"].username, "order_id": rows[0].id, "pool_category_id": category,
               "pool_word": word, "ranking_period": month.key}
    return t
