"""Which published standard replies fit an order: the same category and a keyword in the content, or a
text similar to the order's.

Keywords are read and compared as the responsibility list's are (``dispatching.matching.split_keywords``
and ``normalise``). Similarity is the dispatch suggestion's: TF-IDF over character 1-3-grams, compared by
cosine (``dispatching.classifier``); with a trained dispatch model its vectorizer (fitted on the
district's history) is used, else the same vectorizer is fitted on the texts being compared.
"""
import random
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import select

from ..dispatching import classifier
from ..dispatching.matching import normalise, split_keywords
from ..extensions import db
from ..orders.models import Order
from .models import StandardReplyVersion
from .states import VersionState

LIMIT = 3
BACKGROUND = 1000  # without a trained model: how many of the latest orders' contents weigh the words
FIT_LIMIT = 3000  # at most this many texts (a random sample) fit a vectorizer


def vectorizer(texts: list[str]):
    """The dispatch suggestion's TF-IDF vectorizer: the trained model's (its weights learnt from the district's
    history), or else the same vectorizer fitted on ``texts`` and the latest orders' contents, so that what
    every order says (您好, 小区, 请尽快) weighs little."""
    bundle = classifier.load()
    if bundle is not None:
        return bundle["pipeline"].named_steps["tfidf"]
    recent = db.session.scalars(select(Order.content).order_by(Order.id.desc()).limit(BACKGROUND)).all()
    sample = list(texts) + list(recent)
    if len(sample) > FIT_LIMIT:  # the weights need a fair sample, not every text: fitting is the slow part
        sample = random.Random(0).sample(sample, FIT_LIMIT)  # nosec B311  # a fixed sample for fitting, not a secret
    return classifier.make_pipeline().named_steps["tfidf"].fit(sample)


def similarity_matrix(rows: list[str], columns: list[str], fitted=None):
    """Cosine similarity of each text in ``rows`` to each in ``columns`` (a dense numpy array)."""
    if not rows or not columns:
        return np.zeros((len(rows), len(columns)))
    fitted = fitted or vectorizer(rows + columns)
    a, b = fitted.transform(rows), fitted.transform(columns)
    return (a @ b.T).toarray()  # the vectorizer L2-normalises its rows: this is the cosine


def reply_document(version: StandardReplyVersion) -> str:
    return " ".join((version.title, version.keywords.replace("、", " "), version.answer))


@dataclass
class Offer:
    version: StandardReplyVersion
    hits: list[str] = field(default_factory=list)  # keywords found in the order's content
    similarity: float = 0.0
    same_category: bool = False

    @property
    def score(self) -> float:
        return (1.0 + 0.1 * min(len(self.hits), 5) if self.hits and self.same_category else 0.0) + self.similarity

    @property
    def reason(self) -> str:
        parts = []
        if self.hits and self.same_category:
            parts.append("诉求分类一致，内容含" + "、".join(f"“{w}”" for w in self.hits))
        if self.similarity >= threshold():
            parts.append(f"内容相似度{self.similarity:.0%}")
        return "；".join(parts)


def threshold() -> float:
    return float(current_app.config.get("REPLY_MATCH_SIMILARITY", 0.1))


def published_versions() -> list[StandardReplyVersion]:
    return list(db.session.scalars(select(StandardReplyVersion)
                                   .where(StandardReplyVersion.state == VersionState.PUBLISHED)
                                   .order_by(StandardReplyVersion.id)))


def offers(order: Order, limit: int = LIMIT, versions: list[StandardReplyVersion] | None = None,
           fitted=None) -> list[Offer]:
    """The published replies that fit ``order``, best first (``fitted``: a vectorizer to reuse)."""
    versions = published_versions() if versions is None else versions
    content = normalise(order.content)
    if not versions or not content.strip():
        return []
    similar = similarity_matrix([order.content], [reply_document(v) for v in versions], fitted)[0]
    found = []
    for version, score in zip(versions, similar):
        same = version.category_id == order.category_id
        hits = [w for w in split_keywords(version.keywords) if normalise(w) in content]
        offer = Offer(version, hits, round(float(score), 3), same)
        if (hits and same) or offer.similarity >= threshold():
            found.append(offer)
    found.sort(key=lambda o: (-o.score, o.version.id))
    return found[:limit]
