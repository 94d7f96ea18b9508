"""Batch import of city exports: files in xlsx, UTF-8 (BOM or not) and GB18030; the header; bad rows;
idempotency by 工单编号; conflicts; one transaction per chunk; the upload page and the command."""
import io
from datetime import datetime

import pytest

from portal.extensions import db
from portal.intake import importer
from portal.intake.importer import FileRefused, ImportInterrupted, import_file
from portal.orders.models import Order, OrderEvent
from tests.fixtures.app import is_postgres
from tests.fixtures.city_files import CITY_HEADERS, KINDS, city_row

HX = {"HX-Request": "true"}


def run(path, **options):
    with open(path, "rb") as stream:
        return import_file(stream, path.name, **options)


def orders() -> dict[str, Order]:
    return {o.number: o for o in db.session.scalars(db.select(Order))}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def upload(client, path, htmx=False, name=None):
    with open(path, "rb") as f:
        data = {"file": (io.BytesIO(f.read()), name or path.name)}
    return client.post("/intake/import", data=data, content_type="multipart/form-data", headers=HX if htmx else {})


def problems(result) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in result.problems}


# --- files ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_file_imports_its_chinese_text(kind, city_setup, city_file):
    rows = [
        city_row(1, 诉求人="王䶮", 诉求内容="建设路菜市场门口占道经营，早高峰堵塞交通，请城管部门处理。"),  # 䶮: GB18030, not GBK
        city_row(2, 诉求分类="市容环卫", 紧急程度="紧急", 涉企="是", 建议承办单位="区住建局", 领导批示="请尽快办理",
                 办理时限="2026/10/15 17:30"),
    ]
    result = run(city_file(rows, kind))
    assert (len(result.created), result.rows, result.problems) == (2, 2, [])
    first, second = orders()["SX2026100800001"], orders()["SX2026100800002"]
    assert first.caller_name == "王䶮"
    assert first.content == "建设路菜市场门口占道经营，早高峰堵塞交通，请城管部门处理。"
    assert first.received_at == datetime(2026, 10, 8, 9, 15)
    assert (first.source, first.state, first.channel, first.type) == ("city", "received", "phone", "complaint")
    assert second.category.name == "市容环卫" and second.urgency == "urgent" and second.enterprise
    assert second.suggested_unit.name == "区住建局" and second.leader_instruction == "请尽快办理"
    assert second.city_due_at == datetime(2026, 10, 15, 17, 30)


def test_times_as_text_or_as_an_excel_date_cell(city_setup, city_file):
    rows = [city_row(1, 受理时间=datetime(2026, 10, 8, 9, 15)),  # a date cell in the xlsx
            city_row(2, 受理时间="2026-10-08 09:15:00"), city_row(3, 受理时间="2026/10/8 9:15")]
    path = city_file(rows, "xlsx")
    from openpyxl import load_workbook

    assert load_workbook(path)["工单"]["B2"].is_date  # the file really holds a date cell
    assert len(run(path).created) == 3
    assert {o.received_at for o in orders().values()} == {datetime(2026, 10, 8, 9, 15)}


def test_numbers_stored_as_numbers_in_excel_read_as_digits(city_setup, city_file):
    path = city_file([city_row(1, 工单编号=2026100800123, 联系电话=13812345678)], "xlsx")
    assert len(run(path).created) == 1
    assert orders()["2026100800123"].caller_phone == "13812345678"


def test_columns_in_any_order_extra_columns_ignored(city_setup, city_file):
    headers = ["备注", *reversed(CITY_HEADERS), "受理人"]
    row = {**city_row(1, 诉求内容="井盖缺失，夜间行人容易踩空。"), "备注": "不读这一列", "受理人": "市话务员"}
    result = run(city_file([row], "csv-utf8", headers=headers))
    assert len(result.created) == 1
    order = orders()["SX2026100800001"]
    assert order.content == "井盖缺失，夜间行人容易踩空。" and order.caller_name == "张三"
    assert order.address == "城关街道人民路1号" and order.caller_phone == "13812340001"


@pytest.mark.parametrize("kind", ["xlsx", "csv-utf8-bom", "csv-gb18030"])
def test_a_missing_required_header_refuses_the_whole_file(kind, city_setup, city_file):
    headers = [h for h in CITY_HEADERS if h != "联系电话"]
    path = city_file([city_row(1), city_row(2)], kind, headers=headers)
    with pytest.raises(FileRefused) as refused:
        run(path)
    assert "缺少必需的列：联系电话" in str(refused.value)
    assert count(Order) == 0


def test_header_marks_and_spaces_are_tolerated(city_setup, city_file):
    headers = [f" {h}* " if h in ("工单编号", "诉求内容") else h for h in CITY_HEADERS]
    rows = [[city_row(1)[h.strip(" *")] for h in headers]]
    assert len(run(city_file(rows, "csv-utf8", headers=headers)).created) == 1


@pytest.mark.parametrize("name, data, message", [
    ("export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版Excel"),
    ("export.pdf", b"%PDF-1.4", "只能导入Excel（.xlsx）或CSV（.csv）文件"),
    ("export.xlsx", "工单编号,受理时间\n".encode(), "不是有效的Excel"),
    ("export.csv", b"\x80\x80\xff\xfe\x80", "无法识别文件编码"),
    ("export.csv", b"", "文件是空的"),
    ("export.csv", "工单编号,工单编号,受理时间\n".encode(), "出现了两次"),
])
def test_files_that_cannot_be_imported_say_why(name, data, message, city_setup):
    with pytest.raises(FileRefused) as refused:
        import_file(io.BytesIO(data), name)
    assert message in str(refused.value)


def test_a_header_without_rows(city_setup, city_file, login):
    path = city_file([], "csv-utf8-bom")
    assert run(path).rows == 0
    page = upload(login(city_setup.dispatcher), path).get_data(as_text=True)
    assert "文件中只有表头，没有数据行" in page


# --- rows ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_each_bad_row_is_rejected_with_row_column_and_reason(kind, city_setup, city_file):
    rows = [
        city_row(1),                                     # row 2: good
        # (a blank row 3 is inserted below)
        city_row(2, 诉求人=""),                          # row 4: missing required field
        city_row(3, 诉求类型="闲聊"),                    # row 5: unknown type
        city_row(4, 紧急程度="十万火急"),                # row 6: unknown urgency
        city_row(5, 受理时间="十月八日上午"),            # row 7: unparseable time
        city_row(6, 建议承办单位="区宇宙管理局"),        # row 8: unknown unit
        city_row(7, 诉求分类="外星人"),                  # row 9: unknown category
        city_row(8, 联系电话="12345"),                   # row 10: bad phone
        city_row(9, 诉求人="", 联系电话=""),             # row 11: two problems in one row
        city_row(10),                                    # row 12: good
    ]
    result = run(city_file(rows, kind, blank_rows_after=[1]))
    assert problems(result) == {(4, "诉求人"), (5, "诉求类型"), (6, "紧急程度"), (7, "受理时间"), (8, "建议承办单位"),
                                (9, "诉求分类"), (10, "联系电话"), (11, "诉求人"), (11, "联系电话")}
    reasons = {(p.row, p.column): p.reason for p in result.problems}
    assert reasons[(4, "诉求人")] == "缺少诉求人"
    assert "未知的诉求类型“闲聊”" in reasons[(5, "诉求类型")]
    assert "未知的紧急程度“十万火急”" in reasons[(6, "紧急程度")]
    assert "时间“十月八日上午”无法识别" in reasons[(7, "受理时间")]
    assert reasons[(8, "建议承办单位")] == "未知的承办单位“区宇宙管理局”"
    assert reasons[(9, "诉求分类")] == "未知的诉求分类“外星人”"
    assert "联系电话“12345”格式不正确" in reasons[(10, "联系电话")]
    assert result.rejected == 8 and result.rows == 10
    assert set(orders()) == {"SX2026100800001", "SX2026100800010"}  # the good rows went in


def test_row_numbers_count_a_multi_line_cell_as_one_row(city_setup, city_file):
    rows = [city_row(1, 诉求内容="第一行\n第二行\n第三行"), city_row(2, 紧急程度="?")]
    result = run(city_file(rows, "csv-utf8"))
    assert problems(result) == {(3, "紧急程度")}  # row 3 as Excel shows it, not line 5 of the text
    assert orders()["SX2026100800001"].content == "第一行\n第二行\n第三行"


def test_phone_numbers_are_normalised(city_setup, city_file):
    phones = {1: "＋86 １３８ １２３４ ５６７８", 2: "+86 139-8765-4321", 3: "0086 13700001111", 4: " 137 0000 2222 ",
              5: "０２１－１２３４５６７８"}
    result = run(city_file([city_row(n, 联系电话=p) for n, p in phones.items()], "csv-utf8-bom"))
    assert len(result.created) == 5
    stored = {int(o.number[-1]): o.caller_phone for o in orders().values()}
    assert stored == {1: "13812345678", 2: "13987654321", 3: "13700001111", 4: "13700002222", 5: "021-12345678"}


def test_text_is_stored_as_given_and_shown_inert(city_setup, city_file, login):
    script = "<script>alert('x')</script> 油烟扰民 & <b>粗体</b>"
    rows = [city_row(1, 诉求内容=script), city_row(2, 诉求类型="<img src=x onerror=alert(1)>")]
    path = city_file(rows, "csv-utf8")
    client = login(city_setup.dispatcher)
    result_page = upload(client, path).get_data(as_text=True)
    assert "<img src=x" not in result_page and "&lt;img src=x onerror=alert(1)&gt;" in result_page
    order = orders()["SX2026100800001"]
    assert order.content == script
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;粗体" in page


# --- idempotency and conflicts -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["xlsx", "csv-gb18030"])
def test_the_same_file_twice_adds_nothing_and_says_so(kind, city_setup, city_file, login):
    path = city_file([city_row(n) for n in range(1, 6)], kind)
    client = login(city_setup.dispatcher)
    first = upload(client, path).get_data(as_text=True)
    assert 'id="count-created">5<' in first
    events = count(OrderEvent)
    second = upload(client, path).get_data(as_text=True)
    assert 'id="count-created">0<' in second and 'id="count-present">5<' in second
    assert "该文件此前已导入，本次没有新增工单" in second
    assert count(Order) == 5 and count(OrderEvent) == events


def test_same_number_other_content_is_a_conflict_and_not_overwritten(city_setup, city_file, login):
    run(city_file([city_row(1), city_row(2)], "csv-utf8"))
    changed = [city_row(1), city_row(2, 诉求内容="内容被改过了", 联系电话="13900009999")]
    client = login(city_setup.dispatcher)
    page = upload(client, city_file(changed, "csv-utf8")).get_data(as_text=True)
    result = run(city_file(changed, "xlsx"))
    (clash,) = result.conflicts
    assert (clash.row, clash.city_no, clash.columns) == (3, "SX2026100800002", ("联系电话", "诉求内容"))
    assert len(result.present) == 1 and not result.created
    order = orders()["SX2026100800002"]
    assert order.content == city_row(2)["诉求内容"] and order.caller_phone == "13812340002"
    assert 'id="count-conflicts">1<' in page and "联系电话、诉求内容" in page and "未覆盖" in page
    assert f'href="/orders/{order.id}"' in page  # the order on file, one click away


def test_a_number_entered_by_hand_is_a_conflict(city_setup, city_file, make_order):
    make_order(number="SX2026100800001")
    (clash,) = run(city_file([city_row(1)], "csv-utf8")).conflicts
    assert "人工登记" in clash.reason


def test_a_number_twice_in_one_file(city_setup, city_file):
    rows = [city_row(1), city_row(2), city_row(1), city_row(2, 诉求内容="同一编号，另一内容")]
    result = run(city_file(rows, "csv-utf8"))
    assert [t.row for t in result.created] == [2, 3]
    assert [(t.row, t.city_no) for t in result.present] == [(4, "SX2026100800001")]
    assert [(c.row, c.columns) for c in result.conflicts] == [(5, ("诉求内容",))]
    assert count(Order) == 2


def test_a_number_twice_across_chunks(city_setup, city_file):
    rows = [city_row(n) for n in range(1, 5)] + [city_row(1), city_row(2, 诉求内容="另一内容")]
    result = run(city_file(rows, "csv-utf8"), chunk_size=2)
    assert len(result.created) == 4 and [t.row for t in result.present] == [6]
    assert [c.row for c in result.conflicts] == [7] and count(Order) == 4


def test_repeats_inside_one_chunk_are_linked(city_setup, city_file):
    """Two calls from one phone about one matter in the same file: the second is a repeat of the first."""
    rows = [city_row(1, 联系电话="13811112222", 诉求内容="东门外烧烤摊每晚营业到凌晨，油烟噪音扰民。"),
            city_row(2),
            city_row(3, 联系电话="13811112222", 诉求内容="东门外烧烤摊又营业到凌晨，油烟噪音扰民，请处理。")]
    run(city_file(rows, "csv-utf8"))
    found = orders()
    again = found["SX2026100800003"]
    assert again.is_repeat and [link.earlier_id for link in again.links] == [found["SX2026100800001"].id]
    assert not found["SX2026100800002"].is_repeat


@pytest.mark.parametrize("chunk_size", [1, 2, 10])
def test_repeats_follow_received_time_whatever_the_chunks(city_setup, city_file, chunk_size):
    """Each order is compared with the orders received before it that are already in: rows earlier in the
    file, in this chunk or an earlier one. The same links come out of any chunk size."""
    building = "城关街道建设路8号楼"
    noise = "建设路8号楼楼下烧烤摊每晚营业到凌晨，油烟噪音扰民。"
    rows = [
        city_row(1, 受理时间=datetime(2026, 10, 8, 9, 0), 联系电话="13811112222", 诉求地址=building + "1单元", 诉求内容=noise),
        # received before row 1 though later in the file: row 1 is not "earlier" for it
        city_row(2, 受理时间=datetime(2026, 10, 8, 8, 0), 联系电话="13811112222", 诉求地址=building + "2单元",
                 诉求内容="建设路8号楼下烧烤摊营业到凌晨，油烟大。"),
        city_row(3, 受理时间=datetime(2026, 10, 8, 11, 0), 联系电话="13933334444", 诉求地址=building + "3单元",
                 诉求内容="建设路8号楼楼下烧烤摊又营业到凌晨，油烟噪音扰民。"),
        city_row(4, 受理时间=datetime(2026, 10, 8, 12, 0), 联系电话="13955556666", 诉求地址=building + "4单元",
                 诉求内容="小区电梯停运三天无人维修。"),  # same building, another matter: not a repeat
    ]
    run(city_file(rows, "csv-utf8"), chunk_size=chunk_size)
    found = orders()
    number = {o.id: n for n, o in found.items()}
    links = {n: sorted((number[link.earlier_id], link.reason) for link in o.links) for n, o in found.items()}
    assert links == {
        "SX2026100800001": [],
        "SX2026100800002": [],
        "SX2026100800003": [("SX2026100800001", "address"), ("SX2026100800002", "address")],
        "SX2026100800004": [],
    }
    assert [n for n, o in sorted(found.items()) if o.is_repeat] == ["SX2026100800003"]


def test_an_upload_records_who_imported_and_the_command_no_one(city_setup, city_file, login, runner):
    upload(login(city_setup.dispatcher), city_file([city_row(1)], "csv-utf8", name="十月导出.csv"))
    runner.invoke(args=["import-orders", str(city_file([city_row(2)], "csv-utf8"))])
    events = {e.order.number: e for e in db.session.scalars(db.select(OrderEvent))}
    uploaded, commanded = events["SX2026100800001"], events["SX2026100800002"]
    assert uploaded.actor_id == city_setup.dispatcher.id and "十月导出.csv" in uploaded.note
    assert commanded.actor_id is None and commanded.note == "市12345平台派单"


# --- one transaction per chunk -------------------------------------------------------------------------

def test_a_crash_in_the_second_chunk_keeps_the_first_and_a_rerun_finishes(city_setup, city_file, monkeypatch):
    path = city_file([city_row(n) for n in range(1, 13)], "csv-utf8-bom")
    real_receive = importer.receive_many
    calls = []

    def failing_receive(records, at=None, **options):
        calls.append(len(records))
        ids = real_receive(records, at, **options)  # the 2nd chunk's orders and events are written...
        if len(calls) == 2:
            raise RuntimeError("database went away")  # ...and the process dies before its commit
        return ids

    monkeypatch.setattr(importer, "receive_many", failing_receive)
    with pytest.raises(ImportInterrupted) as stopped:
        run(path, chunk_size=5)
    assert stopped.value.row == 7 and len(stopped.value.result.created) == 5
    db.session.expire_all()
    assert sorted(orders()) == [f"SX20261008{n:05d}" for n in range(1, 6)]  # chunk 1 only
    assert count(OrderEvent) == 5  # nothing half-written: no event of an order that is not there

    monkeypatch.setattr(importer, "receive_many", real_receive)
    again = run(path, chunk_size=5)
    assert (len(again.present), len(again.created)) == (5, 7)
    numbers = db.session.scalars(db.select(Order.number)).all()
    assert sorted(numbers) == [f"SX20261008{n:05d}" for n in range(1, 13)]  # each exactly once
    assert count(OrderEvent) == 12


def test_the_command_says_how_to_finish_after_a_crash(city_setup, city_file, runner, monkeypatch):
    path = city_file([city_row(n) for n in range(1, 5)], "csv-utf8")

    def broken(records, at=None, **options):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "receive_many", broken)
    result = runner.invoke(args=["import-orders", str(path)])
    assert result.exit_code == 2
    assert "disk full" in result.output and "run the same command again" in result.output


# --- the command ---------------------------------------------------------------------------------------

def test_command_prints_an_english_summary_and_fails_on_rejected_rows(city_setup, city_file, runner):
    path = city_file([city_row(1), city_row(2, 紧急程度="很急"), city_row(3)], "csv-gb18030")
    result = runner.invoke(args=["import-orders", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "imported:         2" in out and "already present:  0" in out and "rejected:         1" in out
    assert "row 3  column 紧急程度: 未知的紧急程度“很急”" in out

    again = runner.invoke(args=["import-orders", str(path)])
    assert again.exit_code == 1  # the bad row is still bad
    assert "imported:         0" in again.output and "already present:  2" in again.output


def test_command_succeeds_when_every_row_is_in(city_setup, city_file, runner):
    path = city_file([city_row(1), city_row(2)], "xlsx")
    first = runner.invoke(args=["import-orders", str(path)])
    assert first.exit_code == 0 and "imported:         2" in first.output
    second = runner.invoke(args=["import-orders", str(path)])
    assert second.exit_code == 0 and "Nothing new" in second.output
    assert count(Order) == 2


def test_command_reports_conflicts_and_exits_non_zero(city_setup, city_file, runner):
    runner.invoke(args=["import-orders", str(city_file([city_row(1)], "csv-utf8"))])
    result = runner.invoke(args=["import-orders", str(city_file([city_row(1, 诉求地址="别处")], "csv-utf8"))])
    assert result.exit_code == 1 and "conflicts:        1" in result.output
    assert "row 2  SX2026100800001  differs in: 诉求地址" in result.output


def test_command_refuses_a_file_without_a_required_column(city_setup, city_file, runner):
    path = city_file([city_row(1)], "csv-utf8", headers=[h for h in CITY_HEADERS if h != "诉求内容"])
    result = runner.invoke(args=["import-orders", str(path)])
    assert result.exit_code == 2 and "File refused" in result.output and "诉求内容" in result.output
    assert count(Order) == 0


# --- the upload page -----------------------------------------------------------------------------------

def test_upload_page_for_dispatchers(city_setup, login):
    page = login(city_setup.dispatcher).get("/intake/import").get_data(as_text=True)
    assert 'type="file"' in page and 'accept=".xlsx,.csv' in page and 'name="file"' in page
    assert "工单编号" in page and "诉求内容" in page  # the columns the file must have


def test_upload_shows_the_summary_and_links_to_the_orders(city_setup, city_file, login):
    rows = [city_row(1), city_row(2, 受理时间="昨天"), city_row(3)]
    client = login(city_setup.dispatcher)
    response = upload(client, city_file(rows, "xlsx"), htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in body  # htmx gets the result panel only
    assert 'id="count-created">2<' in body and 'id="count-rejected">1<' in body
    assert "第3行" in body and "受理时间" in body and "时间“昨天”无法识别" in body
    for number in ("SX2026100800001", "SX2026100800003"):
        assert f'href="/orders/{orders()[number].id}"' in body
    assert 'href="/orders/pool"' in body
    pool = client.get("/orders/pool").get_data(as_text=True)
    assert "SX2026100800001" in pool and "SX2026100800003" in pool
    order = orders()["SX2026100800001"]  # written in bulk, with the columns' defaults as one by one
    assert (order.state, order.version, order.deputy_pushed, order.tourism, order.reprocess_count) == \
        ("received", 1, False, False, 0)
    client.post(f"/orders/{order.id}/act/dispatch", data={"version": 1, "lead_unit_id": city_setup.chengguan.id})
    db.session.expire_all()
    assert orders()["SX2026100800001"].state == "dispatched"

    full = upload(client, city_file(rows, "csv-utf8"))
    assert "<html" in full.get_data(as_text=True) and 'id="count-present">2<' in full.get_data(as_text=True)


def test_upload_of_a_refused_file_says_why(city_setup, city_file, login):
    path = city_file([city_row(1)], "csv-utf8", headers=[h for h in CITY_HEADERS if h not in ("诉求分类", "紧急程度")])
    response = upload(login(city_setup.dispatcher), path)
    assert response.status_code == 422
    assert "文件未导入" in response.get_data(as_text=True) and "缺少必需的列：诉求分类、紧急程度" in response.get_data(as_text=True)
    assert count(Order) == 0


def test_upload_without_a_file(city_setup, login):
    response = login(city_setup.dispatcher).post("/intake/import", data={})
    assert response.status_code == 422 and "请选择要导入的文件" in response.get_data(as_text=True)


def test_upload_interrupted_says_what_was_saved(city_setup, city_file, login, monkeypatch):
    real_receive = importer.receive_many
    calls = []

    def failing_receive(records, at=None, **options):
        calls.append(1)
        ids = real_receive(records, at, **options)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return ids

    monkeypatch.setattr(importer, "CHUNK_SIZE", 2)
    monkeypatch.setattr(importer, "receive_many", failing_receive)
    response = upload(login(city_setup.dispatcher), city_file([city_row(n) for n in range(1, 5)], "csv-utf8"))
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "导入在第4行附近中断" in body and "重新导入同一文件" in body
    assert 'id="count-created">2<' in body and count(Order) == 2


def test_oversize_upload_is_refused(app, city_setup, city_file, login):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    path = city_file([city_row(n) for n in range(1, 40)], "csv-utf8")
    response = upload(login(city_setup.dispatcher), path)
    assert response.status_code == 413 and "上传内容过大" in response.get_data(as_text=True)
    assert count(Order) == 0


@pytest.mark.parametrize("role", ["handler", "unit_leader", "supervisor", "leader", "deputy"])
def test_only_dispatchers_and_admins_may_import(role, city_setup, city_file, login):
    response = upload(login(city_setup.people[role]), city_file([city_row(1)], "csv-utf8"))
    assert response.status_code == 403 and count(Order) == 0


def test_admin_may_import_and_is_sent_to_the_search(city_setup, city_file, login):
    body = upload(login(city_setup.admin), city_file([city_row(1)], "csv-utf8")).get_data(as_text=True)
    assert 'id="count-created">1<' in body and "/orders/?state=received" in body


def test_unicode_text_saved_by_excel_is_read_too(city_setup, tmp_path):
    """Excel's "Unicode text" (.txt): UTF-16 with a BOM, tab-separated."""
    row = city_row(1)
    lines = ["\t".join(CITY_HEADERS), "\t".join(str(row[h]) if h != "受理时间" else "2026-10-08 09:15" for h in CITY_HEADERS)]
    path = tmp_path / "export.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    assert len(run(path).created) == 1 and orders()["SX2026100800001"].content == row["诉求内容"]


@pytest.mark.skipif(not is_postgres(), reason="a PostgreSQL setting; the PostgreSQL leg of the suite runs it")
def test_postgres_plans_each_lookup_for_its_values(app):
    """The chunk's repeat lookups (hundreds of phones in one IN list) need plans made for their values."""
    with app.app_context():
        assert db.session.scalar(db.text("SHOW plan_cache_mode")) == "force_custom_plan"
