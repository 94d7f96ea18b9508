"""The responsibility list as an Excel sheet: read an upload, write an export (the same columns, so an
export edited in Excel can be imported again).

Columns, by their header in the first row (order free, extra columns ignored): 事项, 关键词, 诉求分类,
主办单位, 协办单位 (several separated by 、), 依据. A header may carry a note in brackets, as in
“协办单位（多个用、分隔）”. Reading is pure: names are resolved by ``operations.import_rows``.
"""
import io
import re
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

COLUMNS = [  # (header, key)
    ("事项", "matter"),
    ("关键词", "keywords"),
    ("诉求分类", "category"),
    ("主办单位", "lead"),
    ("协办单位", "assists"),
    ("依据", "note"),
]
ALIASES = {"备注": "note", "事项名称": "matter", "主办": "lead", "协办": "assists", "分类": "category"}
REQUIRED = ("matter", "keywords", "lead")
MAX_ROWS = 5000
_BRACKETS = re.compile(r"[（(【\[].*?[）)】\]]")


@dataclass(frozen=True)
class SheetRow:
    line: int  # the row number Excel shows
    values: dict[str, str]


class SheetError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


def _key(header) -> str | None:
    text = _BRACKETS.sub("", str(header or "")).strip().replace(" ", "").replace("\u3000", "")
    by_header = dict(COLUMNS) | ALIASES
    return by_header.get(text)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes) -> list[SheetRow]:
    """The rows of the first sheet under its header row; blank rows are skipped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SheetError("无法读取该文件：请上传Excel的.xlsx文件（旧版.xls请先在Excel中另存为.xlsx）。")
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SheetError("表格是空的。")
        keys = [_key(h) for h in header]
        missing = [name for name, key in COLUMNS if key in REQUIRED and key not in keys]
        if missing:
            raise SheetError(f"第1行应为表头，缺少列：{'、'.join(missing)}。应有的列：{'、'.join(n for n, _ in COLUMNS)}。")
        found = []
        for line, cells in enumerate(rows, start=2):
            values = {}
            for key, value in zip(keys, cells):
                if key and key not in values:
                    values[key] = _cell(value)
            if not any(values.values()):
                continue
            found.append(SheetRow(line, values))
            if len(found) > MAX_ROWS:
                raise SheetError(f"行数过多（最多{MAX_ROWS}行），请分批导入。")
        return found
    finally:
        book.close()


def write_rows(items, unit_names: dict[int, str]) -> bytes:
    """An .xlsx of the given entries with the import's columns."""
    book = Workbook()
    sheet = book.active
    sheet.title = "首接负责主协办清单"
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for item in items:
        sheet.append([
            item.matter, item.keywords, item.category.name if item.category else "",
            unit_names.get(item.lead_unit_id, ""),
            "、".join(unit_names.get(i, "") for i in item.assist_unit_ids or []),
            item.note or "",
        ])
    for column, width in zip("ABCDEF", (18, 36, 12, 20, 30, 40)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
