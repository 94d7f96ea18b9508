"""Fuzzing the city-export import: random bytes, random cells and wrong headers give rows or a Chinese
refusal (FileRefused, or ImportInterrupted with its reason), never another exception; a refused file
writes nothing, and an imported one writes exactly the orders it reports."""
import csv
import io
import re
from datetime import date, datetime

from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.extensions import db
from portal.intake import importer
from portal.intake.records import HEADERS, Lookups, validate
from portal.orders.models import Order
from tests.fixtures.city_files import CITY_HEADERS, city_row
from tests.fixtures.fuzz import FUZZ, TEXT

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CELL = st.one_of(st.none(), TEXT, st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                 st.dates(date(1, 1, 1), date(9999, 12, 31)), st.datetimes(datetime(1900, 1, 1)), st.booleans())
ZIP_MAGIC, BOM = b"PK\x03\x04", b"\xef\xbb\xbf"


def order_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Order))


def try_import(data: bytes, filename: str):
    """Import ``data``; return (result or None, refusal message or None) and check what was written."""
    before = order_count()
    try:
        result = importer.import_file(io.BytesIO(data), filename)
    except importer.FileRefused as exc:
        assert CHINESE.search(str(exc)), str(exc)
        assert order_count() == before
        return None, str(exc)
    except importer.ImportInterrupted as exc:
        assert exc.reason and CHINESE.search(exc.reason), f"import stopped by an unexpected error: {exc.__cause__!r}"
        assert order_count() == before + len(exc.result.created)
        return None, exc.reason
    assert order_count() == before + len(result.created)
    return result, None


def csv_bytes(rows, headers=CITY_HEADERS, encoding="gb18030") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(rows, headers=CITY_HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@FUZZ
@given(data=st.binary(max_size=3000), prefix=st.sampled_from([b"", ZIP_MAGIC, BOM, b"\xd0\xcf\x11\xe0"]),
       suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt", ""]))
@example(data=b"\x00" * 100, prefix=b"", suffix=".csv")
def test_random_bytes(city_setup, data, prefix, suffix):
    try_import(prefix + data, f"导出{suffix}")


@FUZZ
@given(changes=st.lists(st.dictionaries(st.sampled_from(CITY_HEADERS), CELL, max_size=6), min_size=1, max_size=4),
       kind=st.sampled_from(["csv-gb18030", "csv-utf8", "xlsx"]))
def test_random_cells(city_setup, changes, kind):
    rows = []
    for n, change in enumerate(changes, start=1):
        row = city_row(n, **change)
        rows.append([row[h] for h in CITY_HEADERS])
    if kind == "xlsx":
        data, name = xlsx_bytes(rows), "导出.xlsx"
    else:
        text_rows = [[f"{v:%Y-%m-%d %H:%M:%S}" if isinstance(v, datetime) else v for v in row] for row in rows]
        data, name = csv_bytes(text_rows, encoding="gb18030" if kind == "csv-gb18030" else "utf-8"), "导出.csv"
    result, _refusal = try_import(data, name)
    if result is not None:
        assert all(CHINESE.search(problem.reason) for problem in result.problems)


@FUZZ
@given(headers=st.lists(st.one_of(st.sampled_from(CITY_HEADERS + ["代表转办", "备注"]), TEXT), max_size=18),
       kind=st.sampled_from(["csv", "xlsx"]))
def test_wrong_headers(city_setup, headers, kind):
    row = [city_row(1).get(h, "x") for h in headers]
    if kind == "xlsx":
        try_import(xlsx_bytes([row], [ILLEGAL_CHARACTERS_RE.sub("", h) for h in headers]), "导出.xlsx")
    else:
        try_import(csv_bytes([[str(v) for v in row]], headers, "utf-8"), "导出.csv")


@FUZZ
@given(raw=st.fixed_dictionaries({}, optional={field: CELL for field in HEADERS.values()}))
def test_row_validation(city_setup, raw):
    record, problems = validate({field: raw.get(field) for field in HEADERS.values()}, Lookups())
    assert (record is None) == bool(problems)
    assert all(CHINESE.search(message) for _field, message in problems)
