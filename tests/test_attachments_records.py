"""Storing attachments: checked before anything is written, all or nothing, content-addressed and
deduplicated, thumbnails for images, limits per file, per upload and per order; replies, supervision
answers and consultation opinions through the same path."""
import io

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError

from portal.attachments import operations, storage
from portal.attachments.errors import Refused
from portal.attachments.models import Attachment
from portal.auth.models import User
from portal.consultation import operations as consultation
from portal.consultation.states import Refused as ConsultationRefused
from portal.extensions import db
from portal.orders.models import OrderEvent
from portal.supervision import operations as supervision
from portal.supervision.states import Refused as SupervisionRefused
from tests.fixtures import attachments as samples


def stored_files(app) -> list:
    root = storage.root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def rows() -> list[Attachment]:
    return db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()


def test_files_are_stored_by_content_outside_the_web_root(district, make_order, app):
    order = make_order("accepted")
    jpeg = samples.image("JPEG")
    (row,) = operations.attach(district.handler, order.id, [("../../现场照片.jpg", jpeg)])
    path = storage.path_for(row.sha256)
    assert path.read_bytes() == jpeg
    assert path.relative_to(storage.root()).parts == (row.sha256[:2], row.sha256[2:4], row.sha256)
    assert not path.resolve().is_relative_to(app.static_folder)
    assert (row.filename, row.content_type, row.extension, row.size) == ("现场照片.jpg", "image/jpeg", "jpg", len(jpeg))
    assert (row.width, row.height, row.owner_kind, row.owner_id) == (640, 480, "order", order.id)
    assert not [p for p in stored_files(app) if p.name.startswith(".upload-")]  # no temporary file left


def test_the_store_refuses_to_live_under_static(app, ctx):
    app.config["ATTACHMENTS_DIR"] = str(app.static_folder) + "/uploads"
    with pytest.raises(RuntimeError, match="static"):
        storage.root()


def test_the_served_name_takes_the_real_extension(district, make_order):
    order = make_order("accepted")
    (row,) = operations.attach(district.handler, order.id, [("扫描件.pdf", samples.image("PNG"))])
    assert row.content_type == "image/png" and row.download_name == "扫描件.png"


def test_a_thumbnail_is_made_on_upload(district, make_order):
    order = make_order("accepted")
    (row,) = operations.attach(district.handler, order.id, [("大图.jpg", samples.image("JPEG", (2400, 1600)))])
    with Image.open(storage.thumb_path(row.sha256)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size == (320, 213)
    (doc,) = operations.attach(district.handler, order.id, [("说明.docx", samples.docx())])
    assert not storage.thumb_path(doc.sha256).exists()


def test_same_content_twice_is_one_file(district, make_order, app):
    a, b = make_order("accepted"), make_order("accepted", caller_phone="13900000001")
    data = samples.pdf()
    operations.attach(district.handler, a.id, [("报告.pdf", data)])
    operations.attach(district.dispatcher, b.id, [("另一个名字.pdf", data)])
    assert len(rows()) == 2 and rows()[0].sha256 == rows()[1].sha256
    assert len(stored_files(app)) == 1


@pytest.mark.parametrize("name,data,message", [
    ("照片.jpg", b"<html><body>not a photo</body></html>", "类型不允许"),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "可执行程序"),
])
def test_a_refused_file_stores_nothing_of_the_upload(district, make_order, app, name, data, message):
    order = make_order("accepted")
    good = samples.image("JPEG")
    with pytest.raises(Refused, match=message):
        operations.attach(district.handler, order.id, [("好的.jpg", good), (name, data)])
    assert rows() == [] and stored_files(app) == []


def test_over_the_file_limit_is_refused_and_nothing_stored(district, make_order, app):
    order = make_order("accepted")
    app.config["ATTACHMENT_MAX_BYTES"] = 50 * 1024
    big = _noisy_png(200)
    assert len(big) > 50 * 1024
    with pytest.raises(Refused, match=r"附件“大图.png”大小为1\d\dKB，超过单个附件上限50KB"):
        operations.attach(district.handler, order.id, [("小图.jpg", samples.image("JPEG", (64, 64))), ("大图.png", big)])
    assert rows() == [] and stored_files(app) == []


def _noisy_png(side: int) -> bytes:
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_the_order_total_is_limited(district, make_order, app):
    order = make_order("accepted")
    other = make_order("accepted", caller_phone="13900000002")
    first, second = _noisy_png(120), _noisy_png(121)
    app.config["ATTACHMENT_MAX_PER_ORDER_BYTES"] = len(first) + len(second) - 1
    operations.attach(district.handler, order.id, [("一.png", first)])
    with pytest.raises(Refused, match="附件“二.png”超出本工单附件总量上限"):
        operations.attach(district.handler, order.id, [("二.png", second)])
    assert len(rows()) == 1
    operations.attach(district.handler, other.id, [("二.png", second)])  # another order has its own total
    assert len(rows()) == 2


def test_files_per_upload_are_limited(district, make_order, app):
    order = make_order("accepted")
    app.config["ATTACHMENT_MAX_FILES"] = 2
    with pytest.raises(Refused, match="一次最多上传2个附件"):
        operations.attach(district.handler, order.id, [(f"{i}.jpg", samples.image("JPEG")) for i in range(3)])
    assert rows() == []


def test_a_failure_after_writing_removes_the_new_files(district, make_order, app):
    order = make_order("accepted")
    kept = samples.pdf("已有的文件")
    operations.attach(district.handler, order.id, [("已有.pdf", kept)])
    before = set(stored_files(app))
    fresh = samples.image("JPEG", (300, 200), (200, 10, 10))
    ghost = User(id=987654, username="ghost", name="已删除的账号", role="dispatcher")  # not in the database
    with pytest.raises(IntegrityError):  # the rows' foreign key fails at the commit, after the files were written
        operations.attach(ghost, order.id, [("新.jpg", fresh), ("重复.pdf", kept)])
    assert set(stored_files(app)) == before  # the new image and its thumbnail gone, the shared file kept
    assert len(rows()) == 1


@pytest.mark.parametrize("who,state,message", [
    ("deputy", "accepted", "不能为该工单上传附件"),
    ("leader", "accepted", "不能为该工单上传附件"),
    ("other_handler", "accepted", "不能为该工单上传附件"),
    ("dispatcher", "closed", "已办结"),
])
def test_who_may_attach(district, make_order, who, state, message):
    order = make_order(state)
    with pytest.raises(Refused, match=message):
        operations.attach(district.people[who], order.id, [("a.jpg", samples.image("JPEG"))])
    assert rows() == []


def test_assisting_unit_and_supervisor_may_attach(district, make_order):
    order = make_order("accepted", assist=[district.zhujian])
    operations.attach(district.other_handler, order.id, [("协办.jpg", samples.image("JPEG"))])
    operations.attach(district.supervisor, order.id, [("暗访.jpg", samples.image("PNG"))])
    assert [r.uploaded_by_id for r in rows()] == [district.other_handler.id, district.supervisor.id]


def test_a_reply_and_its_files_in_one_transaction(district, make_order):
    order = make_order("accepted")
    order = operations.reply_with_files(order.id, district.handler, [("整改后.jpg", samples.image("JPEG")),
                                                                      ("台账.xlsx", samples.xlsx())],
                                        version=order.version, reply="已现场清理占道摊点，恢复通行，并回复市民。")
    assert order.state == "replied"
    event = db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                           OrderEvent.action == "reply")).one()
    assert [(r.owner_kind, r.owner_id) for r in rows()] == [("reply", event.id)] * 2


def test_a_refused_reply_keeps_neither_reply_nor_files(district, make_order, app):
    order = make_order("accepted")
    from portal.orders.errors import InvalidInput

    with pytest.raises(InvalidInput, match="答复内容"):  # too short: the reply itself is refused
        operations.reply_with_files(order.id, district.handler, [("照片.jpg", samples.image("JPEG"))], reply="好")
    db.session.refresh(order)
    assert order.state == "accepted" and rows() == [] and stored_files(app) == []


def test_supervision_answers_attach_through_the_same_path(district, open_supervision, app):
    s = open_supervision()
    with pytest.raises(SupervisionRefused, match="类型不允许"):
        supervision.answer(district.handler, s.id, "已现场处置完毕，相关材料见附件。", [("x.jpg", b"<html></html>")])
    assert not s.answers and stored_files(app) == []
    record = supervision.answer(district.handler, s.id, "已现场处置完毕，相关材料见附件。",
                                [("现场.png", samples.image("PNG")), ("报告.pdf", samples.pdf())])
    assert [(a.owner_kind, a.owner_id, a.order_id) for a in record.attachments] == [
        ("supervision_answer", record.id, s.links[0].order_id)] * 2
    assert s.state == "answered"


def test_consultation_opinions_attach_through_the_same_path(district, invited_case, app):
    case = invited_case
    with pytest.raises(ConsultationRefused, match="含有宏"):
        consultation.submit_opinion(district.handler, case, "本局负责占道经营执法。", [("宏.docx", samples.docm())])
    assert rows() == [] and stored_files(app) == []
    invitation = consultation.submit_opinion(district.handler, case, "本局负责占道经营执法，可牵头。",
                                             [("职责依据.docx", samples.docx())])
    assert invitation.opinion.startswith("本局")
    assert [(r.owner_kind, r.owner_id, r.extension) for r in rows()] == [("consultation_opinion", invitation.id, "docx")]


def test_an_upload_on_the_order_is_on_its_timeline(district, make_order):
    order = make_order("accepted")
    operations.attach(district.handler, order.id, [("现场.jpg", samples.image("JPEG")), ("说明.pdf", samples.pdf())])
    event = db.session.scalars(db.select(OrderEvent).where(OrderEvent.order_id == order.id)
                               .order_by(OrderEvent.id.desc())).first()
    assert (event.action, event.note, event.actor_id) == ("attach", "现场.jpg、说明.pdf", district.handler.id)
    db.session.refresh(order)
    assert order.state == "accepted"


def test_adopting_files_from_another_folder(district, make_order, app, tmp_path):
    order = make_order("accepted")
    jpeg = samples.image("JPEG")
    (row,) = operations.attach(district.handler, order.id, [("现场.jpg", jpeg)])
    storage.path_for(row.sha256).unlink()
    storage.thumb_path(row.sha256).unlink()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["attachments", "check"]).exit_code == 1
    old = tmp_path / "supervision-files" / "2026"
    old.mkdir(parents=True)
    (old / "a1b2c3.jpg").write_bytes(jpeg)
    (old / "unrelated.pdf").write_bytes(samples.pdf())
    result = runner.invoke(args=["attachments", "adopt", str(tmp_path / "supervision-files")])
    assert result.exit_code == 0 and "adopted 1 files" in result.output
    assert storage.path_for(row.sha256).read_bytes() == jpeg and storage.thumb_path(row.sha256).is_file()
    assert runner.invoke(args=["attachments", "check"]).exit_code == 0
