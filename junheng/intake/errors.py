"""The intake error catalogue and the error record.

Every problem found while reading a dataset is an `IntakeError`: a fixed code from the catalogue,
the place it was found (file, sheet, row, column as the user sees them), the value found and what
was expected. Codes, field names and the table layout are part of the contract with other tools:
add new codes freely, never rename one. Chinese text is produced from the record by `message`, so
the record itself stays comparable in tests and convertible to a table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH: dict[str, str] = {ERROR: "错误", WARNING: "警告"}


class Code(StrEnum):
    """Every intake error code. The string values are stable identifiers."""

    PATH_NOT_FOUND = "path-not-found"
    UNSUPPORTED_FORMAT = "unsupported-format"
    UNREADABLE_FILE = "unreadable-file"
    ENCODING = "encoding"
    MISSING_TABLE = "missing-table"
    DUPLICATE_TABLE = "duplicate-table"
    NO_HEADER = "no-header"
    EMPTY_TABLE = "empty-table"
    MISSING_COLUMN = "missing-column"
    DUPLICATE_COLUMN = "duplicate-column"
    UNKNOWN_COLUMN = "unknown-column"
    RAGGED_ROW = "ragged-row"
    MISSING_VALUE = "missing-value"
    NOT_AN_INTEGER = "not-an-integer"
    NOT_A_NUMBER = "not-a-number"
    BELOW_MINIMUM = "below-minimum"
    BAD_ENUM = "bad-enum"
    DUPLICATE_SCHOOL = "duplicate-school"
    UNKNOWN_SCHOOL = "unknown-school"
    UNKNOWN_PARENT = "unknown-parent"
    SCHOOL_WITHOUT_SEGMENTS = "school-without-segments"
    DUPLICATE_SEGMENT = "duplicate-segment"
    LEVEL_NOT_ALLOWED = "level-not-allowed"
    DEGREE_SUM = "degree-sum"
    TEACHERS_EXCEED = "teachers-exceed"
    NO_STUDENTS = "no-students"
    SHARED_REPORTED_TWICE = "shared-reported-twice"
    UNKNOWN_FACT = "unknown-fact"
    BAD_FACT_VALUE = "bad-fact-value"
    DUPLICATE_FACT = "duplicate-fact"
    UNKNOWN_COUNTY = "unknown-county"
    DUPLICATE_SURVEY = "duplicate-survey"
    TOO_MANY_ERRORS = "too-many-errors"
    INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True)
class ErrorKind:
    """One catalogue entry: what the code means and how its message reads."""

    code: Code
    title: str
    description: str
    template: str
    """Message body after the location; may use {value} and {expected}."""
    severity: str = ERROR


_KINDS: tuple[ErrorKind, ...] = (
    ErrorKind(
        Code.PATH_NOT_FOUND,
        "找不到数据",
        "给出的路径不存在。数据应为一个包含 CSV 文件的文件夹，或一个 .xlsx 工作簿。",
        "找不到该文件或文件夹，应为{expected}",
    ),
    ErrorKind(
        Code.UNSUPPORTED_FORMAT,
        "不支持的文件格式",
        "只能读取 CSV 文件夹或 .xlsx 工作簿；旧版 .xls 工作簿需先在 Excel 中另存为 .xlsx。",
        "不支持此文件格式（{value}），应为{expected}",
    ),
    ErrorKind(
        Code.UNREADABLE_FILE,
        "文件无法读取",
        "文件已损坏、被其他程序占用、没有读取权限，或不是有效的 CSV/.xlsx 文件。",
        "文件无法读取（{value}），请确认{expected}",
    ),
    ErrorKind(
        Code.ENCODING,
        "文件编码无法识别",
        "CSV 文件既不是 UTF-8（可带 BOM），也不是 GBK/GB18030 编码。",
        "文件编码无法识别，应为{expected}",
    ),
    ErrorKind(
        Code.MISSING_TABLE,
        "缺少数据表",
        "必需的表（学校、学段、县级指标）没有找到。文件名或工作表名可用英文表名或中文表名。",
        "缺少「{value}」表，应{expected}",
    ),
    ErrorKind(
        Code.DUPLICATE_TABLE,
        "数据表重复",
        "同一张表出现了两次（例如同时有 schools.csv 和 学校.csv），无法判断以哪一个为准。",
        "「{value}」表出现了不止一次，应{expected}",
    ),
    ErrorKind(
        Code.NO_HEADER,
        "缺少表头",
        "文件或工作表的第 1 行为空，无法识别各列。第 1 行必须是列名。",
        "没有表头，应{expected}",
    ),
    ErrorKind(
        Code.EMPTY_TABLE,
        "没有数据行",
        "学校表或学段表只有表头、没有数据，无法评估。",
        "表中没有数据行，应{expected}",
    ),
    ErrorKind(
        Code.MISSING_COLUMN,
        "缺少必填列",
        "表头中没有某个必填列。列名可用英文名或中文名（可带单位，如“教学及辅助用房面积（㎡）”）。",
        "缺少必填列「{value}」，应{expected}",
    ),
    ErrorKind(
        Code.DUPLICATE_COLUMN,
        "列重复",
        "两个列名指向同一列（例如同时有 students 和 在校生数），无法判断以哪一列为准。",
        "与「{value}」列是同一列，应{expected}",
    ),
    ErrorKind(
        Code.UNKNOWN_COLUMN,
        "无法识别的列",
        "表头中有标准之外的列。该列原样保留，但不参与评估；如果本应是标准列，请改正列名。",
        "无法识别列名“{value}”，{expected}",
        WARNING,
    ),
    ErrorKind(
        Code.RAGGED_ROW,
        "单元格多于表头",
        "CSV 某一行的单元格数多于表头列数，通常是值中含有未加引号的逗号，导致各列错位。",
        "该行有 {value} 个单元格，多于表头的列数，应{expected}",
    ),
    ErrorKind(
        Code.MISSING_VALUE,
        "必填值为空",
        "用于识别一行的值（学校标识码、学校名称、县区、学校类型、学段、指标项、调查对象）为空。",
        "值为空，应{expected}",
    ),
    ErrorKind(
        Code.NOT_AN_INTEGER,
        "不是整数",
        "该列应填整数（人数、班数、间数等）。可写“12”或“12.0”，可带千位分隔符和全角数字。",
        "值“{value}”不是整数，应为{expected}",
    ),
    ErrorKind(
        Code.NOT_A_NUMBER,
        "不是数值",
        "该列应填数值（面积、金额等）。可带千位分隔符（如 1,234.5）和全角数字，不要带单位。",
        "值“{value}”不是数值，应为{expected}",
    ),
    ErrorKind(
        Code.BELOW_MINIMUM,
        "数值小于下限",
        "人数、面积、金额等不能为负数。",
        "值“{value}”小于下限，应为{expected}",
    ),
    ErrorKind(
        Code.BAD_ENUM,
        "不在可选值中",
        "该列只能填规定的可选值（英文值或中文名称均可），例如学段只能是“小学”或“初中”。",
        "值“{value}”不是可选值，应为{expected}",
    ),
    ErrorKind(
        Code.DUPLICATE_SCHOOL,
        "学校标识码重复",
        "学校表中同一个学校标识码出现了多次。每所学校只占一行。",
        "学校标识码“{value}”重复，应{expected}",
    ),
    ErrorKind(
        Code.UNKNOWN_SCHOOL,
        "学校不存在",
        "学段表或学校指标表中的学校标识码在学校表中找不到。",
        "学校标识码“{value}”在学校表中不存在，应{expected}",
    ),
    ErrorKind(
        Code.UNKNOWN_PARENT,
        "所属中心校不存在",
        "所属中心校一栏填写的学校标识码在学校表中找不到。",
        "所属中心校“{value}”在学校表中不存在，应{expected}",
    ),
    ErrorKind(
        Code.SCHOOL_WITHOUT_SEGMENTS,
        "学校没有学段数据",
        "学校表中的学校在学段表中没有任何一行，该校不会参与评估。",
        "学校“{value}”在学段表中没有数据，{expected}",
        WARNING,
    ),
    ErrorKind(
        Code.DUPLICATE_SEGMENT,
        "学段重复",
        "学段表中同一学校的同一学段出现了多次。每校每学段只占一行。",
        "学校和学段“{value}”重复，应{expected}",
    ),
    ErrorKind(
        Code.LEVEL_NOT_ALLOWED,
        "学段与学校类型不符",
        "学段与学校类型不相容，例如“小学”类型的学校填报了初中学段。",
        "学段“{value}”与学校类型不符，应{expected}",
    ),
    ErrorKind(
        Code.DEGREE_SUM,
        "学历人数之和不等于专任教师数",
        "研究生、本科、专科、高中及以下四类学历的专任教师数之和应等于专任教师数。",
        "各学历专任教师数之和（{value}）不等于专任教师数，应{expected}",
    ),
    ErrorKind(
        Code.TEACHERS_EXCEED,
        "超过专任教师数",
        "骨干教师、体育、音乐、美术、艺术教师数都不能超过该学段的专任教师数。",
        "值“{value}”超过了专任教师数，应{expected}",
    ),
    ErrorKind(
        Code.NO_STUDENTS,
        "在校生数为 0",
        "参与评估的学段在校生数必须大于 0（特殊教育学校、职业学校和教学点除外）。",
        "在校生数为 {value}，应{expected}",
    ),
    ErrorKind(
        Code.SHARED_REPORTED_TWICE,
        "共用设施重复填报",
        "一贯制学校的共用设施（校舍面积、运动场地、仪器设备、多媒体教室等）"
        "只能在学校表整校填报一次，或在学段表分学段填报，不能两处都填。",
        "值“{value}”已在学校表整校填报，学段表中又填报了，应{expected}",
    ),
    ErrorKind(
        Code.UNKNOWN_FACT,
        "无法识别的指标项",
        "县级指标表或学校指标表中的指标项名称不在标准之内，该行被忽略。",
        "指标项“{value}”无法识别，{expected}",
        WARNING,
    ),
    ErrorKind(
        Code.BAD_FACT_VALUE,
        "指标值无效",
        "指标值的写法不符合该指标的类型：判断项填“是/否”，比例填 0.93 或 93%，"
        "监测等级填 1–4 或 Ⅰ–Ⅳ，德育评价填 优秀/良好/合格/不合格。",
        "值“{value}”无效，{expected}",
    ),
    ErrorKind(
        Code.DUPLICATE_FACT,
        "指标项重复",
        "同一县区（或同一学校）的同一指标项填了不止一行，无法判断以哪一行为准。",
        "指标项“{value}”重复填报，应{expected}",
    ),
    ErrorKind(
        Code.UNKNOWN_COUNTY,
        "县区不在学校表中",
        "县级指标表或满意度调查表中的县区在学校表中没有学校，请核对县区名称是否一致。",
        "县区“{value}”在学校表中没有学校，{expected}",
        WARNING,
    ),
    ErrorKind(
        Code.DUPLICATE_SURVEY,
        "调查对象重复",
        "满意度调查表中同一县区的同一类调查对象出现了多次。每县每类调查对象只占一行。",
        "县区和调查对象“{value}”重复，应{expected}",
    ),
    ErrorKind(
        Code.TOO_MANY_ERRORS,
        "问题过多",
        "问题太多时每种级别只列出前 1000 条，其余只计数；级别随未列出的问题而定"
        "（其中有错误即为错误）。",
        "另有 {value} 条问题未列出，{expected}",
    ),
    ErrorKind(
        Code.INTERNAL_ERROR,
        "读取程序内部错误",
        "读取数据时程序本身出错（不是数据的问题）。请保留数据文件并反馈给系统维护人员。",
        "读取程序出错（{value}），{expected}",
    ),
)

CATALOGUE: dict[str, ErrorKind] = {k.code.value: k for k in _KINDS}
"""Code → catalogue entry; every `Code` has exactly one entry."""


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class IntakeError:
    """One problem found while reading a dataset.

    `row` is the row number as shown in Excel (the header is row 1); `column` is the header as
    written in the file. `severity` defaults to the catalogue's severity for the code.
    """

    code: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str = ""
    expected: str = ""
    severity: str = ""
    cell: str | None = None
    """The cell reference in a workbook ("D7") when known, for highlighting the cell."""

    def __post_init__(self) -> None:
        # An unknown code is a programming error, never a user-input error.
        kind = CATALOGUE[str(self.code)]
        object.__setattr__(self, "code", str(self.code))
        if not self.severity:
            object.__setattr__(self, "severity", kind.severity)
        if self.severity not in SEVERITY_ZH:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    @property
    def location(self) -> str:
        """Where the problem is, e.g. `segments.csv 第 5 行「在校生数」列`."""
        text = self.file
        if self.sheet is not None:
            text += f" 工作表「{self.sheet}」"
        if self.row is not None:
            text += f"第 {self.row} 行" if self.sheet is not None else f" 第 {self.row} 行"
        if self.column is not None:
            text += f"「{self.column}」列"
        return text

    @property
    def message(self) -> str:
        """The full Chinese sentence shown to the user."""
        body = CATALOGUE[self.code].template.format(
            value=_short(self.value), expected=self.expected
        )
        return f"{self.location}：{body}"


class ErrorCollector:
    """Collects problems, listing at most `limit` per severity and counting the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[tuple[tuple[int, int, int, int], IntakeError]] = []
        self.listed = {ERROR: 0, WARNING: 0}
        self.omitted = {ERROR: 0, WARNING: 0}

    def _rank(self, error: IntakeError, table_rank: int) -> tuple[int, int, int, int]:
        return (0 if error.severity == ERROR else 1, table_rank, error.row or 0, len(self.items))

    def add(self, error: IntakeError, table_rank: int = -1) -> None:
        if self.listed[error.severity] >= self.limit:
            self.omitted[error.severity] += 1
            return
        self.listed[error.severity] += 1
        self.items.append((self._rank(error, table_rank), error))

    def add_rows(
        self,
        frame: pl.DataFrame,
        severity: str,
        build: Callable[[dict[str, Any]], IntakeError],
        table_rank: int = -1,
    ) -> None:
        """One error per row of `frame`, built only for the rows that will be listed."""
        room = max(self.limit - self.listed[severity], 0)
        for row in frame.head(room).iter_rows(named=True):
            self.add(build(row), table_rank)
        self.omitted[severity] += max(frame.height - room, 0)

    @property
    def has_errors(self) -> bool:
        return self.listed[ERROR] + self.omitted[ERROR] > 0

    def result(self, source: str) -> list[IntakeError]:
        errors = [e for _, e in sorted(self.items, key=lambda item: item[0])]
        omitted = self.omitted[ERROR] + self.omitted[WARNING]
        if omitted:
            summary = IntakeError(
                Code.TOO_MANY_ERRORS,
                source,
                value=str(omitted),
                expected=f"其中错误 {self.omitted[ERROR]} 条、警告 {self.omitted[WARNING]} 条；"
                "请先改正以上问题后重新导入",
                severity=ERROR if self.omitted[ERROR] else WARNING,
            )
            # Keep "errors first": the summary goes after the last listed error it belongs with.
            at = sum(1 for e in errors if e.severity == ERROR or summary.severity == WARNING)
            errors.insert(at, summary)
        return errors


ERROR_FRAME_SCHEMA: dict[str, type[pl.DataType]] = {
    "severity": pl.String,
    "code": pl.String,
    "title": pl.String,
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "expected": pl.String,
    "message": pl.String,
}


def errors_to_frame(errors: Iterable[IntakeError]) -> pl.DataFrame:
    """One row per error, with stable English column names (see ERROR_FRAME_SCHEMA)."""
    rows = [
        {
            "severity": e.severity,
            "code": e.code,
            "title": e.title,
            "file": e.file,
            "sheet": e.sheet,
            "row": e.row,
            "column": e.column,
            "value": e.value,
            "expected": e.expected,
            "message": e.message,
        }
        for e in errors
    ]
    return pl.DataFrame(rows, schema=ERROR_FRAME_SCHEMA, orient="row")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def errors_to_text(errors: Sequence[IntakeError]) -> str:
    """A Chinese plain-text table of the errors, with a count line at the end."""
    n_errors = sum(1 for e in errors if e.severity == ERROR)
    n_warnings = len(errors) - n_errors
    summary = f"共 {n_errors} 个错误、{n_warnings} 个警告"
    if not errors:
        return "未发现问题"
    header = ("序号", "级别", "问题", "说明")
    rows = [(str(i), SEVERITY_ZH[e.severity], e.title, e.message) for i, e in enumerate(errors, 1)]
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(3)]
    lines = []
    for r in (header, *rows):
        lines.append("  ".join([*(_pad(r[i], widths[i]) for i in range(3)), r[3]]))
    lines.insert(1, "  ".join("-" * w for w in (*widths, _width(header[3]))))
    lines.append(summary)
    return "\n".join(lines)


def catalogue_markdown() -> str:
    """The text of docs/intake-errors.md, generated so the document cannot drift from the code."""
    lines = [
        "# Intake error codes (数据导入错误代码)",
        "",
        "Every problem found while reading a dataset has one of these stable codes; the Chinese "
        "title and explanation below are what users see. 级别：错误会阻止评估，警告不会。",
        "",
        "Each error records: `code`, `file`, `sheet`, `row` (as shown in Excel, header = row 1), "
        "`column` (header as written), `value` (as found), `expected`, `severity`.",
        "",
        "Messages read `<位置>：<消息>`, where the location is e.g. "
        "`segments.csv 第 5 行「在校生数」列` and the message fills in the template below.",
        "",
        "| 代码 | 级别 | 名称 | 说明 | 消息模板 |",
        "|---|---|---|---|---|",
    ]
    for kind in _KINDS:
        lines.append(
            f"| `{kind.code.value}` | {SEVERITY_ZH[kind.severity]} | {kind.title} | "
            f"{kind.description} | {kind.template} |"
        )
    lines.append("")
    lines.append(
        "This file is generated from `junheng/intake/errors.py` (a test checks it is current):"
    )
    lines.append("")
    lines.append(
        "    python -c 'from junheng.intake.errors import catalogue_markdown as m; "
        'print(m(), end="")\' > docs/intake-errors.md'
    )
    return "\n".join(lines) + "\n"
