"""The assessment table as an Excel workbook (.xlsx) with Chinese headers and the formulas below it."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .rates import COMPOSITE, RATES, Assessment


def workbook(result: Assessment, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    rates = [r for r in RATES if r.for_units or result.by == "category"]
    first_col = {"unit": "单位", "kind": "单位类别", "category": "诉求分类"}.get(result.by, "范围")
    sheet.append([f"{result.period.label}考核结果（数据截至{result.as_of:%Y-%m-%d %H:%M}）"])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = ["排名", first_col, "受理量", "回访量"] + [r.label for r in rates] + [COMPOSITE.label]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in [*rows, result.total]:
        values = [row.rank if row is not result.total else "", row.name, row.counts.get("received", 0),
                  row.counts.get("visited", 0)]
        values += [row.rates.get(r.key) for r in rates] + [row.composite]
        sheet.append(values)
        for cell in sheet[sheet.max_row][4:]:
            cell.number_format = "0.00%"
    sheet.append([])
    sheet.append(["口径说明"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for rate in [*rates, COMPOSITE]:
        sheet.append([rate.label, result.config.formula(rate.key)])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 22
    for col in "CDEFGHIJKLMNO":
        sheet.column_dimensions[col].width = 11
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
