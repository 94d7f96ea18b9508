"""The ways an order goes, as the list of steps the demo takes it through.

Each scenario names its steps (actions of ``orders.states``, plus ``dispatch_wrong``: a dispatch to a
plausibly wrong unit, ``reply_thin``: a reply the office will send back, ``visit_bad``: an unsatisfied
visit), how common it is, and how long ago its orders came in (days before now), so that old orders
are mostly closed and the recent ones still open. ``soon`` scenarios are placed so that their
running deadline falls due within the warning time from now (see ``timeline.dispatch_for_due_soon``).

The first orders take each scenario once, so that even a small demo shows every state and path.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[str, ...]
    weight: float
    age: tuple[float, float]  # days before now the order came in
    soon: str | None = None  # "sign_for" or "reply": place the dispatch so that deadline is near
    assist: bool = False  # always with an assisting unit


HANDLED = ("dispatch", "sign_for", "first_feedback")
REPLIED = HANDLED + ("reply",)
VISITED = REPLIED + ("approve_reply", "visit")
AGAIN = ("sign_for", "first_feedback", "reply", "approve_reply", "visit", "close")
WRONG = ("dispatch_wrong", "request_return", "approve_return")

S = Scenario
SCENARIOS = [
    S("closed", VISITED + ("close",), 28, (4, 45)),
    S("direct_answer", ("direct_answer",), 12, (0.1, 45)),
    S("received", (), 4, (0, 0.3)),
    S("dispatched", ("dispatch",), 4, (0.05, 2.5)),
    S("dispatched_due_soon", ("dispatch",), 1, (0, 0), soon="sign_for"),
    S("accepted", ("dispatch", "sign_for"), 2.5, (0.2, 2)),
    S("in_progress", HANDLED, 5, (0.3, 7)),
    S("in_progress_due_soon", HANDLED, 1, (0, 0), soon="reply"),
    S("in_progress_assisted", HANDLED, 1.5, (1, 5), assist=True),
    S("return_pending", ("dispatch_wrong", "request_return"), 1.5, (0.1, 2)),
    S("return_pending_signed", ("dispatch_wrong", "sign_for", "request_return"), 1, (0.3, 3)),
    S("returned_redispatched", WRONG + HANDLED, 1.5, (1, 5)),
    S("returned_closed", WRONG + VISITED + ("close",), 2, (8, 44)),
    S("return_rejected", ("dispatch", "sign_for", "request_return", "reject_return", "first_feedback", "reply"),
      1.5, (2, 12)),
    S("extension_pending", HANDLED + ("request_extension",), 1.5, (2, 5)),
    S("extension_approved", HANDLED + ("request_extension", "approve_extension"), 1.5, (2, 10)),
    S("extension_rejected", HANDLED + ("request_extension", "reject_extension", "reply"), 1, (3, 10)),
    S("extension_closed", HANDLED + ("request_extension", "approve_extension", "reply", "approve_reply", "visit",
                                     "close"), 2, (15, 44)),
    S("replied", REPLIED, 5, (1, 6)),
    S("sent_back", HANDLED + ("reply_thin", "send_back"), 1.5, (2, 8)),
    S("sent_back_closed", HANDLED + ("reply_thin", "send_back", "reply", "approve_reply", "visit", "close"),
      2, (8, 44)),
    S("approved", REPLIED + ("approve_reply",), 5, (2, 10)),
    S("visited", VISITED, 3, (4, 15)),
    S("visited_unsatisfied", REPLIED + ("approve_reply", "visit_bad"), 2.5, (4, 20)),
    S("reopened", REPLIED + ("approve_reply", "visit_bad", "reopen"), 1, (6, 20)),
    S("reopened_in_progress", REPLIED + ("approve_reply", "visit_bad", "reopen", "sign_for", "first_feedback"),
      1, (6, 25)),
    S("reopened_closed", REPLIED + ("approve_reply", "visit_bad", "reopen") + AGAIN, 2, (15, 44)),
    S("closed_assisted", VISITED + ("close",), 3, (6, 45), assist=True),
    S("closed_unsatisfied", REPLIED + ("approve_reply", "visit_bad", "close"), 1.5, (8, 45)),
]
