"""Every export writes exactly one export record in the same request (who, role, unit, which export, the
filters, the row count, the file's name, size and SHA-256, the address); a refused export writes none;
the records page (导出记录) is for admins and supervisors, filtered by person, export and day, and paged."""
import hashlib
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.consultation import documents
from portal.exports import operations
from portal.exports.models import ExportRecord
from portal.extensions import db
from portal.reports.operations import generate_report
from tests.fixtures.assessment import AS_OF


def records() -> list[ExportRecord]:
    db.session.expire_all()
    return db.session.scalars(select(ExportRecord).order_by(ExportRecord.id)).all()


def the_record(response, user, kind: str, rows: int) -> ExportRecord:
    """The one record of ``response``'s export, checked against the user, the export and the bytes served."""
    assert response.status_code == 200, response.status_code
    (record,) = records()
    assert (record.user_id, record.role, record.unit_id) == (user.id, user.role, user.unit_id)
    assert record.kind == kind and record.row_count == rows
    assert record.sha256 == hashlib.sha256(response.data).hexdigest() and record.size == len(response.data)
    assert record.address == "127.0.0.1" and record.filename
    db.session.query(ExportRecord).delete()
    db.session.commit()
    return record


def test_ledger_exports(district, make_entry, login):
    make_entry(title="建设路夜市油烟扰民")
    make_entry(title="东关菜市场占道经营")
    make_entry(title="幸福小区二次供水", unit=district.zhujian, leader=district.leader)
    client = login(district.leader)
    record = the_record(client.get("/ledger/export.xlsx?unit=%d" % district.chengguan.id), district.leader,
                        "ledger.export_xlsx", 2)
    assert record.params == {"unit": str(district.chengguan.id)} and record.filename.endswith(".xlsx")
    record = the_record(client.get("/ledger/export.pdf"), district.leader, "ledger.export_pdf", 3)
    assert record.filename.startswith("重点问题工作台帐") and record.filename.endswith(".pdf")
    # a unit's reader exports only its own unit's entries: the count says so
    the_record(login(district.other_handler).get("/ledger/export.xlsx"), district.other_handler,
               "ledger.export_xlsx", 1)


def test_assessment_export(rate_world, district, login):
    response = login(district.supervisor).get("/assessment/export.xlsx?period=2026-11")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    unit_rows = values[: [r[0] is None and r[1] is None for r in values].index(True) - 1]  # before the total
    record = the_record(response, district.supervisor, "assessment.export", len(unit_rows))
    assert record.params == {"period": "2026-11"} and record.row_count > 0


def test_report_downloads(rate_world, district, login):
    report = generate_report("weekly_ranking", "2026-W48", as_of=AS_OF)
    rows = sum(len(t["rows"]) for t in report.figures["tables"])
    client = login(district.leader)
    assert the_record(client.get(f"/reports/{report.id}.pdf"), district.leader, "reports.pdf", rows).params == {
        "report_id": report.id}
    the_record(client.get(f"/reports/{report.id}.xlsx"), district.leader, "reports.xlsx", rows)


def test_responsibility_list_export(district, login):
    response = login(district.admin).get("/dispatching/list/export")
    rows = load_workbook(io.BytesIO(response.data)).active.max_row - 1  # below the header
    the_record(response, district.admin, "dispatching.export_list", rows)


def test_deputies_list_pdf(district, make_order, published_list, login):
    found = published_list([make_order("accepted"), make_order("accepted")])
    the_record(login(district.deputy).get(f"/deputies/{found.id}/pdf"), district.deputy, "deputies.list_pdf", 2)


def test_supervision_notices(district, make_order, open_supervision, login):
    one = open_supervision(orders=[make_order("accepted"), make_order("accepted")], issue_notice=True)
    two = open_supervision(issue_notice=True)
    client = login(district.handler)
    the_record(client.get(f"/supervision/notices/{one.notice.id}"), district.handler, "supervision.notice", 2)
    record = the_record(client.get(f"/supervision/notices/print?notice={one.notice.id}&notice={two.notice.id}"),
                        district.handler, "supervision.print_notices", 3)
    assert record.params == {"notice": [str(one.notice.id), str(two.notice.id)]}


def test_consultation_document(district, decided_case, login):
    case = decided_case()
    minutes = documents.issue_minutes(district.dispatcher, case)
    the_record(login(district.dispatcher).get(f"/consultations/documents/{minutes.id}"), district.dispatcher,
               "consultation_meetings.document", len(case.orders))


def test_talk_notice(app, rate_world, district, login):
    from portal.assessment.periods import parse
    from portal.talks.operations import confirm_run, save_rule

    rule = save_rule(district.admin, {"name": "月度末位约谈", "period_kind": "month", "measure": "composite",
                                      "selection": "bottom_n", "n": "1", "holder": "分管副区长",
                                      "unit_kinds": ["department", "street"], "min_visits": "1", "active": True})
    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 9, 0)
    (case,) = confirm_run(rule, parse("2026-11"), district.supervisor).cases
    the_record(login(district.unit_leader).get(f"/talks/case/{case.id}/notice.pdf"), district.unit_leader,
               "talks.notice", 1)


def test_refused_exports_record_nothing(district, make_order, make_entry, open_supervision, login):
    make_entry()
    supervision = open_supervision(issue_notice=True)
    deputy = login(district.deputy)
    assert deputy.get("/ledger/export.xlsx").status_code == 403
    assert deputy.get("/ledger/export.pdf").status_code == 403
    assert deputy.get("/assessment/export.xlsx").status_code == 403
    assert login(district.handler).get("/dispatching/list/export").status_code == 403
    assert login(district.other_handler).get(f"/supervision/notices/{supervision.notice.id}").status_code == 404
    assert records() == []


def record_as(app, user, at, kind="ledger.export_xlsx", rows=1):
    with app.test_request_context(f"/ledger/export.xlsx?state=open", environ_base={"REMOTE_ADDR": "10.0.0.8"}):
        made = operations.record(user, rows, "台帐.xlsx", b"PK-data", kind=kind)
    made.at = at
    db.session.commit()
    return made


def test_records_page_filters_and_pages(app, district, login):
    day = datetime(2026, 11, 20, 9, 0)
    for n in range(23):
        record_as(app, district.leader, day + timedelta(minutes=n))
    record_as(app, district.handler, day - timedelta(days=5), kind="reports.pdf", rows=7)
    client = login(district.admin)
    page = client.get("/exports/").get_data(as_text=True)
    assert page.count("重点问题台帐（Excel）") >= 20 and "第 1 页" in page and "下一页" in page
    assert "10.0.0.8" in page and "state</span>=open" in page
    second = client.get("/exports/?page=2").get_data(as_text=True)
    assert "报表（PDF）" in second  # the oldest record, last
    by_user = client.get(f"/exports/?user={district.handler.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "报表（PDF）" in by_user and "重点问题台帐（Excel）" not in by_user.split("</thead>")[1]
    by_day = client.get("/exports/?start=2026-11-15&end=2026-11-15").get_data(as_text=True)
    assert "报表（PDF）" in by_day and "重点问题台帐（Excel）</td>" not in by_day
    assert "没有符合条件" in client.get("/exports/?kind=talks.notice").get_data(as_text=True)
    bad = client.get("/exports/?start=2026-13-45&user=abc")
    assert bad.status_code == 200 and "导出人无法识别" in bad.get_data(as_text=True)
    assert "导出记录" in login(district.supervisor).get("/exports/").get_data(as_text=True)
    assert login(district.dispatcher).get("/exports/").status_code == 403
    assert db.session.scalar(select(func.count(ExportRecord.id))) == 24  # reading the page records nothing


def test_settings_menu_links_the_page(district, login):
    assert 'href="/exports/"' in login(district.admin).get("/orders/").get_data(as_text=True)
    assert 'href="/exports/"' not in login(district.dispatcher).get("/orders/").get_data(as_text=True)
