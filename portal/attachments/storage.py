"""The attachment store: files named by the sha256 of their content, kept outside the web root.

``<ATTACHMENTS_DIR or instance/attachments>/ab/cd/<sha256>``, and for images a small JPEG thumbnail
``thumbs/<sha256>.jpg``. A file is written to a temporary name in its folder and moved into place, so a
reader never sees half a file; the same content is stored once, however many attachments name it.
"""
import io
import os
import tempfile
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps


def root() -> Path:
    """The store's folder. It must not be served as static files."""
    configured = current_app.config.get("ATTACHMENTS_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    static = current_app.static_folder
    if static and folder.resolve().is_relative_to(Path(static).resolve()):
        raise RuntimeError(f"ATTACHMENTS_DIR ({folder}) must not be inside the static folder ({static})")
    return folder


def path_for(sha256: str) -> Path:
    return root() / sha256[:2] / sha256[2:4] / sha256


def thumb_path(sha256: str) -> Path:
    return root() / "thumbs" / f"{sha256}.jpg"


def put(sha256: str, data: bytes) -> Path | None:
    """Store ``data`` under its hash; return the path if this call created it (None: it was there)."""
    path = path_for(sha256)
    if path.is_file() and path.stat().st_size == len(data):
        return None
    _write(path, data)
    return path


def put_thumbnail(sha256: str, data: bytes, size: int) -> Path | None:
    """Make and store the thumbnail of the image ``data``; return the path if this call created it."""
    path = thumb_path(sha256)
    if path.is_file():
        return None
    _write(path, thumbnail(data, size))
    return path


def thumbnail(data: bytes, size: int) -> bytes:
    """A JPEG at most ``size`` pixels on its longer side, turned as the camera meant (EXIF), without metadata."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale
        img = ImageOps.exif_transpose(img)
        img.thumbnail((size, size))
        if img.mode in ("RGBA", "LA", "P"):
            img = img.convert("RGBA")
            background = Image.new("RGB", img.size, "white")
            background.paste(img, mask=img.getchannel("A"))
            img = background
        elif img.mode != "RGB":
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o640)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
