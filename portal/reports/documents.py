"""A report's figures as a PDF (the official-document frame, charts as inline SVG) and as an xlsx
workbook (one sheet per table, Chinese headers). Both are made from the stored figures alone."""
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .. import charts
from ..pdf import render_pdf


def table_chart(table: dict, width: int = 600):
    spec = table.get("chart")
    if not spec or not table["rows"]:
        return None
    rows = [r for r in table["rows"] if r[spec["value"]] is not None]
    limit = spec.get("limit", 12)
    if spec["type"] == "ranking":
        # the first and the last of the ranking (rank in column 0), the last three in red
        shown = list(enumerate(rows))
        if len(shown) > limit:
            shown = shown[: limit // 2] + shown[-(limit - limit // 2):]
        last_three = len(rows) - 3 if len(rows) > 5 else len(rows)
        items = [charts.Item(str(r[spec["label"]]), r[spec["value"]], rank=r[0], warn=i >= last_three)
                 for i, r in shown]
        return charts.ranking(items, table["name"], percent=True, width=width, row=18)
    items = [charts.Item(str(r[spec["label"]]), r[spec["value"]]) for r in rows[:limit]]
    if spec["type"] == "hbar":  # long labels (categories): horizontal bars, largest first
        return charts.ranking(items, table["name"], percent=False, width=width, row=18)
    return charts.bar(items, table["name"], percent=False, width=width, height=200)


def wraps(header: str) -> bool:
    """Columns of text (content, reasons) wrap; names, numbers and short labels stay on one line."""
    return "内容" in header or "原因" in header


def cell(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.2f}%"
    return str(value)


def pdf_bytes(report) -> bytes:
    return render_pdf("reports/pdf/report.html", report=report, figures=report.figures, chart=table_chart,
                      cell=cell, wraps=wraps)


def xlsx_bytes(report) -> bytes:
    book = Workbook()
    first = book.active
    first.title = "概况"
    first.append([f"{report.period_label}{report.kind_label}"])
    first["A1"].font = Font(bold=True, size=13)
    first.append([f"数据截至 {report.as_of:%Y-%m-%d %H:%M}"])
    first.append(["指标", "数值"])
    for c in first[3]:
        c.font = Font(bold=True)
    for label, value in report.figures.get("summary", []):
        first.append([label, value])
        if isinstance(value, float):
            first.cell(first.max_row, 2).number_format = "0.00%"
    first.column_dimensions["A"].width = 24
    first.column_dimensions["B"].width = 14
    used = {"概况"}
    for table in report.figures.get("tables", []):
        title = re.sub(r"[\[\]:*?/\\]", "", table["name"])[:28] or "表"
        while title in used:
            title += "_"
        used.add(title)
        sheet = book.create_sheet(title)
        sheet.append(table["headers"])
        for c in sheet[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
            c.alignment = Alignment(horizontal="center", wrap_text=True)
        percent = set(table.get("percent", []))
        for row in table["rows"]:
            sheet.append(row)
            for n in percent:
                sheet.cell(sheet.max_row, n + 1).number_format = "0.00%"
        for n, header in enumerate(table["headers"]):
            letter = sheet.cell(1, n + 1).column_letter
            sheet.column_dimensions[letter].width = 40 if "内容" in header else max(10, len(header) * 2 + 2)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
