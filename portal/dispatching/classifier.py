"""Which unit handles an order, learnt from history: a text classifier over character n-grams.

Chinese needs no word segmenter here: TF-IDF over character 1-3-grams (``char_wb``) of the order's
category, content and address feeds a linear model (logistic loss, trained by SGD, so it stays fast on a
year's orders and gives probabilities). The label is the unit that finally handled each order: the lead
unit of orders that were signed for (or went further); orders still waiting on a possibly wrong unit
are left out, and a dispatch that was returned never becomes a label, because the order's lead unit is
the one it was re-dispatched to.

``train`` saves the model with joblib to the instance folder (``DISPATCH_MODEL_PATH`` overrides), with
when it was trained, on how many orders, its classes and the units' names, plus the vectors of the
latest orders so that a suggestion can say how many similar past orders each unit handled. ``load``
reads it once per process and again only when the file changes.
"""
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import joblib
import numpy as np
from flask import current_app
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

from ..clock import now
from ..extensions import db
from ..orders.models import Category, Order, OrderUnit
from ..orders.states import State
from ..units.models import Unit

FORMAT = 1
MODEL_FILE = "dispatch-model.joblib"
# Orders whose lead unit is known to be right: it signed for the order (and may have gone further).
SETTLED_STATES = (State.ACCEPTED, State.REPLIED, State.APPROVED, State.VISITED, State.CLOSED)
MIN_ORDERS = 20
HISTORY_LIMIT = 200_000
NEIGHBOUR_ROWS = 20_000  # vectors of the latest orders kept for "similar past orders"
NEIGHBOURS = 20  # how many of the most similar past orders a reason counts
MIN_SIMILARITY = 0.2
MAX_FEATURES = 100_000  # bounds the model: classes x features weights


class TrainingError(ValueError):
    """Too little history to train on; the message says why (English, for operators)."""


@dataclass
class Sample:
    text: str
    unit_id: int
    assist_ids: list[int] = field(default_factory=list)
    received_at: datetime | None = None


def document(content: str | None, category: str | None = None, address: str | None = None) -> str:
    """The text the model reads for one order."""
    return " ".join(part.strip() for part in (category, content, address) if part and part.strip())


def history(limit: int | None = None) -> list[Sample]:
    """Past orders with the unit that finally handled each, oldest first: the latest ``limit`` of them
    (``DISPATCH_HISTORY_LIMIT``, 200,000 by default: about a year of a busy district; units and their
    duties change, so older orders teach less)."""
    limit = limit or int(current_app.config.get("DISPATCH_HISTORY_LIMIT", HISTORY_LIMIT))
    rows = db.session.execute(
        db.select(Order.id, Order.content, Order.address, Category.name, Order.lead_unit_id, Order.received_at)
        .outerjoin(Category, Category.id == Order.category_id)
        .where(Order.state.in_([s.value for s in SETTLED_STATES]), Order.lead_unit_id.is_not(None),
               Order.direct_answer.is_(False))
        .order_by(Order.received_at.desc(), Order.id.desc()).limit(limit)
    ).all()[::-1]
    assists: dict[int, list[int]] = {}
    if rows:
        for order_id, unit_id in db.session.execute(
            db.select(OrderUnit.order_id, OrderUnit.unit_id)
            .join(Order, Order.id == OrderUnit.order_id)
            .where(OrderUnit.part == "assist", OrderUnit.active.is_(True),
                   Order.state.in_([s.value for s in SETTLED_STATES]), Order.received_at >= rows[0].received_at)
        ):
            assists.setdefault(order_id, []).append(unit_id)
    return [Sample(document(content, category, address), lead, sorted(assists.get(oid, [])), received)
            for oid, content, address, category, lead, received in rows]


def make_pipeline() -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True,
                                  max_features=MAX_FEATURES, dtype=np.float32)),
        ("model", SGDClassifier(loss="log_loss", alpha=5e-5, max_iter=200, tol=1e-3, random_state=0)),
    ])


def fit(samples: list[Sample]) -> Pipeline:
    labels = {s.unit_id for s in samples}
    if len(samples) < MIN_ORDERS or len(labels) < 2:
        raise TrainingError(f"need at least {MIN_ORDERS} settled orders handled by at least 2 units "
                            f"(found {len(samples)} orders, {len(labels)} units)")
    pipeline = make_pipeline()
    pipeline.fit([s.text for s in samples], [s.unit_id for s in samples])
    return pipeline


def model_path() -> str:
    return current_app.config.get("DISPATCH_MODEL_PATH") or os.path.join(current_app.instance_path, MODEL_FILE)


def train(path: str | None = None) -> dict:
    """Train on all settled history and save the model; return its metadata (and ``seconds``)."""
    started = time.perf_counter()
    samples = history()
    pipeline = fit(samples)
    recent = samples[-NEIGHBOUR_ROWS:]
    names = dict(db.session.execute(db.select(Unit.id, Unit.name)).all())
    bundle = {
        "format": FORMAT,
        "pipeline": pipeline,
        "trained_at": now().isoformat(timespec="seconds"),
        "n_orders": len(samples),
        "classes": [int(c) for c in pipeline.classes_],
        # by id, every unit the model may name (leads and assisting units), to check it still means them
        "unit_names": {i: names.get(i) for i in {int(c) for c in pipeline.classes_}
                       | {a for s in recent for a in s.assist_ids}},
        "neighbours": pipeline.named_steps["tfidf"].transform([s.text for s in recent]),
        "neighbour_units": np.array([s.unit_id for s in recent]),
        "neighbour_assists": [s.assist_ids for s in recent],
    }
    path = path or model_path()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    joblib.dump(bundle, tmp, compress=3)
    os.replace(tmp, path)  # readers never see a half-written file
    _cache.clear()
    return metadata(bundle) | {"seconds": round(time.perf_counter() - started, 2), "path": path,
                               "unit_names": bundle["unit_names"]}


def metadata(bundle: dict) -> dict:
    return {"trained_at": bundle["trained_at"], "n_orders": bundle["n_orders"], "classes": bundle["classes"]}


_cache: dict[str, tuple[float, dict]] = {}


def load(path: str | None = None) -> dict | None:
    """The saved model, or None when there is none (or it cannot be read)."""
    path = path or model_path()
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        bundle = joblib.load(path)
    except Exception:  # a file from another version of the libraries: suggest from the list only
        current_app.logger.warning("cannot read the dispatch model at %s; retrain with train-dispatch", path,
                                   exc_info=True)
        bundle = None
    if bundle is not None and bundle.get("format") != FORMAT:
        bundle = None
    _cache[path] = (mtime, bundle)
    return bundle


@dataclass
class Guess:
    unit_id: int
    probability: float
    similar: int  # of the ``compared`` most similar past orders, how many this unit handled
    compared: int
    assist_ids: list[int]  # units that assisted this unit on at least a third of those


def rank(bundle: dict, text: str, k: int = 3) -> list[Guess]:
    """The ``k`` most likely units for ``text``, best first."""
    pipeline = bundle["pipeline"]
    vector = pipeline.named_steps["tfidf"].transform([text])
    probabilities = pipeline.named_steps["model"].predict_proba(vector)[0]
    classes = pipeline.classes_
    top = np.argsort(-probabilities)[:k]
    near_units, near_assists = _neighbours(bundle, vector)
    guesses = []
    for i in top:
        unit_id = int(classes[i])
        mine = [a for u, a in zip(near_units, near_assists) if u == unit_id]
        counts = Counter(x for assists in mine for x in assists)
        assists = [x for x, n in counts.most_common() if n * 3 >= len(mine) and n >= 2 and x != unit_id]
        guesses.append(Guess(unit_id, float(probabilities[i]), len(mine), len(near_units), assists))
    return guesses


def _neighbours(bundle: dict, vector) -> tuple[list[int], list[list[int]]]:
    matrix = bundle["neighbours"]
    if matrix.shape[0] == 0:
        return [], []
    similarity = (matrix @ vector.T).toarray().ravel()  # rows are L2-normalised: this is the cosine
    order = np.argsort(-similarity)[:NEIGHBOURS]
    order = [i for i in order if similarity[i] >= MIN_SIMILARITY]
    return ([int(bundle["neighbour_units"][i]) for i in order],
            [bundle["neighbour_assists"][i] for i in order])


def evaluate(holdout: float = 0.2) -> dict:
    """Top-1 and top-3 accuracy on the latest ``holdout`` share of history (a chronological split: the
    model learns from the older orders only), against always answering the most common unit(s)."""
    samples = history()
    cut = int(round(len(samples) * (1 - holdout)))
    train_set, test_set = samples[:cut], samples[cut:]
    if not test_set:
        raise TrainingError("no orders left to test on")
    started = time.perf_counter()
    pipeline = fit(train_set)
    seconds = time.perf_counter() - started
    probabilities = pipeline.predict_proba([s.text for s in test_set])
    classes = pipeline.classes_
    top3 = classes[np.argsort(-probabilities, axis=1)[:, :3]]
    truth = np.array([s.unit_id for s in test_set])
    common = [u for u, _ in Counter(s.unit_id for s in train_set).most_common(3)]
    return {
        "n_train": len(train_set), "n_test": len(test_set), "n_units": len(classes),
        "train_from": train_set[0].received_at, "test_from": test_set[0].received_at,
        "test_to": test_set[-1].received_at,
        "top1": float(np.mean(top3[:, 0] == truth)),
        "top3": float(np.mean([t in row for t, row in zip(truth, top3)])),
        "baseline_top1": float(np.mean(truth == common[0])),
        "baseline_top3": float(np.mean(np.isin(truth, common))),
        "train_seconds": round(seconds, 2),
    }
