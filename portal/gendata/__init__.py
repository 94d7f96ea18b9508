"""A realistic district of generated orders: ``flask --app portal gen-data --orders N --years Y``.

``generate`` fills an empty database with a district-size unit tree, its people and roster, and N orders
over Y years ending at ``as_of`` (seasons, weekdays, holidays, growth; realistic matters and texts;
repeat callers and addresses; every state, side path and event, sealed in their chains), plus a few
supervisions and consultations. Orders are made in chunks (``orders.make_chunk``), in worker processes
when asked, and bulk-loaded (``loader``) so that a million orders take minutes.
"""
import multiprocessing
from collections import deque
from itertools import islice
import time
from dataclasses import dataclass
from datetime import datetime
from random import Random
from types import SimpleNamespace

from sqlalchemy import select

from ..deadlines.queries import policies, work_calendar
from ..demo.categories import create_categories
from ..extensions import db
from ..orders.models import Order
from .arrivals import daily_counts
from .extras import seed_consultations, seed_supervisions
from .loader import Loader
from .orders import ChunkSpec, World, make_chunk
from .people import create_people
from .units import create_units

CHUNK_ORDERS = 10_000


@dataclass
class Result:
    password: str
    orders: int
    rows: dict[str, int]
    supervisions: int
    consultations: int
    seconds: float
    load_seconds: float


def refuse_unless_empty() -> None:
    """Raise ValueError (English, for operators) unless the database is free of orders, units and users."""
    from ..auth.models import User
    from ..units.models import Unit

    found = [name for name, model in (("orders", Order), ("units", Unit), ("users", User))
             if db.session.scalar(select(model.id).limit(1)) is not None]
    if found:
        raise ValueError(f"the database already has {', '.join(found)}; gen-data only fills an empty database")


def chunk_specs(counts, first_id: int, size: int = CHUNK_ORDERS) -> list[ChunkSpec]:
    """Consecutive days in chunks of about ``size`` orders, each with the id of its first order."""
    specs, days, in_chunk = [], [], 0
    for day, n in counts:
        days.append((day, n))
        in_chunk += n
        if in_chunk >= size:
            specs.append(ChunkSpec(len(specs), first_id, days))
            first_id, days, in_chunk = first_id + in_chunk, [], 0
    if days:
        specs.append(ChunkSpec(len(specs), first_id, days))
    return specs


_WORLD: World | None = None


def _start_worker(world: World) -> None:
    global _WORLD
    _WORLD = world.prepare()


def _make(spec: ChunkSpec):
    return make_chunk(_WORLD, spec)


def _chunks(world: World, specs: list[ChunkSpec], workers: int):
    """The chunks in order, made here (``workers`` 0) or by worker processes, with a few chunks in
    flight at most so that memory stays flat however many orders are asked for."""
    if workers <= 0:
        world.prepare()
        for spec in specs:
            yield make_chunk(world, spec)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(world,)) as pool:
        waiting = iter(specs)
        flight = deque(pool.apply_async(_make, (spec,)) for spec in islice(waiting, workers + 1))
        while flight:
            chunk = flight.popleft().get()
            following = next(waiting, None)
            if following is not None:
                flight.append(pool.apply_async(_make, (following,)))
            yield chunk


def generate(order_count: int, years: float, as_of: datetime, seed: int = 1, workers: int = 0,
             progress=None) -> Result:
    """Fill the empty database; ``workers`` processes make the chunks (0: this process does);
    ``progress(orders_done, rows_done, seconds)`` is called after each chunk."""
    if order_count < 1 or years <= 0:
        raise ValueError("the number of orders and of years must be positive")
    refuse_unless_empty()
    started = time.perf_counter()
    rng = Random(seed)  # nosec B311  # generated data, never a secret
    counts = daily_counts(order_count, years, as_of, rng)
    since = datetime.combine(counts[0][0], datetime.min.time()).replace(hour=8)
    units = create_units()
    categories = create_categories()
    people = create_people(units, rng, since)
    world = _world(as_of, seed, people, units, categories)
    loader = Loader()
    specs = chunk_specs(counts, (db.session.scalar(select(db.func.max(Order.id))) or 0) + 1)
    done = rows = 0

    def loaded(chunk):
        nonlocal done, rows
        rows += loader.load(chunk)
        done += len(chunk.orders)
        if progress:
            progress(done, rows, time.perf_counter() - started)

    try:
        for chunk in _chunks(world, specs, workers):
            loaded(chunk)
    except BaseException:
        db.session.rollback()
        loader.restore()
        raise
    loader.finish()
    code_of = {unit.id: code for code, unit in units.items()}
    supervisions = seed_supervisions(people, code_of, as_of, max(3, min(60, order_count // 20_000)), rng)
    consultations = seed_consultations(people, code_of, as_of, max(2, min(12, order_count // 100_000)), rng)
    return Result(people.password, done, loader.written, supervisions, consultations, time.perf_counter() - started,
                  loader.seconds)


def _world(as_of, seed, people, units, categories) -> World:
    from ..auth.models import User

    cal = work_calendar()
    numbers = ("unit", "sign_for", "first_feedback", "reply", "complex_reply", "warn_minutes")
    return World(
        as_of=as_of, seed=seed, people=people,
        unit_ids={code: unit.id for code, unit in units.items()},
        unit_names={code: unit.name for code, unit in units.items()},
        user_names=dict(db.session.execute(select(User.id, User.name)).all()),
        category_ids={name: c.id for name, c in categories.items()},
        policies={urgency: SimpleNamespace(**{n: getattr(p, n) for n in numbers}) for urgency, p in policies().items()},
        calendar_years=set(cal.loaded_years), calendar_days=dict(cal.days),
    )
