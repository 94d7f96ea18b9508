"""Stored reports: made once per kind and period, reproducible from their snapshot time, with a real
PDF (fonts embedded, charts drawn) and an xlsx with Chinese headers. Data: the assessment fixture's
November 2026 (tests/fixtures/assessment.py), as of 2026-11-30 18:00."""
import io
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.assessment.periods import parse
from portal.assessment.rates import compute
from portal.extensions import db
from portal.reports.models import REPORT_KINDS, Report
from portal.reports.operations import ReportRefused, generate_report, regenerate_report
from portal.orders.models import DispatchRecord, ReturnVisit
from tests.fixtures.assessment import AS_OF, set_times


def test_generating_twice_changes_nothing(rate_world, district):
    first = generate_report("monthly_notice", "2026-11", as_of=AS_OF)
    stamp, pdf, figures = first.generated_at, first.pdf, first.figures
    second = generate_report("monthly_notice", "2026-11", district.supervisor)
    assert second.id == first.id and second.generated_at == stamp and second.pdf == pdf
    assert second.figures == figures and second.as_of == AS_OF and second.generated_by_id is None
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1


def test_regenerating_gives_the_same_numbers(rate_world, district, make_order):
    report = generate_report("monthly_notice", "2026-11", as_of=AS_OF)
    before = report.figures
    # the district's figures as the assessment module gives them
    result = compute(parse("2026-11"), AS_OF, by="unit")
    ranking = next(t for t in before["tables"] if t["name"] == "承办单位综合排名")
    cg = next(row for row in ranking["rows"] if row[1] == district.chengguan.name)
    assert cg[-1] == round(result.row(district.chengguan.id).composite, 6)
    # later work (after as_of) must not move a stored report's numbers
    late = make_order("closed")
    after = datetime(2026, 11, 30, 20, 0)  # in the month, after the snapshot
    set_times(late, received_at=after, dispatched_at=after, signed_at=after, replied_at=after, closed_at=after,
              sign_due_at=after, reply_due_at=after)
    db.session.execute(db.update(ReturnVisit).where(ReturnVisit.order_id == late.id).values(at=after))
    db.session.execute(db.update(DispatchRecord).where(DispatchRecord.order_id == late.id).values(at=after))
    db.session.commit()
    fresh = regenerate_report(report.id, district.supervisor)
    assert fresh.figures == before and fresh.as_of == AS_OF


def test_every_kind_generates_a_pdf_and_a_workbook(rate_world, district):
    periods = {"week": "2026-W48", "month": "2026-11", "quarter": "2026-Q4", "year": "2026"}
    for kind, (label, period_kind, _) in REPORT_KINDS.items():
        report = generate_report(kind, periods[period_kind], district.admin, as_of=AS_OF)
        reader = PdfReader(io.BytesIO(report.pdf))
        text = "".join(page.extract_text() for page in reader.pages)
        assert label in text.replace("\n", "") or label[:4] in text
        book = load_workbook(io.BytesIO(report.xlsx))
        assert book.sheetnames[0] == "概况" and len(book.sheetnames) == 1 + len(report.figures["tables"])
        headers = [c.value for c in book[book.sheetnames[1]][1]]
        assert headers == report.figures["tables"][0]["headers"]


def test_the_pdf_embeds_its_fonts_and_draws_its_charts(rate_world, district, tmp_path):
    report = generate_report("monthly_notice", "2026-11", as_of=AS_OF)
    path = tmp_path / "notice.pdf"
    path.write_bytes(report.pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines)  # emb column
    text = PdfReader(io.BytesIO(report.pdf)).pages[0].extract_text()
    assert "区政务服务便民热线办公室" in text and "2026年11月" in text


def test_the_weekly_summary_lists_seed_002s_three_kinds(rate_world, district):
    report = generate_report("weekly_summary", "2026-W48", as_of=AS_OF)
    unsatisfied, not_done, repeated = report.figures["tables"]
    # c3 was visited 不满意 on 11-28 (x1 too, but excluded orders are still listed for leaders)
    assert unsatisfied["headers"][-1] == "不满意原因" and len(unsatisfied["rows"]) >= 1
    assert any(r[-1] == "超期未答复" for r in not_done["rows"])  # c4: never replied, due 11-27
    assert any(r[-1] == "回访未解决" for r in not_done["rows"])  # c3


def test_refusals(rate_world, district):
    with pytest.raises(ReportRefused, match="按月生成"):
        generate_report("monthly_notice", "2026-W48", district.supervisor)
    with pytest.raises(ReportRefused, match="尚未开始"):
        generate_report("monthly_notice", "2027-01", district.supervisor)
    with pytest.raises(ReportRefused, match="只有督查室"):
        generate_report("monthly_notice", "2026-11", district.leader)
    with pytest.raises(ReportRefused, match="无法识别"):
        generate_report("monthly_notice", "11月", district.admin)
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 0
