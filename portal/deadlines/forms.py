"""Reading the deadline pages' submitted forms: the policy row and the holiday file or text."""
from werkzeug.datastructures import FileStorage

from .holiday_csv import LineError, ParseResult, parse_file, parse_text

POLICY_FIELDS = ("unit", "sign_for", "first_feedback", "reply", "complex_reply", "warn_minutes")
MAX_UPLOAD_BYTES = 256 * 1024  # a year's schedule is a few kilobytes
MAX_TEXT_CHARS = 100_000


def policy_data(form) -> dict[str, str]:
    """The policy fields as typed; ``operations.save_policy`` validates them."""
    return {key: (form.get(key) or "").strip() for key in POLICY_FIELDS}


def holiday_upload(files) -> tuple[ParseResult, str]:
    """The parsed upload in the ``file`` field, and a description of where it came from."""
    upload: FileStorage | None = files.get("file")
    if upload is None or not upload.filename:
        return ParseResult(errors=[LineError(None, "请选择要上传的CSV文件。")]), ""
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return ParseResult(errors=[LineError(None, f"文件过大（超过{MAX_UPLOAD_BYTES // 1024}KB），请检查是否选错了文件。")]), ""
    if not data.strip():
        return ParseResult(errors=[LineError(None, "上传的文件是空的。")]), ""
    return parse_file(data), f"CSV文件：{upload.filename}"


def holiday_text(form) -> tuple[ParseResult, str]:
    """The parsed lines of the ``text`` field."""
    text = form.get("text") or ""
    if len(text) > MAX_TEXT_CHARS:
        return ParseResult(errors=[LineError(None, "内容过多，请检查粘贴的内容。")]), ""
    if not text.strip():
        return ParseResult(errors=[LineError(None, "请填写节假日安排，每行一个日期：日期,类型,名称。")]), ""
    return parse_text(text), "页面录入"
