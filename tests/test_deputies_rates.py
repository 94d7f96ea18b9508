"""代表转办: the flag from the take-in form and the city import, and its rates shown apart."""
from datetime import timedelta

from sqlalchemy import select

from portal.assessment.periods import parse
from portal.assessment.rates import compute
from portal.clock import now
from portal.extensions import db
from portal.intake.importer import import_file
from portal.orders import operations as order_ops
from portal.orders.models import Order
from tests.fixtures.city_files import CITY_HEADERS, city_row


def _visited(make_order, district, n, via_deputy, satisfaction="satisfied"):
    order = make_order("approved", caller_phone=f"1370000{n:04d}", address=f"城关街道光明街{n}号",
                       content=["电梯停运一周无人维修。", "路口红绿灯损坏。", "小区垃圾无人清运。", "夜市噪音扰民。"][n],
                       via_deputy=via_deputy)
    order_ops.apply(order.id, "visit", district.dispatcher, satisfaction=satisfaction,
                    resolution="resolved" if satisfaction != "unsatisfied" else "unresolved",
                    reason="仍未修好" if satisfaction == "unsatisfied" else "")
    return order


def test_rates_apart_with_numbers(make_order, district, login):
    _visited(make_order, district, 0, True)
    _visited(make_order, district, 1, True, "unsatisfied")
    _visited(make_order, district, 2, False)
    late = _visited(make_order, district, 3, False)
    late.reply_due_at = late.replied_at - timedelta(hours=1)  # replied after its deadline
    db.session.commit()
    period = parse("2026-11")
    deputy = compute(period, now(), by="district", only_via_deputy=True).total
    everyone = compute(period, now(), by="district").total
    assert (deputy.counts["reply_due"], deputy.counts["replied_on_time"], deputy.counts["visited"]) == (2, 2, 2)
    assert deputy.rates["on_time_reply"] == 1.0 and deputy.rates["satisfaction_process"] == 0.5
    assert (everyone.counts["reply_due"], everyone.counts["visited"]) == (4, 4)
    assert everyone.rates["on_time_reply"] == 0.75 and everyone.rates["satisfaction_process"] == 0.75
    html = login(district.dispatcher).get("/deputies/").get_data(as_text=True)
    assert "代表转办工单" in html and "100.00%" in html and "50.00%" in html and "75.00%" in html


def test_take_in_form_sets_the_flag(district, category, login):
    client = login(district.dispatcher)
    data = {"number": "SX-DB-1", "channel": "phone", "type": "complaint", "urgency": "normal",
            "category_id": category.id, "caller_name": "陈红", "caller_phone": "13811112222",
            "address": "城关街道建设路1号", "content": "人大代表转来：小区门口道路破损严重。", "via_deputy": "1"}
    assert client.post("/orders/new", data=data).status_code == 302
    assert db.session.scalar(select(Order.via_deputy).where(Order.number == "SX-DB-1")) is True
    client.post("/orders/new", data={**data, "number": "SX-DB-2", "via_deputy": ""})
    assert db.session.scalar(select(Order.via_deputy).where(Order.number == "SX-DB-2")) is False
    assert 'name="via_deputy"' in client.get("/orders/new").get_data(as_text=True)


def test_city_import_reads_the_column(city_setup, city_file):
    rows = [city_row(1, 代表转办="是"), city_row(2, 代表转办="否"), city_row(3, 代表转办="")]
    path = city_file(rows, headers=CITY_HEADERS + ["代表转办"])
    with open(path, "rb") as stream:
        result = import_file(stream, path.name)
    assert len(result.created) == 3
    flags = dict(db.session.execute(select(Order.number, Order.via_deputy)).all())
    assert [flags[r["工单编号"]] for r in rows] == [True, False, False]
    with open(city_file([city_row(2), city_row(1)]), "rb") as stream:  # again, without the column
        again = import_file(stream, "again.csv")
    assert [t.city_no for t in again.present] == [rows[1]["工单编号"]]  # 否 and no column: the same record
    assert [(c.city_no, c.columns) for c in again.conflicts] == [(rows[0]["工单编号"], ("代表转办",))]
