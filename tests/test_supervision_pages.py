"""Supervision pages: the list, candidates, opening from the candidates and from the order page, the
supervision page and its actions, role by role."""
from datetime import date

import pytest

from portal.extensions import db
from portal.supervision import operations
from portal.supervision.models import Supervision

HX = {"HX-Request": "true"}
ROLES = ["dispatcher", "supervisor", "leader", "admin", "handler", "unit_leader", "other_handler", "deputy"]


def test_candidates_list_overdue_unsatisfied_and_repeated(district, make_order, login, app):
    from datetime import datetime

    overdue = make_order("dispatched", caller_phone="13900000001", content="路灯不亮已经一周。")
    overdue.next_due_at = datetime(2026, 11, 20, 17, 0)
    fine = make_order("accepted", caller_phone="13900000002", content="井盖缺失，存在安全隐患。")
    unhappy = make_order("approved", caller_phone="13900000003", content="小区垃圾清运不及时。")
    from portal.orders import operations as order_ops

    order_ops.apply(unhappy.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="unresolved",
                    reason="问题依旧")
    repeated = make_order("accepted", caller_phone="13900000004", content="噪音扰民，夜间施工。")
    repeated.is_repeat = True
    db.session.commit()
    client = login(district.supervisor)
    page = client.get("/supervision/candidates?kind=overdue").get_data(as_text=True)
    assert overdue.number in page and fine.number not in page
    page = client.get("/supervision/candidates?kind=unsatisfied", headers=HX).get_data(as_text=True)
    assert unhappy.number in page and overdue.number not in page and "<html" not in page
    page = client.get("/supervision/candidates?kind=repeated").get_data(as_text=True)
    assert repeated.number in page and unhappy.number not in page
    page = client.get(f"/supervision/candidates?kind=overdue&unit={district.zhujian.id}").get_data(as_text=True)
    assert overdue.number not in page


def test_open_from_the_form(district, make_order, login):
    a = make_order("accepted")
    b = make_order("accepted", lead=district.zhujian)
    client = login(district.supervisor)
    form = client.get(f"/supervision/new?order={a.id}&order={b.id}&step=reminder").get_data(as_text=True)
    assert a.number in form and b.number in form and "分别生成督办记录" in form
    response = client.post("/supervision/new", data={
        "order": [a.id, b.id], "step": "supervision", "level": "oa", "reason": "overdue",
        "requirements": "请三个工作日内办结并书面反馈。", "answer_due": "2026-11-28", "issue_notice": "1"})
    assert response.status_code == 302
    records = db.session.scalars(db.select(Supervision)).all()
    assert len(records) == 2 and all(r.notice is not None for r in records)
    assert sorted(r.notice.number for r in records) == ["督字〔2026〕第0001号", "督字〔2026〕第0002号"]


def test_a_refused_open_keeps_what_was_typed(district, make_order, login):
    a = make_order("accepted")
    client = login(district.supervisor)
    response = client.post("/supervision/new", data={
        "order": [a.id], "step": "supervision", "level": "leader", "reason": "overdue",
        "requirements": "领导牵头，限期解决。", "answer_due": "2026-11-28"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "牵头的区领导" in body and "领导牵头，限期解决。" in body
    assert db.session.scalar(db.select(db.func.count(Supervision.id))) == 0


def test_order_page_offers_supervision_to_supervisors_only(district, make_order, login, open_supervision):
    order = make_order("accepted")
    page = login(district.supervisor).get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/supervision/new?order={order.id}" in page
    assert f"/ledger/new?order={order.number}" in page  # or register the matter in the ledger
    for role in ("dispatcher", "handler", "leader"):
        page = login(district.people[role]).get(f"/orders/{order.id}").get_data(as_text=True)
        assert "/supervision/new" not in page and "/ledger/new" not in page
    s = open_supervision(orders=[order])
    page = login(district.handler).get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/supervision/{s.id}" in page and "督办" in page
    page = login(district.supervisor).get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/supervision/new?order={order.id}" not in page  # already being pressed


def test_unit_sees_its_open_supervisions(district, make_order, login, open_supervision):
    mine = open_supervision()
    theirs = open_supervision(orders=[make_order("accepted", lead=district.zhujian)])
    page = login(district.handler).get("/supervision/").get_data(as_text=True)
    assert f"/supervision/{mine.id}\"" in page and f"/supervision/{theirs.id}\"" not in page
    page = login(district.supervisor).get("/supervision/").get_data(as_text=True)
    assert f"/supervision/{mine.id}\"" in page and f"/supervision/{theirs.id}\"" in page
    page = login(district.supervisor).get(f"/supervision/?unit={district.zhujian.id}").get_data(as_text=True)
    assert f"/supervision/{mine.id}\"" not in page and f"/supervision/{theirs.id}\"" in page


@pytest.mark.parametrize("role,status", [("supervisor", 200), ("leader", 200), ("admin", 200), ("dispatcher", 200),
                                         ("handler", 200), ("unit_leader", 200), ("other_handler", 404),
                                         ("deputy", 404)])
def test_supervision_page_by_role(district, login, open_supervision, role, status):
    s = open_supervision()
    assert login(district.people[role]).get(f"/supervision/{s.id}").status_code == status


def test_the_whole_round_on_the_pages(district, login, open_supervision):
    s = open_supervision(issue_notice=True)
    handler = login(district.handler)
    page = handler.get(f"/supervision/{s.id}").get_data(as_text=True)
    assert "提交反馈" in page and "审核通过并办结" not in page
    short = handler.post(f"/supervision/{s.id}/act/answer", headers=HX, data={"text": "太短"})
    assert short.status_code == 422 and "至少10个字" in short.get_data(as_text=True)
    response = handler.post(f"/supervision/{s.id}/act/answer", headers=HX,
                            data={"text": "已现场处置完毕，占道摊点全部清理，并回复市民。"})
    assert response.status_code == 200 and "已提交反馈" in response.get_data(as_text=True)
    supervisor = login(district.supervisor)
    page = supervisor.get(f"/supervision/{s.id}").get_data(as_text=True)
    assert "审核通过并办结" in page and "退回重报" in page
    response = supervisor.post(f"/supervision/{s.id}/act/send_back", headers=HX, data={"note": ""})
    assert response.status_code == 422 and "退回须说明理由" in response.get_data(as_text=True)
    supervisor.post(f"/supervision/{s.id}/act/send_back", data={"note": "请补充现场照片。"})
    db.session.expire_all()
    assert db.session.get(Supervision, s.id).state == "sent_back"
    login(district.handler).post(f"/supervision/{s.id}/act/answer",
                                 data={"text": "补充：现场照片见附件，摊点已全部清理。"})
    response = login(district.supervisor).post(f"/supervision/{s.id}/act/accept", headers=HX, data={})
    assert "督办已办结" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Supervision, s.id).state == "accepted"


def test_escalate_on_the_page(district, login, open_supervision):
    s = open_supervision(step="reminder")
    response = login(district.supervisor).post(f"/supervision/{s.id}/act/escalate", data={
        "requirements": "催办后仍未处置，现予督办。", "answer_due": "2026-11-27", "level": "system", "issue_notice": "1"})
    assert response.status_code == 302
    upper = db.session.scalars(db.select(Supervision).where(Supervision.parent_id == s.id)).one()
    assert response.headers["Location"].endswith(f"/supervision/{upper.id}")
    assert upper.step == "supervision" and upper.notice is not None


@pytest.mark.parametrize("role", ["handler", "other_handler", "leader", "dispatcher", "deputy", "admin"])
def test_others_cannot_decide_or_escalate(district, login, open_supervision, role):
    s = open_supervision()
    operations.answer(district.handler, s.id, "已现场处置完毕，并回复市民。")
    client = login(district.people[role])
    for action, data in [("accept", {}), ("send_back", {"note": "不行，重来一遍。"}),
                         ("escalate", {"requirements": "升级督办试试看。", "answer_due": "2026-11-30"}),
                         ("issue_notice", {})]:
        response = client.post(f"/supervision/{s.id}/act/{action}", data=data)
        assert response.status_code in (404, 422), (role, action)
    db.session.expire_all()
    fresh = db.session.get(Supervision, s.id)
    assert fresh.state == "answered" and not fresh.notices


def test_unknown_action_is_404(district, login, open_supervision):
    s = open_supervision()
    assert login(district.supervisor).post(f"/supervision/{s.id}/act/delete").status_code == 404
    assert login(district.supervisor).post("/supervision/999/act/accept").status_code == 404


def test_order_timeline_shows_supervision_steps(district, make_order, login, open_supervision):
    order = make_order("accepted")
    s = open_supervision(orders=[order], step="reminder")
    operations.escalate(district.supervisor, s.id, requirements="催办后仍未解决，升级督办。",
                        answer_due=date(2026, 11, 30), issue_notice=True)
    page = login(district.handler).get(f"/orders/{order.id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):]
    assert "催办" in timeline and "督办通知单" in timeline and "督字〔2026〕第0001号" in timeline


def test_a_later_satisfied_visit_takes_an_order_off_the_unsatisfied_candidates(district, make_order, login):
    from portal.orders import operations as order_ops

    order = make_order("approved", caller_phone="13900000011", content="楼道堆放杂物，存在消防隐患。")
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction="unsatisfied", resolution="unresolved",
                    reason="杂物仍未清理")
    client = login(district.supervisor)
    assert order.number in client.get("/supervision/candidates?kind=unsatisfied").get_data(as_text=True)
    order_ops.apply(order.id, "reopen", district.dispatcher, reason="请彻底清理楼道杂物。")
    order_ops.apply(order.id, "sign_for", district.handler)
    order_ops.apply(order.id, "reply", district.handler, reply="已联系物业清理楼道杂物，并张贴消防提示。")
    order_ops.apply(order.id, "approve_reply", district.dispatcher)
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction="satisfied", resolution="resolved")
    assert order.number not in client.get("/supervision/candidates?kind=unsatisfied").get_data(as_text=True)


def test_the_units_inbox_points_to_supervisions_waiting(district, login, open_supervision):
    page = login(district.handler).get("/orders/inbox").get_data(as_text=True)
    assert 'id="supervision-alert"' not in page
    open_supervision(answer_due=date(2026, 11, 30))
    late = open_supervision(answer_due=date(2026, 11, 24))
    from portal.extensions import db as _db

    late.answer_due = date(2026, 11, 20)  # past its deadline now
    _db.session.commit()
    page = login(district.handler).get("/orders/inbox").get_data(as_text=True)
    assert "本单位有 <strong>2</strong> 件督办待反馈" in page and "<strong>1</strong> 件已逾期" in page
    other = login(district.other_handler).get("/orders/inbox").get_data(as_text=True)
    assert 'id="supervision-alert"' not in other


def test_only_printable_notices_can_be_ticked(district, make_user, login, open_supervision):
    s = open_supervision(issue_notice=True)
    other = make_user("supervisor", district.office)
    assert f'name="notice" value="{s.notice.id}"' not in login(other).get("/supervision/").get_data(as_text=True)
    assert f'name="notice" value="{s.notice.id}"' in login(district.leader).get("/supervision/").get_data(as_text=True)
