"""Reading raw tables: the cells of each CSV file or worksheet as text, before interpretation.

Row numbers are kept as the user sees them (header = row 1; in Excel, the sheet's row number), and
fully blank rows are dropped, so every later error can point at the right row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from junheng.core.schema import TABLES, Table
from junheng.intake.errors import Code, ErrorCollector, IntakeError

T = TypeVar("T")
ROW = "__intake_row__"
"""Column holding each row's number as the user sees it."""


def name_key(text: str) -> str:
    """Comparison key for headers, table and fact names: width, case and spaces do not matter."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return "".join(text.split()).lower()


_TABLE_LOOKUP: dict[str, Table] = {
    **{name_key(t.name): t for t in TABLES},
    **{name_key(t.zh): t for t in TABLES},
}


@dataclass
class RawTable:
    table: Table
    file: str
    sheet: str | None
    headers: list[str]
    frame: pl.DataFrame
    """String columns c0…c{n-1} (one per header position) and ROW; fully blank rows removed."""

    def error(self, code: Code, **fields: Any) -> IntakeError:
        return IntakeError(code, self.file, self.sheet, **fields)


def source_column(i: int) -> str:
    return f"c{i}"


def _raw_frame(columns: list[list[str | None]], rows: list[int]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {source_column(i): pl.Series(values, dtype=pl.String) for i, values in enumerate(columns)}
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


def _header_text(value: str | None) -> str:
    return (value or "").replace("\ufeff", "").strip()


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
    first_line = text.split("\n", 1)[0]
    return "\t" if "," not in first_line and "\t" in first_line else ","


def _parse_csv_fast(text: str, sep: str) -> tuple[list[str], pl.DataFrame] | None:
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
    headers = [_header_text(h) for h in frame.row(0)]
    body = frame.slice(1)
    body = body.rename({c: source_column(i) for i, c in enumerate(body.columns)})
    body = body.with_columns(pl.int_range(2, body.height + 2, dtype=pl.Int64).alias(ROW))
    return headers, body


def _parse_csv_slow(text: str, sep: str) -> tuple[list[str], pl.DataFrame, list[tuple[int, int]]]:
    """Python csv parse; also returns (row, cell count) for rows longer than the header."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    headers: list[str] = []
    rows: list[int] = []
    body: list[list[str]] = []
    ragged: list[tuple[int, int]] = []
    for number, record in enumerate(records, start=1):
        if number == 1:
            headers = [_header_text(h) for h in record]
            continue
        width = len(headers)
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
    return headers, _raw_frame(columns, rows), ragged


def _read_csv(path: Path, table: Table, out: ErrorCollector) -> RawTable | None:
    rank = TABLES.index(table)
    try:
        data = path.read_bytes()
    except OSError as exc:
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                path.name,
                value=exc.strerror or type(exc).__name__,
                expected="文件存在、有读取权限且未被其他程序占用",
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
    fast = _parse_csv_fast(text, sep)
    try:
        if fast is not None:
            headers, frame = fast
        else:
            headers, frame, ragged = _parse_csv_slow(text, sep)
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
    raw = RawTable(table, path.name, None, headers, _drop_blank_rows(frame))
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


def _cell_text(value: object) -> str | None:
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


def _sheet_rows(rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[int, list[str | None]]]:
    for number, values in enumerate(rows, start=1):
        yield number, [_cell_text(v) for v in values]


def _read_sheet(
    rows: Iterable[tuple[object, ...]], table: Table, file: str, sheet: str
) -> RawTable:
    headers: list[str] = []
    numbers: list[int] = []
    body: list[list[str | None]] = []
    width = 0
    for number, cells in _sheet_rows(rows):
        if number == 1:
            headers = [_header_text(h) for h in cells]
            width = len(headers)
            continue
        if not any(c is not None and c.strip() for c in cells):
            continue
        width = max(width, len(cells))
        numbers.append(number)
        body.append(cells)
    headers = headers + [""] * (width - len(headers))
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for cells in body:
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else None)
    return RawTable(table, file, sheet, headers, _raw_frame(columns, numbers))


def _read_workbook(path: Path, out: ErrorCollector) -> dict[str, RawTable]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many unrelated types for damaged files; all mean "cannot open".
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                path.name,
                value=type(exc).__name__,
                expected="文件是未损坏的 .xlsx 工作簿，且未被其他程序占用",
            )
        )
        return {}
    raws: dict[str, RawTable] = {}
    try:
        found: dict[str, list[str]] = {}
        for name in workbook.sheetnames:
            table = _TABLE_LOOKUP.get(name_key(name))
            if table is not None:
                found.setdefault(table.name, []).append(name)
        for table, names in _one_source_per_table(
            found,
            path.name,
            out,
            missing=lambda t: f"在工作簿中提供名为“{t.zh}”或“{t.name}”的工作表",
            duplicate=lambda names: "只保留一个工作表（当前有：" + "、".join(names) + "）",
        ):
            rank = TABLES.index(table)
            sheet = workbook[names[0]]
            if not hasattr(sheet, "iter_rows"):
                out.add(
                    IntakeError(
                        Code.UNREADABLE_FILE,
                        path.name,
                        names[0],
                        value="图表工作表",
                        expected="该工作表是普通的数据表",
                    ),
                    rank,
                )
                continue
            try:
                raws[table.name] = _read_sheet(
                    sheet.iter_rows(min_row=1, values_only=True), table, path.name, names[0]
                )
            except Exception as exc:
                out.add(
                    IntakeError(
                        Code.UNREADABLE_FILE,
                        path.name,
                        names[0],
                        value=type(exc).__name__,
                        expected="工作表内容未损坏",
                    ),
                    rank,
                )
    finally:
        workbook.close()
    return raws


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
        rank = TABLES.index(table)
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
        raw = _read_csv(paths[0], table, out)
        if raw is not None:
            raws[table.name] = raw
    return raws


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
    if path.suffix.lower() in (".xlsx", ".xlsm"):
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
