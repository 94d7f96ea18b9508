"""Notices and answer attachments: who may download them (the addressee unit, the issuer, leaders; no one
else gets more than a 404), the notice PDF itself (embedded CJK font, its text), printing several in one
PDF, and the attachment rules (types, size, safe stored names)."""
import io
import subprocess

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.supervision import operations
from portal.supervision.models import SupervisionAttachment
from portal.supervision.states import Refused
from tests.fixtures.supervision import PDF, PNG

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


def _answer_with(district, s, files):
    return operations.answer(district.handler, s.id, "已现场处置完毕，相关材料见附件。", files)


def test_attachments_are_stored_under_generated_names(district, open_supervision, app):
    s = open_supervision()
    record = _answer_with(district, s, [("../../现场照片.png", PNG), ("整改报告.pdf", PDF)])
    root = operations.storage_root()
    names = [a.filename for a in record.attachments]
    assert names == ["现场照片.png", "整改报告.pdf"]
    for a in record.attachments:
        path = root / a.stored_name
        assert path.is_file() and path.resolve().is_relative_to(root.resolve())
        assert "现场" not in a.stored_name and ".." not in a.stored_name
    assert record.attachments[0].content_type == "image/png"


@pytest.mark.parametrize("name,data,message", [
    ("病毒.exe", b"MZ\x90\x00", "类型不允许"),
    ("说明.txt", b"hello", "类型不允许"),
    ("假图片.png", b"%PDF-1.4 not a png", "内容与扩展名不符"),
    ("空.pdf", b"", "空文件"),
])
def test_attachment_refusals_change_nothing(district, open_supervision, name, data, message):
    s = open_supervision()
    with pytest.raises(Refused, match=message):
        _answer_with(district, s, [(name, data)])
    assert s.state == "open" and not s.answers
    assert not list(operations.storage_root().rglob("*.*"))


def test_attachment_size_limit(district, open_supervision, app):
    s = open_supervision()
    app.config["SUPERVISION_ATTACHMENT_MAX_BYTES"] = 1024
    with pytest.raises(Refused, match="超过"):
        _answer_with(district, s, [("大.pdf", PDF + b"0" * 2048)])
    _answer_with(district, s, [("小.pdf", PDF)])
    assert s.state == "answered"


def test_too_many_attachments(district, open_supervision):
    s = open_supervision()
    with pytest.raises(Refused, match="最多5个"):
        _answer_with(district, s, [(f"{i}.png", PNG) for i in range(6)])


@pytest.mark.parametrize("role", EVERYONE)
def test_attachment_download_by_role(district, login, open_supervision, role):
    s = open_supervision()
    record = _answer_with(district, s, [("现场照片.png", PNG)])
    response = login(district.people[role]).get(f"/supervision/attachments/{record.attachments[0].id}")
    if role in ALLOWED:
        assert response.status_code == 200 and response.data == PNG
        assert "attachment" in response.headers["Content-Disposition"]
    else:
        assert response.status_code == 404


def test_upload_through_the_page(district, login, open_supervision):
    s = open_supervision()
    client = login(district.handler)
    bad = client.post(f"/supervision/{s.id}/act/answer", content_type="multipart/form-data", data={
        "text": "办理完毕，这次夹带一个可执行文件。", "files": [(io.BytesIO(b"MZ"), "x.exe")]})
    assert bad.status_code == 422 and "类型不允许" in bad.get_data(as_text=True)
    assert "办理完毕，这次夹带一个可执行文件。" in bad.get_data(as_text=True)  # what was typed comes back
    response = client.post(f"/supervision/{s.id}/act/answer", content_type="multipart/form-data", data={
        "text": "已现场处置完毕，照片见附件。", "files": [(io.BytesIO(PNG), "现场.png"), (io.BytesIO(PDF), "报告.pdf")]})
    assert response.status_code == 302
    stored = db.session.scalars(db.select(SupervisionAttachment)).all()
    assert sorted(a.filename for a in stored) == ["报告.pdf", "现场.png"]
    page = client.get(f"/supervision/{s.id}").get_data(as_text=True)
    assert f"/supervision/attachments/{stored[0].id}" in page
