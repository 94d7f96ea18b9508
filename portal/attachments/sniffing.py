"""What a file is, from its bytes alone: the name's extension never decides.

Accepted: images (JPEG, PNG, GIF, WebP; decoded by Pillow within a pixel limit), PDF, Office Open XML
(docx, xlsx, pptx: the zip's ``[Content_Types].xml`` names the main part, which must be there) and legacy
OLE2 Office files (doc, xls, ppt: the compound file's directory names the main stream). Everything else
(HTML, SVG, scripts, executables, archives, macro-enabled documents, zip bombs) is refused with
``Refused`` and a Chinese message naming the file.
"""
import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from defusedxml import ElementTree

from PIL import Image

from .errors import Refused

ACCEPTED = "图片（JPG、PNG、GIF、WebP）、PDF 和 Office 文档（Word、Excel、PowerPoint）"

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/gif", "gif"),
                 "WEBP": ("image/webp", "webp")}
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OLE_MAIN = {"worddocument": ("application/msword", "doc"), "workbook": ("application/vnd.ms-excel", "xls"),
            "book": ("application/vnd.ms-excel", "xls"),
            "powerpoint document": ("application/vnd.ms-powerpoint", "ppt")}
OLE_MACROS = {"macros", "_vba_project_cur", "vba"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# A zip whose parts unpack to more than this, or that has more parts, is refused (zip bombs).
ZIP_MAX_UNPACKED = 256 * 1024 * 1024
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_RATIO = 200


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str  # the extension the file is served with
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def sniff(name: str, data: bytes, max_pixels: int) -> Sniffed:
    """The type of ``data`` (uploaded as ``name``, which is only used in messages), or Refused."""
    if not data:
        raise Refused(f"附件“{name}”是空文件。")
    head = data[:16]
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
            head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return _image(name, data, max_pixels)
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "pdf")
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(name, data)
    if head.startswith(OLE_MAGIC):
        return _ole(name, data)
    raise Refused(f"附件“{name}”的类型不允许{_what(data)}：只能上传{ACCEPTED}。")


def _what(data: bytes) -> str:
    """A hint at what a refused file is, for the message."""
    head = data[:512].lstrip().lower()
    if data.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")) or data.startswith(b"#!"):
        return "（内容是可执行程序或脚本）"
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head or b"<html" in head or b"<script" in head:
        return "（内容是网页、SVG 或 XML）"
    if data.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "（内容是压缩包）"
    return ""


def _image(name: str, data: bytes, max_pixels: int) -> Sniffed:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
                if width * height > max_pixels:
                    raise Refused(f"附件“{name}”的图片尺寸过大（{width}×{height}），"
                                  f"最多{max_pixels // 1_000_000}百万像素。")
                img.verify()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(f"附件“{name}”的图片尺寸过大，最多{max_pixels // 1_000_000}百万像素。") from None
    except Exception:
        raise Refused(f"附件“{name}”不是完好的图片，无法打开。") from None
    if fmt not in IMAGE_FORMATS:
        raise Refused(f"附件“{name}”的类型不允许：只能上传{ACCEPTED}。")
    content_type, extension = IMAGE_FORMATS[fmt]
    return Sniffed(content_type, extension, width, height)


def _ooxml(name: str, data: bytes) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused(f"附件“{name}”已损坏，无法打开。") from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED or unpacked / packed > ZIP_MAX_RATIO:
        raise Refused(f"附件“{name}”解压后过大，疑似压缩炸弹，不予接收。")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise Refused(f"附件“{name}”是压缩包，不允许上传：只能上传{ACCEPTED}。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused(f"附件“{name}”含有宏，不允许上传。请另存为不含宏的文档。")
    overrides = _content_types(name, archive.read("[Content_Types].xml"))
    for part, content_type in overrides.items():
        if "macroenabled" in content_type.lower():
            raise Refused(f"附件“{name}”含有宏，不允许上传。请另存为不含宏的文档。")
    for part, content_type in overrides.items():
        if content_type in OOXML_MAIN and part.lstrip("/") in names:
            return Sniffed(*OOXML_MAIN[content_type])
    raise Refused(f"附件“{name}”不是 Word、Excel 或 PowerPoint 文档：只能上传{ACCEPTED}。")


def _content_types(name: str, xml: bytes) -> dict[str, str]:
    if len(xml) > 1024 * 1024 or re.search(rb"<!(DOCTYPE|ENTITY)", xml, re.IGNORECASE):
        raise Refused(f"附件“{name}”的文档结构异常，不予接收。")
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, ValueError):  # defusedxml's refusals are ValueErrors too
        raise Refused(f"附件“{name}”已损坏，无法打开。") from None
    return {el.get("PartName", ""): el.get("ContentType", "") for el in root if el.tag.endswith("Override")}


def _ole(name: str, data: bytes) -> Sniffed:
    try:
        entries = _ole_directory(data)
    except (ValueError, struct.error, IndexError):
        raise Refused(f"附件“{name}”已损坏，无法打开。") from None
    if entries & OLE_MACROS:
        raise Refused(f"附件“{name}”含有宏，不允许上传。请另存为不含宏的文档。")
    for entry in entries:
        if entry in OLE_MAIN:
            return Sniffed(*OLE_MAIN[entry])
    raise Refused(f"附件“{name}”不是 Word、Excel 或 PowerPoint 文档：只能上传{ACCEPTED}。")


def _ole_directory(data: bytes) -> set[str]:
    """The (lower-cased) names in a compound file's directory: its header's FAT sectors, then the
    directory's sector chain, 128 bytes per entry."""
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    size = 1 << shift
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if start + size > len(data):
            raise ValueError("sector outside the file")
        return data[start:start + size]

    fat = []
    for s in fat_sectors:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    names, current, seen = set(), first_dir, set()
    while current < 0xFFFFFFFA and current not in seen and len(seen) < 10_000:
        seen.add(current)
        block = sector(current)
        for offset in range(0, size, 128):
            length = struct.unpack_from("<H", block, offset + 64)[0]
            if 2 <= length <= 64:
                names.add(block[offset:offset + length - 2].decode("utf-16-le", "replace").lower())
        current = fat[current] if current < len(fat) else 0xFFFFFFFE
    return names
