"""The case's documents: the notice, the minutes and the brief, each numbered in its own series without
gaps, stored once with its sha256; the minutes PDF embeds a CJK font and carries the decisions; only
those who may see the case download them."""
import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.consultation import documents, meetings, operations
from portal.consultation.states import Refused

ROOT = Path(__file__).resolve().parents[1]


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "").replace("\n", "")


def test_documents_are_numbered_consecutively_and_stored(district, make_order, convened_case, decided_case):
    first = convened_case()
    second = convened_case(orders=[make_order("accepted", caller_phone="13900000003", content="楼道堆物。")])
    notices = [documents.issue_notice(district.dispatcher, c) for c in (first, second)]
    assert [n.number for n in notices] == ["热线会商〔2026〕第001号", "热线会商〔2026〕第002号"]
    for n in notices:
        assert n.sha256 == hashlib.sha256(bytes(n.pdf)).hexdigest() and n.size == len(bytes(n.pdf))
    with pytest.raises(Refused, match="已印发会商通知"):
        documents.issue_notice(district.dispatcher, first)
    decided = decided_case(orders=[make_order("accepted", caller_phone="13900000004", content="噪音扰民。")])
    minutes = documents.issue_minutes(district.dispatcher, decided)
    assert minutes.number == "会商纪要〔2026〕第001号" and minutes.kind == "minutes"
    assert [e.action for e in decided.events][-1] == "issue_minutes"
    # applying after the minutes are issued cites their number on every order
    meetings.apply_decisions(district.dispatcher, decided)
    assert decided.orders[0].events[-1].note.startswith("依会商纪要〔2026〕第001号会议纪要")


def test_the_notice_says_when_where_and_what(district, convened_case):
    case = convened_case()
    with pytest.raises(Refused, match="只有"):
        documents.issue_notice(district.handler, case)
    notice = documents.issue_notice(district.dispatcher, case)
    text = _text(bytes(notice.pdf))
    for expected in ["热线会商〔2026〕第001号", "联合会商会议的通知", "区政务服务中心三楼会议室",
                     "2026年11月26日14:30", case.orders[0].number, "区城管局", "区住建局", "书面意见",
                     "区政务服务便民热线办公室"]:
        assert expected in text, expected


def test_minutes_pdf_embeds_a_cjk_font_and_carries_the_decisions(district, decided_case, tmp_path):
    case = decided_case()
    minutes = documents.issue_minutes(district.dispatcher, case)
    data = bytes(minutes.pdf)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "WenQuanYi" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = _text(data)
    for expected in ["会商纪要〔2026〕第001号", "会议纪要", "出席情况", "区住建局分管负责人", "议定事项",
                     case.orders[0].number, "牵头制定整治方案并组织实施", "配合开展联合执法", "2026-12-04",
                     "区政务服务便民热线办公室", "2026年11月24日"]:
        assert expected in text, expected
    _save_screenshot(path, tmp_path)


def _save_screenshot(pdf: Path, tmp_path: Path) -> None:
    """The minutes' first page renders as an image; with PORTAL_SAVE_SCREENSHOTS=1 it is kept for the README
    (docs/screenshots/consultation-minutes.png)."""
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(out)], check=True)
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000
    target = ROOT / "docs" / "screenshots" / "consultation-minutes.png"
    if os.environ.get("PORTAL_SAVE_SCREENSHOTS") and target.parent.is_dir():
        target.write_bytes(page.read_bytes())


def test_minutes_need_a_recorded_meeting_and_a_brief_an_escalation(district, convened_case):
    case = convened_case()
    with pytest.raises(Refused, match="尚未记录"):
        documents.issue_minutes(district.dispatcher, case)
    with pytest.raises(Refused, match="提交常务会的事项"):
        documents.issue_brief(district.dispatcher, case)
    operations.escalate(district.dispatcher, case, "占道经营问题多次会商未果，涉及规划调整和市场选址。",
                        "区城管局：应由市场监管牵头；区住建局：需先调整规划。", "方案一：新建便民市场；方案二：划定临时疏导点。")
    brief = documents.issue_brief(district.dispatcher, case)
    assert brief.number == "常务会材料〔2026〕第001号"
    text = _text(bytes(brief.pdf))
    for expected in ["提请区政府常务会研究", "事项概要", "各单位意见", "建议方案", "新建便民市场", "妥否，请审定"]:
        assert expected in text, expected


@pytest.mark.parametrize("role,status", [("dispatcher", 200), ("leader", 200), ("supervisor", 200),
                                         ("handler", 200), ("other_handler", 200), ("street_handler", 404),
                                         ("deputy", 404), ("admin", 404)])
def test_download_only_to_those_who_see_the_case(district, decided_case, login, role, status):
    case = decided_case()
    minutes = documents.issue_minutes(district.dispatcher, case)
    response = login(district.people[role]).get(f"/consultations/documents/{minutes.id}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf" and response.data == bytes(minutes.pdf)
    else:
        assert b"%PDF" not in response.data


def test_issue_buttons_on_the_case_page(district, decided_case, login):
    case = decided_case()
    client = login(district.dispatcher)
    page = client.get(f"/consultations/{case.id}").get_data(as_text=True)
    assert 'data-action="issue_minutes"' in page and 'data-action="apply"' in page
    response = client.post(f"/consultations/{case.id}/issue/minutes")
    assert response.status_code == 302
    page = client.get(f"/consultations/{case.id}").get_data(as_text=True)
    assert "会商纪要〔2026〕第001号" in page and 'data-action="issue_minutes"' not in page
    assert login(district.handler).post(f"/consultations/{case.id}/issue/minutes").status_code == 403
    assert login(district.street_handler).post(f"/consultations/{case.id}/issue/minutes").status_code == 404
