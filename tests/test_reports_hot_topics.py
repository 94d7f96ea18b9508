"""Hot-topic warnings (热点预警): this week >= max(min_count, mean + k·stddev of the previous 8 weeks), k = 3.
The clock is Tuesday 2026-11-24, in week 2026-W48 (from Monday 11-23); the weeks before start 11-16, 11-09..."""
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.notifications.models import Notification
from portal.reports.models import HotTopic
from portal.reports.operations import detect_hot_topics, is_hot

MONDAY = datetime(2026, 11, 23, 8, 0)


def history(add, counts, **where):
    """counts[0] is last week, counts[1] the week before, ..."""
    for n, count in enumerate(counts, start=1):
        add(count, MONDAY - timedelta(weeks=n), **where)


def test_the_rule_by_hand():
    # mean 3.5, population stddev 0.5, k=2: threshold max(5, 4.5) = 5
    assert is_hot(5, [3, 4, 3, 4, 3, 4, 3, 4], 2.0, 5)[0]
    assert not is_hot(4, [3, 4, 3, 4, 3, 4, 3, 4], 2.0, 5)[0]
    # mean 5, stddev 3: threshold 5 + 2 * 3 = 11
    assert is_hot(11, [2, 8, 2, 8, 2, 8, 2, 8], 2.0, 5)[0]
    assert not is_hot(10, [2, 8, 2, 8, 2, 8, 2, 8], 2.0, 5)[0]
    # nothing before: min_count decides
    assert is_hot(5, [0] * 8, 2.0, 5)[0] and not is_hot(4, [0] * 8, 2.0, 5)[0]


def test_a_spike_warns_once_and_notifies_leaders_and_dispatchers(district, received_orders, make_category):
    flood = make_category("防汛排涝")
    history(received_orders, [3, 4, 2, 5, 3, 4, 3, 4], category=flood)
    received_orders(15, MONDAY, category=flood)
    created = detect_hot_topics()
    assert [(t.dimension, t.name, t.count) for t in created] == [("category", "防汛排涝", 15)]
    topic = created[0]
    assert topic.week_key == "2026-W48" and topic.baseline_mean == 3.5
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "hot_topic")).all()
    assert sorted(notified) == sorted([district.leader.id, district.dispatcher.id])
    # a second run in the same week (even with more orders) adds no warning and no notification
    received_orders(3, MONDAY + timedelta(days=1), category=flood)
    assert detect_hot_topics() == []
    assert db.session.scalar(select(db.func.count()).select_from(HotTopic)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.kind == "hot_topic")) == 2


def test_noise_stays_quiet(district, received_orders, make_category):
    noisy = make_category("噪声投诉")
    # mean 6.75, stddev 2.05: threshold 12.9 (k = 3); 12 is a busy week within the noise (k = 2 would fire)
    history(received_orders, [5, 9, 4, 8, 6, 10, 5, 7], category=noisy)
    received_orders(12, MONDAY, category=noisy)
    small = make_category("偶发事项")
    received_orders(4, MONDAY, category=small)  # new, but under min_count
    assert detect_hot_topics() == []
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.kind == "hot_topic")) == 0


def test_a_unit_rising_is_an_area_warning(district, received_orders, make_category):
    steady = make_category("市容环境")
    history(received_orders, [2, 2, 2, 2, 2, 2, 2, 2], category=steady, unit=district.street)
    history(received_orders, [6, 6, 6, 6, 6, 6, 6, 6], category=steady, unit=district.chengguan)
    received_orders(12, MONDAY, category=steady, unit=district.street)
    received_orders(5, MONDAY, category=steady, unit=district.chengguan)
    created = detect_hot_topics()
    # the street jumps 2 -> 12; the category as a whole goes 8 -> 17 (stddev 0: threshold 8, fires too)
    assert {(t.dimension, t.key_id) for t in created} == {("unit", district.street.id), ("category", steady.id)}


def test_the_dashboard_shows_the_warning(district, received_orders, make_category, login):
    flood = make_category("防汛排涝")
    received_orders(9, MONDAY, category=flood)
    detect_hot_topics()
    page = login(district.leader).get("/dashboard/").get_data(as_text=True)
    assert "热点预警" in page and f'data-hot="category:{flood.id}"' in page
    assert f"/orders/?category={flood.id}" in page
