"""Personal data in exports: a role that does not need the caller's name, phone or house address finds
none of them in the file it downloads (xlsx read with openpyxl, PDFs with pypdf)."""
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from portal.consultation import documents
from portal.extensions import db
from portal.orders.models import Order
from portal.reports.operations import generate_report
from tests.fixtures.assessment import AS_OF

NAME, PHONE, HOUSE = "欧阳娜娜", "13912345678", "建设路12号"
CONTENT = f"市民{NAME}（电话{PHONE}）反映城关街道东关社区{HOUSE}门口夜市油烟扰民，另留座机0917-3216549。"
SECRETS = [NAME, PHONE, HOUSE, "3216549"]


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    if response.data.startswith(b"%PDF"):
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    book = load_workbook(io.BytesIO(response.data))
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
                     if cell is not None)


def assert_no_personal_data(text: str):
    found = [s for s in SECRETS if s in text]
    assert not found, f"personal data in the export: {found}"


@pytest.fixture
def personal_order(make_order):
    def make(state="accepted", **extra):
        return make_order(state, caller_name=NAME, caller_phone=PHONE, content=CONTENT, **extra)
    return make


def test_leaders_summary_reports_mask_the_caller(rate_world, district, login):
    db.session.execute(update(Order).values(caller_name=NAME, caller_phone=PHONE, content=CONTENT))
    db.session.commit()
    report = generate_report("weekly_summary", "2026-W48", as_of=AS_OF)
    assert any(table["rows"] for table in report.figures["tables"])  # orders are listed...
    client = login(district.leader)
    for suffix in ("xlsx", "pdf"):
        text = text_of(client.get(f"/reports/{report.id}.{suffix}"))
        assert "夜市油烟扰民" in text  # ...with their matter,
        assert_no_personal_data(text)  # but not who called or where they live


def test_supervision_notice_masks_the_caller_for_the_leader(district, personal_order, open_supervision, login):
    supervision = open_supervision(orders=[personal_order()], issue_notice=True)
    text = text_of(login(district.leader).get(f"/supervision/notices/{supervision.notice.id}"))
    assert supervision.orders[0].number in text
    assert_no_personal_data(text)


def test_consultation_notice_masks_the_caller_for_invited_units(district, personal_order, convened_case, login):
    case = convened_case(orders=[personal_order()])  # 区城管局's order; 区住建局 is invited too
    notice = documents.issue_notice(district.dispatcher, case)
    text = text_of(login(district.other_handler).get(f"/consultations/documents/{notice.id}"))
    assert "油烟" in text, text
    assert_no_personal_data(text)


def test_deputies_list_pdf_is_masked(district, personal_order, published_list, login):
    found = published_list([personal_order()])
    text = text_of(login(district.deputy).get(f"/deputies/{found.id}/pdf"))
    assert "欧***" in text and "139****5678" in text
    assert_no_personal_data(text)


def test_ledger_and_assessment_exports_carry_no_caller(district, personal_order, make_entry, login):
    order = personal_order()
    make_entry(orders=[order])
    for role in ("leader", "other_handler", "handler"):
        client = login(district.people[role])
        for url in ("/ledger/export.xlsx", "/ledger/export.pdf", "/assessment/export.xlsx"):
            assert_no_personal_data(text_of(client.get(url)))


def test_responsibility_list_export_carries_no_caller(district, personal_order, login):
    personal_order()
    assert_no_personal_data(text_of(login(district.dispatcher).get("/dispatching/list/export")))


def test_talk_notice_carries_no_caller(app, rate_world, district, login):
    from portal.assessment.periods import parse
    from portal.talks.operations import confirm_run, save_rule

    db.session.execute(update(Order).values(caller_name=NAME, caller_phone=PHONE, content=CONTENT))
    db.session.commit()
    rule = save_rule(district.admin, {"name": "月度末位约谈", "period_kind": "month", "measure": "composite",
                                      "selection": "bottom_n", "n": "1", "holder": "分管副区长",
                                      "unit_kinds": ["department", "street"], "min_visits": "1", "active": True})
    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 9, 0)
    (case,) = confirm_run(rule, parse("2026-11"), district.supervisor).cases
    assert_no_personal_data(text_of(login(district.unit_leader).get(f"/talks/case/{case.id}/notice.pdf")))
