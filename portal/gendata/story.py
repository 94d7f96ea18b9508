"""One generated order's way through the state machine, as plain rows: the order, its events, its units
(主办/协办), requests (回退/延期), return visits and dispatch records.

Each step is checked against ``orders.states.TRANSITIONS`` and its target taken from ``target_state``,
the deadlines are set and refreshed by ``deadlines.rules`` (the 1-3-7 policy), and each event carries
the note and data ``orders.effects`` would have written. Steps come at plausible times
(``demo.timeline.Timeline``); the first step that would fall after ``as_of`` ends the story there, so
recent orders are left in whatever open state they had reached.
"""
from datetime import datetime

from ..deadlines.rules import refresh_next_due, set_due_times
from ..demo import phrases
from ..demo.orders import speaks_as
from ..demo.timeline import Timeline
from ..demo.topic import answer_for, reply_for
from ..orders.states import TRANSITIONS, Action, State, target_state
from ..orders.vocab import RESOLUTION, SATISFACTION

FAR = datetime(9999, 1, 1)

# Shares of the side paths (of dispatched orders unless said otherwise).
WRONG_UNIT = 0.02  # dispatched to the wrong unit first, returned (回退) and dispatched again
RETURN_REJECTED = 0.01
EXTENSION = 0.04
EXTENSION_APPROVED = 0.8
SENT_BACK = 0.03
ASSISTED = 0.15  # of topics that have assisting units
SATISFIED, BASIC = 0.88, 0.06  # the rest unsatisfied
REOPENED = 0.5  # of unsatisfied visits
STALLED = 0.01  # a unit sits on the order for weeks


class Cut(Exception):
    """The next step would come after ``as_of``: the order stays as it is."""


class Draft:
    """The order's columns while its story is told (``deadlines.rules`` works on attributes)."""

    def __init__(self, **columns):
        self.__dict__.update(columns)

    def pending(self, requests: list[dict], kind: str) -> dict | None:
        return next((r for r in requests if r["kind"] == kind and r["status"] == "pending"), None)


class Story:
    def __init__(self, world, rng, plan, order: Draft):
        self.w, self.rng, self.plan, self.o = world, rng, plan, order
        self.clock = Timeline(rng, world.calendar, FAR, plan.received_at, order.urgency)
        self.events: list[dict] = []
        self.units: list[dict] = []
        self.requests: list[dict] = []
        self.visits: list[dict] = []
        self.dispatches: list[dict] = []
        self.handlers: dict[str, int] = {}
        self.send_back_reason = None
        self.visit_reason = None

    # -- the way

    def run(self) -> None:
        try:
            self._take_in()
            if self.plan.direct:
                self._direct_answer()
                return
            if self.rng.random() < WRONG_UNIT and self.plan.wrong:
                self._dispatch(wrong=True)
                if self.rng.random() < 0.4:
                    self._sign_for()
                self._request_return()
                self._decide_return(True)
            self._dispatch()
            stalled = self.plan.received_at > self.w.recent and self.rng.random() < STALLED
            while True:
                self._handle(stalled)
                if self._visit() or self.o.reprocess_count or self.rng.random() >= REOPENED:
                    self._close()
                    return
                self._reopen()
        except Cut:
            pass

    def _handle(self, stalled: bool) -> None:
        rng = self.rng
        self._sign_for()
        if not self.o.reprocess_count and rng.random() < RETURN_REJECTED:
            self._request_return()
            self._decide_return(False)
        self._first_feedback()
        if stalled:
            self.clock.t = self.clock.next("reply") + (self.w.as_of - self.clock.t) * rng.uniform(0.6, 2)
        if not self.o.reprocess_count and rng.random() < EXTENSION:
            self._request_extension()
            self._decide_extension(rng.random() < EXTENSION_APPROVED)
        self._contribute_all()
        if not self.o.reprocess_count and rng.random() < SENT_BACK:
            self._reply(thin=True)
            self._send_back()
        self._reply()
        self._approve_reply()

    # -- the machinery

    def _apply(self, action: Action, actor: int, step: str | None = None, effect=None) -> datetime:
        at = self.clock.next(step or action.value)
        if at > self.w.as_of:
            raise Cut()
        o = self.o
        if State(o.state) not in TRANSITIONS[action].sources:
            raise RuntimeError(f"order {o.number}: {action} is not allowed from {o.state}")
        before, after = o.state, target_state(o, action).value
        note, data = effect(at) if effect else (None, None)
        o.state, o.updated_at = after, at
        o.version += 1
        refresh_next_due(o, self.w.policies[o.urgency])
        self._event(at, actor, action.value, before, after, note, data)
        return at

    def _event(self, at, actor, action, before, after, note=None, data=None) -> None:
        self.events.append({"order_id": self.o.id, "at": at, "actor_id": actor, "action": action,
                            "from_state": before, "to_state": after, "note": note, "data": data})

    def _office(self) -> int:
        return self.rng.choice(self.w.people.dispatchers)

    def _handler(self, code: str) -> int:
        if code not in self.handlers:
            self.handlers[code] = self.w.people.by_unit[code]["a" if self.rng.random() < 0.85 else "b"]
        return self.handlers[code]

    def _lead_code(self) -> str:
        return self.w.code_of[self.o.lead_unit_id]

    def _say(self, template, code=None, at=None, **extra):
        if template is None:
            return None
        name = self.w.unit_names[code or self.plan.lead]
        at = at or self.clock.t
        words = self.plan.place.words | {
            "unit": name, "we": speaks_as(name), "what": self.plan.topic.what,
            "right": self.w.unit_names[self.plan.lead], "date": f"{at.month}月{at.day}日"} | extra
        return self.plan.voice(template.format_map(words))

    # -- steps

    def _take_in(self) -> None:
        at = self.clock.next("take_in")
        self.o.created_at = self.o.updated_at = at
        self._event(at, self._office(), Action.TAKE_IN.value, None, State.RECEIVED.value)

    def _direct_answer(self) -> None:
        def effect(at):
            o = self.o
            o.answer_text = self.plan.voice(answer_for(self.plan.topic, self.plan.variant))
            o.direct_answer, o.closed_at, o.dispatcher_id = True, at, actor
            return o.answer_text, None
        actor = self._office()
        self._apply(Action.DIRECT_ANSWER, actor, effect=effect)

    def _dispatch(self, wrong: bool = False) -> None:
        plan, w = self.plan, self.w
        code = plan.wrong if wrong else plan.lead
        assists = [] if wrong else plan.assists
        actor = self._office()

        def effect(at):
            o = self.o
            for part in self.units:
                part["active"] = False
            for unit, part in [(code, "lead")] + [(c, "assist") for c in assists]:
                self.units.append({"order_id": o.id, "unit_id": w.unit_ids[unit], "part": part, "active": True,
                                   "contribution": None, "contributed_at": None, "contributed_by_id": None})
            handler = self._handler(code)
            o.lead_unit_id, o.handler_id, o.dispatcher_id, o.dispatched_at = w.unit_ids[code], handler, actor, at
            o.signed_at = o.first_feedback_at = None
            o.sent_back = False
            set_due_times(o, w.policies[o.urgency], w.calendar, at)
            self.dispatches.append({"order_id": o.id, "at": at, "dispatcher_id": actor,
                                    "chosen_unit_id": w.unit_ids[code], "suggested": None,
                                    "suggestion_rank": None, "returned": False})
            names = "、".join(w.unit_names[c] for c in assists)
            note = f"派发至{w.unit_names[code]}（承办人：{w.user_names[handler]}）" + (f"，协办：{names}" if names else "")
            extra = (phrases.DISPATCH_LEADER_NOTE if o.leader_instruction else
                     phrases.DISPATCH_REPEAT_NOTE if o.is_repeat else
                     phrases.DISPATCH_ASSIST_NOTE if assists else self.rng.choice(phrases.DISPATCH_NOTE))
            return note + (f"。{extra}" if extra else ""), {
                "lead_unit_id": w.unit_ids[code], "assist_unit_ids": sorted(w.unit_ids[c] for c in assists),
                "handler_id": handler}
        self._apply(Action.DISPATCH, actor, "dispatch_wrong" if wrong else "dispatch", effect)

    def _sign_for(self) -> None:
        actor = self._handler(self._lead_code())

        def effect(at):
            self.o.signed_at, self.o.handler_id = at, actor
            return None, None
        self._apply(Action.SIGN_FOR, actor, effect=effect)

    def _first_feedback(self) -> None:
        code = self._lead_code()

        def effect(at):
            self.o.first_feedback_at = at
            return self._say(self.rng.choice(phrases.FIRST_FEEDBACK), code, at), None
        self._apply(Action.FIRST_FEEDBACK, self._handler(code), effect=effect)

    def _contribute_all(self) -> None:
        for part in self.units:
            if part["active"] and part["part"] == "assist" and part["contribution"] is None:
                code = self.w.code_of[part["unit_id"]]
                actor = self._handler(code)

                def effect(at, part=part, code=code, actor=actor):
                    text = self._say(self.rng.choice(phrases.CONTRIBUTION), code, at)
                    part.update(contribution=text, contributed_at=at, contributed_by_id=actor)
                    return text, {"unit_id": part["unit_id"]}
                self._apply(Action.CONTRIBUTE, actor, "contribute", effect)

    def _request_return(self) -> None:
        code = self._lead_code()
        actor = self._handler(code)

        def effect(at):
            template = (self.rng.choice(phrases.RETURN_WRONG_UNIT) if code == self.plan.wrong
                        else self.rng.choice(phrases.RETURN_DISPUTED))
            reason = self._say(template, code, at)
            self.o.state_before_return = self.o.state
            self.requests.append(self._request("return", code, actor, at, reason))
            return reason, None
        self._apply(Action.REQUEST_RETURN, actor, effect=effect)

    def _request(self, kind, code, actor, at, reason, due=None) -> dict:
        return {"order_id": self.o.id, "kind": kind, "status": "pending", "unit_id": self.w.unit_ids[code],
                "reason": reason, "requested_due_at": due, "requested_by_id": actor, "requested_at": at,
                "decided_by_id": None, "decided_at": None, "decision_note": None}

    def _decide(self, kind, actor, at, approved, note) -> dict:
        request = self.o.pending(self.requests, kind)
        request.update(status="approved" if approved else "rejected", decided_by_id=actor, decided_at=at,
                       decision_note=note)
        return request

    def _decide_return(self, approved: bool) -> None:
        actor = self._office()

        def effect(at):
            o = self.o
            template = phrases.RETURN_APPROVED if approved else phrases.RETURN_REJECTED
            note = self._say(self.rng.choice(template), at=at)
            self._decide("return", actor, at, approved, note)
            o.state_before_return = None
            if approved:
                self.dispatches[-1]["returned"] = True
                for part in self.units:
                    part["active"] = False
                o.lead_unit_id = o.handler_id = None
                o.sign_due_at = o.feedback_due_at = o.reply_due_at = None
            return note, None
        self._apply(Action.APPROVE_RETURN if approved else Action.REJECT_RETURN, actor, effect=effect)

    def _request_extension(self) -> None:
        code = self._lead_code()
        actor = self._handler(code)

        def effect(at):
            reason = self._say(self.plan.topic.extension or self.rng.choice(phrases.EXTENSION), code, at)
            due = self.w.calendar.add_workdays(self.o.reply_due_at, self.rng.randint(3, 10))
            self.requests.append(self._request("extension", code, actor, at, reason, due))
            return f"申请延期至{due:%Y-%m-%d %H:%M}：{reason}", {"requested_due_at": due.isoformat()}
        self._apply(Action.REQUEST_EXTENSION, actor, effect=effect)

    def _decide_extension(self, approved: bool) -> None:
        actor = self._office()

        def effect(at):
            if not approved:
                note = self.rng.choice(phrases.EXTENSION_REJECTED)
                self._decide("extension", actor, at, False, note)
                return note, None
            note = self.rng.choice(phrases.EXTENSION_APPROVED)
            request = self._decide("extension", actor, at, True, note)
            old, self.o.reply_due_at = self.o.reply_due_at, request["requested_due_at"]
            return f"同意延期至{request['requested_due_at']:%Y-%m-%d %H:%M}" + (f"。{note}" if note else ""), {
                "old_reply_due_at": old.isoformat() if old else None,
                "new_reply_due_at": request["requested_due_at"].isoformat()}
        self._apply(Action.APPROVE_EXTENSION if approved else Action.REJECT_EXTENSION, actor,
                    effect=effect)

    def _reply(self, thin: bool = False) -> None:
        code = self._lead_code()

        def effect(at):
            o = self.o
            if thin:
                text, self.send_back_reason = self.rng.choice(phrases.THIN_REPLY_AND_SEND_BACK)
                text = self._say(text, code, at)
            else:
                text = self._say(reply_for(self.plan.topic, self.plan.variant, self.rng), code, at)
                if self.send_back_reason:
                    text += self._say(phrases.RESUBMIT, code, at)
                    self.send_back_reason = None
                elif o.reprocess_count:
                    text = self._say(phrases.REPROCESS_REPLY, code, at) + text
            o.reply_text, o.replied_at, o.sent_back = text, at, False
            return text, None
        self._apply(Action.REPLY, self._handler(code), "reply_thin" if thin else "reply", effect)

    def _send_back(self) -> None:
        def effect(at):
            self.o.sent_back = True
            return self.send_back_reason, None
        self._apply(Action.SEND_BACK, self._office(), effect=effect)

    def _approve_reply(self) -> None:
        self._apply(Action.APPROVE_REPLY, self._office(),
                    effect=lambda at: (self.rng.choice(phrases.APPROVE_REPLY), None))

    def _visit(self) -> bool:
        """The return visit; True when the citizen was satisfied enough to close the order."""
        rng, actor = self.rng, self._office()
        roll = rng.random()
        satisfaction = "satisfied" if roll < SATISFIED else "basic" if roll < SATISFIED + BASIC else "unsatisfied"
        if satisfaction == "unsatisfied":
            resolution = "unresolved" if rng.random() < 0.7 else "partly"
        else:
            resolution = "resolved" if rng.random() < (0.95 if satisfaction == "satisfied" else 0.5) else "partly"
        reason = self._say(rng.choice(phrases.UNSATISFIED)) if satisfaction == "unsatisfied" else None
        self.visit_reason = reason

        def effect(at):
            self.visits.append({"order_id": self.o.id, "round": self.o.reprocess_count, "at": at, "by_id": actor,
                                "satisfaction": satisfaction, "resolution": resolution, "reason": reason})
            note = f"{SATISFACTION[satisfaction]}，{RESOLUTION[resolution]}" + (f"。{reason}" if reason else "")
            return note, {"satisfaction": satisfaction, "resolution": resolution}
        self._apply(Action.VISIT, actor, "visit_bad" if reason else "visit", effect)
        return satisfaction != "unsatisfied" and resolution != "unresolved"

    def _reopen(self) -> None:
        def effect(at):
            o = self.o
            o.reprocess_count += 1
            o.signed_at = o.first_feedback_at = o.replied_at = None
            o.sent_back, o.dispatched_at = False, at
            set_due_times(o, self.w.policies[o.urgency], self.w.calendar, at)
            return self._say(phrases.REOPEN, reason=self.visit_reason), {"round": o.reprocess_count}
        self._apply(Action.REOPEN, self._office(), effect=effect)

    def _close(self) -> None:
        last_bad = self.visits and self.visits[-1]["satisfaction"] == "unsatisfied"

        def effect(at):
            self.o.closed_at = at
            return (phrases.UNSATISFIED_CLOSED if last_bad else self.rng.choice(phrases.CLOSE)), None
        self._apply(Action.CLOSE, self._office(), effect=effect)
