"""Normalising what the city platform sends: phone numbers, times, yes/no, vocabulary labels.

Each function raises ValueError with a message for the user (Chinese) when the value cannot be read.
"""
import re
import unicodedata
from datetime import date, datetime

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
LOCAL = re.compile(r"^\d{7,8}$")  # a local landline without area code
SERVICE = re.compile(r"^(95|96|400|800)\d{3,8}$")
ISO_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
                "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")


def to_halfwidth(value: str) -> str:
    """Full-width digits, letters and punctuation (１３８, ＋) to their ASCII forms."""
    return unicodedata.normalize("NFKC", value)


def phone(raw) -> str:
    """13812341234, 138 1234 1234, +86 138-1234-1234, ０２１-１２３４５６７８ -> digits (landlines keep a dash)."""
    if raw is None or str(raw).strip() == "":
        raise ValueError("缺少联系电话")
    value = to_halfwidth(str(raw)).strip()
    if isinstance(raw, float) and raw.is_integer():  # a spreadsheet cell that stored the number as a float
        value = str(int(raw))
    value = re.sub(r"[\s()（）.]", "", value)
    value = re.sub(r"^(\+86|0086|86(?=1[3-9]\d{9}$))", "", value)
    value = value.replace("—", "-").replace("－", "-")
    digits = value.replace("-", "")
    if MOBILE.match(digits):
        return digits
    if LANDLINE.match(value) or LANDLINE.match(digits):
        if "-" in value:
            return value
        area = 3 if digits[:2] in ("01", "02") else 4
        return f"{digits[:area]}-{digits[area:]}"
    if LOCAL.match(digits) or SERVICE.match(digits):
        return digits
    raise ValueError(f"联系电话“{raw}”格式不正确")


def when(raw) -> datetime:
    """2026-10-08 09:15:00, 2026/10/8 9:15, 2026年10月8日, or a spreadsheet date cell."""
    if isinstance(raw, datetime):
        return raw.replace(microsecond=0, tzinfo=None)
    if isinstance(raw, date):
        return datetime.combine(raw, datetime.min.time())
    if raw is None or str(raw).strip() == "":
        raise ValueError("缺少时间")
    value = re.sub(r"\s+", " ", to_halfwidth(str(raw)).strip())
    if ISO_SECONDS.match(value):  # the city's own format, most rows of a big file: no strptime
        try:
            return datetime(int(value[:4]), int(value[5:7]), int(value[8:10]),
                            int(value[11:13]), int(value[14:16]), int(value[17:19]))
        except ValueError:
            pass  # 2026-02-30: strptime below gives the same message as for any other bad time
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"时间“{raw}”无法识别（应如 2026-10-08 09:15:00 或 2026/10/8 9:15）")


def yes_no(raw) -> bool:
    value = to_halfwidth(str(raw or "")).strip().lower()
    if value in ("", "否", "no", "n", "false", "0", "不涉企"):
        return False
    if value in ("是", "yes", "y", "true", "1", "涉企"):
        return True
    raise ValueError(f"“{raw}”应为 是 或 否")


def code_of(vocab: dict[str, str], raw, what: str) -> str:
    """The code for a label (投诉 -> complaint) or a code given as is."""
    value = to_halfwidth(str(raw or "")).strip()
    if not value:
        raise ValueError(f"缺少{what}")
    if value in vocab:
        return value
    for code, label in vocab.items():
        if value == label:
            return code
    raise ValueError(f"未知的{what}“{raw}”（可选：{'、'.join(vocab.values())}）")
