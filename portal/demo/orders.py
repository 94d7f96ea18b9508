"""Make the planned orders through the real operations: ``take_in``, then ``apply`` for each step, at
times that follow each other, by the office's dispatchers or the handlers of the unit concerned."""
from dataclasses import dataclass
from datetime import datetime
from random import Random

from ..calendar import WorkCalendar
from ..orders.models import Category, Order
from ..orders.operations import apply, take_in
from . import phrases
from .people import Staff
from .planning import OrderPlan
from .timeline import Timeline
from .topic import answer_for, reply_for


def speaks_as(unit_name: str) -> str:
    """How a unit speaks of itself in its replies: 我局, 我街道, 我公司..."""
    for ending, word in (("分局", "我分局"), ("管委会", "我委"), ("局", "我局"), ("委", "我委"), ("街道", "我街道"),
                         ("镇", "我镇"), ("集团", "我集团"), ("公司", "我公司"), ("大队", "我大队"),
                         ("中心", "我中心"), ("办", "我办")):
        if unit_name.endswith(ending):
            return word
    return "我单位"


def _day(at: datetime) -> str:
    return f"{at.month}月{at.day}日"


class Runner:
    def __init__(self, rng: Random, now: datetime, cal: WorkCalendar, staff: Staff, units: dict,
                 categories: dict[str, Category]):
        self.rng, self.now, self.cal, self.staff = rng, now, cal, staff
        self.units, self.categories = units, categories
        self.code_of = {unit.id: code for code, unit in units.items()}

    def run(self, plan: OrderPlan) -> Order:
        return _OrderRun(self, plan).run()


@dataclass
class _Memory:
    send_back_reason: str | None = None
    visit_reason: str | None = None
    last_visit_bad: bool = False


class _OrderRun:
    """One order's way through its scenario."""

    def __init__(self, runner: Runner, plan: OrderPlan):
        self.r, self.plan, self.rng = runner, plan, runner.rng
        self.clock = Timeline(runner.rng, runner.cal, runner.now, plan.received_at, plan.urgency)
        self.memory = _Memory()
        self.handlers: dict[str, object] = {}  # unit code -> the handler (A, or B while A is away)
        self.order: Order | None = None

    def run(self) -> Order:
        plan = self.plan
        self.order = take_in(self._office(), {
            "number": plan.number, "received_at": plan.received_at, "channel": plan.channel, "type": plan.type,
            "urgency": plan.urgency, "category_id": self.r.categories[plan.topic.category].id,
            "caller_name": plan.caller_name, "caller_phone": plan.caller_phone, "address": plan.place.address,
            "content": plan.content, "enterprise": plan.topic.enterprise, "tourism": plan.topic.tourism,
            "leader_instruction": plan.leader_instruction,
        }, at=self.clock.next("take_in", at=plan.taken_at))
        for step in plan.scenario.steps:
            getattr(self, "_" + step)()
        return self.order

    # -- helpers

    def _apply(self, action: str, actor, step: str | None = None, at: datetime | None = None, **params):
        when = self.clock.next(step or action, at=at)
        self.order = apply(self.order.id, action, actor, at=when, **params)
        return when

    def _office(self):
        return self.rng.choice(self.r.staff.dispatchers)

    def _handler(self, code: str):
        if code not in self.handlers:
            self.handlers[code] = self.r.staff.by_unit[code]["a" if self.rng.random() < 0.8 else "b"]
        return self.handlers[code]

    def _lead_code(self) -> str:
        return self.r.code_of[self.order.lead_unit_id]

    def _say(self, template: str | None, code: str | None = None, at: datetime | None = None, **extra) -> str | None:
        if template is None:
            return None
        name = self.r.units[code or self.plan.lead].name
        words = self.plan.place.words | {
            "unit": name, "we": speaks_as(name), "what": self.plan.topic.what,
            "right": self.r.units[self.plan.lead].name, "date": _day(at or self.clock.t),
        } | extra
        return self.plan.voice(template.format_map(words))

    def _pick(self, options):
        return self.rng.choice(options)

    # -- steps, named as in scenarios.py

    def _direct_answer(self):
        answer = answer_for(self.plan.topic, self.plan.variant)
        self._apply("direct_answer", self._office(), answer=self.plan.voice(answer))

    def _dispatch(self, wrong: bool = False):
        plan = self.plan
        lead = plan.wrong if wrong else plan.lead
        assists = [] if wrong else plan.assists
        if plan.leader_instruction:
            note = phrases.DISPATCH_LEADER_NOTE
        elif plan.repeat:
            note = phrases.DISPATCH_REPEAT_NOTE
        elif assists:
            note = phrases.DISPATCH_ASSIST_NOTE
        else:
            note = self._pick(phrases.DISPATCH_NOTE)
        at = None if wrong else plan.dispatch_at
        self._apply("dispatch", self._office(), step="dispatch_wrong" if wrong else "dispatch", at=at,
                    lead_unit_id=self.r.units[lead].id, assist_unit_ids=[self.r.units[c].id for c in assists],
                    is_complex=plan.complex, note=note)

    def _dispatch_wrong(self):
        self._dispatch(wrong=True)

    def _sign_for(self):
        self._apply("sign_for", self._handler(self._lead_code()))

    def _first_feedback(self):
        code = self._lead_code()
        self._apply("first_feedback", self._handler(code), note=self._say(self._pick(phrases.FIRST_FEEDBACK), code))
        for part in list(self.order.assisting):
            if part.contribution is None and self.rng.random() < 0.5:
                self._contribute(self.r.code_of[part.unit_id])

    def _contribute(self, code: str):
        when = self.clock.next("contribute")
        note = self._say(self._pick(phrases.CONTRIBUTION), code, at=when)
        self.order = apply(self.order.id, "contribute", self._handler(code), at=when, note=note)

    def _contribute_all(self):
        for part in list(self.order.assisting):
            if part.contribution is None:
                self._contribute(self.r.code_of[part.unit_id])

    def _reply(self):
        self._contribute_all()
        code = self._lead_code()
        when = self.clock.next("reply")
        text = self._say(reply_for(self.plan.topic, self.plan.variant, self.rng), code, at=when)
        if self.memory.send_back_reason:
            text += self._say(phrases.RESUBMIT, code, at=when)
            self.memory.send_back_reason = None
        elif self.order.reprocess_count:
            text = self._say(phrases.REPROCESS_REPLY, code, at=when) + text
        self.order = apply(self.order.id, "reply", self._handler(code), at=when, reply=text)

    def _reply_thin(self):
        self._contribute_all()
        code = self._lead_code()
        text, reason = self._pick(phrases.THIN_REPLY_AND_SEND_BACK)
        self.memory.send_back_reason = reason
        self._apply("reply", self._handler(code), step="reply_thin", reply=self._say(text, code))

    def _send_back(self):
        self._apply("send_back", self._office(), reason=self.memory.send_back_reason)

    def _request_return(self):
        code = self._lead_code()
        if code == self.plan.wrong:
            both_streets = self.r.units[code].kind == self.r.units[self.plan.lead].kind == "street"
            template = phrases.RETURN_WRONG_UNIT[1] if both_streets else self._pick(phrases.RETURN_WRONG_UNIT[::2])
        else:
            template = self._pick(phrases.RETURN_DISPUTED)
        self._apply("request_return", self._handler(code), reason=self._say(template, code))

    def _approve_return(self):
        self._apply("approve_return", self._office(), note=self._say(self._pick(phrases.RETURN_APPROVED)))

    def _reject_return(self):
        self._apply("reject_return", self._office(), note=self._say(self._pick(phrases.RETURN_REJECTED)))

    def _request_extension(self):
        code = self._lead_code()
        reason = self.plan.topic.extension or self._pick(phrases.EXTENSION)
        due = self.r.cal.add_workdays(self.order.reply_due_at, self.rng.randint(3, 10))
        self._apply("request_extension", self._handler(code), reason=self._say(reason, code), requested_due_at=due)

    def _approve_extension(self):
        self._apply("approve_extension", self._office(), note=self._pick(phrases.EXTENSION_APPROVED))

    def _reject_extension(self):
        self._apply("reject_extension", self._office(), note=self._pick(phrases.EXTENSION_REJECTED))

    def _approve_reply(self):
        self._apply("approve_reply", self._office(), note=self._pick(phrases.APPROVE_REPLY))

    def _visit(self):
        satisfaction = "satisfied" if self.rng.random() < 0.85 else "basic"
        good = 0.92 if satisfaction == "satisfied" else 0.5
        resolution = "resolved" if self.rng.random() < good else "partly"
        self.memory.last_visit_bad = False
        self._apply("visit", self._office(), satisfaction=satisfaction, resolution=resolution)

    def _visit_bad(self):
        reason = self._say(self._pick(phrases.UNSATISFIED))
        resolution = "unresolved" if self.rng.random() < 0.7 else "partly"
        self.memory.visit_reason, self.memory.last_visit_bad = reason, True
        self._apply("visit", self._office(), step="visit_bad", satisfaction="unsatisfied", resolution=resolution,
                    reason=reason)

    def _reopen(self):
        self._apply("reopen", self._office(), reason=self._say(phrases.REOPEN, reason=self.memory.visit_reason))

    def _close(self):
        note = phrases.UNSATISFIED_CLOSED if self.memory.last_visit_bad else self._pick(phrases.CLOSE)
        self._apply("close", self._office(), note=note)
