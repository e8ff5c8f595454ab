"""Hostile and oversized files refused before they are parsed.

Every reader of an .xlsx workbook or .zip archive (county workbooks, 一校一册, template checks,
annotated copies, uploads, 整改台账, 组织机构, evidence documents) calls `check_archive` before
openpyxl or any XML parser sees the file. It looks only at the zip directory (the declared size
and compressed size of every member) and at the first bytes of each worksheet (its recorded
dimension), so a zip bomb or a sheet of a million rows is refused in milliseconds and without
unpacking it. zipfile never inflates a member past its declared size (a member that does is a
CRC error), so the declared sizes bound what any later reader can unpack.

A recorded dimension may lie or be missing; `bounded_rows` counts the rows again while a reader
streams them. The limits are data (`limits.yaml` beside this module).
"""

from __future__ import annotations

import functools
import html
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

from junheng.intake.errors import Code, IntakeError

LIMITS_FILE = Path(__file__).with_name("limits.yaml")
T = TypeVar("T")
_MB = 2**20
_ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION_BYTES = 4096
"""The dimension element comes right after the sheet's properties, within its first kilobyte."""
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_LAST_ROW = re.compile(r"(\d+)\s*$")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
CONTROL_PATTERN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
"""Characters that no typed value contains (tab, line feed and carriage return are allowed: a
cell may hold several lines). PostgreSQL text cannot hold the NUL character at all. Written
with escapes, so Python's and Polars' regular expressions read it alike."""
_CONTROL = re.compile(CONTROL_PATTERN)


@dataclass(frozen=True)
class Limits:
    """The limits of `limits.yaml` (see the comment on each there)."""

    max_file_mb: float
    max_unpacked_mb: float
    max_compression_ratio: float
    ratio_checked_from_mb: float
    max_members: int
    max_archive_members: int
    max_rows: int
    annotate_max_unpacked_mb: float


def _number(value: object) -> float:
    # Whole numbers stay ints, so that messages say "50 MB", not "50.0 MB".
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


@functools.cache
def limits(path: Path = LIMITS_FILE) -> Limits:
    """The limits file, read once per process."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Limits(
        max_file_mb=_number(data["max_file_mb"]),
        max_unpacked_mb=_number(data["max_unpacked_mb"]),
        max_compression_ratio=_number(data["max_compression_ratio"]),
        ratio_checked_from_mb=_number(data["ratio_checked_from_mb"]),
        max_members=int(data["max_members"]),
        max_archive_members=int(data["max_archive_members"]),
        max_rows=int(data["max_rows"]),
        annotate_max_unpacked_mb=_number(data["annotate_max_unpacked_mb"]),
    )


class FileRefused(Exception):
    """A file refused by a limit; `error` says which (its message names the file)."""

    def __init__(self, error: IntakeError) -> None:
        super().__init__(error.message)
        self.error = error

    def __reduce__(self) -> tuple[type, tuple[IntakeError]]:
        # Forms are read in worker processes; the error must survive the way back.
        return (type(self), (self.error,))


def mb_text(size: float) -> str:
    return f"{size / _MB:.1f} MB"


def _limit_text(value: float) -> str:
    return f"{value:g}"


def _count(n: int) -> str:
    return f"{n:,}"


def file_too_large(file: str, size: int) -> IntakeError | None:
    """The error for a file above the size limit, or None."""
    limit = limits().max_file_mb
    if size <= limit * _MB:
        return None
    return IntakeError(
        Code.FILE_TOO_LARGE,
        file,
        value=mb_text(size),
        expected=f"导入的文件不能超过 {_limit_text(limit)} MB",
    )


def too_many_rows(file: str, sheet: str | None, rows: int, exact: bool = True) -> IntakeError:
    """The error for a sheet with more rows than the limit (`rows` found, or counted so far)."""
    limit = limits().max_rows
    return IntakeError(
        Code.TOO_MANY_ROWS,
        file,
        sheet,
        value=f"{_count(rows)} 行" if exact else f"超过 {_count(limit)} 行",
        expected=f"每张工作表不能超过 {_count(limit)} 行（一个省约 2 万所学校，用不到这么多行）；"
        "请删除表格下方多余的空行（包括只设了格式的空行），数据确实更多时拆成几个文件分别导入",
    )


def _suspicious(file: str, detail: str) -> IntakeError:
    return IntakeError(
        Code.SUSPICIOUS_WORKBOOK,
        file,
        value=detail,
        expected="请在 Excel/WPS 中打开后另存为新的 .xlsx 文件再导入",
    )


def _damaged(file: str) -> IntakeError:
    return IntakeError(
        Code.UNREADABLE_FILE,
        file,
        value="文件已损坏，压缩包不完整",
        expected="文件完整：重新下载或导出，或在 Excel/WPS 中打开后另存为 .xlsx",
    )


def check_archive(
    path: Path, file: str | None = None, *, archive: bool = False
) -> IntakeError | None:
    """Why the workbook (or, with `archive`, the zip archive of uploads) at `path` must not be
    opened, or None when it may. `file` is the name used in the message (default: the path's).

    Checks the file's size, then from the zip directory the number of members, their total
    unpacked size and each member's compression ratio, then each worksheet's recorded
    dimension against the row limit. A file that is not a zip archive is left to its reader.
    """
    file = file or path.name
    limit = limits()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        return None  # the reader reports the missing or unreadable file in its own words
    too_large = file_too_large(file, size)
    if too_large is not None:
        return too_large
    if magic != _ZIP_MAGIC:
        return None
    try:
        with zipfile.ZipFile(path) as zipped:
            members = zipped.infolist()
            problem = _directory_problem(file, members, limit, archive)
            if problem is None and not archive:
                problem = _dimension_problem(file, zipped, members, limit)
            return problem
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error):
        # Damaged, encrypted or oddly compressed members fail with these types; none is a workbook.
        return _damaged(file)


def _directory_problem(
    file: str, members: list[zipfile.ZipInfo], limit: Limits, archive: bool
) -> IntakeError | None:
    most = limit.max_archive_members if archive else limit.max_members
    if len(members) > most:
        return _suspicious(file, f"压缩包中有 {_count(len(members))} 个部件，上限为 {most} 个")
    total = sum(m.file_size for m in members)
    if total > limit.max_unpacked_mb * _MB:
        return _suspicious(
            file, f"解压后共 {mb_text(total)}，上限为 {_limit_text(limit.max_unpacked_mb)} MB"
        )
    for member in members:
        if member.file_size < limit.ratio_checked_from_mb * _MB:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limit.max_compression_ratio:
            return _suspicious(
                file,
                f"“{member.filename}”压缩比为 {ratio:,.0f} 倍，"
                f"超过 {_limit_text(limit.max_compression_ratio)} 倍",
            )
    return None


def _attributes(text: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).decode("utf-8", "replace").rpartition(":")[2]
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found.setdefault(name, html.unescape(value.decode("utf-8", "replace")))
    return found


def _sheet_names(zipped: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from the workbook part and its relationships (both already
    within the size limits); empty when they cannot be read."""
    try:
        workbook = zipped.read("xl/workbook.xml")
        rels = zipped.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets: dict[str, str] = {}
    for match in _RELATIONSHIP.finditer(rels):
        attributes = _attributes(match.group(1))
        target = attributes.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[attributes.get("Id", "")] = str(PurePosixPath(part))
    names: dict[str, str] = {}
    for match in _SHEET.finditer(workbook):
        attributes = _attributes(match.group(1))
        part = targets.get(attributes.get("id", ""))
        if part is not None and "name" in attributes:
            names[part] = attributes["name"]
    return names


def _dimension_problem(
    file: str, zipped: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: Limits
) -> IntakeError | None:
    sheets = [
        m
        for m in members
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
    ]
    names: dict[str, str] | None = None
    for member in sheets:
        with zipped.open(member) as stream:
            head = stream.read(_DIMENSION_BYTES)
        match = _DIMENSION.search(head)
        if match is None:
            continue
        last = _LAST_ROW.search(match.group(1).decode("ascii", "replace"))
        if last is None or int(last.group(1)) <= limit.max_rows:
            continue
        if names is None:
            names = _sheet_names(zipped)
        return too_many_rows(file, names.get(member.filename), int(last.group(1)))
    return None


def bounded_rows(rows: Iterable[T], file: str, sheet: str | None) -> Iterator[T]:
    """The rows of a sheet as they stream in; raises `FileRefused` past the row limit, so a sheet
    whose recorded dimension lies is stopped before it fills the memory."""
    most = limits().max_rows
    for count, row in enumerate(rows, start=1):
        if count > most:
            raise FileRefused(too_many_rows(file, sheet, most, exact=False))
        yield row


def refuse(path: Path, file: str | None = None) -> None:
    """Raise `FileRefused` when `check_archive` refuses the workbook at `path`."""
    error = check_archive(path, file)
    if error is not None:
        raise FileRefused(error)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def show_control(text: str) -> str:
    """`text` with each control character written as its code point ([U+0000]), so the value
    can be shown, stored and sent to PostgreSQL."""
    return _CONTROL.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


def control_error(
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    cell: str | None,
    text: str,
) -> IntakeError:
    """The error for a cell holding control characters (a NUL byte in a CSV file, say)."""
    return IntakeError(
        Code.CONTROL_CHARACTER,
        file,
        sheet,
        row,
        column,
        show_control(text),
        "只含可见文字的值：删除单元格中的不可见字符（[U+0000] 等标出的位置）后保存再导入",
        cell=cell,
    )
