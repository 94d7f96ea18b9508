"""Candidates for new standard replies: clusters of similar closed orders that were answered alike.

Closed orders of the last ``REPLY_CANDIDATE_DAYS`` days that carry an answer (the office's direct answer
or the unit's reply) are grouped by category. Within a category two orders are linked when both their
contents and their answers are similar (the dispatch suggestion's similarity, ``matching.similarity_matrix``,
over ``REPLY_CANDIDATE_CONTENT_SIMILARITY`` and ``REPLY_CANDIDATE_ANSWER_SIMILARITY``). A cluster is a set
of at least ``REPLY_CANDIDATE_MIN_ORDERS`` orders linked pairwise, found greedily from the best-connected
order. A cluster that a published standard reply of its category already serves (it is offered for most of the
cluster's orders) is not a candidate. The draft text is the most common answer (the most central one when
no two are the same).
"""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from flask import current_app
from sqlalchemy import or_, select

from ..clock import now
from ..extensions import db
from ..orders.models import Category, Order
from ..orders.states import State
from .matching import offers, published_versions, similarity_matrix, vectorizer

MAX_ORDERS = 5000  # the latest closed orders looked at (the pairwise comparison is per category)


@dataclass
class Cluster:
    category: Category
    orders: list[Order]  # the most central first
    draft: str
    draft_order: Order  # whose answer the draft is
    alike: int  # how many of the orders gave the draft's answer word for word
    content_similarity: float  # the lowest pairwise similarity within the cluster
    answer_similarity: float


def answer_of(order: Order) -> str:
    return order.answer_text or order.reply_text or ""


def settings() -> dict:
    config = current_app.config
    return {"days": int(config.get("REPLY_CANDIDATE_DAYS", 90)),
            "min_orders": int(config.get("REPLY_CANDIDATE_MIN_ORDERS", 5)),
            "content": float(config.get("REPLY_CANDIDATE_CONTENT_SIMILARITY", 0.08)),
            "answer": float(config.get("REPLY_CANDIDATE_ANSWER_SIMILARITY", 0.4))}


def candidates(at: datetime | None = None) -> list[Cluster]:
    """The clusters worth a standard reply, largest first."""
    rules = settings()
    since = (at or now()) - timedelta(days=rules["days"])
    orders = db.session.scalars(
        select(Order).where(Order.state == State.CLOSED, Order.closed_at >= since, Order.category_id.is_not(None),
                            or_(Order.answer_text.is_not(None), Order.reply_text.is_not(None)))
        .order_by(Order.closed_at.desc(), Order.id.desc()).limit(MAX_ORDERS)).all()
    groups: dict[int, list[Order]] = {}
    for order in orders:
        groups.setdefault(order.category_id, []).append(order)
    published = published_versions()
    fitted = vectorizer([o.content for o in orders] + [answer_of(o) for o in orders]) if orders else None
    found = []
    for group in groups.values():
        if len(group) < rules["min_orders"]:
            continue
        found.extend(c for c in _clusters(group, rules, fitted) if not _served(c, published, fitted))
    found.sort(key=lambda c: (-len(c.orders), c.category.sort, c.category.id))
    return found


def _served(cluster: Cluster, published, fitted) -> bool:
    """A published reply of the cluster's category is offered for most of its orders."""
    if not published:
        return False
    served = sum(any(o.version.category_id == cluster.category.id
                     for o in offers(order, versions=published, fitted=fitted)) for order in cluster.orders)
    return served * 2 > len(cluster.orders)


def _clusters(group: list[Order], rules: dict, fitted) -> list[Cluster]:
    contents = [o.content for o in group]
    answers = [answer_of(o) for o in group]
    content_sim = similarity_matrix(contents, contents, fitted)
    answer_sim = similarity_matrix(answers, answers, fitted)
    linked = (content_sim >= rules["content"]) & (answer_sim >= rules["answer"])
    np.fill_diagonal(linked, False)
    alive = np.ones(len(group), dtype=bool)
    degree = linked.sum(axis=1)  # links to orders still unclustered
    result = []
    while alive.any():
        seed = int(np.argmax(np.where(alive, degree, -1)))
        if degree[seed] + 1 < rules["min_orders"]:
            break  # no order left has enough links to make a cluster
        members = [seed]
        near = np.flatnonzero(alive & linked[seed])
        for j in sorted(near, key=lambda j: -(content_sim[seed, j] + answer_sim[seed, j])):
            if linked[j, members].all():
                members.append(int(j))
        taken = members if len(members) >= rules["min_orders"] else [seed]
        if len(members) >= rules["min_orders"]:
            result.append(_cluster(group, members, content_sim, answer_sim))
        alive[taken] = False
        degree = degree - linked[:, taken].sum(axis=1)
    return result


def _cluster(group, members, content_sim, answer_sim) -> Cluster:
    block = np.ix_(members, members)
    centrality = (content_sim[block] + answer_sim[block]).sum(axis=1)
    ranked = [members[i] for i in np.argsort(-centrality, kind="stable")]
    plain = Counter("".join(answer_of(group[i]).split()) for i in ranked)
    text, count = plain.most_common(1)[0]
    source = ranked[0] if count == 1 else next(i for i in ranked if "".join(answer_of(group[i]).split()) == text)
    off_diagonal = ~np.eye(len(members), dtype=bool)
    return Cluster(category=group[0].category, orders=[group[i] for i in ranked], draft=answer_of(group[source]),
                   draft_order=group[source], alike=count,
                   content_similarity=round(float(content_sim[block][off_diagonal].min()), 2),
                   answer_similarity=round(float(answer_sim[block][off_diagonal].min()), 2))
