"""The rectification ledger (整改台账) as an Excel workbook, out and back in.

The columns are those counties already keep (序号, 问题, 指标, 学校, 牵头单位, …), plus an optional
问题编号 holding a problem's key, so a county can move its existing ledger in and a ledger written
here reads back to exactly the same rows. Reading reports every bad cell as an `IntakeError`, the
intake's error record, and returns no row at all when there is any error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from junheng.core.formatting import fmt_number
from junheng.intake import guard
from junheng.intake.errors import Code, IntakeError
from junheng.rectification.problems import ProblemDraft
from junheng.rectification.tasks import Status, Task
from junheng.reports.xlsx_cells import put

SHEET = "整改台账"
MISSING_SHEET = "数据缺失"
NUMBER = "序号"
PROBLEM = "问题"
INDICATOR = "指标"
SCHOOL = "学校"
LEAD_UNIT = "牵头单位"
RESPONSIBLE = "责任单位"
PERSON = "责任人"
LEADER = "包保县级领导"
MEASURES = "整改措施"
DEADLINE = "完成时限"
BUDGET = "预算（万元）"
STATUS = "状态"
PROGRESS = "进展"
KEY = "问题编号"
HEADERS: tuple[str, ...] = (
    NUMBER,
    PROBLEM,
    INDICATOR,
    SCHOOL,
    LEAD_UNIT,
    RESPONSIBLE,
    PERSON,
    LEADER,
    MEASURES,
    DEADLINE,
    BUDGET,
    STATUS,
    PROGRESS,
    KEY,
)
REQUIRED: tuple[str, ...] = (PROBLEM, LEAD_UNIT, PERSON, DEADLINE, STATUS)
# Headers written by hand in counties' ledgers that mean the same column.
ALIASES: dict[str, str] = {
    "编号": NUMBER,
    "问题清单": PROBLEM,
    "存在问题": PROBLEM,
    "问题描述": PROBLEM,
    "责任领导": LEADER,
    "包保领导": LEADER,
    "县级包保领导": LEADER,
    "完成时间": DEADLINE,
    "整改时限": DEADLINE,
    "预算": BUDGET,
    "预算(万元)": BUDGET,
    "整改进展": PROGRESS,
    "进展情况": PROGRESS,
    "整改状态": STATUS,
}
# 逾期 is derived from the deadline, so a ledger that wrote it means an unfinished task.
STATUS_ALIASES: dict[str, Status] = {"逾期": Status.IN_PROGRESS}
_SEPARATORS = re.compile(r"[、，,；;\n]+")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)?$"),
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
)
_HEADER_SEARCH_ROWS = 10
BUDGET_DECIMALS = 4
DATE_EXPECTED = "日期，如 2026-06-30、2026年6月30日或 2026年6月"


@dataclass(frozen=True)
class LedgerRow:
    """One line of a ledger: the problem as the county names it, and its task."""

    problem: str
    lead_unit: str = ""
    person: str = ""
    deadline: dt.date | None = None
    status: Status = Status.NOT_STARTED
    number: int | None = None
    indicator: str = ""
    school: str = ""
    responsible_units: tuple[str, ...] = ()
    leader: str = ""
    measures: str = ""
    budget_wan: float | None = None
    progress: str = ""
    problem_key: str | None = None

    def __post_init__(self) -> None:
        # Budgets are kept to the yuan (4 decimals of 万元): a workbook keeps about 15 digits, so
        # finer fractions would not read back as written.
        if self.budget_wan is not None:
            object.__setattr__(self, "budget_wan", round(float(self.budget_wan), BUDGET_DECIMALS))

    def task(self) -> Task:
        return Task(
            problem_key=self.problem_key,
            lead_unit=self.lead_unit,
            deadline=self.deadline,
            status=self.status,
            responsible_units=self.responsible_units,
            person=self.person,
            leader=self.leader,
            measures=self.measures,
            budget_wan=self.budget_wan,
            progress=self.progress,
            data_backed=self.problem_key is not None,
        )


@dataclass(frozen=True)
class LedgerResult:
    rows: list[LedgerRow] = field(default_factory=list)
    errors: list[IntakeError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def rows_from_drafts(drafts: Iterable[ProblemDraft]) -> list[LedgerRow]:
    """The problem list as ledger rows to fill in (units, people and deadlines left empty)."""
    rows = []
    for draft in drafts:
        if draft.missing:
            continue
        text = draft.title
        if draft.gap is not None:
            # Money to the fen as everywhere else; whole rooms and teachers without decimals.
            whole = float(draft.gap).is_integer() and draft.gap_unit != "元"
            amount = fmt_number(draft.gap, 0 if whole else 2, thousands=True)
            text += f"；{draft.gap_what} {amount} {draft.gap_unit}".rstrip()
        rows.append(
            LedgerRow(
                problem=text,
                number=len(rows) + 1,
                indicator=draft.item,
                school=draft.school_name or "",
                problem_key=draft.key,
            )
        )
    return rows


def _cell_value(row: LedgerRow, header: str) -> Any:
    return {
        NUMBER: row.number,
        PROBLEM: row.problem,
        INDICATOR: row.indicator,
        SCHOOL: row.school,
        LEAD_UNIT: row.lead_unit,
        RESPONSIBLE: "、".join(row.responsible_units),
        PERSON: row.person,
        LEADER: row.leader,
        MEASURES: row.measures,
        DEADLINE: row.deadline,
        BUDGET: row.budget_wan,
        STATUS: row.status.value,
        PROGRESS: row.progress,
        KEY: row.problem_key,
    }[header]


_WIDTHS = {PROBLEM: 48, MEASURES: 40, PROGRESS: 30, RESPONSIBLE: 20, KEY: 22, DEADLINE: 12}


def write_ledger(
    rows: Sequence[LedgerRow],
    path: Path,
    title: str = SHEET,
    missing: Sequence[ProblemDraft] = (),
) -> Path:
    """Write the ledger: a title row, the header row, one row per task; A4 landscape.

    `missing` ("数据缺失" drafts) go on a second sheet, so the data to collect is listed beside
    the problems without becoming tasks.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, header in enumerate(HEADERS, 1):
        cell = put(sheet, 2, col, header)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(header, 12)
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, row in enumerate(rows, 3):
        for col, header in enumerate(HEADERS, 1):
            value = _cell_value(row, header)
            cell = put(sheet, r, col, value)
            cell.alignment = wrap
            if header == DEADLINE:
                cell.number_format = "yyyy-mm-dd"
    status_col = get_column_letter(HEADERS.index(STATUS) + 1)
    choices = ",".join(s.value for s in Status)
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=False)
    validation.error = f"状态只能是：{choices.replace(',', '、')}"
    validation.errorTitle = "状态无效"
    sheet.add_data_validation(validation)
    validation.add(f"{status_col}3:{status_col}{max(len(rows) + 2, 200)}")
    sheet.freeze_panes = "C3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:2"
    if missing:
        extra = book.create_sheet(MISSING_SHEET)
        for col, header in enumerate(("问题编号", "无法判定的项目", "缺少的数据"), 1):
            put(extra, 1, col, header).font = Font(bold=True)
        for r, draft in enumerate(missing, 2):
            put(extra, r, 1, draft.key)
            put(extra, r, 2, draft.title)
            put(extra, r, 3, draft.description).alignment = wrap
        extra.column_dimensions["A"].width = 24
        extra.column_dimensions["B"].width = 40
        extra.column_dimensions["C"].width = 80
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def parse_date(value: Any) -> dt.date | None:
    """A deadline as written in a ledger; None when it is not a date. A month alone
    ("2026年6月", "2026年6月底") means its last day, which is how counties set deadlines."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # an Excel date serial in a cell not formatted as a date
        if 1 <= value < 2958466:
            converted = from_excel(value)
            return converted.date() if isinstance(converted, dt.datetime) else None
        return None
    text = str(value).strip()
    try:
        for pattern in _DATE_PATTERNS:
            if match := pattern.match(text):
                y, m, d = (int(g) for g in match.groups())
                return dt.date(y, m, d)
        for pattern in _MONTH_PATTERNS:
            if match := pattern.match(text):
                y, m = (int(g) for g in match.groups())
                return dt.date(y, m, calendar.monthrange(y, m)[1])
    except ValueError:
        return None
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return _text(value)


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    known = set(HEADERS) | set(ALIASES)
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [_text(v).replace(" ", "") for v in row]
        if sum(1 for n in names if n in known) >= 3:
            columns: dict[str, int] = {}
            for col, name in enumerate(names):
                canonical = ALIASES.get(name, name)
                if canonical in HEADERS and canonical not in columns:
                    columns[canonical] = col
            return index, columns
    return None


def missing_columns(
    required: Iterable[str],
    columns: Mapping[str, int],
    file: str,
    sheet: str,
    header_row: int,
    expected: str,
) -> list[IntakeError]:
    """One error per required header the table lacks, at the start of its header row."""
    return [
        IntakeError(
            Code.MISSING_COLUMN,
            file,
            sheet,
            header_row,
            value=header,
            expected=expected,
            cell=f"A{header_row}",
        )
        for header in required
        if header not in columns
    ]


def control_errors(rows: Sequence[Sequence[Any]], file: str, sheet: str) -> list[IntakeError]:
    """One error per cell holding control characters (they cannot be stored in the database)."""
    return [
        guard.control_error(
            file, sheet, number, get_column_letter(col), f"{get_column_letter(col)}{number}", value
        )
        for number, row in enumerate(rows, start=1)
        for col, value in enumerate(row, start=1)
        if isinstance(value, str) and guard.has_control(value)
    ]


def read_ledger(path: Path) -> LedgerResult:
    """Read a ledger workbook (this module's or a county's own with the same headers).

    The sheet 整改台账 is read, or the first sheet when there is none; the header row may sit
    below title rows. Every bad cell is reported; when there is any error no row is returned.
    """
    name = path.name
    if not path.exists():
        return LedgerResult(
            errors=[IntakeError(Code.PATH_NOT_FOUND, str(path), expected="一个 .xlsx 工作簿")]
        )
    if path.suffix.lower() != ".xlsx":
        return LedgerResult(
            errors=[
                IntakeError(
                    Code.UNSUPPORTED_FORMAT, name, value=path.suffix, expected=".xlsx 工作簿"
                )
            ]
        )
    refused = guard.check_archive(path)
    if refused is not None:
        return LedgerResult(errors=[refused])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        return LedgerResult(
            errors=[
                IntakeError(
                    Code.UNREADABLE_FILE,
                    name,
                    value=type(exc).__name__,
                    expected="文件是用 Excel/WPS 保存的 .xlsx 工作簿",
                )
            ]
        )
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        sheet_name = sheet.title
        # A recorded dimension may be wrong either way; the rows are counted as they stream.
        sheet.reset_dimensions()
        rows = [
            tuple(r)
            for r in guard.bounded_rows(sheet.iter_rows(values_only=True), name, sheet_name)
        ]
    except guard.FileRefused as exc:
        return LedgerResult(errors=[exc.error])
    finally:
        book.close()
    controls = control_errors(rows, name, sheet_name)
    if controls:
        return LedgerResult(errors=controls)
    found = _find_header(rows)
    if found is None:
        return LedgerResult(
            errors=[
                IntakeError(
                    Code.NO_HEADER,
                    name,
                    sheet_name,
                    expected=f"在前 {_HEADER_SEARCH_ROWS} 行中有表头：" + "、".join(HEADERS[:-1]),
                )
            ]
        )
    header_index, columns = found
    header_row = header_index + 1
    errors = missing_columns(
        REQUIRED, columns, name, sheet_name, header_row, "在表头中加上这一列（整改台账的必填项）"
    )
    if errors:
        return LedgerResult(errors=errors)
    out: list[LedgerRow] = []
    for offset, raw in enumerate(rows[header_index + 1 :], header_row + 1):
        values = {h: raw[c] if c < len(raw) else None for h, c in columns.items()}
        # Blank rows, and rows with only a pre-numbered 序号, are not tasks.
        if all(_text(v) == "" for h, v in values.items() if h != NUMBER):
            continue
        row_errors, row = _read_row(name, sheet_name, offset, values, columns)
        errors.extend(row_errors)
        if row is not None:
            out.append(row)
    return LedgerResult(errors=errors) if errors else LedgerResult(rows=out)


def _read_row(
    name: str, sheet: str, row: int, values: dict[str, Any], columns: dict[str, int]
) -> tuple[list[IntakeError], LedgerRow | None]:
    errors: list[IntakeError] = []

    def error(code: Code, header: str, expected: str) -> None:
        cell = f"{get_column_letter(columns[header] + 1)}{row}"
        errors.append(
            IntakeError(code, name, sheet, row, header, _shown(values[header]), expected, cell=cell)
        )

    for header in REQUIRED:
        if _text(values[header]) == "":
            error(Code.MISSING_VALUE, header, f"填写{header}（整改台账的必填项）")
    number: int | None = None
    if NUMBER in values and _text(values[NUMBER]):
        raw = _text(values[NUMBER])
        if raw.isdigit():
            number = int(raw)
        else:
            error(Code.NOT_AN_INTEGER, NUMBER, "正整数，如 12")
    deadline = None
    if _text(values[DEADLINE]):
        deadline = parse_date(values[DEADLINE])
        if deadline is None:
            error(Code.BAD_DATE, DEADLINE, DATE_EXPECTED)
    status = Status.NOT_STARTED
    if _text(values[STATUS]):
        text = _text(values[STATUS])
        parsed = STATUS_ALIASES.get(text)
        if parsed is None:
            try:
                parsed = Status(text)
            except ValueError:
                options = "、".join(s.value for s in Status)
                error(Code.BAD_ENUM, STATUS, f"{options}之一（“逾期”按进行中导入）")
        status = parsed or status
    budget: float | None = None
    if BUDGET in values and _text(values[BUDGET]):
        raw_budget = values[BUDGET]
        if isinstance(raw_budget, (int, float)) and not isinstance(raw_budget, bool):
            budget = float(raw_budget)
        else:
            text = _text(raw_budget).replace(",", "")
            if text.endswith("万元") or text.endswith("万"):
                error(Code.UNIT_IN_VALUE, BUDGET, "只填数字（单位是万元），如 120.5")
            else:
                try:
                    budget = float(text)
                except ValueError:
                    error(Code.NOT_A_NUMBER, BUDGET, "以万元计的数字，如 120.5")
        if budget is not None and budget < 0:
            error(Code.BELOW_MINIMUM, BUDGET, "不小于 0 的数字")
    if errors:
        return errors, None
    units = _text(values.get(RESPONSIBLE))
    key = _text(values.get(KEY))
    return [], LedgerRow(
        problem=_text(values[PROBLEM]),
        lead_unit=_text(values[LEAD_UNIT]),
        person=_text(values[PERSON]),
        deadline=deadline,
        status=status,
        number=number,
        indicator=_text(values.get(INDICATOR)),
        school=_text(values.get(SCHOOL)),
        responsible_units=tuple(u.strip() for u in _SEPARATORS.split(units) if u.strip()),
        leader=_text(values.get(LEADER)),
        measures=_text(values.get(MEASURES)),
        budget_wan=budget,
        progress=_text(values.get(PROGRESS)),
        problem_key=key or None,
    )
