"""Fuzzing what people type into forms: dates, times and numbers (portal/form_values.py), the order
actions' fields, absences on the roster, the ledger's registration, the holiday calendar's text box,
report and assessment periods. Never a 500; a refused form changes nothing."""
from urllib.parse import urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import text

from portal.extensions import db
from portal.form_values import date_or_none, datetime_or_none, int_or_none
from tests.fixtures.fuzz import BOOKKEEPING, FUZZ, TEXT

DATEISH = st.one_of(TEXT, st.dates().map(str), st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
                    st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31T23:59", "2026-11-24T25:00",
                                     "-1", "1e9", "２０２６-１１-２４", "2026/11/24", "下周"]))
NUMBERISH = st.one_of(TEXT, st.integers().map(str), st.sampled_from(["-1", "0", "1e3", "99999999999999999999", "１"]))
ORDER_ACTIONS = ["dispatch", "direct_answer", "sign_for", "first_feedback", "contribute", "reply", "request_return",
                 "request_extension", "approve_reply", "send_back", "visit", "reopen", "close"]
ORDER_FIELDS = ["note", "reason", "reply", "answer", "satisfaction", "resolution", "lead_unit_id", "standard_reply",
                "assist_unit_ids", "is_complex", "requested_due_at", "version", "view"]


def rows() -> tuple:
    """Every table's row count, and every row's changeable fields (read fresh)."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING]
    counts = tuple(db.session.execute(text("SELECT " + ", ".join(
        f'(SELECT count(*) FROM "{t.name}")' for t in tables))).one())
    orders = tuple(map(tuple, db.session.execute(text(
        "SELECT id, state, version, updated_at, lead_unit_id, reply_due_at FROM orders ORDER BY id")).all()))
    db.session.rollback()
    return counts, orders


def post_checked(client, url, data, refused=(400, 404, 409, 422)):
    """POST ``data``; never 500, and a refusal changes nothing."""
    before = rows()
    response = client.post(url, data=data)
    assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:500])
    if response.status_code in refused:
        assert rows() == before, (url, data, response.status_code)
    return response


@pytest.fixture
def accepted_order(make_order):
    return make_order("accepted")


@FUZZ
@given(value=st.one_of(st.none(), DATEISH, NUMBERISH))
def test_form_values_never_raise(value):
    problems = []
    assert int_or_none(value) is None or isinstance(int_or_none(value), int)
    date_or_none(value, "日期", problems)
    assert all("格式不正确" in p for p in problems)
    datetime_or_none(value)


@FUZZ
@given(action=st.sampled_from(ORDER_ACTIONS),
       data=st.dictionaries(st.sampled_from(ORDER_FIELDS), st.one_of(TEXT, NUMBERISH, DATEISH), max_size=6),
       role=st.sampled_from(["dispatcher", "handler"]))
@example(action="request_extension", data={"requested_due_at": "9999-12-31T23:59", "reason": "需要协调多个部门。" * 3},
         role="handler")
@example(action="dispatch", data={"lead_unit_id": "99999999999999999999"}, role="dispatcher")
def test_order_actions(district, accepted_order, login, action, data, role):
    order = accepted_order
    post_checked(login(district.people[role]), f"/orders/{order.id}/act/{action}", data)


@FUZZ
@given(start=DATEISH, end=DATEISH, kind=st.one_of(st.sampled_from(["trip", "leave", "sick"]), TEXT),
       user_id=NUMBERISH)
@example(start="2026-11-30T08:00", end="2026-12-01T18:00", kind="trip", user_id="99999999999999999999")
def test_roster_absences(district, login, start, end, kind, user_id):
    post_checked(login(district.unit_leader), f"/roster/unit/{district.chengguan.id}/absence",
                 {"user_id": user_id, "kind": kind, "start_at": start, "end_at": end})


@FUZZ
@given(data=st.fixed_dictionaries({}, optional={"title": TEXT, "description": TEXT, "owner_unit_id": NUMBERISH,
                                                "leader_id": NUMBERISH, "target_date": DATEISH,
                                                "order_numbers": TEXT}))
def test_ledger_registration(district, login, data):
    post_checked(login(district.supervisor), "/ledger/new", data)


@FUZZ
@given(lines=st.lists(st.tuples(DATEISH, st.one_of(st.sampled_from(["休", "班"]), TEXT), TEXT), max_size=5),
       sep=st.sampled_from([",", "，", "\t", " "]))
@example(lines=[("2027-02-29", "休", "春节")], sep=",")
def test_holiday_calendar_text(district, login, lines, sep):
    typed = "\n".join(sep.join(cells) for cells in lines)
    post_checked(login(district.admin), "/deadlines/calendar/text", {"text": typed})


@FUZZ
@given(kind=st.one_of(st.sampled_from(["monthly_notice", "weekly_ranking"]), TEXT),
       period=st.one_of(DATEISH, st.sampled_from(["2026-W53", "2026-W00", "2026-Q5", "2026-00", "2026-10_2026-09",
                                                   "2026-10-01_9999-12-31", "2026-13"])))
def test_report_periods(district, login, kind, period):
    post_checked(login(district.supervisor), "/reports/generate", {"kind": kind, "period": period})


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["period", "kind", "day", "start", "end", "unit_kind", "sort"]),
                             st.one_of(DATEISH, st.sampled_from(["2026-W53", "2026-Q0", "0001-01", "2026-10_2025-01"])),
                             min_size=1, max_size=3))
@pytest.mark.parametrize("path", ["/assessment/", "/assessment/export.xlsx", "/talks/", "/dashboard/"])
def test_assessment_periods(district, login, path, query):
    response = login(district.leader).get(path + "?" + urlencode(query))
    assert response.status_code in (200, 400, 404, 422), (path, query, response.status_code)
