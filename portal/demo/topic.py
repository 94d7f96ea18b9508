"""What a kind of citizen's matter looks like: its category, who handles it, and how people put it.

Texts are ``str.format`` templates over the words of a place (see ``places``) plus ``unit`` (the lead
unit's name), ``we`` (how that unit speaks of itself: 我局, 我街道, 我公司...) and ``date`` (the day of
the step, 11月20日).

A topic whose contents are different matters (停水 / 水压低 / 水发黄) pairs them with its replies
(``paired``); otherwise each reply fits each content.

Unit codes in ``lead``, ``assist`` and ``wrong`` are those of ``district``; ``street`` means the street
or town where the matter is, ``committee`` the management committee of the park it is in.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    category: str
    what: str  # the matter in a few words, for return reasons and visit notes: 夜间施工噪音
    types: tuple[str, ...]  # vocab codes, the first the most usual
    lead: tuple[str, ...]  # units that handle it, the first the most usual
    contents: tuple[str, ...]
    replies: tuple[str, ...]
    where: str = "home"
    assist: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()  # units it is plausibly sent to by mistake (and returned from)
    # The office's direct answer, for enquiries it can settle itself; a tuple answers contents[i].
    answer: str | tuple[str, ...] | None = None
    paired: bool = False  # replies[i] answers contents[i]; otherwise any reply fits any content
    urgent: float = 0.05  # share of urgent (紧急) orders
    critical: float = 0.0  # share of critical (特急) orders
    complex: float = 0.0  # share dispatched as complex (复杂疑难, 7 working days)
    enterprise: bool = False
    tourism: bool = False
    season: tuple[tuple[int, int], tuple[int, int]] | None = None  # (month, day) from, to; None: all year
    weight: float = 1.0
    extension: str | None = None  # a reason this topic typically needs more time


def in_season(topic: Topic, day) -> bool:
    if topic.season is None:
        return True
    start, end = topic.season
    md = (day.month, day.day)
    return start <= md <= end if start <= end else (md >= start or md <= end)


def topic_list() -> list[Topic]:
    from .topics_business import TOPICS as business
    from .topics_city import TOPICS as city
    from .topics_people import TOPICS as people

    topics = city + people + business
    if len({t.key for t in topics}) != len(topics):
        raise ValueError("topic keys must be unique")
    for t in topics:
        if t.paired and len(t.replies) != len(t.contents):
            raise ValueError(f"{t.key}: one reply per content")
        if isinstance(t.answer, tuple) and len(t.answer) != len(t.contents):
            raise ValueError(f"{t.key}: one answer per content")
    return topics


def reply_for(topic: Topic, variant: int, rng) -> str:
    return topic.replies[variant] if topic.paired else rng.choice(topic.replies)


def answer_for(topic: Topic, variant: int) -> str:
    return topic.answer[variant] if isinstance(topic.answer, tuple) else topic.answer
