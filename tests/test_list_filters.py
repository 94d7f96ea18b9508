"""The text search shared by the order and ledger lists: % and _ typed by a user are literal characters."""
from urllib.parse import quote

from portal.list_filters import ListFilters


def test_typed_wildcards_are_literal():
    f = ListFilters(q="50%_a\\b")
    assert f.q_pattern == "%50\\%\\_a\\\\b%"


def test_order_search_for_a_percent_finds_only_that(district, make_order, login):
    make_order(content="商场宣传全场打折50%，结账时却按原价收费。", caller_phone="13811110001")
    make_order(content="商场宣传满500元减100元，结账时却不给减。", caller_phone="13811110002")
    page = login(district.dispatcher).get("/orders/?q=" + quote("50%")).get_data(as_text=True)
    assert "打折50%" in page and "满500元" not in page
