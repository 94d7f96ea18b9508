"""Removing personal data from text that will be public: phones, ID numbers, names, house numbers.

Pure functions. ``street_address`` cuts an address before its first house, building or room number
("城关街道东关社区建设路12号" -> "城关街道东关社区建设路"); ``public_summary`` is the default public text of an
order: its content with the caller's name, phone-like digit runs, ID numbers and house numbers removed.
The office reviews the summary before an order is published.
"""
import re

_NUM = r"[0-9０-９一二三四五六七八九十百千零〇两]+"
# The first house/building/room number, and everything after it.
_HOUSE = re.compile(rf"({_NUM}\s*(号|栋|幢|楼|单元|室|弄|层|户|号院)|[0-9０-９]).*$")
_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})(?!\d)")
_HOUSE_IN_TEXT = re.compile(rf"{_NUM}\s*(号楼|号院|号|栋|幢|单元|室|弄)")
_TITLES = re.compile(r"[\u4e00-\u9fa5](先生|女士|师傅|阿姨|大爷|老师)")


def street_address(address: str) -> str:
    """The address up to the street, road or residential compound, without any number after it."""
    cut = _HOUSE.sub("", (address or "").strip()).rstrip("（(，,、 ")
    return cut or "（地址不公开）"


def public_summary(content: str, names: tuple[str, ...] = ()) -> str:
    """``content`` with the given names, titles such as 王先生, ID numbers, phone numbers and house
    numbers removed."""
    text = content or ""
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, "市民")
        if len(name) >= 2:
            text = re.sub(re.escape(name[0]) + r"(先生|女士|师傅|阿姨|大爷)", "市民", text)
    text = _TITLES.sub("市民", text)
    text = _ID_NUMBER.sub("（证件号已隐去）", text)
    text = _PHONE.sub("（电话已隐去）", text)
    text = _HOUSE_IN_TEXT.sub("", text)
    return text.strip()
