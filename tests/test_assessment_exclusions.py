"""Exclusions (剔除): a unit applies with a reason, the office approves or refuses; approved orders leave
every rate and are listed apart."""
from datetime import datetime

import pytest

from portal.assessment.models import Exclusion
from portal.assessment.operations import AssessmentRefused, decide_exclusion, request_exclusion
from portal.assessment.periods import parse
from portal.assessment.rates import compute
from portal.extensions import db
from portal.notifications.models import Notification
from tests.fixtures.assessment import AS_OF

HX = {"HX-Request": "true"}
REASON = "诉求人要求为违章建筑办理产权证，违反法律规定。"


def test_approved_exclusion_leaves_every_rate(rate_world):
    d = rate_world.d
    before = compute(parse("2026-11"), AS_OF).row(d.chengguan.id)
    assert before.counts["visited"] == 3  # x1 (不满意) is not among them
    # had x1 counted, CG would have 4 visits and 5 orders; its dispatch would be the 6th
    assert before.counts["received"] == 4 and before.counts["dispatches"] == 5
    # at a moment before the approval (11-24 09:00 is before it; but also before x1's visit) nothing
    # of x1 counts; approve later and recompute as of before the approval: x1 is back in
    rate_world.exclusion.decided_at = datetime(2026, 11, 29, 12, 0)
    db.session.commit()
    as_before = compute(parse("2026-11"), datetime(2026, 11, 29, 11, 0)).row(d.chengguan.id)
    assert as_before.counts["visited"] == 4 and as_before.counts["unsatisfied"] == 2
    after = compute(parse("2026-11"), AS_OF).row(d.chengguan.id)
    assert after.counts["visited"] == 3


def test_request_rules(district, make_order):
    order = make_order("accepted")
    with pytest.raises(AssessmentRefused, match="主办单位"):
        request_exclusion(order, district.other_handler, "abuse", REASON)
    with pytest.raises(AssessmentRefused, match="承办人或负责人"):
        request_exclusion(order, district.dispatcher, "abuse", REASON)
    with pytest.raises(AssessmentRefused, match="至少10个字"):
        request_exclusion(order, district.handler, "abuse", "恶意")
    with pytest.raises(AssessmentRefused, match="理由类别"):
        request_exclusion(order, district.handler, "whatever", REASON)
    first = request_exclusion(order, district.handler, "abuse", REASON)
    with pytest.raises(AssessmentRefused, match="等待审批"):
        request_exclusion(order, district.unit_leader, "abuse", REASON)
    assert db.session.scalar(db.select(db.func.count()).select_from(Exclusion)) == 1
    assert first.status == "pending"


def test_decision_rules(district, make_order):
    order = make_order("accepted")
    exclusion = request_exclusion(order, district.handler, "abuse", REASON)
    with pytest.raises(AssessmentRefused, match="热线办"):
        decide_exclusion(exclusion, district.supervisor, True, None)
    with pytest.raises(AssessmentRefused, match="须写明理由"):
        decide_exclusion(exclusion, district.dispatcher, False, "")
    assert exclusion.status == "pending"
    decide_exclusion(exclusion, district.dispatcher, False, "诉求合理，应予办理")
    assert exclusion.status == "refused"
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == district.handler.id,
                                                            Notification.kind == "exclusion")) is not None
    with pytest.raises(AssessmentRefused, match="已处理"):
        decide_exclusion(exclusion, district.dispatcher, True, None)
    # refused: the unit may apply again
    again = request_exclusion(order, district.handler, "law_policy", REASON)
    decide_exclusion(again, district.dispatcher, True, None)
    with pytest.raises(AssessmentRefused, match="已剔除"):
        request_exclusion(order, district.handler, "abuse", REASON)


def test_from_the_order_page_to_the_list(district, make_order, login):
    order = make_order("replied")
    page = login(district.handler).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "申请不计入考核" in page
    response = login(district.handler).post(f"/assessment/order/{order.id}/exclusion", headers=HX,
                                            data={"reason_kind": "abuse", "reason": REASON})
    assert response.status_code == 200 and "待审批" in response.get_data(as_text=True)
    bad = login(district.handler).post(f"/assessment/order/{order.id}/exclusion", headers=HX,
                                       data={"reason_kind": "abuse", "reason": REASON})
    assert bad.status_code == 422 and "等待审批" in bad.get_data(as_text=True)
    # another unit can neither see the card nor post
    assert login(district.other_handler).post(f"/assessment/order/{order.id}/exclusion",
                                              data={"reason_kind": "abuse", "reason": REASON}).status_code == 404
    # the office decides on the list page
    client = login(district.dispatcher)
    listing = client.get("/assessment/exclusions").get_data(as_text=True)
    assert order.number in listing and "同意剔除" in listing
    exclusion = db.session.scalar(db.select(Exclusion))
    refused = client.post(f"/assessment/exclusions/{exclusion.id}/decide", headers=HX, data={"decision": "refuse"})
    assert refused.status_code == 422 and "须写明理由" in refused.get_data(as_text=True)
    done = client.post(f"/assessment/exclusions/{exclusion.id}/decide", headers=HX, data={"decision": "approve"})
    assert done.status_code == 200 and "已同意剔除" in done.get_data(as_text=True)
    assert login(district.handler).post(f"/assessment/exclusions/{exclusion.id}/decide",
                                        data={"decision": "approve"}).status_code == 403
    # the unit's list shows only its own requests
    assert order.number not in login(district.other_handler).get("/assessment/exclusions").get_data(as_text=True)


def test_excluded_orders_are_listed_apart(app, rate_world, login):
    app.config["FIXED_NOW"] = AS_OF
    page = login(rate_world.d.leader).get("/assessment/?period=2026-11").get_data(as_text=True)
    assert f'data-excluded="{rate_world.x1.number}"' in page


def test_the_card_is_for_the_unit_and_the_office_not_deputies(district, make_order, login):
    order = make_order("replied")
    order.deputy_pushed = True
    db.session.commit()
    request_exclusion(order, district.handler, "abuse", REASON + "诉求人王某。")
    assert "诉求人王某" in login(district.dispatcher).get(f"/orders/{order.id}").get_data(as_text=True)
    page = login(district.deputy).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "考核剔除" not in page and "诉求人王某" not in page
