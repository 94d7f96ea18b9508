"""The batch import sends a fixed number of statements per chunk, whatever the number of rows in it: the
known numbers, the repeat candidates, the orders, their take-in events and their repeat links are each
looked up or written once per chunk, never once per row."""
import pytest

from portal.extensions import db
from portal.intake.importer import import_file
from portal.orders.models import Order, OrderEvent, OrderLink
from tests.fixtures.city_files import city_row
from tests.fixtures.statements import recorded_statements

PER_CHUNK_AT_MOST = 6  # known numbers, repeat candidates, orders, their ids, events, links


@pytest.fixture
def statements(app):
    """Run ``import_file`` on a file and return how many statements it sent to the database."""
    def count(path, **options) -> int:
        with recorded_statements() as sent, open(path, "rb") as stream:
            result = import_file(stream, path.name, **options)
        assert not result.problems and len(result.created) == result.rows
        return len(sent)

    return count


def _rows(first: int, n: int) -> list[dict]:
    """``n`` rows from two callers who call again about the same matter: every row after the first two
    repeats an earlier one, so each chunk writes repeat links too."""
    return [city_row(i, 联系电话=f"1381111{i % 2:04d}", 诉求内容="东门外烧烤摊每晚营业到凌晨，油烟噪音扰民。")
            for i in range(first, first + n)]


def test_one_chunk_sends_the_same_statements_for_4_rows_as_for_60(city_setup, city_file, statements):
    few = statements(city_file(_rows(1, 4), "csv-utf8"))
    many = statements(city_file(_rows(101, 60), "csv-utf8"))
    assert few == many
    assert db.session.scalar(db.select(db.func.count(OrderLink.id))) > 60  # links were written both times


def test_statements_grow_with_chunks_not_rows(city_setup, city_file, statements):
    one_chunk = statements(city_file(_rows(1, 12), "csv-utf8"), chunk_size=12)
    four_chunks = statements(city_file(_rows(101, 48), "csv-utf8"), chunk_size=12)
    per_chunk = (four_chunks - one_chunk) / 3
    assert per_chunk == int(per_chunk) and 0 < per_chunk <= PER_CHUNK_AT_MOST
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 60
    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))) == 60
