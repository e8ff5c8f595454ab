"""The county's organisation for the work (领导小组, 办公室, 成员单位, 乡镇) from a table.

One row per person: 单位类型, 单位名称, 职责, 姓名, 职务, 联系电话. Rows of the same unit are merged
(its duties may be written once); a unit without people is one row with the person left empty.
Every bad cell is an `IntakeError` naming sheet, row and column; nothing is returned when there
is any error, so an import applies all of it or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from junheng.intake import guard
from junheng.intake.errors import Code, IntakeError
from junheng.rectification.ledger_xlsx import control_errors, missing_columns
from junheng.reports.xlsx_cells import put, set_value

KIND = "单位类型"
NAME = "单位名称"
DUTIES = "职责"
PERSON = "姓名"
POST = "职务"
PHONE = "联系电话"
HEADERS = (KIND, NAME, DUTIES, PERSON, POST, PHONE)
REQUIRED = (KIND, NAME)
ALIASES = {
    "类型": KIND,
    "单位": NAME,
    "名称": NAME,
    "工作职责": DUTIES,
    "人员": PERSON,
    "联系人": PERSON,
    "电话": PHONE,
    "手机": PHONE,
    "职位": POST,
}
KINDS: dict[str, str] = {
    "领导小组": "leading_group",
    "领导小组办公室": "office",
    "办公室": "office",
    "成员单位": "department",
    "乡镇": "town",
}
KINDS_TEXT = "领导小组、领导小组办公室、成员单位、乡镇 之一"
_PHONE = re.compile(r"^[0-9+\-—（）() ]{5,20}$")
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class PersonRow:
    name: str
    post: str = ""
    phone: str = ""


@dataclass
class UnitRow:
    kind: str
    name: str
    duties: str = ""
    people: list[PersonRow] = field(default_factory=list)
    row: int = 0


@dataclass(frozen=True)
class OrganisationResult:
    units: list[UnitRow] = field(default_factory=list)
    errors: list[IntakeError] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [ALIASES.get(n, n) for n in (_text(v).replace(" ", "") for v in row)]
        if sum(1 for n in names if n in HEADERS) >= 2:
            columns: dict[str, int] = {}
            for col, name in enumerate(names):
                if name in HEADERS and name not in columns:
                    columns[name] = col
            return index, columns
    return None


def organisation_from_rows(
    rows: list[tuple[Any, ...]], file: str, sheet: str
) -> OrganisationResult:
    """Units with their people from a sheet's rows (header row found below title rows)."""
    found = _find_header(rows)
    if found is None:
        return OrganisationResult(
            errors=[
                IntakeError(
                    Code.NO_HEADER,
                    file,
                    sheet,
                    expected=f"在前 {_HEADER_SEARCH_ROWS} 行中有表头：" + "、".join(HEADERS),
                )
            ]
        )
    header_index, columns = found
    header_row = header_index + 1
    errors = missing_columns(REQUIRED, columns, file, sheet, header_row, "在表头中加上这一列")
    if errors:
        return OrganisationResult(errors=errors)
    units: dict[str, UnitRow] = {}
    for number, raw in enumerate(rows[header_index + 1 :], header_row + 1):
        values = {h: _text(raw[c]) if c < len(raw) else "" for h, c in columns.items()}
        if not any(values.values()):
            continue

        def error(
            code: Code,
            header: str,
            expected: str,
            row: int = number,
            values: dict[str, str] = values,
        ) -> None:
            errors.append(
                IntakeError(
                    code,
                    file,
                    sheet,
                    row,
                    header,
                    values.get(header, ""),
                    expected,
                    cell=f"{get_column_letter(columns[header] + 1)}{row}",
                )
            )

        kind_text, name = values[KIND], values[NAME]
        if not kind_text:
            error(Code.MISSING_VALUE, KIND, f"填写{KINDS_TEXT}")
        elif kind_text not in KINDS:
            error(Code.BAD_ENUM, KIND, KINDS_TEXT)
        if not name:
            error(Code.MISSING_VALUE, NAME, "填写单位全称，如“县教育局”")
        phone = values.get(PHONE, "")
        if phone and not _PHONE.match(phone):
            error(Code.BAD_ENUM, PHONE, "电话号码，如 0731-12345678 或 13800000000")
        person = values.get(PERSON, "")
        if not person and (values.get(POST) or phone):
            error(Code.MISSING_VALUE, PERSON, "填写职务、电话所属人员的姓名")
        if not name or kind_text not in KINDS:
            continue
        kind = KINDS[kind_text]
        unit = units.get(name)
        if unit is None:
            unit = units[name] = UnitRow(kind=kind, name=name, row=number)
        elif unit.kind != kind:
            error(
                Code.BAD_ENUM,
                KIND,
                f"与第 {unit.row} 行同一单位的类型一致（{_kind_zh(unit.kind)}）",
            )
        duties = values.get(DUTIES, "")
        if duties:
            if unit.duties and unit.duties != duties:
                error(
                    Code.DUPLICATE_FACT, DUTIES, f"同一单位的职责只写一次（第 {unit.row} 行起已有）"
                )
            unit.duties = duties
        if person:
            unit.people.append(PersonRow(person, values.get(POST, ""), phone))
    if errors:
        return OrganisationResult(errors=errors)
    if not units:
        return OrganisationResult(
            errors=[IntakeError(Code.EMPTY_TABLE, file, sheet, expected="至少填写一个单位")]
        )
    return OrganisationResult(units=list(units.values()))


def _kind_zh(kind: str) -> str:
    return next(zh for zh, k in KINDS.items() if k == kind)


def read_organisation(path: Path, name: str | None = None) -> OrganisationResult:
    """The organisation table of an .xlsx workbook (its first sheet)."""
    file = name or path.name
    refused = guard.check_archive(path, file)
    if refused is not None:
        return OrganisationResult(errors=[refused])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        return OrganisationResult(
            errors=[
                IntakeError(
                    Code.UNREADABLE_FILE,
                    file,
                    value=type(exc).__name__,
                    expected="文件是用 Excel/WPS 保存的 .xlsx 工作簿",
                )
            ]
        )
    try:
        sheet = book.worksheets[0]
        title = sheet.title
        # A recorded dimension may be wrong either way; the rows are counted as they stream.
        sheet.reset_dimensions()
        rows = [
            tuple(r) for r in guard.bounded_rows(sheet.iter_rows(values_only=True), file, title)
        ]
    except guard.FileRefused as exc:
        return OrganisationResult(errors=[exc.error])
    finally:
        book.close()
    controls = control_errors(rows, file, title)
    if controls:
        return OrganisationResult(errors=controls)
    return organisation_from_rows(rows, file, title)


TEMPLATE_SHEET = "组织机构"
_TEMPLATE_TITLE = "优质均衡创建组织机构（每行一名人员；同一单位可写多行，职责写一次）"
_TEMPLATE_WIDTHS = {KIND: 16, NAME: 28, DUTIES: 40, PERSON: 12, POST: 18, PHONE: 18}
_TEMPLATE_ROWS = 200
"""Rows prepared with the 单位类型 dropdown and text-formatted phone cells."""


def _as_text(cell: Any, value: str) -> None:
    # A name or duty typed as "=…" or "+…" must stay the words people typed: a formula would be
    # run by Excel, and it would read back as empty (no cached result) on import.
    set_value(cell, value)
    cell.number_format = "@"


def write_organisation(units: Sequence[UnitRow], path: Path) -> Path:
    """The table `read_organisation` reads: a title row, the header, one row per person (a unit
    without people is one row), the 单位类型 column as a dropdown. Every cell is text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    put(sheet, 1, 1, _TEMPLATE_TITLE).font = Font(bold=True, size=13)
    for col, header in enumerate(HEADERS, 1):
        cell = put(sheet, 2, col, header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].width = _TEMPLATE_WIDTHS[header]
    row = 3
    for unit in units:
        people = unit.people or [PersonRow("")]
        for index, person in enumerate(people):
            values = {
                KIND: _kind_zh(unit.kind),
                NAME: unit.name,
                DUTIES: unit.duties if index == 0 else "",
                PERSON: person.name,
                POST: person.post,
                PHONE: person.phone,
            }
            for col, header in enumerate(HEADERS, 1):
                if values[header]:
                    _as_text(sheet.cell(row=row, column=col), values[header])
            sheet.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    last = max(row - 1, 2) + _TEMPLATE_ROWS
    for number in range(3, last + 1):
        for col in range(1, len(HEADERS) + 1):
            sheet.cell(row=number, column=col).number_format = "@"
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(dict.fromkeys(k for k in KINDS if k != "办公室")) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="单位类型",
        error=f"请选择{KINDS_TEXT}",
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"A3:A{last}")
    sheet.freeze_panes = "A3"
    book.save(path)
    return path
