"""Which matters people call about in which season: the demo's topics, weighted by month.

Summer brings noise (night construction, barbecues, square dancing, neighbours), street vending, water
outages and rubbish; winter brings heating (within its season, see ``Topic.season``) and gas; unpaid
wages peak before the Spring Festival; school enrolment in early summer; tourism in the golden weeks.
"""
from datetime import datetime
from itertools import accumulate
from random import Random

from ..demo.topic import Topic, in_season

SUMMER, WINTER = (6, 7, 8), (12, 1, 2)
# topic key -> {month: factor}; months not named count 1.
FACTORS: dict[str, dict[int, float]] = {
    "night_construction": {**dict.fromkeys(SUMMER, 2.0), 4: 1.3, 5: 1.4, 9: 1.3, **dict.fromkeys(WINTER, 0.5)},
    "bbq_smoke": {**dict.fromkeys(SUMMER, 2.4), 5: 1.4, 9: 1.4, **dict.fromkeys(WINTER, 0.4)},
    "square_dance": {**dict.fromkeys(SUMMER, 2.0), 5: 1.3, 9: 1.3, **dict.fromkeys(WINTER, 0.5)},
    "neighbour_noise": {**dict.fromkeys(SUMMER, 1.7), **dict.fromkeys(WINTER, 0.8)},
    "street_vending": {**dict.fromkeys(SUMMER, 1.7), **dict.fromkeys(WINTER, 0.6)},
    "water_outage": dict.fromkeys(SUMMER, 1.9),
    "garbage": dict.fromkeys(SUMMER, 1.5),
    "heating": {11: 1.8, 12: 1.5, 1: 1.2},
    "gas": dict.fromkeys(WINTER, 1.6),
    "wage_arrears": {12: 2.2, 1: 2.6, 2: 1.4},
    "enrolment": {6: 2.5, 7: 2.5, 8: 2.0},
    "scenic_fees": {5: 1.8, 10: 2.0, 7: 1.4, 8: 1.4},
    "tree_trimming": {4: 1.6, 5: 1.5},
    "construction_dust": {3: 1.4, 4: 1.5, 5: 1.3},
}


class TopicPicker:
    """Chooses a topic for a day; the cumulative weights are worked out once per (month, day)."""

    def __init__(self, topics: list[Topic]):
        self.topics = topics
        self._cache: dict[tuple[int, int], tuple[list[Topic], list[float]]] = {}

    def weights(self, day: datetime) -> tuple[list[Topic], list[float]]:
        key = (day.month, day.day)
        found = self._cache.get(key)
        if found is None:
            topics = [t for t in self.topics if in_season(t, day)]
            weights = [t.weight * FACTORS.get(t.key, {}).get(day.month, 1.0) for t in topics]
            found = self._cache[key] = (topics, list(accumulate(weights)))
        return found

    def pick(self, rng: Random, day: datetime) -> Topic:
        topics, cumulative = self.weights(day)
        return rng.choices(topics, cum_weights=cumulative)[0]
