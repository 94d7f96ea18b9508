"""The filtered ledger as an Excel workbook and as a landscape A4 PDF table (through ``portal.pdf``)."""
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..pdf import render_pdf
from .models import STATE_FILTERS, LedgerEntry

TITLE = "重点问题工作台帐"
COLUMNS = [  # (header, width in characters)
    ("序号", 6), ("台帐编号", 20), ("事项名称", 30), ("问题描述", 44), ("责任单位", 16), ("责任领导", 10),
    ("关联工单", 20), ("挂号日期", 12), ("目标完成日期", 13), ("状态", 8), ("最新进展", 44),
    ("销号时间", 17), ("销号人", 10), ("销号说明", 36),
]


def row_values(index: int, entry: LedgerEntry, today: date) -> list:
    latest = entry.latest_note
    return [
        index,
        entry.number,
        entry.title,
        entry.description,
        entry.owner_unit.name,
        entry.leader.name,
        "\n".join(o.number for o in entry.orders),
        entry.registered_at.date(),
        entry.target_date,
        STATE_FILTERS[entry.status(today)],
        f"{latest.at:%Y-%m-%d} {latest.actor.name}：{latest.note}" if latest else "",
        entry.cancelled_at,
        entry.cancelled_by.name if entry.cancelled_by else "",
        entry.closing_note or "",
    ]


def workbook(entries: list[LedgerEntry], today: date, summary: str, at: datetime) -> bytes:
    """An .xlsx: a title row, the filters in words, then a header row (frozen) and one row an entry."""
    book = Workbook()
    sheet = book.active
    sheet.title = TITLE
    last = get_column_letter(len(COLUMNS))
    sheet.append([TITLE])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"{summary}　共{len(entries)}项　导出时间：{at:%Y-%m-%d %H:%M}"])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].font = Font(color="555555")
    sheet.append([header for header, _ in COLUMNS])
    styles = _styles(book)
    for cell in sheet[3]:
        cell.style = styles["header"]
    for index, entry in enumerate(entries, 1):
        sheet.append(row_values(index, entry, today))
    for column, (_, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    # named styles: one style record shared by every cell (setting fonts and borders cell by cell is slow)
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.style = styles["datetime"]
            elif isinstance(cell.value, date):
                cell.style = styles["date"]
            else:
                cell.style = styles["cell"]
    sheet.freeze_panes = "A4"  # title, filters and header stay in view
    sheet.auto_filter.ref = f"A3:{last}{max(sheet.max_row, 3)}"
    sheet.print_options.horizontalCentered = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "3:3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styles(book) -> dict[str, str]:
    thin = Side(style="thin", color="999999")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    top = Alignment(wrap_text=True, vertical="top")
    made = {
        "header": NamedStyle("ledger_header", font=Font(bold=True), fill=PatternFill("solid", fgColor="DDEBF7"),
                             alignment=Alignment(horizontal="center", vertical="center", wrap_text=True), border=border),
        "cell": NamedStyle("ledger_cell", alignment=top, border=border),
        "date": NamedStyle("ledger_date", alignment=top, border=border, number_format="yyyy-mm-dd"),
        "datetime": NamedStyle("ledger_datetime", alignment=top, border=border, number_format="yyyy-mm-dd hh:mm"),
    }
    for style in made.values():
        book.add_named_style(style)
    return {key: style.name for key, style in made.items()}


def pdf(entries: list[LedgerEntry], today: date, summary: str, at: datetime, truncated: bool = False) -> bytes:
    return render_pdf("ledger/pdf/ledger.html", entries=entries, today=today, summary=summary, at=at,
                      title=TITLE, truncated=truncated, STATE_FILTERS=STATE_FILTERS)
