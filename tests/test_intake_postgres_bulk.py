"""How a chunk of an import is written: ids in file order that later orders never take again, the
foreign-key checks of the chunk's writes planned once on PostgreSQL while its lookups keep plans made
for their values, and nothing of a chunk left when one of its writes fails."""
import pytest

from portal.extensions import db
from portal.intake.importer import ImportInterrupted, import_file
from portal.orders import operations
from portal.orders.models import Order, OrderEvent, OrderLink
from tests.fixtures.app import is_postgres
from tests.fixtures.city_files import city_row

postgres_only = pytest.mark.skipif(not is_postgres(), reason="a PostgreSQL setting; the PostgreSQL leg runs it")
CALLER = {"联系电话": "13811112222", "诉求内容": "东门外烧烤摊每晚营业到凌晨，油烟噪音扰民。"}


def run(path, **options):
    with open(path, "rb") as stream:
        return import_file(stream, path.name, **options)


def plan_mode() -> str:
    return db.session.scalar(db.text("SHOW plan_cache_mode"))


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_ids_follow_the_file_and_a_later_order_gets_a_new_one(city_setup, city_file, make_order):
    result = run(city_file([city_row(n, **CALLER) for n in range(1, 8)], "csv-utf8"), chunk_size=3)
    ids = [taken.order_id for taken in result.created]
    assert ids == sorted(ids) and len(set(ids)) == 7
    stored = dict(db.session.execute(db.select(Order.number, Order.id)).all())
    assert [stored[taken.city_no] for taken in result.created] == ids
    events = dict(db.session.execute(db.select(OrderEvent.order_id, OrderEvent.action)).all())
    assert sorted(events) == ids  # each take-in event on its own order
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderLink).where(
        OrderLink.earlier_id.not_in(ids))) == 0 and count(OrderLink) > 0

    assert make_order(number="SX2026199999").id > max(ids)  # the sequence moved past the ids the import drew


@postgres_only
def test_writes_plan_their_checks_once_and_lookups_plan_for_their_values(city_setup, city_file, monkeypatch):
    seen = []
    write = operations._insert_rows

    def watched(table, rows):
        seen.append((table.name, plan_mode()))
        write(table, rows)

    monkeypatch.setattr(operations, "_insert_rows", watched)
    real_receive_many = operations.add_new_many
    after = []

    def receive_many(*args, **kwargs):
        ids = real_receive_many(*args, **kwargs)
        after.append(plan_mode())  # still in the chunk's transaction
        return ids

    monkeypatch.setattr("portal.intake.operations.add_new_many", receive_many)
    run(city_file([city_row(n, **CALLER) for n in range(1, 6)], "csv-utf8"), chunk_size=3)
    assert seen == [("orders", "auto"), ("order_events", "auto"), ("order_links", "auto")] * 2
    assert after == ["force_custom_plan"] * 2
    assert plan_mode() == "force_custom_plan"


def test_a_failed_write_leaves_nothing_of_its_chunk(city_setup, city_file, monkeypatch):
    write = operations._insert_rows

    def failing(table, rows):
        if table.name == "order_links":
            raise RuntimeError("connection lost")
        write(table, rows)

    monkeypatch.setattr(operations, "_insert_rows", failing)
    with pytest.raises(ImportInterrupted):
        run(city_file([city_row(n, **CALLER) for n in range(1, 4)], "csv-utf8"))
    assert (count(Order), count(OrderEvent), count(OrderLink)) == (0, 0, 0)
    if is_postgres():
        assert plan_mode() == "force_custom_plan"
