"""The ledger's exports follow the list's filters and the reader's scope: an .xlsx read back with
openpyxl, and a landscape A4 PDF with a CJK font embedded and the entries in its text."""
import io
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.extensions import db
from portal.ledger import operations
from tests.fixtures.app import FIXED_NOW

TODAY = FIXED_NOW.date()
HEADERS = ["序号", "台帐编号", "事项名称", "问题描述", "责任单位", "责任领导", "关联工单", "挂号日期", "目标完成日期",
           "状态", "最新进展", "销号时间", "销号人", "销号说明"]


@pytest.fixture
def entries(district, make_order, make_entry):
    order = make_order("accepted")
    open_one = make_entry(title="建设路夜市油烟扰民", orders=[order], target=date(2026, 12, 15))
    operations.add_note(district.handler, open_one, "已约谈经营者，安装油烟净化器。")
    late = make_entry(title="东关菜市场占道经营", target=TODAY)
    late.target_date = TODAY - timedelta(days=3)
    db.session.commit()
    done = make_entry(title="幸福小区二次供水水压不足", unit=district.zhujian, leader=district.leader)
    operations.cancel(district.supervisor, done, "加压泵站改造完成，回访满意。")
    return {"open": open_one, "late": late, "done": done, "order": order}


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''%E9%87%8D%E7%82%B9" in response.headers["Content-Disposition"]  # 重点问题工作台帐-…
    return load_workbook(io.BytesIO(response.data)).active


def test_xlsx_has_chinese_headers_rows_widths_and_a_frozen_header(district, entries, login):
    sheet = _sheet(login(district.supervisor).get("/ledger/export.xlsx"))
    assert sheet["A1"].value == "重点问题工作台帐" and "全部事项" in sheet["A2"].value and "共3项" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADERS
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["C"].width == 30 and sheet.column_dimensions["K"].width == 44
    rows = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"建设路夜市油烟扰民", "东关菜市场占道经营", "幸福小区二次供水水压不足"}
    first = rows["建设路夜市油烟扰民"]
    assert first[1] == "台帐〔2026〕第001号" and first[4] == "区城管局" and first[6] == entries["order"].number
    assert first[8].date() == date(2026, 12, 15) and first[9] == "在办" and "安装油烟净化器" in first[10]
    assert rows["东关菜市场占道经营"][9] == "已超期"
    done = rows["幸福小区二次供水水压不足"]
    assert done[9] == "已销号" and done[11] == FIXED_NOW and done[12] == district.supervisor.name
    assert done[13] == "加压泵站改造完成，回访满意。"


def test_xlsx_follows_the_filters(district, entries, login):
    sheet = _sheet(login(district.supervisor).get("/ledger/export.xlsx?state=overdue"))
    assert [r[2] for r in sheet.iter_rows(min_row=4, values_only=True)] == ["东关菜市场占道经营"]
    assert "状态：已超期" in sheet["A2"].value


def test_xlsx_keeps_to_the_readers_unit(district, entries, login):
    sheet = _sheet(login(district.other_handler).get("/ledger/export.xlsx"))
    assert [r[2] for r in sheet.iter_rows(min_row=4, values_only=True)] == ["幸福小区二次供水水压不足"]


def test_pdf_is_landscape_a4_with_a_cjk_font_and_the_entries(district, entries, login, tmp_path):
    response = login(district.leader).get("/ledger/export.pdf?state=open")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert round(width / 72 * 25.4) == 297 and round(height / 72 * 25.4) == 210  # A4 landscape
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)  # the title is letter-spaced
    assert "重点问题工作台帐" in text and "已超期" in text and "建设路夜市油烟扰民" in text and "东关菜市场占道经营" in text
    assert "幸福小区" not in text  # filtered out: cancelled
    fonts = {str(f["/BaseFont"]) for p in reader.pages
             for f in (p["/Resources"]["/Font"].get_object().values()) for f in [f.get_object()]}
    assert any("CJK" in name or "MicroHei" in name for name in fonts), fonts
    if shutil.which("pdffonts"):
        path = tmp_path / "ledger.pdf"
        path.write_bytes(response.data)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        cjk = [line for line in listing.splitlines() if "CJK" in line or "MicroHei" in line]
        assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_pdf_of_an_empty_selection_says_so(district, entries, login):
    response = login(district.supervisor).get("/ledger/export.pdf?q=不存在的事项")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "没有符合条件的事项" in text


@pytest.mark.parametrize("role", ["deputy"])
def test_no_export_without_the_ledger(district, entries, login, role):
    client = login(district.people[role])
    assert client.get("/ledger/export.xlsx").status_code == 403
    assert client.get("/ledger/export.pdf").status_code == 403
