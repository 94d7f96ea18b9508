"""Notices: who may download them (the addressee unit, the issuer, leaders; no one else gets more than a
404), the notice PDF itself (embedded CJK font, its text), printing several in one PDF. The answers' files
are attachments: tests/test_attachments_*.py."""
import io
import subprocess

import pytest
from pypdf import PdfReader


ALLOWED = {"handler", "handler_b", "unit_leader", "supervisor", "leader"}
EVERYONE = ["handler", "handler_b", "unit_leader", "supervisor", "leader", "dispatcher", "admin", "other_handler",
            "street_handler", "deputy"]


def test_notice_pdf_embeds_a_cjk_font_and_says_what_it_must(district, open_supervision, tmp_path):
    s = open_supervision(issue_notice=True, level="leader", lead_leader_id=district.leader.id)
    data = bytes(s.notice.pdf)
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "WenQuanYi" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for expected in ["督字〔2026〕第0001号", "督办通知单", "区城管局", s.orders[0].number, "督办要求",
                     "2026年11月30日", "领导牵头督办", "盖章", "区政务服务便民热线办公室"]:
        assert expected in text, expected


@pytest.mark.parametrize("role", EVERYONE)
def test_notice_download_by_role(district, login, open_supervision, role):
    s = open_supervision(issue_notice=True)
    response = login(district.people[role]).get(f"/supervision/notices/{s.notice.id}")
    if role in ALLOWED:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data == bytes(s.notice.pdf)  # exactly as stored
    else:
        assert response.status_code == 404 and b"%PDF" not in response.data


def test_another_supervisor_is_not_the_issuer(district, make_user, login, open_supervision):
    s = open_supervision(issue_notice=True)
    other = make_user("supervisor", district.office)
    assert login(other).get(f"/supervision/notices/{s.notice.id}").status_code == 404
    assert login(district.supervisor).get(f"/supervision/notices/{s.notice.id}").status_code == 200


def test_print_several_notices_in_one_pdf(district, make_order, login, open_supervision):
    a = open_supervision(issue_notice=True)
    b = open_supervision(orders=[make_order("accepted", caller_phone="13900000009", content="路面塌陷。")],
                         issue_notice=True)
    c = open_supervision(orders=[make_order("accepted", lead=district.zhujian)], issue_notice=True)
    pages = {n.id: len(PdfReader(io.BytesIO(bytes(n.pdf))).pages) for n in (a.notice, b.notice, c.notice)}
    client = login(district.supervisor)
    response = client.get(f"/supervision/notices/print?notice={a.notice.id}&notice={c.notice.id}&notice={b.notice.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    merged = PdfReader(io.BytesIO(response.data))
    assert len(merged.pages) == sum(pages.values())
    first = merged.pages[0].extract_text().replace(" ", "")
    assert a.notice.number in first
    # the 区城管局 handler may print the unit's two, not 区住建局's
    handler = login(district.handler)
    assert handler.get(f"/supervision/notices/print?notice={a.notice.id}&notice={b.notice.id}").status_code == 200
    assert handler.get(f"/supervision/notices/print?notice={a.notice.id}&notice={c.notice.id}").status_code == 404
    assert handler.get("/supervision/notices/print").status_code == 404
    assert handler.get("/supervision/notices/print?notice=x").status_code == 404
    assert login(district.leader).get(
        f"/supervision/notices/print?notice={a.notice.id}&notice={c.notice.id}").status_code == 200


def test_the_list_offers_printing_the_selected(district, login, open_supervision):
    s = open_supervision(issue_notice=True)
    page = login(district.supervisor).get("/supervision/").get_data(as_text=True)
    assert f'name="notice" value="{s.notice.id}"' in page and "合并打印所选通知单" in page
