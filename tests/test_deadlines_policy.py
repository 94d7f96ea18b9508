"""The deadline policy page: admins edit it, dispatchers read it, others are turned away."""
from datetime import datetime

import pytest

from portal.deadlines import operations
from portal.deadlines.queries import policies

HX = {"HX-Request": "true"}
NORMAL_DEFAULTS = {"unit": "workday", "sign_for": "1", "first_feedback": "1", "reply": "3",
                   "complex_reply": "7", "warn_minutes": "240"}


def normal_policy(**changes):
    return {**NORMAL_DEFAULTS, **changes}


def test_page_shows_the_policy_and_explains_it(district, login):
    client = login(district.admin)
    page = client.get("/deadlines/policy").get_data(as_text=True)
    for text in ("一般", "紧急", "特急", "工作日", "小时", "签收", "首次反馈", "答复", "复杂疑难方案", "提前预警",
                 "1-3-7", "只影响"):
        assert text in page
    assert "修改" in page


def test_edit_form_works_without_htmx(district, login):
    client = login(district.admin)
    page = client.get("/deadlines/policy?edit=critical").get_data(as_text=True)
    assert 'action="/deadlines/policy/critical"' in page and 'name="warn_minutes"' in page
    response = client.post("/deadlines/policy/critical", follow_redirects=True,
                           data={"unit": "hour", "sign_for": "1", "first_feedback": "2", "reply": "12",
                                 "complex_reply": "72", "warn_minutes": "30"})
    assert "已保存“特急”工单的时限规则" in response.get_data(as_text=True)
    assert policies()["critical"].reply == 12


def test_admin_change_is_saved_and_used_for_later_dispatches(district, login, make_order):
    before = make_order("dispatched")  # dispatched under the old policy, Tuesday 2026-11-24 10:00
    assert before.sign_due_at == datetime(2026, 11, 25, 10, 0)

    client = login(district.admin)
    response = client.post("/deadlines/policy/normal", data=normal_policy(sign_for="2", first_feedback="2"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存" in page

    after = make_order("dispatched")
    assert after.sign_due_at == datetime(2026, 11, 26, 10, 0)  # two working days now
    assert after.feedback_due_at == datetime(2026, 11, 26, 10, 0)
    assert after.reply_due_at == datetime(2026, 11, 27, 10, 0)
    assert before.sign_due_at == datetime(2026, 11, 25, 10, 0)  # earlier deadlines stay as they were


def test_switching_to_hours(district, login, make_order):
    client = login(district.admin)
    response = client.post("/deadlines/policy/normal",
                           data=normal_policy(unit="hour", sign_for="8", first_feedback="8", reply="48",
                                              complex_reply="96", warn_minutes="60"))
    assert response.status_code == 302
    o = make_order("dispatched")
    assert o.sign_due_at == datetime(2026, 11, 24, 18, 0)
    assert o.reply_due_at == datetime(2026, 11, 26, 10, 0)


def test_htmx_edit_swaps_the_row_in_place(district, login):
    client = login(district.admin)
    form = client.get("/deadlines/policy/urgent?edit=1", headers=HX)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in html
    assert 'name="sign_for"' in html and "保存" in html

    saved = client.post("/deadlines/policy/urgent", headers=HX,
                        data={"unit": "hour", "sign_for": "2", "first_feedback": "6", "reply": "48",
                              "complex_reply": "96", "warn_minutes": "90"})
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "<html" not in html
    assert 'id="policy-urgent"' in html and "已保存" in html and "90" in html
    assert "HX-Request" in saved.headers["Vary"]
    assert policies()["urgent"].sign_for == 2


@pytest.mark.parametrize("changes, message", [
    ({"sign_for": "5"}, "签收时限不能长于答复时限"),
    ({"complex_reply": "2"}, "答复时限不能长于复杂疑难方案时限"),
    ({"reply": "abc"}, "答复时限须为正整数"),
    ({"sign_for": "0"}, "签收时限须为正整数"),
    ({"first_feedback": "-1"}, "首次反馈时限须为正整数"),
    ({"reply": "2.5"}, "答复时限须为正整数"),
    ({"warn_minutes": ""}, "请填写提前预警时间"),
    ({"unit": "day"}, "计时单位应为“工作日”或“小时”"),
    ({"complex_reply": "300"}, "不能超过60工作日"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_changes(district, login, make_order, changes, message):
    client = login(district.admin)
    response = client.post("/deadlines/policy/normal", data=normal_policy(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "未保存" in page
    assert policies()["normal"].updated_at is None  # still the defaults, nothing saved
    assert make_order("dispatched").sign_due_at == datetime(2026, 11, 25, 10, 0)


def test_bad_input_through_htmx_keeps_the_form_and_what_was_typed(district, login):
    client = login(district.admin)
    response = client.post("/deadlines/policy/normal", headers=HX, data=normal_policy(sign_for="9"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert "签收时限不能长于答复时限" in html and 'value="9"' in html
    assert policies()["normal"].sign_for == 1


def test_an_existing_row_is_not_changed_by_bad_input(district, login):
    client = login(district.admin)
    assert client.post("/deadlines/policy/normal", data=normal_policy(reply="4")).status_code == 302
    assert client.post("/deadlines/policy/normal", data=normal_policy(reply="4", sign_for="x")).status_code == 422
    p = policies()["normal"]
    assert (p.sign_for, p.reply) == (1, 4)


def test_dispatcher_reads_but_cannot_edit(district, login):
    client = login(district.dispatcher)
    page = client.get("/deadlines/policy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "只读" in html and "1-3-7" in html
    assert "bi-pencil" not in html  # no edit buttons
    assert 'name="sign_for"' not in client.get("/deadlines/policy?edit=normal").get_data(as_text=True)
    assert client.get("/deadlines/policy/normal?edit=1", headers=HX).status_code == 200
    assert 'name="sign_for"' not in client.get("/deadlines/policy/normal?edit=1", headers=HX).get_data(as_text=True)
    assert client.post("/deadlines/policy/normal", data=normal_policy(sign_for="2")).status_code == 403
    assert policies()["normal"].sign_for == 1


@pytest.mark.parametrize("role", ["handler", "unit_leader", "supervisor", "leader", "deputy"])
def test_other_roles_are_refused(district, login, role):
    client = login(district.people[role])
    assert client.get("/deadlines/policy").status_code == 403
    assert client.get("/deadlines/policy/normal?edit=1", headers=HX).status_code == 403
    assert client.post("/deadlines/policy/normal", data=normal_policy(sign_for="2")).status_code == 403
    assert policies()["normal"].sign_for == 1


def test_unknown_urgency_is_404(district, login):
    client = login(district.admin)
    assert client.post("/deadlines/policy/extreme", data=normal_policy()).status_code == 404


def test_operation_refuses_non_admins(district):
    with pytest.raises(operations.NotAllowed):
        operations.save_policy(district.dispatcher, "normal", normal_policy(sign_for="2"))
    assert policies()["normal"].sign_for == 1
