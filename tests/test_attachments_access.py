"""Attachments over HTTP: who may open a file or its thumbnail (everyone else gets 404, anonymous users the
log-in page), the headers files are served with, uploading from the order page and with a reply, and the
files of supervision answers and consultation opinions under those areas' rules."""
import io
from urllib.parse import quote

import pytest

from portal.attachments import operations, storage
from portal.attachments.models import Attachment
from portal.consultation import operations as consultation
from portal.extensions import db
from portal.supervision import operations as supervision
from tests.fixtures import attachments as samples

HX = {"HX-Request": "true"}
EVERYONE = ["dispatcher", "supervisor", "leader", "admin", "handler", "handler_b", "unit_leader", "other_handler",
            "street_handler", "deputy"]
SEE_ORDER = {"dispatcher", "supervisor", "leader", "admin", "handler", "handler_b", "unit_leader"}
SEE_SUPERVISION_FILES = {"handler", "handler_b", "unit_leader", "supervisor", "leader"}
# the office, leaders and the case's owner (the dispatcher), and 区城管局 whose opinion it is; not 区住建局,
# invited too, nor anyone outside the case
SEE_OPINION_FILES = {"dispatcher", "supervisor", "leader", "handler", "handler_b", "unit_leader"}


def _rows():
    return db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()


@pytest.fixture
def photo_on_order(district, make_order):
    order = make_order("accepted")
    (row,) = operations.attach(district.handler, order.id, [("现场照片.jpg", samples.image("JPEG"))])
    return order, row


@pytest.mark.parametrize("role", EVERYONE)
def test_order_files_by_role(district, login, photo_on_order, role):
    order, row = photo_on_order
    client = login(district.people[role])
    for url in (f"/attachments/{row.id}", f"/attachments/{row.id}/thumb"):
        response = client.get(url)
        if role in SEE_ORDER:
            assert response.status_code == 200, url
            assert response.mimetype == "image/jpeg"
        else:
            assert response.status_code == 404 and b"\xff\xd8" not in response.data, url
    page = client.get(f"/orders/{order.id}")
    if role in SEE_ORDER:
        assert f'/attachments/{row.id}/thumb' in page.get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client, photo_on_order):
    order, row = photo_on_order
    for url in (f"/attachments/{row.id}", f"/attachments/{row.id}/thumb"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/orders/{order.id}/attachments", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_missing_file_is_404(district, login):
    assert login(district.dispatcher).get("/attachments/999").status_code == 404


def test_images_inline_documents_as_downloads_with_their_chinese_names(district, make_order, login, photo_on_order):
    order, photo = photo_on_order
    (doc,) = operations.attach(district.handler, order.id, [("整改情况说明.docx", samples.docx())])
    client = login(district.handler)
    image = client.get(f"/attachments/{photo.id}")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.data == storage.path_for(photo.sha256).read_bytes()
    response = client.get(f"/attachments/{doc.id}")
    assert response.status_code == 200 and response.data == storage.path_for(doc.sha256).read_bytes()
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('整改情况说明.docx')}" in disposition
    thumb = client.get(f"/attachments/{doc.id}/thumb")  # documents have no thumbnail
    assert thumb.status_code == 404


def test_a_renamed_file_is_served_as_what_it_is(district, make_order, login):
    order = make_order("accepted")
    (row,) = operations.attach(district.handler, order.id, [("报告.docx", samples.pdf())])
    response = login(district.handler).get(f"/attachments/{row.id}")
    assert response.mimetype == "application/pdf"
    assert quote("报告.pdf") in response.headers["Content-Disposition"]


@pytest.mark.parametrize("role", EVERYONE)
def test_upload_by_role(district, make_order, login, role):
    order = make_order("accepted")
    client = login(district.people[role])
    response = client.post(f"/orders/{order.id}/attachments", headers=HX, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(samples.image("JPEG")), "现场.jpg")]})
    if role in {"dispatcher", "supervisor", "handler", "handler_b", "unit_leader"}:
        assert response.status_code == 200 and "已上传1个附件" in response.get_data(as_text=True)
        assert len(_rows()) == 1
        assert f'href="/attachments/{_rows()[0].id}"' in response.get_data(as_text=True)  # the card lists it
    elif role in SEE_ORDER:  # may see the order, may not add to it
        assert response.status_code == 422 and "不能为该工单上传附件" in response.get_data(as_text=True)
        assert _rows() == []
    else:
        assert response.status_code == 404 and _rows() == []


def test_the_card_offers_upload_only_to_those_who_may(district, make_order, login):
    order = make_order("accepted")
    assert 'data-action="upload"' in login(district.handler).get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-action="upload"' not in login(district.leader).get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_refused_upload_says_why_and_stores_nothing(district, make_order, login, app):
    order = make_order("accepted")
    client = login(district.handler)
    response = client.post(f"/orders/{order.id}/attachments", headers=HX, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(b"<html><script>alert(1)</script></html>"), "照片.jpg")]})
    assert response.status_code == 422
    assert "附件“照片.jpg”的类型不允许（内容是网页、SVG 或 XML）" in response.get_data(as_text=True)
    assert _rows() == [] and not any(p.is_file() for p in storage.root().rglob("*"))
    plain = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", data={})
    assert plain.status_code == 422 and "请选择要上传的文件" in plain.get_data(as_text=True)
    ok = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data",
                     data={"files": [(io.BytesIO(samples.xlsx()), "台账.xlsx")]})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/orders/{order.id}#order-attachments")


def test_reply_with_files_from_the_order_page(district, make_order, login):
    order = make_order("accepted")
    client = login(district.handler)
    form = client.get(f"/orders/{order.id}/form/reply?view=page", headers=HX).get_data(as_text=True)
    assert 'hx-encoding="multipart/form-data"' in form and 'id="reply-files"' in form
    bad = client.post(f"/orders/{order.id}/act/reply", headers=HX, content_type="multipart/form-data", data={
        "version": order.version, "view": "page", "reply": "已现场清理占道摊点，恢复通行，并回复市民。",
        "files": [(io.BytesIO(b"MZ\x90\x00"), "照片.jpg")]})
    assert bad.status_code == 422 and "可执行程序" in bad.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "accepted" and _rows() == []
    response = client.post(f"/orders/{order.id}/act/reply", headers=HX, content_type="multipart/form-data", data={
        "version": order.version, "view": "page", "reply": "已现场清理占道摊点，恢复通行，并回复市民。",
        "files": [(io.BytesIO(samples.image("JPEG")), "整改后.jpg")]})
    assert response.status_code == 200
    (row,) = _rows()
    assert row.owner_kind == "reply" and "答复附件" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", EVERYONE)
def test_supervision_answer_files_by_role(district, login, open_supervision, role):
    s = open_supervision()
    record = supervision.answer(district.handler, s.id, "已现场处置完毕，相关材料见附件。",
                                [("现场照片.png", samples.image("PNG")), ("报告.pdf", samples.pdf())])
    photo, report = record.attachments
    client = login(district.people[role])
    for row in (photo, report):
        response = client.get(f"/attachments/{row.id}")
        assert response.status_code == (200 if role in SEE_SUPERVISION_FILES else 404), (role, row.filename)
    if role in SEE_SUPERVISION_FILES:
        page = client.get(f"/supervision/{s.id}").get_data(as_text=True)
        assert f"/attachments/{report.id}" in page and f"/attachments/{photo.id}/thumb" in page


def test_supervision_answer_upload_through_the_page(district, login, open_supervision):
    s = open_supervision()
    client = login(district.handler)
    bad = client.post(f"/supervision/{s.id}/act/answer", content_type="multipart/form-data", data={
        "text": "办理完毕，这次夹带一个可执行文件。", "files": [(io.BytesIO(b"MZ\x90\x00"), "x.pdf")]})
    assert bad.status_code == 422 and "类型不允许" in bad.get_data(as_text=True)
    assert "办理完毕，这次夹带一个可执行文件。" in bad.get_data(as_text=True)
    assert _rows() == []
    ok = client.post(f"/supervision/{s.id}/act/answer", content_type="multipart/form-data", data={
        "text": "已现场处置完毕，照片见附件。", "files": [(io.BytesIO(samples.image("JPEG")), "现场.jpg")]})
    assert ok.status_code == 302
    assert [r.owner_kind for r in _rows()] == ["supervision_answer"]


@pytest.mark.parametrize("role", EVERYONE)
def test_consultation_opinion_files_by_role(district, login, invited_case, role):
    invitation = consultation.submit_opinion(district.handler, invited_case, "本局负责占道经营执法，可牵头。",
                                             [("职责依据.pdf", samples.pdf()), ("现场.jpg", samples.image("JPEG"))])
    rows = _rows()
    assert {r.owner_id for r in rows} == {invitation.id}
    client = login(district.people[role])
    for row in rows:
        response = client.get(f"/attachments/{row.id}")
        assert response.status_code == (200 if role in SEE_OPINION_FILES else 404), (role, row.filename)


def test_consultation_opinion_upload_through_the_page(district, login, invited_case):
    client = login(district.handler)
    response = client.post(f"/consultations/{invited_case.id}/opinion", headers=HX, content_type="multipart/form-data",
                           data={"text": "本局负责占道经营执法，可牵头。",
                                 "files": [(io.BytesIO(samples.docx()), "职责依据.docx")]})
    assert response.status_code == 200
    (row,) = _rows()
    assert row.owner_kind == "consultation_opinion" and f"/attachments/{row.id}" in response.get_data(as_text=True)
    other = login(district.other_handler).get(f"/consultations/{invited_case.id}").get_data(as_text=True)
    assert f"/attachments/{row.id}" not in other  # another invited unit sees neither the opinion nor its files
    office = login(district.dispatcher).get(f"/consultations/{invited_case.id}").get_data(as_text=True)
    assert f"/attachments/{row.id}" in office
