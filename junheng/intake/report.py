"""Import problem reports a data clerk can act on.

- 导入问题清单.xlsx: one row per problem (workbook, sheet, cell, row, column, value found, what
  is wrong, what is expected, how to fix), errors first.
- 标注_<workbook>.xlsx: a copy of each submitted workbook with every offending cell filled (red
  for errors, yellow for warnings) and a comment saying what is wrong and how to fix it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from junheng.files import atomic_file
from junheng.intake import guard
from junheng.intake.errors import ERROR, Code, IntakeError
from junheng.reports.xlsx_cells import write_row

_FILL = {
    ERROR: PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6"),
    "warning": PatternFill("solid", start_color="FFFFE699", end_color="FFFFE699"),
}
_SEVERITY_ZH = {ERROR: "错误", "warning": "提示"}
HEADER = (
    "级别",
    "工作簿",
    "工作表",
    "单元格",
    "行",
    "列",
    "填写的值",
    "问题",
    "应填写",
    "修改建议",
)


def _fix(error: IntakeError) -> str:
    return getattr(error, "fix", "") or ""


def write_problem_list(errors: Sequence[IntakeError], path: Path) -> Path:
    """The problem list as a workbook (errors first, then warnings, in reading order)."""
    with atomic_file(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        sheet = book.add_worksheet("导入问题清单")
        head = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        )
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        red = book.add_format({"text_wrap": True, "valign": "top", "font_color": "#C00000"})
        write_row(sheet, 0, 0, HEADER, head)
        ordered = sorted(errors, key=lambda e: e.severity != ERROR)
        for r, error in enumerate(ordered, start=1):
            row = (
                _SEVERITY_ZH.get(error.severity, error.severity),
                error.file,
                error.sheet or "",
                error.cell or "",
                error.row if error.row is not None else "",
                error.column or "",
                error.value,
                error.title,
                error.expected,
                _fix(error),
            )
            # error.value echoes the submitted cell, which may read "=…"
            write_row(sheet, r, 0, row, red if error.severity == ERROR else wrap)
        for c, width in enumerate((6, 28, 12, 8, 6, 22, 20, 20, 40, 40)):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(ordered), 1), len(HEADER) - 1)
        book.close()
    return path


_REFUSED = frozenset(
    {
        Code.SUSPICIOUS_WORKBOOK,
        Code.FILE_TOO_LARGE,
        Code.TOO_MANY_ROWS,
    }
)
"""Problems after which a workbook is not opened to be annotated."""


def _small_enough(source: Path) -> bool:
    """Whether the workbook passes the intake's limits and is small enough to load whole."""
    if guard.check_archive(source) is not None:
        return False
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(m.file_size for m in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return False
    return unpacked <= guard.limits().annotate_max_unpacked_mb * 2**20


def annotate_workbook(source: Path, errors: Sequence[IntakeError], path: Path) -> Path | None:
    """A copy of `source` with the cells named by `errors` highlighted and commented.

    Problems without a cell are marked on the first cell of their row, or listed on the first
    sheet's A1 comment when they concern the whole workbook.
    """
    mine = [e for e in errors if e.file == source.name]
    if not mine or source.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    if any(e.code in _REFUSED for e in mine) or not _small_enough(source):
        # A refused file is never opened again; a large one would be loaded whole, with its
        # styles, far past a worker's memory. The problem list names every problem anyway.
        return None
    try:
        book = openpyxl.load_workbook(source)
    except Exception:
        return None  # unreadable workbooks are already described in the problem list
    general: list[str] = []
    notes: dict[tuple[str, str], list[IntakeError]] = {}
    for error in mine:
        sheet = error.sheet if error.sheet in book.sheetnames else None
        cell = error.cell or (f"A{error.row}" if error.row else None)
        if sheet is None or cell is None:
            general.append(error.message)
            continue
        notes.setdefault((sheet, cell), []).append(error)
    for (sheet, ref), found in notes.items():
        cell = book[sheet][ref]
        worst = ERROR if any(e.severity == ERROR for e in found) else "warning"
        cell.fill = _FILL[worst]
        text = "\n".join(
            f"【{_SEVERITY_ZH.get(e.severity, e.severity)}】{e.title}：{e.expected}"
            + (f"\n修改建议：{_fix(e)}" if _fix(e) else "")
            for e in found
        )
        cell.comment = Comment(text, "均衡", width=320, height=160)
    if general:
        first = book.worksheets[0]["A1"]
        first.comment = Comment("\n".join(general), "均衡", width=400, height=200)
        first.fill = _FILL[ERROR]
    with atomic_file(path) as tmp:
        book.save(tmp)
    return path


def write_import_report(
    errors: Sequence[IntakeError], sources: Sequence[Path], folder: Path
) -> list[Path]:
    """The problem list and one annotated copy per workbook that has problems."""
    written = [write_problem_list(errors, folder / "导入问题清单.xlsx")]
    for source in sources:
        annotated = annotate_workbook(source, errors, folder / f"标注_{source.name}")
        if annotated is not None:
            written.append(annotated)
    return written
