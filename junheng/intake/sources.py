"""Reading raw tables: the cells of each CSV file or worksheet as text, before interpretation.

Files are sniffed before they are parsed, so that an empty, oversized, encrypted, legacy (.xls),
renamed or damaged file becomes one clear error naming the file instead of a parser failure. In
each table the header row is found among the first rows (title and unit rows above or below it are
common in workbooks filled in by hand). Row numbers are kept as the user sees them (the sheet's row
number in Excel; the record number in a CSV file), and fully blank rows are dropped, so every later
error can point at the right row and cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from junheng.core.schema import TABLES, Table
from junheng.intake import guard
from junheng.intake.errors import Code, ErrorCollector, IntakeError

T = TypeVar("T")
ROW = "__intake_row__"
"""Column holding each row's number as the user sees it."""

MAX_FILE_MB = guard.limits().max_file_mb
"""Largest file read (CSV file or workbook), in MB (2**20 bytes); set in `limits.yaml`."""
HEADER_SEARCH_ROWS = 10
"""The header row must be within this many rows from the top."""
MAX_COLUMNS = 1000
"""Cells right of this column are ignored: a stray entry far to the right would otherwise widen
every row of the table."""

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".et"})
_FORMULA_LIMIT = 100_000
"""Formula cells without a result recorded per sheet; far more than any listing shows."""


def name_key(text: str) -> str:
    """Comparison key for headers, table and fact names: width, case and spaces do not matter."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return "".join(text.split()).lower()


_TABLE_LOOKUP: dict[str, Table] = {
    **{name_key(t.name): t for t in TABLES},
    **{name_key(t.zh): t for t in TABLES},
}


def source_column(i: int) -> str:
    return f"c{i}"


def source_index(src: str) -> int:
    """Position in the header of a raw cell column (inverse of `source_column`)."""
    return int(src[1:])


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column position: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class RawTable:
    table: Table
    file: str
    sheet: str | None
    headers: list[str]
    frame: pl.DataFrame
    """String columns c0…c{n-1} (one per header position) and ROW; fully blank rows removed."""
    header_row: int = 1
    """Row number of the header (rows above it are titles)."""
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)
    """(row, column position, formula) of formula cells saved without a result; they read as
    empty cells."""

    def error(self, code: Code, **fields: Any) -> IntakeError:
        return IntakeError(code, self.file, self.sheet, **fields)

    def cell_ref(self, index: int, row: int) -> str | None:
        """The worksheet cell ("D7") of a header position and row; None outside workbooks."""
        return None if self.sheet is None else f"{column_letter(index)}{row}"

    def cell_error(self, code: Code, row: int, index: int, **fields: Any) -> IntakeError:
        """An error about the cell at header position `index` of `row`."""
        return IntakeError(
            code, self.file, self.sheet, row=row, cell=self.cell_ref(index, row), **fields
        )


# Headers ---------------------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"^(.+)\([^()]*\)$")


def _column_lookup(table: Table) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in table.columns:
        for spelling in (column.name, column.zh, column.header_zh):
            existing = lookup.setdefault(name_key(spelling), column.name)
            if existing != column.name:
                raise ValueError(f"ambiguous header {spelling!r} in table {table.name}")
    return lookup


_COLUMN_LOOKUPS: dict[str, dict[str, str]] = {t.name: _column_lookup(t) for t in TABLES}


def table_rank(table: Table) -> int:
    """Sort position of a table's errors: the Dataset's tables in schema order, any other table
    read with these readers (the teacher roster) after them."""
    return TABLES.index(table) if table in TABLES else len(TABLES)


def match_header(header: str, table: Table) -> str | None:
    """Canonical column name for a header as written, or None when it is not a schema column.

    Accepts the English name, the Chinese label, and the Chinese label followed by any unit in
    parentheses (full- or half-width), e.g. `教学及辅助用房面积(m2)`; case, width, spaces and a
    leading or trailing `*` do not matter.
    """
    lookup = _COLUMN_LOOKUPS.get(table.name) or _COLUMN_LOOKUPS.setdefault(
        table.name, _column_lookup(table)
    )
    # Templates often mark required columns with an asterisk.
    key = name_key(header).strip("*")
    if key in lookup:
        return lookup[key]
    match = _UNIT_SUFFIX.match(key)
    if match and match.group(1) in lookup:
        return lookup[match.group(1)]
    return None


def _header_text(value: str | None) -> str:
    return (value or "").replace("\ufeff", "").strip()


UNIT_WORDS: tuple[str, ...] = (
    "平方米",
    "平米",
    "平方",
    "m2",
    "sqm",
    "亿元",
    "万元",
    "千元",
    "元",
    "块",
    "人次",
    "人",
    "名",
    "个",
    "间",
    "所",
    "班",
    "台",
    "套",
    "件",
    "册",
    "本",
    "张",
    "座",
    "栋",
    "亩",
)
"""Units written after numbers in Chinese school statistics, longest first, as NFKC folds them
(㎡ becomes m2, ￥ becomes ¥)."""
_UNIT_KEYS = frozenset(UNIT_WORDS) | {"单位", "计量单位", "-", "—", "/"}
_ORDINALS = frozenset("甲乙丙丁") | {"栏次", "序号"}


def _unit_word(text: str) -> str:
    key = name_key(text)
    for prefix in ("单位:", "计量单位:"):
        key = key.removeprefix(prefix)
    return key.strip("()[]【】")


def _is_unit_row(cells: Sequence[str | None]) -> bool:
    """A row of units under the header, such as （人） （个） （㎡）."""
    words = [_unit_word(c) for c in cells if c and c.strip()]
    return bool(words) and all(w in _UNIT_KEYS for w in words)


def _is_column_number_row(cells: Sequence[str | None]) -> bool:
    """The 栏次 row of statistical forms under the header: 甲 乙 1 2 3 …"""
    words = [name_key(c) for c in cells if c and c.strip()]
    numbers = [w for w in words if w not in _ORDINALS]
    if len(numbers) < 3 or not all(w.isdecimal() and len(w) <= 6 for w in numbers):
        return False
    values = [int(w) for w in numbers]
    return values == list(range(values[0], values[0] + len(values)))


def find_header(rows: Sequence[Sequence[str | None]], table: Table) -> tuple[int, int] | None:
    """(header position, first data position) in `rows`, the first rows of a table as text.

    The header is the first of the first `HEADER_SEARCH_ROWS` rows in which at least two non-empty
    cells, and at least half of them, are headers of `table`. Failing that (a header with many
    unknown columns), it is the row with the most known headers; then the first row with two
    non-empty cells, so that its unknown headers are reported; then the first non-empty row.
    A units row and a column-number (栏次) row right under the header are skipped. None when the
    first rows are all blank.
    """
    filled = [[c for c in row if c and c.strip()] for row in rows[:HEADER_SEARCH_ROWS]]
    known = [sum(match_header(c, table) is not None for c in cells) for cells in filled]
    candidates = (
        (i for i, cells in enumerate(filled) if len(cells) >= 2 and 2 * known[i] >= len(cells)),
        (known.index(max(known)),) if known and max(known) > 0 else (),
        (i for i, cells in enumerate(filled) if len(cells) >= 2),
        (i for i, cells in enumerate(filled) if cells),
    )
    found = next(itertools.chain.from_iterable(candidates), None)
    if found is None:
        return None
    start = found + 1
    while start < min(len(rows), found + 3) and (
        _is_unit_row(rows[start]) or _is_column_number_row(rows[start])
    ):
        start += 1
    return found, start


# CSV files -------------------------------------------------------------------------------------


def _raw_frame(
    columns: Sequence[Sequence[str | None] | pl.Series], rows: Sequence[int]
) -> pl.DataFrame:
    frame = pl.DataFrame(
        [
            values.alias(source_column(i))
            if isinstance(values, pl.Series)
            else pl.Series(source_column(i), values, dtype=pl.String)
            for i, values in enumerate(columns)
        ]
    )
    return frame.with_columns(pl.Series(ROW, rows, dtype=pl.Int64))


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame.clear()
    filled = pl.any_horizontal(
        [(pl.col(c).str.strip_chars().str.len_bytes() > 0).fill_null(False) for c in cells]
    )
    return frame.filter(filled)


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _separator(text: str) -> str:
    # Title lines above the header may hold neither separator, so several lines are looked at.
    sample = "\n".join(text.split("\n", HEADER_SEARCH_ROWS + 2)[: HEADER_SEARCH_ROWS + 2])
    return "\t" if sample.count("\t") > sample.count(",") else ","


def _parse_csv_fast(
    text: str, sep: str, table: Table
) -> tuple[list[str], int, pl.DataFrame] | None:
    """Polars parse; None when the text has anything that could shift row numbers or fail."""
    if (
        not text.strip()
        or text.count("\r") != text.count("\r\n")
        # Polars would treat a blank first line as a one-column header.
        or text.lstrip(" \t").startswith(("\n", "\r"))
        or "\x00" in text
    ):
        return None
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            infer_schema=False,
            separator=sep,
            quote_char='"',
        )
    except Exception:
        # Ragged or oddly quoted rows: the slower parser reports them precisely.
        return None
    if frame.height == 0:
        return None
    found = find_header(frame.head(HEADER_SEARCH_ROWS + 2).rows(), table)
    if found is None:
        return None
    header, start = found
    headers = [_header_text(h) for h in frame.row(header)]
    body = frame.slice(start)
    body = body.rename({c: source_column(i) for i, c in enumerate(body.columns)})
    body = body.with_columns(
        pl.int_range(start + 1, body.height + start + 1, dtype=pl.Int64).alias(ROW)
    )
    return headers, header + 1, body


def _parse_csv_slow(
    text: str, sep: str, table: Table
) -> tuple[list[str], int, pl.DataFrame, list[tuple[int, int]]]:
    """Python csv parse; also returns (row, cell count) for rows longer than the header."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    found = find_header(records[: HEADER_SEARCH_ROWS + 2], table)
    if found is None:
        return [], 1, _raw_frame([], []), []
    header, start = found
    headers = [_header_text(h) for h in records[header]]
    width = len(headers)
    rows: list[int] = []
    body: list[list[str]] = []
    ragged: list[tuple[int, int]] = []
    for number, record in enumerate(records[start:], start=start + 1):
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                ragged.append((number, len(record)))
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        if not any(cell.strip() for cell in record):
            continue
        rows.append(number)
        body.append(record)
    columns = [list(col) for col in zip(*body, strict=True)] if body else [[] for _ in headers]
    return headers, header + 1, _raw_frame(columns, rows), ragged


def _check_size(path: Path, out: ErrorCollector, rank: int = -1) -> bool:
    """False (and the error reported) when the file is empty or too large to read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        out.add(_unreadable(path.name, exc), rank)
        return False
    if size == 0:
        out.add(
            IntakeError(
                Code.EMPTY_FILE, path.name, expected="请重新导出或保存该文件，确认内容完整后再导入"
            ),
            rank,
        )
        return False
    too_large = guard.file_too_large(path.name, size)
    if too_large is not None:
        out.add(too_large, rank)
        return False
    return True


def _unreadable(file: str, exc: OSError) -> IntakeError:
    return IntakeError(
        Code.UNREADABLE_FILE,
        file,
        value=exc.strerror or type(exc).__name__,
        expected="文件存在、有读取权限且未被其他程序占用",
    )


def read_csv(path: Path, table: Table, out: ErrorCollector) -> RawTable | None:
    """One CSV file as `table`'s raw cells; None, with the problems in `out`, when unreadable."""
    rank = table_rank(table)
    if not _check_size(path, out, rank):
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        out.add(_unreadable(path.name, exc), rank)
        return None
    if data.startswith((_OLE2_MAGIC, _ZIP_MAGIC)):
        # A workbook saved with a .csv name: reading it as text would give pages of nonsense.
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                path.name,
                value="这是 Excel 工作簿，不是 CSV 文本文件",
                expected="扩展名与内容一致：将扩展名改为 .xlsx 后单独导入该工作簿，或另存为 CSV",
            ),
            rank,
        )
        return None
    text = _decode(data)
    if text is None:
        out.add(
            IntakeError(
                Code.ENCODING, path.name, expected="UTF-8（可带 BOM）或 GBK/GB18030 编码的 CSV 文件"
            ),
            rank,
        )
        return None
    sep = _separator(text)
    ragged: list[tuple[int, int]] = []
    fast = _parse_csv_fast(text, sep, table)
    try:
        if fast is not None:
            headers, header_row, frame = fast
        else:
            headers, header_row, frame, ragged = _parse_csv_slow(text, sep, table)
    except csv.Error as exc:
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                path.name,
                value=str(exc),
                expected="文件是有效的 CSV 文件（逗号分隔、双引号括起含逗号的值）",
            ),
            rank,
        )
        return None
    raw = RawTable(table, path.name, None, headers, _drop_blank_rows(frame), header_row)
    _control_characters(raw, out, rank)
    for row, cells in ragged:
        out.add(
            raw.error(
                Code.RAGGED_ROW,
                row=row,
                value=str(cells),
                expected=f"与表头的 {len(headers)} 列一致（含逗号的值要用双引号括起来）",
            ),
            rank,
        )
    return raw


# Workbooks -------------------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """A cell value as text without losing precision (Excel stores every number as a float)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float; 12.0 in an id or count column means "12".
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        # Excel has no date-only type; a date cell reads back as midnight.
        return value.date().isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


_NONE = type(None)


def _text_column(values: Sequence[object]) -> pl.Series:
    """The cells of one column as text, as `_cell_text` gives them.

    Columns of only text, or only numbers, are converted by Polars; only columns mixing in other
    kinds of value (dates, booleans) are converted cell by cell.
    """
    kinds = set(map(type, values))
    kinds.discard(_NONE)
    if kinds <= {str}:
        return pl.Series(values, dtype=pl.String)
    if kinds <= {int, float}:
        try:
            numbers = pl.Series(values, dtype=pl.Float64, strict=False)
        except (OverflowError, TypeError, ValueError):
            numbers = None
        # Whole numbers are exact in a float only up to 2**53 (larger ids keep every digit below),
        # and a number too large for a float would silently become null.
        exact = (
            numbers is not None
            and numbers.null_count() == values.count(None)
            and not (numbers.abs() >= 2.0**53).any()
        )
        if numbers is not None and exact:
            whole = numbers.is_finite() & (numbers == numbers.round(0))
            return (
                pl.select(
                    pl.when(whole)
                    .then(numbers.cast(pl.Int64, strict=False).cast(pl.String))
                    .otherwise(numbers.cast(pl.String))
                )
                .to_series()
                .alias("")
            )
    return pl.Series(list(map(cell_text, values)), dtype=pl.String)


def _sheet_table(rows: list[tuple[object, ...]], table: Table, file: str, sheet: str) -> RawTable:
    """A raw table from the value rows of a worksheet (row i is sheet row i + 1)."""
    head = [[cell_text(v) for v in row[:MAX_COLUMNS]] for row in rows[: HEADER_SEARCH_ROWS + 2]]
    found = find_header(head, table)
    if found is None:
        return RawTable(table, file, sheet, [], _raw_frame([], []))
    header, start = found
    headers = [_header_text(h) for h in head[header]]
    body = rows[start:]
    if body and max(map(len, body)) > MAX_COLUMNS:
        body = [row[:MAX_COLUMNS] for row in body]
    columns = list(itertools.zip_longest(*body)) if body else []
    width = max(len(headers), len(columns))
    headers += [""] * (width - len(headers))
    series = [_text_column(col) for col in columns]
    series += [pl.Series([None] * len(body), dtype=pl.String)] * (width - len(columns))
    frame = _raw_frame(series, range(start + 1, len(rows) + 1))
    return RawTable(table, file, sheet, headers, _drop_blank_rows(frame), header + 1)


def _is_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\r\n\x0c")
    return controls == 0


def _sniff_workbook(path: Path, out: ErrorCollector) -> bytes | None:
    """The bytes of a workbook that is safe and sensible to open; otherwise report why not."""
    if not _check_size(path, out):
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        out.add(_unreadable(path.name, exc))
        return None
    if data.startswith(_OLE2_MAGIC):
        # Password-protected .xlsx files are OLE2 containers holding these two streams (their
        # names are stored in UTF-16 in the container's directory).
        encrypted = any(
            name.encode("utf-16-le") in data for name in ("EncryptionInfo", "EncryptedPackage")
        )
        code = Code.ENCRYPTED_WORKBOOK if encrypted else Code.LEGACY_XLS
        out.add(IntakeError(code, path.name, value=path.suffix))
        return None
    if not data.startswith(_ZIP_MAGIC):
        sample = data[:4096]
        if _is_text(sample):
            webpage = re.search(rb"<\s*(html|table|!doctype)", sample[:1024], re.IGNORECASE)
            out.add(
                IntakeError(
                    Code.NOT_A_WORKBOOK,
                    path.name,
                    value="网页（HTML）文件" if webpage else "文本文件",
                    expected="在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）"
                    if webpage
                    else "如果是 CSV 数据，请把扩展名改为 .csv 放进数据文件夹，"
                    "或在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）",
                )
            )
        else:
            out.add(
                IntakeError(
                    Code.UNREADABLE_FILE,
                    path.name,
                    value="文件已损坏，不是有效的 .xlsx 工作簿",
                    expected="文件完整：在 Excel/WPS 中打开后另存为 .xlsx，或重新导出",
                )
            )
        return None
    refused = guard.check_archive(path)
    if refused is not None:
        out.add(refused)
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    names = {m.filename.lower() for m in members}
    if not any(n.endswith("workbook.xml") for n in names):
        if "mimetype" in names:
            kind = "OpenDocument 等其他格式的文档"
        elif any(n.startswith("word/") for n in names):
            kind = "Word 文档"
        elif any(n.startswith("ppt/") for n in names):
            kind = "PowerPoint 文档"
        else:
            kind = "压缩包"
        out.add(
            IntakeError(
                Code.NOT_A_WORKBOOK,
                path.name,
                value=kind,
                expected="请导入 Excel 工作簿（.xlsx）；压缩包请先解压",
            )
        )
        return None
    return data


_NS = rb"(?:[\w.-]+:)?"
_FORMULA_CELL = re.compile(
    rb"<" + _NS + rb"c\b([^>]*?)(?<!/)>\s*"
    rb"<" + _NS + rb"f\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"f>)\s*"
    rb"(<" + _NS + rb"v\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"v>))?",
    re.S,
)
_CELL_REF = re.compile(rb'\br\s*=\s*["\']([A-Za-z]{1,3})(\d{1,7})["\']')
_CELL_TYPE = re.compile(rb'\bt\s*=\s*["\'](\w+)["\']')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index - 1


def _uncomputed_formulas(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, str]]:
    """(row, column position, formula) of formula cells saved without a cached result.

    With data_only, openpyxl reads such a cell as empty, which would silently turn a value into
    "not reported". The sheet part is scanned as bytes, in pieces cut between rows, and the
    cell-by-cell pattern only runs on pieces that contain a formula at all.
    """
    found: list[tuple[int, int, str]] = []
    carry = b""
    with archive.open(member) as source:
        while len(found) < _FORMULA_LIMIT:
            chunk = source.read(4 * 2**20)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"row>")
                if cut < 0:
                    carry = data
                    continue
                piece, carry = data[: cut + 4], data[cut + 4 :]
            else:
                piece, carry = data, b""
            if b"<f" in piece or b":f" in piece:
                found.extend(_formulas_in(piece))
            if not chunk:
                break
    return found[:_FORMULA_LIMIT]


def _formulas_in(piece: bytes) -> Iterator[tuple[int, int, str]]:
    for match in _FORMULA_CELL.finditer(piece):
        attributes, formula, value_tag, value = match.groups()
        kind = _CELL_TYPE.search(attributes)
        if value_tag is not None and (value or (kind is not None and kind.group(1) == b"str")):
            # A result was saved (an empty text result is a result).
            continue
        ref = _CELL_REF.search(attributes)
        if ref is None:
            continue
        text = html.unescape((formula or b"").decode("utf-8", "replace")).strip()
        yield int(ref.group(2)), _column_index(ref.group(1)), f"={text}" if text else "共享公式"


def _sheet_rows(sheet: Any, file: str, name: str) -> list[tuple[object, ...]]:
    # Dimensions recorded in the file are often wrong (some programs write A1 or the whole
    # sheet); without them each row is as long as its last cell. The rows are counted as they
    # stream in, since a wrong dimension may also hide a million rows.
    sheet.reset_dimensions()
    rows = list(guard.bounded_rows(sheet.iter_rows(values_only=True), file, name))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


@contextmanager
def open_workbook(path: Path, out: ErrorCollector) -> Iterator[tuple[Any, zipfile.ZipFile] | None]:
    """The workbook (read-only, saved values) and its zip archive while the block runs, closed
    after it; None, with the reason in `out`, for a file that cannot be opened safely."""
    data = _sniff_workbook(path, out)
    if data is None:
        yield None
        return
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles); none matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many unrelated types for damaged files; all mean "cannot open".
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                path.name,
                value=type(exc).__name__,
                expected="文件是未损坏的 .xlsx 工作簿：在 Excel/WPS 中打开后另存为 .xlsx 再导入",
            )
        )
        yield None
        return
    try:
        yield workbook, zipfile.ZipFile(io.BytesIO(data))
    finally:
        workbook.close()


def _read_workbook(path: Path, out: ErrorCollector) -> dict[str, RawTable]:
    with open_workbook(path, out) as opened:
        return {} if opened is None else _workbook_tables(*opened, path.name, out)


def _workbook_tables(
    workbook: Any, archive: zipfile.ZipFile, file: str, out: ErrorCollector
) -> dict[str, RawTable]:
    raws: dict[str, RawTable] = {}
    found: dict[str, list[str]] = {}
    hidden: set[str] = set()
    # Sheets whose names are not table names (instructions, template metadata, hidden helper
    # sheets) are not data and are passed over in silence.
    for name in workbook.sheetnames:
        table = _TABLE_LOOKUP.get(name_key(name))
        if table is not None:
            found.setdefault(table.name, []).append(name)
            if getattr(workbook[name], "sheet_state", "visible") != "visible":
                hidden.add(name)
    for table, names in _one_source_per_table(
        found,
        file,
        out,
        missing=lambda t: f"在工作簿中提供名为“{t.zh}”或“{t.name}”的工作表",
        duplicate=lambda names: (
            "只保留一个工作表（当前有："
            + "、".join(f"{n}（隐藏）" if n in hidden else n for n in names)
            + "）"
        ),
    ):
        raw = read_sheet(workbook, archive, table, file, names[0], out)
        if raw is not None:
            raws[table.name] = raw
    return raws


def read_sheet(
    workbook: Any,
    archive: zipfile.ZipFile,
    table: Table,
    file: str,
    name: str,
    out: ErrorCollector,
) -> RawTable | None:
    """Sheet `name` of an open workbook as `table`'s raw cells, with formulas saved without a
    result; None, with the problems in `out`, when the sheet cannot be read."""
    rank = table_rank(table)
    sheet = workbook[name]
    if not hasattr(sheet, "iter_rows"):
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                file,
                name,
                value="图表工作表",
                expected="该工作表是普通的数据表",
            ),
            rank,
        )
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = _sheet_table(_sheet_rows(sheet, file, name), table, file, name)
        member = getattr(sheet, "_worksheet_path", None)
        if isinstance(member, str):
            raw.uncomputed = [
                cell
                for cell in _uncomputed_formulas(archive, member.lstrip("/"))
                if cell[0] >= raw.header_row
            ]
    except guard.FileRefused as refused:
        out.add(refused.error, rank)
        return None
    except Exception as exc:
        # A damaged sheet part fails inside the XML parser or the zip reader, with many types.
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                file,
                name,
                value=type(exc).__name__,
                expected="工作表内容未损坏：在 Excel/WPS 中打开后另存为 .xlsx 再导入",
            ),
            rank,
        )
        return None
    _control_characters(raw, out, rank)
    return raw


def _control_characters(raw: RawTable, out: ErrorCollector, rank: int) -> None:
    """One error per cell (and header) holding control characters, which no typed value has and
    PostgreSQL cannot store; the characters are then removed so that no later message or stored
    problem carries them (the errors block the import anyway)."""
    for index, header in enumerate(raw.headers):
        if guard.has_control(header):
            out.add(
                guard.control_error(
                    raw.file,
                    raw.sheet,
                    raw.header_row,
                    guard.show_control(header),
                    raw.cell_ref(index, raw.header_row),
                    header,
                ),
                rank,
            )
            raw.headers[index] = guard.strip_control(header)
    columns = [c for c in raw.frame.columns if c != ROW]
    if not columns:
        return
    flagged = raw.frame.filter(
        pl.any_horizontal(
            [pl.col(c).str.contains(guard.CONTROL_PATTERN).fill_null(False) for c in columns]
        )
    )
    if flagged.height == 0:
        return
    for record in flagged.iter_rows(named=True):
        for column in columns:
            text = record[column]
            if text is None or not guard.has_control(text):
                continue
            index = source_index(column)
            header = raw.headers[index] if index < len(raw.headers) else ""
            out.add(
                guard.control_error(
                    raw.file,
                    raw.sheet,
                    record[ROW],
                    header or column_letter(index),
                    raw.cell_ref(index, record[ROW]),
                    text,
                ),
                rank,
            )
    raw.frame = raw.frame.with_columns(
        pl.col(c).str.replace_all(guard.CONTROL_PATTERN, "") for c in columns
    )


def _one_source_per_table(
    found: dict[str, list[T]],
    container: str,
    out: ErrorCollector,
    missing: Callable[[Table], str],
    duplicate: Callable[[list[T]], str],
) -> Iterator[tuple[Table, list[T]]]:
    """Tables that have exactly one source (sheet or file); report missing and repeated ones."""
    for table in TABLES:
        sources = found.get(table.name, [])
        rank = table_rank(table)
        if not sources:
            if table.required:
                error = IntakeError(
                    Code.MISSING_TABLE, container, value=table.zh, expected=missing(table)
                )
                out.add(error, rank)
            continue
        if len(sources) > 1:
            error = IntakeError(
                Code.DUPLICATE_TABLE, container, value=table.zh, expected=duplicate(sources)
            )
            out.add(error, rank)
            continue
        yield table, sources


def _read_folder(folder: Path, out: ErrorCollector) -> dict[str, RawTable]:
    found: dict[str, list[Path]] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                folder.name,
                value=exc.strerror or type(exc).__name__,
                expected="文件夹有读取权限",
            )
        )
        return {}
    for entry in entries:
        if entry.suffix.lower() != ".csv" or not entry.is_file():
            continue
        table = _TABLE_LOOKUP.get(name_key(entry.stem))
        if table is not None:
            found.setdefault(table.name, []).append(entry)
    raws: dict[str, RawTable] = {}
    for table, paths in _one_source_per_table(
        found,
        folder.name,
        out,
        missing=lambda t: f"在文件夹中提供 {t.name}.csv（或 {t.zh}.csv）",
        duplicate=lambda paths: (
            "只保留一个文件（当前有：" + "、".join(p.name for p in paths) + "）"
        ),
    ):
        raw = read_csv(paths[0], table, out)
        if raw is not None:
            raws[table.name] = raw
    return raws


def _file_kind(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError:
        return b""


def read_raw_tables(path: Path, out: ErrorCollector) -> dict[str, RawTable]:
    """Every table found at `path` (folder of CSV files or .xlsx workbook), by canonical name."""
    if not path.exists():
        out.add(
            IntakeError(
                Code.PATH_NOT_FOUND,
                path.name or str(path),
                expected="包含 CSV 文件的文件夹或 .xlsx 工作簿",
            )
        )
        return {}
    if path.is_dir():
        return _read_folder(path, out)
    # The content decides, not the name: .xls files are often workbooks, web pages or text.
    if path.suffix.lower() in _WORKBOOK_SUFFIXES or _file_kind(path).startswith(_OLE2_MAGIC):
        return _read_workbook(path, out)
    out.add(
        IntakeError(
            Code.UNSUPPORTED_FORMAT,
            path.name,
            value=path.suffix or "无扩展名",
            expected="包含 CSV 文件的文件夹或 .xlsx 工作簿（.xls 请在 Excel 中另存为 .xlsx）",
        )
    )
    return {}
