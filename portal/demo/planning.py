"""Plan the demo orders before any is made: what each is about, where, who called, which unit leads,
which way it goes, and when it came in. Planned first so that numbers follow the time of arrival
and repeated calls come after the call they repeat."""
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from random import Random

from ..calendar import WorkCalendar
from . import phrases
from .district import PARKS, STREETS, STREETS_BY_CODE
from .people import caller_name, mobile
from .places import Place, pick_place
from .scenarios import SCENARIOS, Scenario
from .timeline import dispatch_for_due_soon, received_time
from .topic import Topic, in_season

CHANNELS = {"phone": 62, "wechat": 13, "app": 10, "web": 9, "letter": 3, "email": 3}
REPEAT_SHARE = 0.05
DEPUTY_SHARE = 0.05
# Matters a vice district head tends to write an instruction on.
LEADER_TOPICS = {"wage_arrears": 0.2, "heating": 0.08, "elevator": 0.1, "property_certificate": 0.3}


@dataclass
class OrderPlan:
    scenario: Scenario
    topic: Topic
    place: Place
    received_at: datetime
    taken_at: datetime | None = None  # fixed for "due soon" scenarios, with the dispatch time
    dispatch_at: datetime | None = None
    soon_urgency: str | None = None  # the urgency whose policy placed the dispatch
    number: str = ""
    channel: str = "phone"
    type: str = "complaint"
    urgency: str = "normal"
    caller_name: str = ""
    caller_phone: str = ""
    content: str = ""
    variant: int = 0  # which of the topic's contents
    lead: str = ""  # unit codes
    wrong: str | None = None
    assists: list[str] = field(default_factory=list)
    complex: bool = False
    repeat: bool = False
    leader_instruction: str | None = None
    deputy_pushed: bool = False

    def voice(self, text: str) -> str:
        """Orders that came in writing speak of the 诉求人, not of the caller."""
        if self.channel == "phone":
            return text
        return text.replace("来电人", "诉求人").replace("致电", "留言")


def resolve_unit(code: str, place: Place, rng) -> str:
    """A topic's unit code for a place: "street" is the place's street (or park committee), "committee" the
    park's committee (or one of the first two); any other code names the unit itself."""
    if code == "street":
        return place.street_code or place.park_code
    if code == "committee":
        return place.park_code or rng.choice(PARKS[:2]).code
    return code


class Planner:
    """Plans ``count`` orders with one random generator, so that a seed gives the same demo."""

    def __init__(self, rng: Random, now: datetime, cal: WorkCalendar, topics: list[Topic], policies,
                 unit_names: dict[str, str], leader_name: str):
        self.rng, self.now, self.cal, self.topics = rng, now, cal, topics
        self.policies, self.unit_names, self.leader_name = policies, unit_names, leader_name

    def plan(self, count: int) -> list[OrderPlan]:
        rng = self.rng
        scenarios = SCENARIOS[:count] + rng.choices(SCENARIOS, [s.weight for s in SCENARIOS],
                                                    k=max(0, count - len(SCENARIOS)))
        plans = sorted((self._plan_one(s) for s in scenarios), key=lambda p: p.received_at)
        self._repeat_calls(plans)
        self._number(plans)
        self._push_to_deputies(plans)
        return plans

    def _plan_one(self, scenario: Scenario) -> OrderPlan:
        rng = self.rng
        dispatch_at = taken_at = soon_urgency = None
        for urgency in ("normal", "urgent") if scenario.soon else ():
            dispatch_at = dispatch_for_due_soon(rng, self.cal, self.now, self.policies[urgency], scenario.soon)
            if dispatch_at:
                soon_urgency = urgency
                break
        if dispatch_at:
            taken_at = dispatch_at - timedelta(minutes=rng.uniform(5, 20))
            received_at = (taken_at - timedelta(minutes=rng.uniform(3, 60))).replace(microsecond=0)
        else:
            received_at = received_time(rng, self.now, scenario.age if not scenario.soon else (0.3, 2))
        topic = self._topic(scenario, received_at)
        plan = OrderPlan(scenario, topic, pick_place(rng, topic.where), received_at, taken_at, dispatch_at,
                         soon_urgency)
        plan.channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        plan.caller_name, plan.caller_phone = caller_name(rng), mobile(rng)
        self._fill(plan)
        return plan

    def _topic(self, scenario: Scenario, day: datetime) -> Topic:
        topics = [t for t in self.topics if in_season(t, day)]
        if scenario.steps[:1] == ("direct_answer",):
            topics = [t for t in topics if t.answer]
        if scenario.assist:
            topics = [t for t in topics if t.assist]
        return self.rng.choices(topics, [t.weight for t in topics])[0]

    def _fill(self, plan: OrderPlan) -> None:
        """Everything that follows from the topic and the place."""
        rng, topic, scenario = self.rng, plan.topic, plan.scenario
        direct = scenario.steps[:1] == ("direct_answer",)
        plan.lead = self._resolve(rng.choice(topic.lead), plan.place)
        plan.wrong = self._wrong(plan)
        plan.assists = self._assists(plan) if (scenario.assist or rng.random() < 0.15) else []
        if direct:
            plan.type = "enquiry" if "enquiry" in topic.types else topic.types[0]
        else:
            plan.type = topic.types[0] if rng.random() < 0.65 else rng.choice(topic.types)
        roll = rng.random()
        plan.urgency = ("critical" if roll < topic.critical else
                        "urgent" if roll < topic.critical + topic.urgent else "normal")
        if plan.type in ("enquiry", "suggestion", "praise"):
            plan.urgency = "normal"
        plan.complex = rng.random() < topic.complex
        if plan.soon_urgency:  # the dispatch was placed by this urgency's deadlines
            plan.urgency, plan.complex = plan.soon_urgency, False
        plan.leader_instruction = None
        if "dispatch" in scenario.steps and not plan.soon_urgency and rng.random() < LEADER_TOPICS.get(topic.key, 0.02):
            plan.leader_instruction = rng.choice(phrases.LEADER_INSTRUCTION).format(
                unit=self.unit_names[plan.lead], days=rng.choice((3, 5, 7)), leader=self.leader_name)
            if plan.urgency == "normal":
                plan.urgency = "urgent"  # leader-instructed orders are urgent (seed 001)
        plan.content = self._content(plan, direct)

    def _content(self, plan: OrderPlan, direct: bool) -> str:
        topic, rng = plan.topic, self.rng
        # Enquiries the office answers itself are the ones phrased as enquiries (each topic's first text).
        choices = len(topic.contents) if not direct or topic.types == ("enquiry",) else 1
        plan.variant = rng.randrange(choices)
        words = plan.place.words | {"unit": self.unit_names[plan.lead]}
        text = topic.contents[plan.variant].format_map(words)
        plan.place.fit_address(text)
        if plan.repeat:
            text = "来电人再次反映：" + text
        elif not text.startswith("来电人") and "反映" not in text[:16]:
            text = rng.choice(("来电人反映：", "来电人反映，", "")) + text
        return plan.voice(text)

    def _resolve(self, code: str, place: Place) -> str:
        return resolve_unit(code, place, self.rng)

    def _wrong(self, plan: OrderPlan) -> str:
        """A plausible wrong first unit, for orders that are returned: a neighbouring department or street."""
        options = [w for w in (self._resolve(c, plan.place) for c in plan.topic.wrong) if w and w != plan.lead]
        if options:
            return self.rng.choice(options)
        if plan.lead in STREETS_BY_CODE:
            i = STREETS.index(STREETS_BY_CODE[plan.lead])
            return STREETS[(i + self.rng.choice((-1, 1))) % len(STREETS)].code
        fallback = plan.place.street_code or plan.place.park_code
        if fallback == plan.lead:  # a committee's own matter: sent first to the other big park
            fallback = next(p.code for p in PARKS if p.code != plan.lead)
        return fallback

    def _assists(self, plan: OrderPlan) -> list[str]:
        options = []
        for code in plan.topic.assist:
            unit = self._resolve(code, plan.place)
            if unit and unit != plan.lead and unit not in options:
                options.append(unit)
        return self.rng.sample(options, min(len(options), self.rng.choice((1, 1, 1, 2))))

    def _repeat_calls(self, plans: list[OrderPlan]) -> None:
        """Some callers call again about the same matter at the same place, a day or more later."""
        rng = self.rng
        for i, plan in enumerate(plans):
            if rng.random() >= REPEAT_SHARE or plan.scenario.steps[:1] == ("direct_answer",):
                continue
            earlier = [p for p in plans[:i] if p.received_at < plan.received_at - timedelta(days=1)
                       and not p.repeat and (p.topic.assist or not plan.scenario.assist)]
            if not earlier:
                continue
            first = rng.choice(earlier[-30:])
            plan.topic, plan.place, plan.repeat = first.topic, replace(first.place, words=first.place.words), True
            plan.caller_name, plan.caller_phone = first.caller_name, first.caller_phone
            self._fill(plan)

    def _number(self, plans: list[OrderPlan]) -> None:
        """The city platform's numbers: the date and a running count of the city's orders that day."""
        day, n = None, 0
        for plan in plans:
            if plan.received_at.date() != day:
                day, n = plan.received_at.date(), self.rng.randint(100, 900)
            n += self.rng.randint(3, 60)
            plan.number = f"SJ{plan.received_at:%Y%m%d}{n:05d}"

    def _push_to_deputies(self, plans: list[OrderPlan]) -> None:
        """Each month the office pushes hard, much-complained matters to the deputies (seed 004)."""
        hard = [p for p in plans if "dispatch" in p.scenario.steps
                and (p.complex or p.repeat or p.leader_instruction or "visit_bad" in p.scenario.steps)]
        want = max(1, round(len(plans) * DEPUTY_SHARE)) if plans else 0
        for plan in self.rng.sample(hard, min(want, len(hard))):
            plan.deputy_pushed = True
