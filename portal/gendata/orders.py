"""The generator of order rows: a chunk of days at a time, each order with its events (sealed in their
hash chain), units, requests, return visits, dispatch records and repeat links, all as plain dicts.

A chunk depends only on the ``World`` (units, people, policies, calendar: plain data) and its own
``ChunkSpec`` (its days, its first order id, its own random stream), so chunks can be made in any order
or in other processes and give the same rows for the same seed.
"""
import json
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from hashlib import sha256
from random import Random

from ..audit.chain import GENESIS
from ..calendar import WorkCalendar
from ..demo import phrases
from ..demo.district import STREETS, STREETS_BY_CODE
from ..demo.people import caller_name, mobile
from ..demo.places import Place, pick_place
from ..demo.planning import CHANNELS, LEADER_TOPICS, resolve_unit
from ..demo.topic import Topic, topic_list
from ..orders.models import Order
from ..orders.repeats import address_key
from ..orders.states import ASSIST_STATES
from .arrivals import times_of_day
from .people import People
from .seasons import TopicPicker
from .story import Draft, Story

REPEAT_CALLER = 0.05  # the same caller again about the same matter (重复件, linked by phone)
REPEAT_ADDRESS = 0.02  # someone else about the same matter at the same place (linked by address)
FREQUENT_CALLER = 0.03  # one of the district's frequent callers, about anything
VIA_DEPUTY = 0.012  # 代表转办
DIRECT_WHEN_ANSWERABLE = 0.6  # enquiries the office answers itself, among topics it can answer
ORDER_COLUMNS = [c.name for c in Order.__table__.columns]
_DEFAULTS = {c.name: (c.default.arg if c.default is not None and c.default.is_scalar else None)
             for c in Order.__table__.columns}


@dataclass
class World:
    """What every chunk needs, as plain data (it is sent to worker processes)."""

    as_of: datetime
    seed: int
    people: People
    unit_ids: dict[str, int]
    unit_names: dict[str, str]
    user_names: dict[int, str]
    category_ids: dict[str, int]
    policies: dict  # urgency -> SimpleNamespace of the policy's numbers
    calendar_years: set[int]
    calendar_days: dict[date, bool]
    code_of: dict[int, str] = field(default_factory=dict)
    calendar: WorkCalendar | None = None
    recent: datetime | None = None  # orders received after this may stall

    def prepare(self) -> "World":
        self.code_of = {i: c for c, i in self.unit_ids.items()}
        self.calendar = WorkCalendar(self.calendar_years, self.calendar_days)
        self.recent = self.as_of - timedelta(days=60)
        return self


@dataclass
class ChunkSpec:
    index: int
    first_id: int
    days: list[tuple[date, int]]

    @property
    def orders(self) -> int:
        return sum(n for _day, n in self.days)


@dataclass
class Rows:
    orders: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    dispatches: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    """What an order is about, before its story is told."""

    received_at: datetime
    topic: Topic
    place: Place
    channel: str
    caller_name: str
    caller_phone: str
    lead: str = ""
    wrong: str | None = None
    assists: list[str] = field(default_factory=list)
    variant: int = 0
    direct: bool = False

    def voice(self, text: str) -> str:
        """Orders that came in writing speak of the 诉求人, not of the caller."""
        if self.channel == "phone":
            return text
        return text.replace("来电人", "诉求人").replace("致电", "留言")


def seal_event(order_id: int, seq: int, prev: str, event: dict) -> str:
    """``audit.chain.seal`` of an order event, for the plain values the generator writes (a datetime, ints,
    strings, None and small dicts of them): the same canonical JSON, without the general conversions."""
    content = {"action": event["action"], "actor_id": event["actor_id"],
               "at": event["at"].isoformat(sep=" ", timespec="microseconds"), "data": event["data"],
               "from_state": event["from_state"], "note": event["note"], "to_state": event["to_state"]}
    body = {"content": content, "key": order_id, "prev": prev, "seq": seq, "table": "order_events"}
    return sha256(_dumps(body).encode("utf-8")).hexdigest()


_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def make_chunk(world: World, spec: ChunkSpec) -> Rows:
    """The rows of one chunk's orders (world prepared by the caller)."""
    return _Chunk(world, spec).make()


_TOPICS: list[Topic] | None = None


def _topics() -> TopicPicker:
    global _TOPICS
    if _TOPICS is None:
        _TOPICS = topic_list()
    return TopicPicker(_TOPICS)


class _Chunk:
    def __init__(self, world: World, spec: ChunkSpec):
        self.w, self.spec = world, spec
        self.rng = Random(f"{world.seed}:{spec.index}")  # nosec B311  # generated data, never a secret
        self.picker = _topics()
        self.rows = Rows()
        self.recent: deque = deque(maxlen=3000)  # (order id, plan, received) of recent first calls
        self.frequent = [(caller_name(self.rng), mobile(self.rng)) for _ in range(60)]

    def make(self) -> Rows:
        order_id = self.spec.first_id
        for day, n in self.spec.days:
            numbers = iter(self._numbers(day, n))
            for received in times_of_day(day, n, self.w.as_of, self.rng):
                self._order(order_id, received, next(numbers))
                order_id += 1
        return self.rows

    def _numbers(self, day: date, n: int) -> list[str]:
        """The city platform's numbers: the date and a rising count of the city's orders that day."""
        count, out = self.rng.randint(100, 900), []
        for _ in range(n):
            count += self.rng.randint(3, 9)
            out.append(f"SJ{day:%Y%m%d}{count:05d}")
        return out

    def _order(self, order_id: int, received: datetime, number: str) -> None:
        rng, w = self.rng, self.w
        plan, earlier, reason = self._plan(received)
        topic = plan.topic
        roll = rng.random()
        urgency = "critical" if roll < topic.critical else "urgent" if roll < topic.critical + topic.urgent else "normal"
        kind = topic.types[0] if rng.random() < 0.65 else rng.choice(topic.types)
        plan.direct = bool(topic.answer) and earlier is None and rng.random() < DIRECT_WHEN_ANSWERABLE
        if plan.direct:
            kind = "enquiry" if "enquiry" in topic.types else topic.types[0]
        if kind in ("enquiry", "suggestion", "praise"):
            urgency = "normal"
        instruction = None
        if not plan.direct and rng.random() < LEADER_TOPICS.get(topic.key, 0.005):
            instruction = rng.choice(phrases.LEADER_INSTRUCTION).format(
                unit=w.unit_names[plan.lead], days=rng.choice((3, 5, 7)),
                leader=w.user_names[w.people.leaders[0]])
            urgency = "urgent" if urgency == "normal" else urgency
        plan.variant = rng.randrange(len(topic.contents) if not plan.direct or topic.types == ("enquiry",) else 1)
        text = topic.contents[plan.variant].format_map(plan.place.words | {"unit": w.unit_names[plan.lead]})
        plan.place.fit_address(text)
        if earlier is not None:
            text = "来电人再次反映：" + text
        elif not text.startswith("来电人") and "反映" not in text[:16]:
            text = rng.choice(("来电人反映：", "来电人反映，", "")) + text
        order = Draft(**_DEFAULTS)
        order.__dict__.update(
            id=order_id, number=number, received_at=received, channel=plan.channel, type=kind,
            category_id=w.category_ids[topic.category], urgency=urgency, caller_name=plan.caller_name,
            caller_phone=plan.caller_phone, address=plan.place.address, content=plan.voice(text),
            enterprise=topic.enterprise, tourism=topic.tourism, leader_instruction=instruction,
            via_deputy=not plan.direct and rng.random() < VIA_DEPUTY, is_complex=rng.random() < topic.complex,
            source="city", suggested_unit_id=w.unit_ids[plan.lead] if rng.random() < 0.6 else None,
            is_repeat=earlier is not None, address_key=address_key(plan.place.address))
        story = Story(w, rng, plan, order)
        story.run()
        self._keep(order, story)
        if earlier is not None:
            self.rows.links.append({"order_id": order_id, "earlier_id": earlier, "reason": reason,
                                    "score": round(rng.uniform(62, 98), 1), "created_at": order.created_at})
        elif not plan.direct:
            self.recent.append((order_id, plan, received))

    def _plan(self, received: datetime) -> tuple[Plan, int | None, str | None]:
        """A new matter, or (now and then) a repeat of one from the last month: (plan, earlier id, reason)."""
        rng = self.rng
        roll = rng.random()
        if roll < REPEAT_CALLER + REPEAT_ADDRESS and self.recent:
            earlier_id, first, at = self.recent[rng.randrange(len(self.recent))]
            if timedelta(days=1) < received - at < timedelta(days=30):
                by_phone = roll < REPEAT_CALLER
                name, phone = (first.caller_name, first.caller_phone) if by_phone else (caller_name(rng), mobile(rng))
                plan = Plan(received, first.topic, replace(first.place), rng.choices(list(CHANNELS), list(CHANNELS.values()))[0],
                            name, phone, first.lead, first.wrong, list(first.assists))
                return plan, earlier_id, "phone" if by_phone else "address"
        topic = self.picker.pick(rng, received)
        place = pick_place(rng, topic.where)
        name, phone = (rng.choice(self.frequent) if rng.random() < FREQUENT_CALLER
                       else (caller_name(rng), mobile(rng)))
        plan = Plan(received, topic, place, rng.choices(list(CHANNELS), list(CHANNELS.values()))[0], name, phone)
        plan.lead = self._resolve(rng.choice(topic.lead), place)
        plan.wrong = self._wrong(plan)
        if topic.assist and rng.random() < 0.15:
            options = []
            for code in topic.assist:
                unit = self._resolve(code, place)
                if unit and unit != plan.lead and unit not in options:
                    options.append(unit)
            plan.assists = rng.sample(options, min(len(options), rng.choice((1, 1, 1, 2))))
        return plan, None, None

    def _resolve(self, code: str, place: Place) -> str:
        return resolve_unit(code, place, self.rng)

    def _wrong(self, plan: Plan) -> str | None:
        """A plausible wrong first unit: one the topic is often sent to by mistake, or a neighbouring street."""
        options = [u for u in (self._resolve(c, plan.place) for c in plan.topic.wrong) if u and u != plan.lead]
        if options:
            return self.rng.choice(options)
        if plan.lead in STREETS_BY_CODE:
            i = STREETS.index(STREETS_BY_CODE[plan.lead])
            return STREETS[(i + self.rng.choice((-1, 1))) % len(STREETS)].code
        return None

    def _keep(self, order: Draft, story: Story) -> None:
        rows = self.rows
        prev = GENESIS
        for seq, event in enumerate(story.events, start=1):
            event["seq"], event["prev_hash"] = seq, prev
            event["hash"] = prev = seal_event(order.id, seq, prev, event)
        rows.orders.append({c: getattr(order, c) for c in ORDER_COLUMNS})
        rows.events += story.events
        open_ = order.state in ASSIST_STATES
        rows.units += [dict(part, order_open=open_) for part in story.units]
        rows.requests += story.requests
        rows.visits += story.visits
        rows.dispatches += story.dispatches
