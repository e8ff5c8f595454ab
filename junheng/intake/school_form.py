"""The per-school workbook (一校一册): a vertical form a school's clerk fills, and reading it.

A county collects data school by school more easily than in one shared workbook: each school gets
a form with its identity given (and locked), one input column per school level with last year's
value beside it, and the school's judged items. `read_school_form` turns a filled form back into
canonical raw string rows (`schools`, `segments`, `school_facts`) with the Excel cell each value
came from, so an importer can type-check them with the usual intake steps and point every error
at the exact cell of the form.

The layout (row labels, headers, sheet names) is part of the template's structure checksum (see
`junheng.intake.templates`); rows are found by their label rather than their position, so a form
with a changed label is reported rather than read wrongly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.core.schema import (
    LEVEL_ZH,
    LEVELS,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS,
    SCHOOLS,
    SEGMENTS,
    Column,
    Fact,
)
from junheng.intake import guard
from junheng.intake.templates import (
    GUIDE_SHEET,
    IDENTITY_COLUMNS,
    KIND_SCHOOL,
    NO_SEGMENT_KINDS,
    SCHOOL_DATA_COLUMNS,
    STYLE_ENTRY,
    STYLE_ENTRY_TEXT,
    STYLE_EXPLANATION,
    STYLE_GIVEN,
    STYLE_HEADER,
    STYLE_LABEL_OPTIONAL,
    STYLE_LABEL_REQUIRED,
    STYLE_SECTION,
    STYLE_SECTION_NOTE,
    TEMPLATE_VERSION,
    FormRefused,
    FormUnreadable,
    GuideRow,
    Rule,
    TemplateInfo,
    add_validations,
    cell_text,
    column_allowed,
    column_cell,
    column_rule,
    column_source,
    expected_checksum,
    fact_allowed,
    fact_cell,
    fact_rule,
    fact_source,
    form_levels,
    header_height,
    info_from_workbook,
    info_problems,
    protect,
    required_text,
    save_workbook,
    set_style,
    text_width,
    write_guide,
    write_info_sheet,
)
from junheng.reports.xlsx_cells import put

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from junheng.core.dataset import Dataset

__all__ = [
    "FormRefused",
    "FormUnreadable",
    "SchoolForm",
    "form_file_name",
    "read_school_form",
    "write_school_workbook",
    "write_school_workbooks",
]

SHEET_INFO = "学校信息"
SHEET_SEGMENTS = "学段数据"
SHEET_FACTS = "学校指标"
FORM_SHEETS: dict[str, str] = {
    SCHOOLS.name: SHEET_INFO,
    SEGMENTS.name: SHEET_SEGMENTS,
    SCHOOL_FACTS.name: SHEET_FACTS,
}
"""Canonical table → the form sheet holding it."""

THIS_YEAR = "本年"
LAST_YEAR = "上年"
EXPLAIN = "填写说明"
INFO_HEADERS = ("字段", "值", LAST_YEAR, EXPLAIN)
SEGMENT_HEADERS = ("项目", "单位")
FACT_HEADERS = ("项目", THIS_YEAR, LAST_YEAR, "说明", EXPLAIN)
LEVEL_PLACEHOLDER = "{学段}"
"""Stands for 小学/初中 in level column headers when computing the structure checksum, so one
checksum fits forms with one or two levels."""

SHARED_SECTION = "整校共用设施（选填）"
SHARED_NOTE = "九年一贯制等学校共用设施可在此整校填报，填了此处则学段表中对应项留空"
LOCKED_FIELDS: frozenset[str] = frozenset({"school_id", "name", "county", "kind"})
"""Identity the county bureau decides; the school sees but cannot change it."""

INFO_FIELDS: tuple[Column, ...] = tuple(SCHOOLS.column(n) for n in IDENTITY_COLUMNS)
SHARED_FIELDS: tuple[Column, ...] = tuple(SCHOOLS.column(n) for n in SCHOOL_DATA_COLUMNS)
SEGMENT_FIELDS: tuple[Column, ...] = tuple(
    c for c in SEGMENTS.columns if c.name not in ("school_id", "level")
)

_FIRST_INFO_ROW = 2
_SECTION_ROW = _FIRST_INFO_ROW + len(INFO_FIELDS)
_FIRST_SHARED_ROW = _SECTION_ROW + 1
_FIRST_DATA_ROW = 2
_PASSWORDLESS = "工作表保护未设密码，仅用于防止误改。"


def _level_header(level: str, which: str) -> str:
    return f"{LEVEL_ZH[level]} {which}"


def form_structure() -> list[tuple[str, list[str]]]:
    """Sheet names with their header texts and row labels, as a current form has them."""
    return [
        (
            SHEET_INFO,
            [
                *INFO_HEADERS,
                *(c.header_zh for c in INFO_FIELDS),
                SHARED_SECTION,
                *(c.header_zh for c in SHARED_FIELDS),
            ],
        ),
        (
            SHEET_SEGMENTS,
            [
                *SEGMENT_HEADERS,
                f"{LEVEL_PLACEHOLDER} {THIS_YEAR}",
                f"{LEVEL_PLACEHOLDER} {LAST_YEAR}",
                EXPLAIN,
                *(c.zh for c in SEGMENT_FIELDS),
            ],
        ),
        (SHEET_FACTS, [*FACT_HEADERS, *(f.zh for f in SCHOOL_FACT_DEFS)]),
    ]


# ---------------------------------------------------------------------------------------------
# Values of one school in a dataset
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Values:
    """One dataset's rows indexed by school (and level), for filling forms."""

    schools: dict[str, dict[str, Any]] = field(default_factory=dict)
    segments: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)

    @staticmethod
    def of(dataset: Dataset | None, school_id: str | None = None) -> _Values:
        """Index a dataset (only one school's rows when `school_id` is given)."""
        if dataset is None:
            return _Values()

        def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
            if "school_id" not in frame.columns:
                return []
            if school_id is not None:
                frame = frame.filter(pl.col("school_id") == school_id)
            return frame.to_dicts()

        notes: dict[tuple[str, str], str] = {}
        for row in rows(dataset.notes):
            if row.get("school_id") and row.get("fact") and row.get("note"):
                notes[(row["school_id"], row["fact"])] = row["note"]
        return _Values(
            schools={r["school_id"]: r for r in rows(dataset.schools)},
            segments={(r["school_id"], r["level"]): r for r in rows(dataset.segments)},
            facts={r["school_id"]: r for r in rows(dataset.school_facts)},
            notes=notes,
        )


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _paragraphs(school: dict[str, Any], year: str) -> list[str]:
    year_text = f"{year}学年" if year else "本学年"
    return [
        f"本表为{school['name']}（学校标识码 {school['school_id']}）{year_text}义务教育优质均衡"
        "发展评估数据填报表（一校一册）。请在“学校信息”“学段数据”“学校指标”三张表中填写，"
        "完成后交回县教育局。",
        "只在白色单元格中填写。灰色单元格是已给出的信息（学校标识码、名称、县区、学校类型）和"
        "上一学年的数据，不能修改；如有错误请联系县教育局。",
        "“学段数据”表每个学段有一列“本年”：按本学年教育事业统计基层报表填写；右侧“上年”列是"
        "上一学年的数据，供核对。橙色项目为必填，蓝色项目为选填。",
        "空白表示“未填报”，不会当作 0 处理；确实为 0 的请填 0。数值不要带单位或文字，"
        "选中单元格时会显示填写要求。",
        SHARED_NOTE + "；单学段学校不填共用设施。",
        "“学校指标”表中，是/否项和评价等级从下拉列表选择；比例可填小数或百分数（如 0.05 或 5%）；"
        "“说明”列可填写佐证材料。",
        "请勿修改项目名称、表头和工作表名称，也不要增删行或列。" + _PASSWORDLESS,
    ]


def _guide_rows() -> list[GuideRow]:
    rows: list[GuideRow] = []
    for column in (*INFO_FIELDS, *SHARED_FIELDS):
        rows.append(
            (
                SHEET_INFO,
                column.header_zh,
                column.unit,
                required_text(column.required),
                column_allowed(column),
                column_source(SCHOOLS.name, column.name),
            )
        )
    for column in SEGMENT_FIELDS:
        rows.append(
            (
                SHEET_SEGMENTS,
                column.zh,
                column.unit,
                required_text(column.required),
                column_allowed(column),
                column_source(SEGMENTS.name, column.name),
            )
        )
    for fact in SCHOOL_FACT_DEFS:
        rows.append((SHEET_FACTS, fact.zh, fact.unit, "是", fact_allowed(fact), fact_source(fact)))
    return rows


@dataclass
class _Sheet:
    """Cell styling shared by the three form sheets."""

    ws: Worksheet
    rules: dict[Rule, list[str]] = field(default_factory=dict)

    def header(self, texts: Sequence[str], widths: Sequence[float]) -> None:
        from openpyxl.utils import get_column_letter

        for i, (text, width) in enumerate(zip(texts, widths, strict=True), start=1):
            set_style(put(self.ws, 1, i, text), STYLE_HEADER)
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.row_dimensions[1].height = header_height(list(zip(texts, widths, strict=True)))

    def label(self, row: int, col: int, text: str, required: bool) -> None:
        cell = put(self.ws, row, col, text)
        set_style(cell, STYLE_LABEL_REQUIRED if required else STYLE_LABEL_OPTIONAL)

    def given(self, row: int, col: int, value: object, number_format: str | None = None) -> None:
        set_style(put(self.ws, row, col, value), STYLE_GIVEN, number_format)

    def entry(
        self, row: int, col: int, value: object, rule: Rule | None, text: bool = False
    ) -> None:
        from openpyxl.utils import get_column_letter

        cell = put(self.ws, row, col, value)
        number_format = rule.number_format if rule is not None else None
        set_style(cell, STYLE_ENTRY_TEXT if text else STYLE_ENTRY, number_format)
        if rule is not None:
            self.rules.setdefault(rule, []).append(f"{get_column_letter(col)}{row}")

    def explain(self, row: int, col: int, text: str) -> None:
        set_style(put(self.ws, row, col, text), STYLE_EXPLANATION)

    def finish(self, freeze: str, heights: dict[int, float], title: str) -> None:
        add_validations(self.ws, self.rules)
        for row, height in heights.items():
            self.ws.row_dimensions[row].height = height
        self.ws.freeze_panes = freeze
        self.ws.print_title_rows = "1:1"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        # "&&" is a literal ampersand in Excel page headers.
        self.ws.oddHeader.center.text = title.replace("&", "&&")
        # Rows are found by label, but an inserted row or a sort would only confuse the clerk.
        protect(self.ws, rows=False)


def _lines(text: str, width: float) -> int:
    return max(1, -(-text_width(text) // max(int(width) - 1, 1)))


def _info_sheet(
    ws: Worksheet,
    school: dict[str, Any],
    current: dict[str, Any] | None,
    previous: dict[str, Any] | None,
    title: str,
) -> None:
    widths = (26.0, 24.0, 16.0, 60.0)
    sheet = _Sheet(ws)
    sheet.header(INFO_HEADERS, widths)
    heights: dict[int, float] = {}
    editable = current or school
    for row, column in enumerate(INFO_FIELDS, start=_FIRST_INFO_ROW):
        sheet.label(row, 1, column.header_zh, column.required)
        if column.name in LOCKED_FIELDS:
            # Identity comes from the directory, not from a possibly corrected current dataset.
            sheet.given(row, 2, column_cell(column, school.get(column.name)), "@")
            explanation = "由县教育局确定，如有错误请联系县教育局。"
        else:
            value = editable.get(column.name, school.get(column.name))
            text = column.name in ("parent_id", "township")
            sheet.entry(row, 2, column_cell(column, value), column_rule(column), text=text)
            explanation = column_source(SCHOOLS.name, column.name)
        last = previous.get(column.name) if previous else None
        sheet.given(row, 3, column_cell(column, last))
        sheet.explain(row, 4, explanation)
        heights[row] = 15.0 * _lines(explanation, widths[3]) + 3
    set_style(put(ws, _SECTION_ROW, 1, SHARED_SECTION), STYLE_SECTION)
    set_style(put(ws, _SECTION_ROW, 2, SHARED_NOTE), STYLE_SECTION_NOTE)
    ws.merge_cells(start_row=_SECTION_ROW, start_column=2, end_row=_SECTION_ROW, end_column=4)
    heights[_SECTION_ROW] = 15.0 * _lines(SHARED_NOTE, sum(widths[1:])) + 6
    for row, column in enumerate(SHARED_FIELDS, start=_FIRST_SHARED_ROW):
        sheet.label(row, 1, column.header_zh, column.required)
        value = current.get(column.name) if current else None
        sheet.entry(row, 2, column_cell(column, value), column_rule(column))
        last = previous.get(column.name) if previous else None
        sheet.given(row, 3, column_cell(column, last))
        explanation = column_source(SCHOOLS.name, column.name)
        sheet.explain(row, 4, explanation)
        heights[row] = 15.0 * _lines(explanation, widths[3]) + 3
    sheet.finish("B2", heights, title)


def _segments_sheet(
    ws: Worksheet,
    school_id: str,
    levels: Sequence[str],
    current: _Values,
    previous: _Values,
    title: str,
) -> None:
    headers = [*SEGMENT_HEADERS]
    widths = [26.0, 6.0]
    for level in levels:
        headers += [_level_header(level, THIS_YEAR), _level_header(level, LAST_YEAR)]
        widths += [13.0, 11.0]
    headers.append(EXPLAIN)
    widths.append(62.0)
    sheet = _Sheet(ws)
    sheet.header(headers, widths)
    heights: dict[int, float] = {}
    explain_col = len(headers)
    for row, column in enumerate(SEGMENT_FIELDS, start=_FIRST_DATA_ROW):
        sheet.label(row, 1, column.zh, column.required)
        sheet.given(row, 2, column.unit)
        rule = column_rule(column)
        for i, level in enumerate(levels):
            col = 3 + 2 * i
            now = current.segments.get((school_id, level), {}).get(column.name)
            sheet.entry(row, col, column_cell(column, now), rule)
            last = previous.segments.get((school_id, level), {}).get(column.name)
            sheet.given(row, col + 1, column_cell(column, last))
        explanation = ("必填。" if column.required else "选填。") + column_source(
            SEGMENTS.name, column.name
        )
        sheet.explain(row, explain_col, explanation)
        heights[row] = 15.0 * _lines(explanation, widths[-1]) + 3
    sheet.finish("C2", heights, title)


def _facts_sheet(
    ws: Worksheet, school_id: str, current: _Values, previous: _Values, title: str
) -> None:
    widths = (34.0, 12.0, 11.0, 30.0, 56.0)
    sheet = _Sheet(ws)
    sheet.header(FACT_HEADERS, widths)
    heights: dict[int, float] = {}
    now = current.facts.get(school_id, {})
    last = previous.facts.get(school_id, {})
    for row, fact in enumerate(SCHOOL_FACT_DEFS, start=_FIRST_DATA_ROW):
        sheet.label(row, 1, fact.zh, True)
        rule = fact_rule(fact, fact.zh)
        sheet.entry(row, 2, fact_cell(fact, now.get(fact.name)), rule)
        sheet.given(row, 3, fact_cell(fact, last.get(fact.name)), rule.number_format)
        sheet.entry(row, 4, current.notes.get((school_id, fact.name)), None, text=True)
        explanation = f"{fact_allowed(fact)}。{fact_source(fact)}"
        sheet.explain(row, 5, explanation)
        heights[row] = 15.0 * max(_lines(explanation, widths[4]), _lines(fact.zh, widths[0])) + 3
    sheet.finish("B2", heights, title)


def _write(
    path: Path, school: dict[str, Any], year: str, current: _Values, previous: _Values
) -> Path:
    import openpyxl
    from openpyxl.workbook.protection import WorkbookProtection

    for key in ("school_id", "name", "county", "kind"):
        if school.get(key) in (None, ""):
            raise ValueError(f"缺少{SCHOOLS.column(key).zh}，无法生成学校填报表：{school!r}")
    school_id = str(school["school_id"])
    levels = form_levels(str(school["kind"]))
    if not levels:
        raise ValueError(f"无法识别的学校类型“{school['kind']}”（学校 {school_id}）")
    name = str(school["name"])
    workbook = openpyxl.Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    year_text = f"（{year}学年）" if year else ""
    write_guide(guide, f"{name} 数据填报表{year_text}", _paragraphs(school, year), _guide_rows())
    _info_sheet(
        workbook.create_sheet(SHEET_INFO),
        school,
        current.schools.get(school_id),
        previous.schools.get(school_id),
        f"{name} {SHEET_INFO}",
    )
    _segments_sheet(
        workbook.create_sheet(SHEET_SEGMENTS),
        school_id,
        levels,
        current,
        previous,
        f"{name} {SHEET_SEGMENTS}",
    )
    _facts_sheet(
        workbook.create_sheet(SHEET_FACTS), school_id, current, previous, f"{name} {SHEET_FACTS}"
    )
    write_info_sheet(
        workbook,
        TemplateInfo(
            KIND_SCHOOL, TEMPLATE_VERSION, expected_checksum(KIND_SCHOOL), year, school_id
        ),
    )
    # A locked structure keeps sheets from being renamed, deleted or unhidden by accident.
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 1
    return save_workbook(workbook, path)


def write_school_workbook(
    path: Path,
    school: dict[str, Any],
    *,
    year: str = "",
    current: Dataset | None = None,
    previous: Dataset | None = None,
) -> Path:
    """Write one school's form and return its path.

    `school` is a schools row (canonical names; at least school_id, name, county, kind). Its
    directory fields are shown; school_id, name, county and kind are locked. `previous` (last
    year's dataset) fills the 上年 columns; `current` pre-fills the input cells with this year's
    values already known (to send a form back for correction). Teaching points get a primary
    column only, other kinds one column per level of `KIND_LEVELS`.
    """
    school_id = str(school.get("school_id"))
    return _write(
        Path(path),
        school,
        year,
        _Values.of(current, school_id),
        _Values.of(previous, school_id),
    )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def form_file_name(school_id: str, name: str) -> str:
    """`{school_id}_{name}.xlsx` without characters that file systems or Excel refuse."""

    def clean(text: str) -> str:
        return _UNSAFE.sub("", unicodedata.normalize("NFC", text)).strip(" .")

    stem = "_".join(part for part in (clean(school_id), clean(name)) if part)
    return f"{stem[:150].rstrip(' .') or '学校'}.xlsx"


def write_school_workbooks(
    dataset_or_schools: Dataset | pl.DataFrame,
    folder: Path,
    *,
    year: str = "",
    previous: Dataset | None = None,
    current: Dataset | None = None,
) -> list[Path]:
    """Write one form per school (special and vocational schools excluded) into `folder`.

    The schools are `dataset_or_schools` (a Dataset's schools or a schools frame); a Dataset is
    only the directory here: its values pre-fill the forms only when passed as `current`.
    Files are named by `form_file_name`; a name already used in this call gets a suffix.
    """
    schools = (
        dataset_or_schools
        if isinstance(dataset_or_schools, pl.DataFrame)
        else dataset_or_schools.schools
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = _Values.of(current)
    last = _Values.of(previous)
    used: set[str] = set()
    paths: list[Path] = []
    for school in schools.to_dicts():
        kind = SCHOOLS.column("kind").enum_lookup().get(str(school.get("kind")).strip())
        if school.get("school_id") is None or kind in NO_SEGMENT_KINDS:
            continue
        file_name = form_file_name(str(school["school_id"]), str(school.get("name") or ""))
        stem, n = file_name[: -len(".xlsx")], 2
        while file_name.lower() in used:
            file_name, n = f"{stem}_{n}.xlsx", n + 1
        used.add(file_name.lower())
        paths.append(_write(folder / file_name, school, year, now, last))
    return paths


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass
class SchoolForm:
    """What a filled school form says, as canonical raw text rows with their cells."""

    info: TemplateInfo | None
    """The form's `_模板信息`; None when the file is not one of our forms."""
    rows: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    """Per table ("schools", "segments", "school_facts"), rows of canonical column → cell text
    (None for an empty cell). schools: one row; segments: one row per level with any value,
    with school_id and level (canonical primary/junior); school_facts: one row per fact with a
    value or note: school_id, fact (canonical name), value, note."""
    cells: dict[tuple[str, int, str], str] = field(default_factory=dict)
    """(table, index in rows[table], column) → cell reference ("D7") on sheets[table]. Every
    column read is present, also when its cell is empty. segments' level points at the header of
    the level's column; school_id of segments and school facts has no cell there."""
    sheets: dict[str, str] = field(default_factory=lambda: dict(FORM_SHEETS))
    """Table → sheet name."""
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(table, column) → the Chinese label shown in the form; for school facts also
    ("school_facts", fact name) → the item's name."""
    problems: list[str] = field(default_factory=list)
    """Chinese descriptions of structural problems (not our form, sheet missing, label changed)."""
    file: str = ""


def _key(text: object) -> str:
    """Comparison key of labels: width, case, spaces and a marking asterisk do not matter."""
    folded = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "")
    return "".join(folded.split()).lower().strip("*")


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in columns:
        for spelling in (column.name, column.zh, column.header_zh):
            found.setdefault(_key(spelling), column.name)
    return found


def _fact_lookup(facts: Sequence[Fact]) -> dict[str, str]:
    return {**{_key(f.name): f.name for f in facts}, **{_key(f.zh): f.name for f in facts}}


_INFO_LOOKUP = _lookup((*INFO_FIELDS, *SHARED_FIELDS))
_SEGMENT_LOOKUP = _lookup(SEGMENT_FIELDS)
_FACT_LOOKUP = _fact_lookup(SCHOOL_FACT_DEFS)
_INFO_LABELS = {c.name: c.header_zh for c in (*INFO_FIELDS, *SHARED_FIELDS)}
_SEGMENT_LABELS = {c.name: c.zh for c in SEGMENT_FIELDS}
_FACT_LABELS = {f.name: f.zh for f in SCHOOL_FACT_DEFS}
_LEVEL_HEADERS = {
    _key(_level_header(level, which)): (level, which)
    for level, _ in LEVELS
    for which in (THIS_YEAR, LAST_YEAR)
}


def _labels() -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {}
    labels.update({(SCHOOLS.name, n): t for n, t in _INFO_LABELS.items()})
    labels.update({(SEGMENTS.name, n): t for n, t in _SEGMENT_LABELS.items()})
    labels[(SEGMENTS.name, "school_id")] = SCHOOLS.column("school_id").zh
    labels[(SEGMENTS.name, "level")] = SEGMENTS.column("level").zh
    labels[(SCHOOL_FACTS.name, "school_id")] = SCHOOLS.column("school_id").zh
    labels[(SCHOOL_FACTS.name, "fact")] = FACT_HEADERS[0]
    labels[(SCHOOL_FACTS.name, "value")] = FACT_HEADERS[1]
    labels[(SCHOOL_FACTS.name, "note")] = FACT_HEADERS[3]
    labels.update({(SCHOOL_FACTS.name, n): t for n, t in _FACT_LABELS.items()})
    return labels


_LABELS = _labels()

Grid = list[tuple[object, ...]]


def _grid(workbook: Any, sheet: str, file: str = "") -> Grid | None:
    """The values of a sheet; raises `guard.FileRefused` for a sheet past the row limit."""
    if sheet not in workbook.sheetnames:
        return None
    ws = workbook[sheet]
    if not hasattr(ws, "iter_rows"):
        return None
    if hasattr(ws, "reset_dimensions"):
        # A recorded dimension may be wrong either way; the rows are counted as they stream.
        ws.reset_dimensions()
    return list(guard.bounded_rows(ws.iter_rows(values_only=True), file, sheet))


def _at(grid: Grid, row: int, col: int) -> object:
    """Value at 1-based (row, col); None outside the sheet's used range."""
    if row - 1 >= len(grid):
        return None
    values = grid[row - 1]
    return values[col - 1] if col - 1 < len(values) else None


def _ref(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _header(grid: Grid) -> list[str]:
    texts = [cell_text(v) or "" for v in (grid[0] if grid else ())]
    while texts and not texts[-1].strip():
        texts.pop()
    return texts


def _labels_of(grid: Grid) -> list[tuple[int, str]]:
    """(row, label) of every row below the header with text in column A."""
    found: list[tuple[int, str]] = []
    for row in range(2, len(grid) + 1):
        text = cell_text(_at(grid, row, 1))
        if text is not None and text.strip():
            found.append((row, text.strip()))
    return found


def _structure_of(grids: dict[str, Grid]) -> list[tuple[str, list[str]]]:
    structure: list[tuple[str, list[str]]] = []
    for sheet in (SHEET_INFO, SHEET_SEGMENTS, SHEET_FACTS):
        grid = grids[sheet]
        header = _header(grid)
        if sheet == SHEET_SEGMENTS:
            # Level columns differ between schools; the structure records their pattern once.
            normalised: list[str] = []
            for text in header:
                level = _LEVEL_HEADERS.get(_key(text))
                if level is not None and text == _level_header(*level):
                    text = f"{LEVEL_PLACEHOLDER} {level[1]}"
                    if text in normalised:
                        continue
                normalised.append(text)
            header = normalised
        structure.append((sheet, [*header, *(label for _, label in _labels_of(grid))]))
    return structure


def workbook_structure(workbook: Any) -> list[tuple[str, list[str]]] | None:
    """The structure (see `form_structure`) a school form has now; None when a sheet is missing."""
    grids: dict[str, Grid] = {}
    for sheet in (SHEET_INFO, SHEET_SEGMENTS, SHEET_FACTS):
        grid = _grid(workbook, sheet)
        if grid is None:
            return None
        grids[sheet] = grid
    return _structure_of(grids)


def _column_of(header: list[str], text: str, default: int) -> int:
    for i, found in enumerate(header, start=1):
        if _key(found) == _key(text):
            return i
    return default


class _Reader:
    def __init__(self, form: SchoolForm) -> None:
        self.form = form

    def problem(self, text: str) -> None:
        self.form.problems.append(text)

    def rows_by_label(
        self, grid: Grid, sheet: str, lookup: dict[str, str], expected: dict[str, str]
    ) -> dict[str, int]:
        """Canonical name → row, reporting unknown, repeated and missing labels."""
        found: dict[str, int] = {}
        ignored = {_key(SHARED_SECTION)} if sheet == SHEET_INFO else set()
        for row, label in _labels_of(grid):
            key = _key(label)
            name = lookup.get(key)
            if name is None:
                if key not in ignored:
                    self.problem(
                        f"“{sheet}”第 {row} 行的项目名称“{label}”不是模板中的名称，该行未读取；"
                        "请恢复模板中的项目名称。"
                    )
                continue
            if name in found:
                self.problem(
                    f"“{sheet}”第 {row} 行的项目“{label}”与第 {found[name]} 行重复，"
                    "只读取了第一行。"
                )
                continue
            found[name] = row
        for name, label in expected.items():
            if name not in found:
                self.problem(f"“{sheet}”中缺少“{label}”一行，请使用县教育局下发的原表填写。")
        return found

    def schools(self, grid: Grid) -> str | None:
        header = _header(grid)
        value_col = _column_of(header, INFO_HEADERS[1], 2)
        rows = self.rows_by_label(grid, SHEET_INFO, _INFO_LOOKUP, _INFO_LABELS)
        record: dict[str, str | None] = {}
        for name, row in rows.items():
            record[name] = cell_text(_at(grid, row, value_col))
            self.form.cells[(SCHOOLS.name, 0, name)] = _ref(row, value_col)
        self.form.rows[SCHOOLS.name] = [record]
        school_id = record.get("school_id")
        return school_id.strip() if school_id and school_id.strip() else None

    def segments(self, grid: Grid, school_id: str | None) -> None:
        header = _header(grid)
        columns: dict[str, int] = {}
        known = {_key(t) for t in (*SEGMENT_HEADERS, EXPLAIN)}
        for col, text in enumerate(header, start=1):
            level = _LEVEL_HEADERS.get(_key(text))
            if level is not None:
                if level[1] == THIS_YEAR:
                    columns.setdefault(level[0], col)
            elif text.strip() and _key(text) not in known:
                self.problem(
                    f"“{SHEET_SEGMENTS}”第 1 行的表头“{text}”（{_ref(1, col)}）不是模板中的表头；"
                    "请恢复原表头。"
                )
        if not columns:
            self.problem(
                f"“{SHEET_SEGMENTS}”中找不到“小学 本年”或“初中 本年”填报列，未读取学段数据。"
            )
        rows = self.rows_by_label(grid, SHEET_SEGMENTS, _SEGMENT_LOOKUP, _SEGMENT_LABELS)
        records: list[dict[str, str | None]] = []
        for level, _ in LEVELS:
            col = columns.get(level)
            if col is None:
                continue
            values = {name: cell_text(_at(grid, row, col)) for name, row in rows.items()}
            if not any(v is not None and v.strip() for v in values.values()):
                continue
            index = len(records)
            records.append({"school_id": school_id, "level": level, **values})
            for name, row in rows.items():
                self.form.cells[(SEGMENTS.name, index, name)] = _ref(row, col)
            # After the data cells, so that a row's first cell is a data cell, not the header.
            self.form.cells[(SEGMENTS.name, index, "level")] = _ref(1, col)
        self.form.rows[SEGMENTS.name] = records

    def facts(self, grid: Grid, school_id: str | None) -> None:
        header = _header(grid)
        value_col = _column_of(header, FACT_HEADERS[1], 2)
        note_col = _column_of(header, FACT_HEADERS[3], 4)
        rows = self.rows_by_label(grid, SHEET_FACTS, _FACT_LOOKUP, _FACT_LABELS)
        records: list[dict[str, str | None]] = []
        for fact in SCHOOL_FACT_DEFS:
            row = rows.get(fact.name)
            if row is None:
                continue
            value = cell_text(_at(grid, row, value_col))
            note = cell_text(_at(grid, row, note_col))
            if not any(v is not None and v.strip() for v in (value, note)):
                continue
            index = len(records)
            records.append(
                {"school_id": school_id, "fact": fact.name, "value": value, "note": note}
            )
            cells = self.form.cells
            cells[(SCHOOL_FACTS.name, index, "fact")] = _ref(row, 1)
            cells[(SCHOOL_FACTS.name, index, "value")] = _ref(row, value_col)
            cells[(SCHOOL_FACTS.name, index, "note")] = _ref(row, note_col)
        self.form.rows[SCHOOL_FACTS.name] = records


def read_school_form(path: Path) -> SchoolForm:
    """Read a filled school form into canonical raw text rows with their cell references.

    Never raises for bad content: structural problems are listed in `problems` and whatever can
    be read is read. Values are not type-checked here. Raises `FormUnreadable` (with a Chinese
    message) only when the file cannot be opened as a workbook at all.
    """
    import openpyxl

    path = Path(path)
    if not path.is_file():
        raise FormUnreadable(f"找不到文件“{path.name}”。")
    refused = guard.check_archive(path)
    if refused is not None:
        raise FormRefused(refused)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many unrelated types for damaged or foreign files; all mean the same.
        raise FormUnreadable(
            f"无法打开“{path.name}”：不是有效的 .xlsx 工作簿，或文件已损坏、被其他程序占用"
            f"（{type(exc).__name__}）。"
        ) from exc
    try:
        info = info_from_workbook(workbook)
        form = SchoolForm(info=info, labels=dict(_LABELS), file=path.name)
        form.problems += info_problems(info, KIND_SCHOOL)
        reader = _Reader(form)
        grids = {sheet: _grid(workbook, sheet, path.name) for sheet in FORM_SHEETS.values()}
    except guard.FileRefused as exc:
        raise FormRefused(exc.error) from None
    finally:
        workbook.close()
    for table, sheet in FORM_SHEETS.items():
        if grids[sheet] is None:
            form.problems.append(
                f"缺少工作表“{sheet}”，未读取该表数据；请使用县教育局下发的原表填写。"
            )
            form.rows[table] = []
    school_id: str | None = None
    info_grid = grids[SHEET_INFO]
    if info_grid is not None:
        school_id = reader.schools(info_grid)
    if school_id is None and info is not None:
        school_id = info.school_id
    if info is not None and info.school_id and school_id and info.school_id != school_id:
        form.problems.append(
            f"“{SHEET_INFO}”中的学校标识码“{school_id}”与本表下发时的“{info.school_id}”不一致。"
        )
    segment_grid = grids[SHEET_SEGMENTS]
    if segment_grid is not None:
        reader.segments(segment_grid, school_id)
    facts_grid = grids[SHEET_FACTS]
    if facts_grid is not None:
        reader.facts(facts_grid, school_id)
    return form
