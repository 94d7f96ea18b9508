"""The order badges every list row shows (portal/order_badges.py): the state with 重办 and 被退回, the
deadline's status at the pinned now with its weekday, urgency and the flags, as the macros showed them."""
from datetime import datetime
from types import SimpleNamespace

from portal.order_badges import deadline_badge, flags, state_badge, urgency_badge


def order(**values):
    base = dict(state="accepted", reprocess_count=0, sent_back=False, next_due_at=None, warn_at=None,
                urgency="normal", leader_instruction="", enterprise=False, tourism=False, deputy_pushed=False,
                via_deputy=False, is_repeat=False, is_complex=False)
    return SimpleNamespace(**{**base, **values})


def test_state_badge_shows_reprocessing_and_a_send_back_while_the_unit_holds_it():
    assert state_badge(order()) == '<span class="badge text-bg-primary">办理中</span>'
    html = state_badge(order(reprocess_count=2, sent_back=True))
    assert 'title="重新办理第2次">重办2</span>' in html and "被退回" in html
    assert "被退回" not in state_badge(order(state="replied", sent_back=True))


def test_deadline_badge_by_status_at_now(app):  # now: Tuesday 2026-11-24 10:00
    with app.app_context():
        assert deadline_badge(order()) == ""
        overdue = deadline_badge(order(next_due_at=datetime(2026, 11, 23, 17, 30)))
        assert overdue == ('<span class="badge text-bg-danger" title="下一期限 2026-11-23 17:30"><i class="bi bi-alarm">'
                           '</i> 已超期 · 11-23（一）17:30</span>')
        soon = deadline_badge(order(next_due_at=datetime(2026, 11, 24, 17, 30), warn_at=datetime(2026, 11, 24, 9)),
                              with_time=False)
        assert soon == ('<span class="badge text-bg-warning" title="下一期限 2026-11-24 17:30"><i class="bi '
                        'bi-hourglass-split"></i> 即将到期</span>')
        normal = deadline_badge(order(next_due_at=datetime(2026, 11, 27, 17, 30), warn_at=datetime(2026, 11, 27, 9)))
        assert "text-bg-success" in normal and "正常 · 11-27（五）17:30" in normal


def test_urgency_and_flags():
    assert "特急" in urgency_badge(order(urgency="critical")) and "紧急" in urgency_badge(order(urgency="urgent"))
    assert "一般" in urgency_badge(order())
    assert flags(order()) == ""
    marks = flags(order(leader_instruction="请尽快办理", is_repeat=True, is_complex=True))
    assert [m for m in ("领导批示", "涉企", "重复件", "复杂疑难") if m in marks] == ["领导批示", "重复件", "复杂疑难"]

