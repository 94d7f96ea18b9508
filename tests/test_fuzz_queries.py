"""Fuzzing searches and list filters: random text (LIKE wildcards, backslashes, quotes, NUL, very long) in
every query-string parameter the lists read, on the staff lists, the public pages and Open311, answers
200 or a 4xx with a message, never 500 (on PostgreSQL too, where a NUL byte in a query is an error)."""
from urllib.parse import urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fixtures.fuzz import FUZZ, TEXT

# Each list with a role that may open it.
STAFF_LISTS = {"/orders/": "dispatcher", "/orders/pool": "dispatcher", "/orders/review": "dispatcher",
               "/orders/visits": "dispatcher", "/orders/inbox": "handler", "/ledger/": "supervisor",
               "/ledger/export.xlsx": "supervisor", "/supervision/": "supervisor",
               "/supervision/candidates": "supervisor", "/supervision/notices/print": "supervisor",
               "/consultations/": "dispatcher", "/replies/": "dispatcher", "/replies/candidates": "dispatcher",
               "/deputies/": "dispatcher", "/assessment/": "leader", "/assessment/exclusions": "dispatcher",
               "/reports/": "leader", "/dashboard/": "leader", "/talks/": "supervisor", "/talks/notices": "handler",
               "/notifications/": "handler", "/dispatching/list": "admin", "/publishing/orders": "dispatcher",
               "/publishing/preview": "dispatcher", "/units/": "admin", "/roster/": "admin", "/jobs/": "admin",
               "/deadlines/calendar": "admin", "/deputies/mine": "deputy"}
PUBLIC = ["/public/replies/", "/public/rankings", "/open311/v2/requests.json", "/open311/v2/requests.xml",
          "/open311/v2/services.json", "/open311/"]
PARAMS = ["q", "page", "tab", "kind", "unit", "state", "step", "period", "order", "category", "view", "status",
          "level", "day", "urgency", "unit_kind", "start", "end", "sort", "dir", "cursor", "first", "last", "show",
          "start_date", "end_date", "service_request_id", "service_code", "deadline", "notice", "edit"]
QUERY = st.dictionaries(st.sampled_from(PARAMS), TEXT, min_size=1, max_size=4)
NUL_SEARCH = {"q": "油烟\x00%_\\'"}
HUGE_PAGE = {"page": "99999999999999999999"}


@pytest.fixture
def listed(district, make_order, make_reply, open_supervision, make_entry):
    """Something on every list: an order, supervised and on the ledger, and a published standard reply."""
    order = make_order("accepted")
    open_supervision(orders=[order])
    make_entry(orders=[order])
    make_reply("published")
    return district


def check(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (200, 302, 400, 404, 422), response.status_code


@FUZZ
@given(path=st.sampled_from(sorted(STAFF_LISTS)), query=QUERY)
@example(path="/orders/", query=NUL_SEARCH)
@example(path="/orders/inbox", query=NUL_SEARCH)
@example(path="/ledger/", query=NUL_SEARCH)
@example(path="/orders/", query=HUGE_PAGE)
@example(path="/supervision/", query=HUGE_PAGE)
@example(path="/consultations/", query=HUGE_PAGE)
@example(path="/notifications/", query=HUGE_PAGE)
@example(path="/replies/", query=HUGE_PAGE)
@example(path="/ledger/", query=HUGE_PAGE)
def test_staff_lists(listed, login, path, query):
    check(login(listed.people[STAFF_LISTS[path]]).get(path + "?" + urlencode(query)))


@FUZZ
@given(path=st.sampled_from(PUBLIC), query=QUERY)
@example(path="/public/replies/", query=NUL_SEARCH)
@example(path="/public/replies/", query=HUGE_PAGE)
@example(path="/open311/v2/requests.json", query={"service_request_id": "SX\x00", "status": "open\x00"})
def test_public_pages(client, listed, path, query):
    check(client.get(path + "?" + urlencode(query)))


def test_a_nul_in_a_search_is_a_400_not_a_server_error(listed, login, client):
    assert login(listed.dispatcher).get("/orders/?q=%E6%B2%B9%00").status_code == 400
    assert client.get("/public/replies/?q=%00").status_code == 400


def test_a_huge_page_number_is_the_first_page(listed, login):
    response = login(listed.dispatcher).get("/orders/?page=99999999999999999999")
    assert response.status_code == 200 and "SX2026" in response.get_data(as_text=True)
