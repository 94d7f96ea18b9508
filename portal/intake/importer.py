"""Importing a city platform export (.xlsx, or .csv in UTF-8 with or without BOM, or GB18030/GBK).

``open_export(stream, filename)`` reads the header row and refuses the whole file (``FileRefused``, a
message in Chinese) when it cannot be read or a required column is missing; columns may come in any
order and unknown columns are ignored. ``import_export(export)`` then streams the rows through
``records.validate`` and ``operations.receive`` in chunks of ``CHUNK_SIZE`` rows, one transaction per
chunk: a crash half-way leaves the chunks before it committed and nothing of the chunk it was in, and
importing the same file again finishes the job (rows already in are "present").

Row numbers are the ones the user sees in Excel: the header is row 1, the first data row is row 2, and a
blank row still counts. Both the upload page and ``flask --app portal import-orders`` call this module.
"""
import codecs
import csv
import io
import os
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..orders.models import Order
from ..orders.repeats import one_of
from .collector import held_back
from .operations import TAKE_IN_NOTE, receive_many
from .records import FIELD_LABELS, HEADERS, REQUIRED, CityRecord, Lookups, validate

# Rows per transaction. Each chunk costs a commit (on SQLite a sync to disk and a checkpoint of the log) and
# its own lookups of the numbers and the repeats: at a million orders, chunks of 500 import about 3,000 rows/s
# on SQLite, of 5,000 about 5,400. The price: on SQLite other writers wait while a chunk is written, about a
# second for 5,000 rows at a million orders (they wait up to busy_timeout, 10 s).
CHUNK_SIZE = 5000
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .et) format
SCAN_BLOCK = 1 << 20

# CityRecord field -> Order attribute, to name the columns in which a conflicting row differs.
STORED_AS = {
    "received_at": "received_at", "channel": "channel", "type": "type", "category_id": "category_id",
    "urgency": "urgency", "citizen_name": "caller_name", "citizen_phone": "caller_phone", "address": "address",
    "content": "content", "suggested_unit_id": "suggested_unit_id", "enterprise": "enterprise",
    "leader_instruction": "leader_instruction", "due_at": "city_due_at", "via_deputy": "via_deputy",
}


class FileRefused(ValueError):
    """The whole file cannot be imported; the message (Chinese) says why and what to do."""


class ImportInterrupted(RuntimeError):
    """An error stopped the import half-way: ``result`` holds what the chunks committed before it took in,
    ``row`` is the first row of the chunk that was rolled back, ``reason`` a message for the user when the
    file itself was at fault (None for any other error)."""

    def __init__(self, result: "ImportResult", row: int, reason: str | None = None):
        super().__init__(f"import stopped in the chunk starting at row {row}" + (f": {reason}" if reason else ""))
        self.result = result
        self.row = row
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """Why a row was rejected: one entry per column at fault."""
    row: int
    column: str  # the export's Chinese header
    reason: str
    city_no: str | None = None


@dataclass(frozen=True)
class Taken:
    """A row that is in the portal: created now, or already present with the same content."""
    row: int
    city_no: str
    order_id: int


@dataclass(frozen=True)
class Clash:
    """A row whose 工单编号 exists with other content: reported, not overwritten."""
    row: int
    city_no: str
    order_id: int
    columns: tuple[str, ...]  # the headers whose values differ from the order on file
    reason: str


@dataclass
class ImportResult:
    filename: str
    rows: int = 0  # data rows read (blank rows not counted)
    created: list[Taken] = field(default_factory=list)
    present: list[Taken] = field(default_factory=list)
    conflicts: list[Clash] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """How many rows were rejected (a row may have several problems)."""
        return len({p.row for p in self.problems})

    @property
    def clean(self) -> bool:
        """Every row is in the portal: nothing rejected, nothing in conflict."""
        return not self.problems and not self.conflicts

    @property
    def nothing_new(self) -> bool:
        """The file had been imported before: every row already present."""
        return self.rows > 0 and not self.created and len(self.present) == self.rows

    def merge(self, other: "ImportResult") -> None:
        self.rows += other.rows
        self.created += other.created
        self.present += other.present
        self.conflicts += other.conflicts
        self.problems += other.problems


# --- reading the file ---------------------------------------------------------------------------------

@dataclass
class Export:
    """An opened export whose header has been checked: ``rows()`` yields (row number, raw record)."""
    filename: str
    columns: dict[int, str]  # position in the row -> CityRecord field
    _rows: Iterator[tuple[int, list]]
    _close: Callable[[], None] = lambda: None

    def rows(self) -> Iterator[tuple[int, dict]]:
        number = 1
        try:
            for number, cells in self._rows:
                if not any(_present(c) for c in cells):
                    continue
                yield number, {name: _value(cells[i]) if i < len(cells) else None
                               for i, name in self.columns.items()}
        except UnicodeDecodeError:
            raise FileRefused(f"文件第{number + 1}行附近含有无法识别的字符，请另存为UTF-8或GBK编码的CSV后重新导入。")
        except csv.Error as exc:
            raise FileRefused(f"文件第{number + 1}行附近CSV格式有误（{exc}），请用Excel或WPS重新另存为CSV后导入。")

    def close(self) -> None:
        self._close()


def open_export(stream, filename: str) -> Export:
    """Open an uploaded or local export and check its header; raise FileRefused when it cannot be imported."""
    name = os.path.basename(filename or "")
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".xls" or suffix == ".et":
        raise FileRefused("不支持旧版Excel（.xls）文件，请在Excel或WPS中“另存为”.xlsx格式或CSV后再导入。")
    if suffix not in SUFFIXES:
        raise FileRefused(f"只能导入Excel（.xlsx）或CSV（.csv）文件，“{name}”不是这两种格式。")
    stream = _seekable(stream)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FileRefused("上传的文件是空的。")
    if head.startswith(OLE_MAGIC):
        raise FileRefused("这是旧版Excel（.xls）文件，请在Excel或WPS中“另存为”.xlsx格式或CSV后再导入。")
    if head.startswith(ZIP_MAGIC):
        rows, close = _xlsx_rows(stream)
    elif suffix in (".xlsx", ".xlsm"):
        raise FileRefused(f"“{name}”不是有效的Excel（.xlsx）文件，请检查文件后重新导入。")
    else:
        rows, close = _csv_rows(stream)
    try:
        columns = _header(next(rows, None))
    except FileRefused:
        close()
        raise
    return Export(name, columns, rows, close)


def _seekable(stream):
    """The encoding is detected in a first pass over the bytes, so the stream must rewind."""
    try:
        if stream.seekable():
            return stream
    except AttributeError:
        pass
    copy = tempfile.SpooledTemporaryFile(max_size=16 << 20)
    while block := stream.read(SCAN_BLOCK):
        copy.write(block)
    copy.seek(0)
    return copy


def _xlsx_rows(stream):
    """Rows of the first sheet with 工单编号 in row 1, read by calamine (about ten times openpyxl's speed
    on a big export). Rows are numbered from 1 as Excel shows them; cells left of the used area are
    padded so column letters stay right."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(stream)
        sheets = [book.get_sheet_by_index(i) for i in range(len(book.sheet_names))]
    except Exception:  # calamine raises its own kinds for a damaged or foreign zip
        raise FileRefused("无法读取该Excel文件，文件可能已损坏或不是.xlsx格式，请重新导出后导入。")
    sheet = _sheet_with_header(sheets)
    pad = [None] * (sheet.start[1] if sheet.start else 0)
    rows = ((n, pad + cells) for n, cells in enumerate(sheet.iter_rows(), start=1))
    return rows, book.close


def _sheet_with_header(sheets):
    """The first worksheet whose first row has 工单编号; else the first one (whose header is then reported)."""
    for sheet in sheets:
        first = next(iter(sheet.iter_rows()), []) if sheet.start else []  # an empty sheet has no start
        if "工单编号" in {_header_name(c) for c in first}:
            return sheet
    return sheets[0]


def _csv_rows(stream):
    encoding = _encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first = text.readline()
    text.seek(0)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(text, delimiter=delimiter)
    rows = ((n, cells) for n, cells in enumerate(reader, start=1))
    return rows, text.detach


def _encoding(stream) -> str:
    """UTF-8 with a BOM, UTF-16 with a BOM, UTF-8, else GB18030 (a superset of GBK and GB2312), decided by a
    pass over the whole file so a bad byte deep in it cannot surprise the import half-way."""
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise FileRefused("这不是文本格式的CSV文件，请在Excel或WPS中“另存为”CSV格式后再导入。")
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := stream.read(SCAN_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            stream.seek(0)
        return encoding
    if candidates[0] == "utf-8-sig":
        raise FileRefused("文件开头标明为UTF-8编码，但内容不是有效的UTF-8，请重新保存为CSV后导入。")
    raise FileRefused("无法识别文件编码，请另存为UTF-8或GBK编码的CSV文件后导入。")


def _header_name(cell) -> str:
    """A header cell as written, without spaces, line breaks or a required-field mark (*)."""
    return re.sub(r"\s+", "", str(cell or "")).strip("*＊")


def _header(first) -> dict[int, str]:
    """Column positions of the fields the portal reads; refuses a header without every required column."""
    if first is None:
        raise FileRefused("文件中没有任何内容。第1行应为表头（工单编号、受理时间、……）。")
    _, cells = first
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = _header_name(cell)
        if name not in HEADERS:
            continue  # a column the portal does not read
        if name in seen:
            raise FileRefused(f"表头中“{name}”列出现了两次（第{_column_letter(seen[name])}列和第{_column_letter(i)}列），"
                              f"无法确定使用哪一列，请删除多余的一列后重新导入。")
        seen[name] = i
        columns[i] = HEADERS[name]
    missing = [FIELD_LABELS[f] for f in REQUIRED if f not in columns.values()]
    if missing:
        raise FileRefused(f"缺少必需的列：{'、'.join(missing)}。请确认第1行是表头，且包含这些列名"
                          f"（列的顺序不限，多余的列会被忽略）。")
    return columns


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _present(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _value(cell):
    """A cell as validate() expects it: text, or a datetime for a date cell. Spreadsheets store numbers
    such as 工单编号 and phone numbers as numbers; they are given back as the digits."""
    if isinstance(cell, bool) or cell is None or isinstance(cell, (str, datetime, date)):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


# --- taking the rows in -------------------------------------------------------------------------------

def import_export(export: Export, chunk_size: int | None = None,
                  progress: Callable[[ImportResult], None] | None = None, actor=None) -> ImportResult:
    """Validate every row and receive the good ones, one transaction per chunk of ``chunk_size`` rows
    (default ``CHUNK_SIZE``); ``progress(result)`` is called after each chunk. ``actor`` is the user who
    uploaded the file (None from the command line), recorded on each take-in event. Raises ImportInterrupted
    when anything stops it half-way (nothing of the failing chunk is saved).

    The file is read and its rows checked one chunk ahead, in a thread of its own (``_ReadAhead``): that
    work needs no database, and so runs while the database writes the chunk before. Python's cycle
    collector is held back meanwhile (``collector.held_back``)."""
    chunk_size = chunk_size or CHUNK_SIZE
    result = ImportResult(export.filename)
    lookups = Lookups()
    note = TAKE_IN_NOTE if actor is None else f"{TAKE_IN_NOTE}（导入文件 {export.filename}）"
    with held_back():  # the cycle collector, see collector.py
        reader = _ReadAhead(export, chunk_size, lookups)
        chunk: list[tuple[int, dict]] = []
        try:
            for chunk, checked in reader:
                _commit_chunk(chunk, checked, result, actor, note)
                chunk = []
                if progress:
                    progress(result)
        except Exception as exc:
            _rollback()
            if isinstance(exc, _ReadFailed):
                chunk, exc = exc.chunk, exc.__cause__
            first = chunk[0][0] if chunk else result.rows + 2
            raise ImportInterrupted(result, first, str(exc) if isinstance(exc, FileRefused) else None) from exc
        finally:
            reader.close()
            export.close()
    return result


def import_file(stream, filename: str, **options) -> ImportResult:
    """open_export and import_export in one call."""
    return import_export(open_export(stream, filename), **options)


@dataclass
class _Checked:
    """A chunk's rows validated: the problems of the rejected ones, the records of the others."""
    problems: list[Problem]
    valid: list[tuple[int, CityRecord]]


class _ReadFailed(Exception):
    """Reading the file failed (the cause) while ``chunk``, the rows read since the last whole chunk,
    was being gathered."""

    def __init__(self, chunk: list[tuple[int, dict]]):
        super().__init__("reading the file failed")
        self.chunk = chunk


class _ReadAhead:
    """Iterates over (chunk, checked) pairs, reading and validating the next chunk in a thread while the
    caller writes the one it has. Validation uses only the lookups loaded beforehand, never the database
    session, which stays with the caller's thread. A failure to read is raised, as ``_ReadFailed``, in
    its place after the chunks read before it."""

    def __init__(self, export: Export, chunk_size: int, lookups: Lookups):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(export, chunk_size, lookups),
                                        name="import-read-ahead", daemon=True)
        self._thread.start()

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            chunk, checked, error = item
            if error is not None:
                raise _ReadFailed(chunk) from error
            yield chunk, checked

    def close(self) -> None:
        """Stop reading (when the caller stopped early) and wait for the thread."""
        self._stop.set()
        self._thread.join()

    def _read(self, export: Export, chunk_size: int, lookups: Lookups) -> None:
        chunk: list[tuple[int, dict]] = []
        try:
            for number, raw in export.rows():
                chunk.append((number, raw))
                if len(chunk) >= chunk_size:
                    if not self._put((chunk, _check(chunk, lookups), None)):
                        return
                    chunk = []
            if chunk and not self._put((chunk, _check(chunk, lookups), None)):
                return
            self._put(None)
        except BaseException as exc:  # whatever stops the reading must reach the caller, who waits for an item
            self._put((chunk, None, exc))

    def _put(self, item) -> bool:
        """Hand ``item`` over once the caller has taken the one before; False when told to stop."""
        while True:
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                if self._stop.is_set():
                    return False


def _check(chunk: list[tuple[int, dict]], lookups: Lookups) -> _Checked:
    """Validate a chunk's rows (no database: this runs in the read-ahead thread). Each record's content
    hash is computed here too, and kept on the record."""
    checked = _Checked([], [])
    for number, raw in chunk:
        record, errors = validate(raw, lookups)
        if errors:
            city_no = str(raw.get("city_no") or "").strip() or None
            checked.problems += [Problem(number, FIELD_LABELS[f], reason, city_no) for f, reason in errors]
        else:
            record.content_hash()
            checked.valid.append((number, record))
    return checked


def _commit_chunk(chunk: list[tuple[int, dict]], checked: _Checked, result: ImportResult, actor, note: str) -> None:
    """One transaction for the chunk. If another writer (the API) took one of its numbers in between,
    the chunk is rolled back and done once more, when that number is simply known."""
    for attempt in (1, 2):
        try:
            done = _receive_chunk(len(chunk), checked, actor, note)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        else:
            result.merge(done)
            return


def _receive_chunk(rows: int, checked: _Checked, actor=None, note: str = TAKE_IN_NOTE) -> ImportResult:
    done = ImportResult("", rows=rows, problems=list(checked.problems))
    valid = checked.valid
    if not valid:
        return done

    # One query for the numbers the portal already has (earlier chunks are committed, so they are in it);
    # a number twice in the chunk is new the first time and compared with that row the second.
    numbers = {record.city_no for _, record in valid}
    stored = db.session.execute(db.select(Order.id, Order.number, Order.city_hash).where(one_of(Order.number, numbers)))
    known: dict[str, tuple[int | None, CityRecord | None]] = {}
    hashes: dict[str, str | None] = {}
    for order_id, city_no, city_hash in stored:
        known[city_no], hashes[city_no] = (order_id, None), city_hash
    new: list[tuple[int, CityRecord]] = []
    later: list[tuple[int, CityRecord]] = []
    for number, record in valid:
        if record.city_no in known:
            later.append((number, record))
        else:
            known[record.city_no] = (None, record)
            new.append((number, record))
    ids = receive_many([record for _, record in new], now(), actor=actor, note=note)
    for (number, record), order_id in zip(new, ids):
        known[record.city_no] = (order_id, record)
        done.created.append(Taken(number, record.city_no, order_id))
    clashes = []
    for number, record in later:
        order_id, first = known[record.city_no]
        fingerprint = first.content_hash() if first is not None else hashes[record.city_no]
        if fingerprint == record.content_hash():
            done.present.append(Taken(number, record.city_no, order_id))
        else:
            clashes.append((number, record, order_id))
    done.conflicts = _clashes(clashes)
    return done


def _clashes(clashes) -> list[Clash]:
    """Name the columns in which each conflicting row differs from the order on file."""
    if not clashes:
        return []
    ids = {order_id for _, _, order_id in clashes}
    on_file = {o.id: o for o in db.session.scalars(db.select(Order).where(Order.id.in_(ids)))}
    out = []
    for number, record, order_id in clashes:
        order = on_file[order_id]
        columns = tuple(_label(f) for f, attr in STORED_AS.items() if getattr(record, f) != getattr(order, attr))
        if order.source != "city":
            reason = "该编号的工单已在本平台人工登记，未覆盖"
        else:
            reason = "该编号的工单已导入，内容与本行不同，未覆盖"
        out.append(Clash(number, record.city_no, order.id, columns, reason))
    return out


def _label(record_field: str) -> str:
    return FIELD_LABELS[record_field.removesuffix("_id")]


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # nosec B110  # the connection itself may be gone; the transaction is then gone with it
        pass
