"""The meeting's record and what follows from it: bad input changes nothing; applying the decisions
reassigns every order in one step (an event on each) or, on one refusal, nothing at all; follow-up items
go overdue (case page, dashboard, one notification); a responsibility review's ruling changes the next
dispatch suggestion and the list links back; items done, then the case closes."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.consultation import meetings
from portal.consultation.models import (ConsultationDecision, ConsultationEvent, ConsultationRuling,
                                        ConsultationTask)
from portal.consultation.states import Refused
from portal.dispatching.models import ResponsibilityItem
from portal.dispatching.suggest import suggest
from portal.extensions import db
from portal.jobs.operations import run_period
from portal.jobs.registry import jobs_for
from portal.notifications.models import Notification
from portal.orders.models import Order, OrderEvent
from tests.fixtures.consultation_meetings import DUE, MINUTES, attendance_of, decisions_for

PREPAID = "万达广场健身房预付卡办卡后门店关门跑路，要求退还预付卡余额。"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- recording ---------------------------------------------------------------------------------------

def _bad_inputs(d, case):
    good = decisions_for(case, d.zhujian, [d.chengguan])
    past = decisions_for(case, d.zhujian, [d.chengguan], due=date(2026, 11, 20))
    no_assist_duty = decisions_for(case, d.zhujian, [d.chengguan])
    no_assist_duty[0]["duties"] = no_assist_duty[0]["duties"][:1]
    office_lead = decisions_for(case, d.office)
    stranger = decisions_for(case, d.zhujian)
    stranger[0]["duties"].append({"unit_id": d.street.id, "duty": "负责沿街巡查", "due": DUE})
    half = attendance_of(case)
    half[0]["attendee"] = ""
    ruling = [{"matter": "预付卡", "keywords": "预付卡", "lead_unit_id": d.zhujian.id}]
    return {
        "不出席登记": ([], MINUTES, good, (), "是否出席"),
        "出席无人名": (half, MINUTES, good, (), "出席人员"),
        "纪要过短": (attendance_of(case), "同意。", good, (), "会议纪要"),
        "缺少工单决定": (attendance_of(case), MINUTES, [], (), "确定主办单位"),
        "期限已过": (attendance_of(case), MINUTES, past, (), "不能早于今天"),
        "协办无职责": (attendance_of(case), MINUTES, no_assist_duty, (), "区城管局"),
        "热线办主办": (attendance_of(case), MINUTES, office_lead, (), "主办单位"),
        "职责单位不在决定中": (attendance_of(case), MINUTES, stranger, (), "主办或协办单位"),
        "联合会商不认定清单": (attendance_of(case), MINUTES, good, ruling, "联席研判"),
    }


@pytest.mark.parametrize("name", ["不出席登记", "出席无人名", "纪要过短", "缺少工单决定", "期限已过", "协办无职责",
                                  "热线办主办", "职责单位不在决定中", "联合会商不认定清单"])
def test_recording_with_bad_input_changes_nothing(district, convened_case, name):
    case = convened_case()
    attendance, minutes, decisions, rulings, message = _bad_inputs(district, case)[name]
    events = count(ConsultationEvent)
    with pytest.raises(Refused, match=message):
        meetings.record_meeting(district.dispatcher, case, attendance, minutes, decisions, rulings)
    db.session.rollback()
    db.session.refresh(case)
    assert case.state == "preparing" and case.meeting.minutes is None and case.meeting.recorded_at is None
    assert all(i.present is None for i in case.meeting.invitations)
    assert count(ConsultationDecision) == 0 and count(ConsultationEvent) == events


def test_only_the_office_records_and_only_while_preparing(district, convened_case):
    case = convened_case()
    args = (attendance_of(case), MINUTES, decisions_for(case, district.zhujian, [district.chengguan]))
    with pytest.raises(Refused, match="只有"):
        meetings.record_meeting(district.handler, case, *args)
    db.session.rollback()
    meeting = meetings.record_meeting(district.dispatcher, case, *args)
    assert case.state == "decided" and meeting.recorded_by_id == district.dispatcher.id
    assert [(i.present, i.attendee) for i in meeting.invitations] == [(True, "区城管局分管负责人"),
                                                                      (True, "区住建局分管负责人")]
    (decision,) = meeting.decisions
    assert decision.lead_unit_id == district.zhujian.id and decision.assist_unit_ids == [district.chengguan.id]
    assert [d["part"] for d in decision.duties] == ["lead", "assist"]
    with pytest.raises(Refused, match="已形成决定"):
        meetings.record_meeting(district.dispatcher, case, *args)


# --- applying ----------------------------------------------------------------------------------------

def test_apply_reassigns_every_order_in_one_step(district, make_order, decided_case):
    orders = [make_order("accepted"), make_order("replied", caller_phone="13900000001", content="夜市油烟扰民。")]
    case = decided_case(orders=orders)
    versions = {o.id: o.version for o in orders}
    tasks = meetings.apply_decisions(district.dispatcher, case)
    assert case.state == "following"
    for order in orders:
        db.session.refresh(order)
        assert (order.state, order.lead_unit_id, order.handler_id) == ("dispatched", district.zhujian.id,
                                                                       district.other_handler.id)
        assert order.is_complex and order.version == versions[order.id] + 1
        assert {u.unit_id for u in order.units if u.active} == {district.zhujian.id, district.chengguan.id}
        event = order.events[-1]
        assert event.action == "reassign" and event.data["consultation_id"] == case.id
        assert f"会商 #{case.id}" in event.note and "区住建局" in event.note
    assert len(tasks) == 4 and {(t.unit_id, t.part) for t in tasks} == {
        (district.zhujian.id, "lead"), (district.chengguan.id, "assist")}
    assert all(t.due == DUE and t.done_at is None for t in tasks)
    assert all(d.applied_at for d in case.meeting.decisions)
    told = db.session.scalars(select(Notification.text).where(Notification.user_id == district.other_handler.id,
                                                              Notification.kind == "consultation")).all()
    assert any("2项落实事项" in t for t in told)


def test_a_refusal_on_one_order_rolls_back_everything(district, make_order, convened_case):
    orders = [make_order("accepted"), make_order("accepted", caller_phone="13900000002", content="路灯不亮。")]
    case = convened_case(orders=orders)
    decisions = decisions_for(case, district.zhujian)
    # 东关社区 has no one to receive orders: the second reassignment is refused
    decisions[1] = decisions_for(case, district.community)[1]
    meetings.record_meeting(district.dispatcher, case, attendance_of(case), MINUTES, decisions)
    before = [(o.id, o.state, o.lead_unit_id, o.version, len(o.events)) for o in orders]
    with pytest.raises(Refused, match="所有工单均未改动.*东关社区"):
        meetings.apply_decisions(district.dispatcher, case)
    db.session.expire_all()
    after = [(o.id, o.state, o.lead_unit_id, o.version, len(o.events))
             for o in (db.session.get(Order, o_id) for o_id, *_ in before)]
    assert after == before
    assert count(ConsultationTask) == 0
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.action == "reassign")) == 0
    assert case.state == "decided" and all(d.applied_at is None for d in case.meeting.decisions)


def test_closed_orders_get_tasks_but_stay_closed(district, make_order, decided_case):
    closed = make_order("closed")
    case = decided_case(orders=[closed])
    tasks = meetings.apply_decisions(district.dispatcher, case)
    db.session.refresh(closed)
    assert closed.state == "closed" and closed.lead_unit_id == district.chengguan.id
    assert len(tasks) == 2 and case.state == "following"


# --- follow-up items ---------------------------------------------------------------------------------

def test_an_overdue_item_is_shown_and_notified_once(app, district, decided_case, login):
    case = decided_case(due=date(2026, 11, 26), apply=True)
    assert meetings.overdue_tasks(date(2026, 11, 26)) == []
    app.config["FIXED_NOW"] = datetime(2026, 11, 27, 9, 0)
    late = meetings.overdue_tasks(date(2026, 11, 27))
    assert {t.unit_id for t in late} == {district.zhujian.id, district.chengguan.id} and all(t.overdue for t in late)
    job = jobs_for(app)["consultation_overdue_tasks"]
    run = run_period(job, job.period_start(datetime(2026, 11, 27, 9, 0)), holder="test")
    assert run.status == "done" and run.result == "2 项落实事项超期，已通知", run.error
    assert job.run(datetime(2026, 11, 27, 10, 0)) == "无新超期的落实事项"
    texts = db.session.scalars(select(Notification.text).where(Notification.kind == "overdue")).all()
    owner = [n for n in db.session.scalars(select(Notification).where(
        Notification.kind == "overdue", Notification.user_id == district.dispatcher.id))]
    assert len(owner) == 2 and all("已超期" in t for t in texts)
    assert len([t for t in texts if "区住建局" in t]) == 1 + 1  # its handler, and the owner
    page = login(district.leader).get(f"/consultations/{case.id}").get_data(as_text=True)
    assert "已超期" in page and 'data-task-overdue="1"' in page
    board = login(district.leader).get("/dashboard/").get_data(as_text=True)
    assert "会商落实事项超期" in board and f"/consultations/{case.id}" in board and "区住建局" in board


def test_items_done_then_the_case_closes(district, decided_case, login):
    case = decided_case(apply=True)
    lead_task, assist_task = case.tasks
    with pytest.raises(Refused, match="承担该事项"):
        meetings.complete_task(district.street_handler, lead_task, "已完成整治。")
    with pytest.raises(Refused, match="承担该事项"):
        meetings.complete_task(district.handler, lead_task, "已完成整治。")  # 区城管局 assists, not leads
    db.session.rollback()
    meetings.complete_task(district.other_handler, lead_task, "整治方案已印发并组织实施。")
    with pytest.raises(Refused, match="还有1项"):
        meetings.close_case(district.dispatcher, case)
    db.session.rollback()
    with pytest.raises(Refused, match="落实情况"):
        meetings.complete_task(district.handler, assist_task, "好")
    db.session.rollback()
    client = login(district.handler)
    response = client.post(f"/consultations/tasks/{assist_task.id}/done", data={"note": "已开展联合执法三次。"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已办结" in response.get_data(as_text=True)
    db.session.expire_all()
    with pytest.raises(Refused, match="已办结"):
        meetings.complete_task(district.handler, db.session.get(ConsultationTask, assist_task.id), "再次办结。")
    db.session.rollback()
    with pytest.raises(Refused, match="只有"):
        meetings.close_case(district.handler, case)
    db.session.rollback()
    meetings.close_case(district.dispatcher, case)
    assert case.state == "closed" and case.closed_at is not None
    assert [e.action for e in case.events][-3:] == ["task_done", "task_done", "close"]


# --- responsibility review ---------------------------------------------------------------------------

def test_a_ruling_changes_the_next_dispatch_suggestion(district, make_order, decided_case, login):
    db.session.add(ResponsibilityItem(matter="预付卡退费", keywords="预付卡", lead_unit_id=district.chengguan.id,
                                      assist_unit_ids=[], updated_at=datetime(2026, 1, 5)))
    db.session.commit()
    assert suggest(content=PREPAID)["lead"][0]["unit_id"] == district.chengguan.id
    ruling = {"matter": "预付卡退费", "keywords": "预付卡、办卡、退卡", "category_id": "",
              "lead_unit_id": district.zhujian.id, "assist_unit_ids": [district.street.id]}
    case = decided_case(orders=[make_order("accepted", content=PREPAID)], kind="responsibility",
                        rulings=[ruling], apply=True)
    item = db.session.scalar(select(ResponsibilityItem).where(ResponsibilityItem.matter == "预付卡退费"))
    assert (item.lead_unit_id, item.assist_unit_ids, item.consultation_id) == (
        district.zhujian.id, [district.street.id], case.id)
    assert item.note.startswith(f"依联席研判 #{case.id}")
    ruled = db.session.scalar(select(ConsultationRuling))
    assert ruled.item_id == item.id and ruled.applied_at is not None
    first = suggest(content=PREPAID)["lead"][0]
    assert first["unit_id"] == district.zhujian.id and first["source"] == "list"
    page = login(district.dispatcher).get("/dispatching/list").get_data(as_text=True)
    assert f"依联席研判 #{case.id}" in page and f'href="/consultations/{case.id}"' in page
    page = login(district.admin).get("/dispatching/list").get_data(as_text=True)  # the admin cannot open cases
    assert f"依联席研判 #{case.id}" in page and f'href="/consultations/{case.id}"' not in page


def test_a_responsibility_review_needs_a_ruling(district, convened_case):
    case = convened_case(kind="responsibility")
    with pytest.raises(Refused, match="至少认定"):
        meetings.record_meeting(district.dispatcher, case, attendance_of(case), MINUTES, [])
    db.session.rollback()
    bad = [{"matter": "预付卡", "keywords": "卡", "lead_unit_id": district.zhujian.id}]
    with pytest.raises(Refused, match="第1项主协办认定"):
        meetings.record_meeting(district.dispatcher, case, attendance_of(case), MINUTES, [], bad)


# --- the pages ---------------------------------------------------------------------------------------

def _form(case, d, **changes):
    first, second = case.meeting.invitations
    data = {f"present-{first.id}": "1", f"attendee-{first.id}": "王建国 副局长", f"present-{second.id}": "0",
            "minutes": MINUTES, "d0-lead": str(d.zhujian.id), "d0-assists": [str(d.chengguan.id)],
            "d0-u0": str(d.zhujian.id), "d0-t0": "牵头制定整治方案", "d0-due0": "2026-12-04",
            "d0-u1": str(d.chengguan.id), "d0-t1": "配合开展联合执法", "d0-due1": "2026-12-04"}
    data.update(changes)
    return data


def test_the_record_form(district, convened_case, login):
    case = convened_case()
    assert login(district.street_handler).get(f"/consultations/{case.id}/record").status_code == 404
    assert login(district.handler).get(f"/consultations/{case.id}/record").status_code == 403
    client = login(district.dispatcher)
    page = client.get(f"/consultations/{case.id}").get_data(as_text=True)
    assert 'data-action="record"' in page and 'data-action="issue_notice"' in page
    form = client.get(f"/consultations/{case.id}/record").get_data(as_text=True)
    assert case.orders[0].number in form and "区住建局" in form and 'data-decision="whole"' in form
    assert "data-rulings-form" not in form  # only a responsibility review rules on the list
    bad = client.post(f"/consultations/{case.id}/record", data=_form(case, district, **{"d0-due1": "2026-11-01"}))
    assert bad.status_code == 422 and "不能早于今天" in bad.get_data(as_text=True)
    assert "王建国 副局长" in bad.get_data(as_text=True)  # what was typed comes back
    db.session.expire_all()
    assert case.state == "preparing" and count(ConsultationDecision) == 0
    assert client.post(f"/consultations/{case.id}/record", data=_form(case, district)).status_code == 302
    db.session.expire_all()
    assert case.state == "decided"
    assert [(i.present, i.attendee) for i in case.meeting.invitations] == [(True, "王建国 副局长"), (False, None)]
    page = client.get(f"/consultations/{case.id}").get_data(as_text=True)
    assert "牵头制定整治方案" in page and "缺席" in page and 'data-action="apply"' in page
    assert client.post(f"/consultations/{case.id}/apply").status_code == 302
    db.session.expire_all()
    assert case.state == "following" and case.orders[0].lead_unit_id == district.zhujian.id
    # a unit sees its follow-up item in its inbox
    inbox = login(district.other_handler).get("/orders/inbox").get_data(as_text=True)
    assert "会商落实事项" in inbox and "牵头制定整治方案" in inbox


def test_a_refused_apply_shows_why(district, make_order, convened_case, login):
    case = convened_case()
    meetings.record_meeting(district.dispatcher, case, attendance_of(case), MINUTES,
                            decisions_for(case, district.community))
    response = login(district.dispatcher).post(f"/consultations/{case.id}/apply")
    assert response.status_code == 422 and "东关社区" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == "decided"
    assert login(district.handler).post(f"/consultations/{case.id}/apply").status_code == 403
