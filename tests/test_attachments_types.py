"""The type of an attachment comes from its content: what is accepted, what is refused and why, and the
extension a file is served with whatever its uploaded name."""
import pytest

from portal.attachments.errors import Refused
from portal.attachments.sniffing import sniff
from tests.fixtures import attachments as samples

LIMIT = 40_000_000


@pytest.mark.parametrize("make,content_type,extension", [
    (lambda: samples.image("JPEG"), "image/jpeg", "jpg"),
    (lambda: samples.image("PNG"), "image/png", "png"),
    (lambda: samples.image("GIF"), "image/gif", "gif"),
    (lambda: samples.image("WEBP"), "image/webp", "webp"),
    (samples.pdf, "application/pdf", "pdf"),
    (samples.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (samples.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    (lambda: samples.ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                           "ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    (lambda: samples.ole("WordDocument", "1Table"), "application/msword", "doc"),
    (lambda: samples.ole("Workbook"), "application/vnd.ms-excel", "xls"),
    (lambda: samples.ole("PowerPoint Document"), "application/vnd.ms-powerpoint", "ppt"),
])
def test_accepted_kinds(make, content_type, extension):
    found = sniff("whatever.bin", make(), LIMIT)  # the name says nothing
    assert (found.content_type, found.extension) == (content_type, extension)


def test_images_carry_their_size():
    found = sniff("现场.jpg", samples.image("JPEG", (800, 600)), LIMIT)
    assert (found.width, found.height) == (800, 600) and found.is_image


@pytest.mark.parametrize("name,data,message", [
    ("照片.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页"),
    ("图.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "网页、SVG"),
    ("说明.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "可执行程序"),
    ("run.docx", b"#!/bin/sh\nrm -rf /\n", "可执行程序或脚本"),
    ("说明.txt", "纯文本说明".encode(), "类型不允许"),
    ("打包.zip", samples.plain_zip(), "压缩包"),
    ("宏.docx", samples.docm(), "含有宏"),
    ("宏.doc", samples.ole("WordDocument", "Macros", "VBA"), "含有宏"),
    ("安装.msi", samples.ole("SummaryInformation"), "不是 Word、Excel 或 PowerPoint"),
    ("炸弹.docx", samples.zip_bomb(), "压缩炸弹"),
    ("坏图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "不是完好的图片"),
    ("空.pdf", b"", "空文件"),
])
def test_refused_kinds(name, data, message):
    with pytest.raises(Refused, match=message) as refused:
        sniff(name, data, LIMIT)
    assert name in str(refused.value)


def test_too_many_pixels_is_refused_before_decoding():
    data = samples.image("PNG", (3000, 2000))
    with pytest.raises(Refused, match="尺寸过大"):
        sniff("全景.png", data, 5_000_000)
    assert sniff("全景.png", data, 6_000_000).width == 3000
