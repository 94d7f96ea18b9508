"""Reading a year's official holiday schedule (国务院办公厅 节假日安排) from a CSV file or pasted text.

One line per day that differs from Monday-to-Friday: ``日期,类型,名称``, for example
``2027-10-01,休,国庆节`` (a public holiday) or ``2027-09-26,班,国庆节调休`` (a make-up working day).
类型 is 休 or 假 for a day off and 班 for a working day. A header row ``日期,类型,名称`` is optional.
Dates may be written 2027-10-01, 2027/10/1 or 2027年10月1日. Files may be UTF-8 (with or without a BOM,
as Excel and WPS write "CSV UTF-8"), UTF-16 with a BOM, or GB18030/GBK (Excel's plain "CSV" on
Chinese Windows). Commas may be full-width (，) and pasted Excel cells tab-separated.

Pure: ``parse_file(bytes)`` and ``parse_text(str)`` return a ``ParseResult`` holding either the rows of one
year or every error found, each with its line number and the reason in Chinese; nothing here touches the
database (``operations.load_year`` saves the rows).
"""
import codecs
import csv
import re
from dataclasses import dataclass, field
from datetime import date

TYPES = {"休": False, "假": False, "班": True}  # 类型 -> is a working day
HEADER_CELLS = {"日期", "date"}
NAME_LIMIT = 40  # CalendarDay.name
MAX_LINES = 1000  # a year has at most 366 days; more lines is the wrong file
MIN_YEAR, MAX_YEAR = 2000, 2100
DATE_FORMAT_HINT = "应写作 2027-10-01 或 2027/10/1"

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class HolidayRow:
    line: int
    day: date
    workday: bool  # False: a public holiday (休/假); True: a make-up working day (班)
    name: str


@dataclass(frozen=True)
class LineError:
    line: int | None  # None: a problem with the whole file
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}" if self.line else self.message


@dataclass
class ParseResult:
    rows: list[HolidayRow] = field(default_factory=list)  # empty when there are errors
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def year(self) -> int | None:
        return self.rows[0].day.year if self.rows else None


class UndecodableFile(ValueError):
    """The bytes are not a text file in an encoding we know; the message is for the user."""


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UndecodableFile("这是Excel工作簿，不是CSV文件。请在Excel或WPS中“另存为”CSV格式后再上传。")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError:
            raise UndecodableFile("文件开头标明为UTF-8编码，但内容不是有效的UTF-8，请重新保存后上传。")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UndecodableFile("无法读取UTF-16编码的文件，请另存为UTF-8编码的CSV后上传。")
    if b"\x00" in data:
        raise UndecodableFile("这不是文本格式的CSV文件，请另存为CSV格式后再上传。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UndecodableFile("无法识别文件编码，请另存为UTF-8或GBK编码的CSV文件后上传。")


def parse_file(data: bytes) -> ParseResult:
    """Parse an uploaded CSV file (see the module docstring for the format)."""
    try:
        text = decode(data)
    except UndecodableFile as exc:
        return ParseResult(errors=[LineError(None, str(exc))])
    return parse_text(text)


def parse_text(text: str) -> ParseResult:
    """Parse lines of ``日期,类型,名称``: the rows of one year, or every error with its line number."""
    text = text.replace("\ufeff", "").replace("，", ",")
    delimiter = "\t" if "," not in text and "\t" in text else ","
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        return ParseResult(errors=[LineError(None, f"内容过多（{len(lines)}行），一年的节假日安排不会超过{MAX_LINES}行，请检查是否选错了文件。")])

    rows: list[HolidayRow] = []
    errors: list[LineError] = []
    first_line_of: dict[date, int] = {}
    year: int | None = None
    seen_content = False
    for number, line in enumerate(lines, start=1):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        cells = [c.strip() for c in cells]
        while len(cells) > 3 and not cells[-1]:  # empty columns after the third, as Excel may add
            cells.pop()
        if not any(cells):
            continue
        if not seen_content:
            seen_content = True
            if cells[0].lower() in HEADER_CELLS:
                continue
        row, reasons = _row(number, cells)
        if row is not None:
            if year is None:
                year = row.day.year
            if row.day.year != year:
                reasons.append(f"日期 {row.day:%Y-%m-%d} 属于{row.day.year}年，而前面的行是{year}年；一次只能导入一个年份。")
            elif row.day in first_line_of:
                reasons.append(f"日期 {row.day:%Y-%m-%d} 与第{first_line_of[row.day]}行重复。")
            else:
                first_line_of[row.day] = number
        if reasons:
            errors.append(LineError(number, "；".join(reasons)))
        elif row is not None:
            rows.append(row)

    if errors:
        return ParseResult(errors=errors)
    if not rows:
        return ParseResult(errors=[LineError(None, "没有找到任何数据行。每行应为：日期,类型,名称，例如 2027-10-01,休,国庆节。")])
    return ParseResult(rows=sorted(rows, key=lambda r: r.day))


def _row(number: int, cells: list[str]) -> tuple[HolidayRow | None, list[str]]:
    """One line's row (or None) and the reasons it is wrong."""
    if len(cells) < 3:
        return None, [f"应有3列（日期,类型,名称），这一行只有{len(cells)}列。"]
    if any(cells[3:]):
        return None, ["列数过多，每行只应有日期、类型、名称三列。"]
    raw_day, raw_type, name = cells[:3]
    reasons = []
    day = None
    if not raw_day:
        reasons.append(f"缺少日期（{DATE_FORMAT_HINT}）。")
    else:
        day, reason = _date(raw_day)
        if reason:
            reasons.append(reason)
    if not raw_type:
        reasons.append("缺少类型（休、假或班）。")
    elif raw_type not in TYPES:
        reasons.append(f"类型“{raw_type}”无法识别，应为“休”或“假”（放假）、“班”（调休上班）。")
    if not name:
        reasons.append("缺少名称（如“国庆节”）。")
    elif len(name) > NAME_LIMIT:
        reasons.append(f"名称过长（最多{NAME_LIMIT}字）。")
    if reasons or day is None:
        return (HolidayRow(number, day, False, name) if day else None), reasons
    return HolidayRow(number, day, TYPES[raw_type], name), []


def _date(value: str) -> tuple[date | None, str | None]:
    match = _DATE.match(value)
    if not match:
        return None, f"日期“{value}”无法识别，{DATE_FORMAT_HINT}。"
    y, m, d = (int(g) for g in match.groups())
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, f"年份{y}超出范围（{MIN_YEAR}–{MAX_YEAR}）。"
    try:
        return date(y, m, d), None
    except ValueError:
        return None, f"日期“{value}”不存在。"
