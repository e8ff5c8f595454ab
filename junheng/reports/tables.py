"""Print-ready Excel tables (附表) that counties attach to the application form.

One sheet per table: 学校指标表, 差异系数表, 政府保障程度, 教育质量, 社会认可度与一票否决, 差距测算,
and 评估口径 (the policies used, which every report must show). Each sheet has a title, a header
repeated on every printed page, thin borders, wrapped text, column widths measured for Chinese text,
and A4 landscape page setup fitted to one page wide with page numbers in the footer.

Every number comes from the `Evaluation`; a value that could not be computed is written as text
("缺数据", "无法计算") rather than as an empty or zero cell, so a printed table never suggests a
value that does not exist.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from junheng.core.checks import ItemResult, describe_threshold, name_zh
from junheng.core.evaluate import Evaluation
from junheng.core.formatting import fmt_plain
from junheng.core.schema import LEVEL_ZH, LEVELS, SCHOOL_KINDS
from junheng.core.standard import Item
from junheng.core.wording import standard_text, value_text
from junheng.files import atomic_file
from junheng.reports.xlsx_cells import merge_text, write

MISSING_VALUE = "缺数据"
NOT_COMPUTED = "无法计算"
VERDICT = {True: "达标", False: "未达标", None: "无法判定"}
VETO = {True: "无此情形", False: "存在此情形", None: "无法判定"}

_FONT = "宋体"
_FONT_SIZE = 10
_LINE_HEIGHT = 13.5  # points per wrapped line at the body font size
_ORANGE_FILL = "#FCE4D6"
_RED_FILL = "#F8CBAD"
_RED_TEXT = "#C00000"
_GREY_FILL = "#EDEDED"
_HEAD_FILL = "#DDEBF7"
_STANDARD_FILL = "#F2F2F2"


# ---------------------------------------------------------------------------------------------
# a small table model: sheets are built as data first, then written and measured in one place


@dataclass(frozen=True)
class Style:
    """How one cell looks; turned into a cached xlsxwriter format when written."""

    num_format: str | None = None
    align: str = "left"
    fill: str | None = None
    bold: bool = False
    color: str | None = None


TEXT = Style()
CENTER = Style(align="center")
INT = Style(num_format="0", align="right")
NUM2 = Style(num_format="0.00", align="right")
NUM3 = Style(num_format="0.000", align="right")
NUM6 = Style(num_format="0.000000", align="right")


@dataclass(frozen=True)
class Cell:
    value: Any
    style: Style = TEXT


@dataclass(frozen=True)
class Note:
    """A row merged across the whole table (a section heading, a summary or a footnote)."""

    text: str
    style: Style = TEXT


@dataclass(frozen=True)
class Column:
    header: str
    max_width: float = 40.0
    min_width: float = 4.0


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell] | Note] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# public API


def write_tables_xlsx(
    evaluation: Evaluation, path: Path, county: str | None = None, *, basis: str | None = None
) -> Path:
    """Write the print-ready tables for one county (or every county when `county` is None).

    `basis` (which evaluation and data the numbers come from, with the data fingerprint) is
    printed under each table's title beside the standard.

    The workbook is written to a temporary file in the target folder and renamed over `path`,
    so a reader never sees a half-written file. Returns `path`.
    """
    if county is not None and county not in evaluation.counties:
        raise KeyError(f"评估结果中没有“{county}”")
    counties = [county] if county is not None else list(evaluation.counties)
    tables = [
        _school_table(evaluation, counties),
        _balance_table(evaluation, counties),
        _items_table(evaluation, counties, "政府保障程度", ("G",)),
        _items_table(evaluation, counties, "教育质量", ("Q",)),
        _items_table(evaluation, counties, "社会认可度与一票否决", ("S", "V")),
        _gap_table(evaluation, counties),
        _policy_table(evaluation),
    ]
    place = counties[0] if len(counties) == 1 else f"{len(counties)} 个县区"
    standard = evaluation.standard
    subtitle = f"评估标准：{standard_text(standard)}"
    if basis:
        subtitle += f"；{basis}"

    with atomic_file(path) as tmp_name:
        workbook = xlsxwriter.Workbook(str(tmp_name), {"nan_inf_to_errors": True})
        formats = _Formats(workbook)
        for table in tables:
            _write_table(workbook, formats, table, f"{place}{table.title}", subtitle)
        workbook.close()
    return path


# ---------------------------------------------------------------------------------------------
# sheets


def _county_column(counties: list[str]) -> list[Column]:
    return [Column("县区", max_width=16)] if len(counties) > 1 else []


def _county_cell(counties: list[str], county: str) -> list[Cell]:
    return [Cell(county)] if len(counties) > 1 else []


def _school_table(evaluation: Evaluation, counties: list[str]) -> Table:
    standard = evaluation.standard
    items = standard.ratio_items
    floor_ratio = standard.segment_rule.floor_ratio
    columns = [
        *_county_column(counties),
        Column("序号", max_width=5),
        Column("学校名称", max_width=26),
        Column("学校标识码", max_width=12),
        Column("学段", max_width=6),
        Column("在校生数", max_width=8),
        *(Column(f"{item.id} {item.name}（{item.unit}）", max_width=12) for item in items),
        Column("达标项数", max_width=6),
        Column("是否达标", max_width=8),
    ]
    table = Table("学校指标表", "学校资源配置指标表", columns)
    segments = evaluation.segments.filter(
        pl.col("county").is_in(counties) & pl.col("in_scope")
    ).with_columns(
        pl.col("level")
        .replace_strict({lv: i for i, (lv, _) in enumerate(LEVELS)}, default=len(LEVELS))
        .alias("_o")
    )
    for county in counties:
        mine = segments.filter(pl.col("county") == county).sort("_o", maintain_order=True)
        for number, row in enumerate(mine.iter_rows(named=True), start=1):
            cells = [
                *_county_cell(counties, county),
                Cell(number, CENTER),
                Cell(row["name"]),
                Cell(row["school_id"], CENTER),
                Cell(LEVEL_ZH.get(row["level"], row["level"]), CENTER),
                Cell(row["students"], INT),
            ]
            cells += [_r_cell(row, item) for item in items]
            cells.append(Cell(row["n_met"], CENTER))
            cells.append(_verdict_cell(row["passes"]))
            table.rows.append(cells)
    # the closing rows put their label in the 学校名称 column and the values under R1–R7
    lead = len(_county_column(counties)) + 4
    name_column = lead - 3
    for level, level_zh in LEVELS:
        if not any(level in item.threshold for item in items):
            continue
        for label, factor in (("标准值", 1.0), (f"{floor_ratio:.0%}线", floor_ratio)):
            marked = replace(NUM2, fill=_STANDARD_FILL, bold=True)
            cells = [Cell(None, Style(fill=_STANDARD_FILL)) for _ in range(lead)]
            cells[name_column] = Cell(f"{level_zh}{label}", Style(fill=_STANDARD_FILL, bold=True))
            cells.append(Cell(None, Style(fill=_STANDARD_FILL)))
            cells += [
                Cell(item.threshold[level] * factor, marked)
                if level in item.threshold
                else Cell("—", Style(align="center", fill=_STANDARD_FILL))
                for item in items
            ]
            cells += [Cell(None, Style(fill=_STANDARD_FILL)) for _ in range(2)]
            table.rows.append(cells)
    excluded = evaluation.segments.filter(
        pl.col("county").is_in(counties) & ~pl.col("in_scope")
    ).height
    table.rows.append(
        Note(
            f"注：橙色底纹表示低于标准值但不低于标准值的{floor_ratio:.0%}，红色底纹表示低于标准值的"
            f"{floor_ratio:.0%}；“{MISSING_VALUE}”表示该项所需数据缺失，无法计算。"
            f"{standard.segment_rule.description}"
            + (f"不纳入评估范围的学段（共 {excluded} 个）未列入本表。" if excluded else "")
        )
    )
    return table


def _r_cell(row: dict[str, Any], item: Item) -> Cell:
    value = row[item.id]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell(MISSING_VALUE, Style(align="center", color="#7F7F7F", fill=_GREY_FILL))
    if row[f"{item.id}_floor_ok"] is False:
        return Cell(value, replace(NUM2, fill=_RED_FILL, color=_RED_TEXT, bold=True))
    if row[f"{item.id}_met"] is False:
        return Cell(value, replace(NUM2, fill=_ORANGE_FILL))
    return Cell(value, NUM2)


def _verdict_cell(passes: bool | None, labels: dict[bool | None, str] = VERDICT) -> Cell:
    if passes is False:
        return Cell(labels[passes], Style(align="center", color=_RED_TEXT, bold=True))
    if passes is None:
        return Cell(labels[passes], Style(align="center", fill=_GREY_FILL))
    return Cell(labels[passes], CENTER)


def _balance_table(evaluation: Evaluation, counties: list[str]) -> Table:
    names = {item.id: item.name for item in evaluation.standard.ratio_items}
    columns = [
        *_county_column(counties),
        Column("学段", max_width=6),
        Column("指标", max_width=6),
        Column("指标名称", max_width=30),
        Column("学校数", max_width=6),
        Column("平均值", max_width=12),
        Column("标准差", max_width=12),
        Column("差异系数", max_width=12),
        Column("限值", max_width=6),
        Column("结论", max_width=8),
        Column("说明", max_width=44),
    ]
    table = Table("差异系数表", "校际差异系数表", columns)
    rows = evaluation.balance.filter(pl.col("county").is_in(counties))
    for county in counties:
        for r in rows.filter(pl.col("county") == county).iter_rows(named=True):
            failing = r["passes"] is False
            cv_style = (
                replace(NUM6, fill=_RED_FILL, color=_RED_TEXT, bold=True) if failing else NUM6
            )
            table.rows.append(
                [
                    *_county_cell(counties, county),
                    Cell(LEVEL_ZH.get(r["level"], r["level"]), CENTER),
                    Cell(r["indicator"], CENTER),
                    Cell(names.get(r["indicator"], r["indicator"])),
                    Cell(r["n"], CENTER),
                    _number_or(r["mean"], NUM3, NOT_COMPUTED),
                    _number_or(r["sd"], NUM3, NOT_COMPUTED),
                    _number_or(r["cv"], cv_style, NOT_COMPUTED),
                    Cell(r["limit"], NUM2),
                    _verdict_cell(r["passes"]),
                    Cell(r["reason"]),
                ]
            )
    table.rows.append(
        Note(
            "注：差异系数按在校生数加权计算（加权标准差 ÷ 加权平均值），小学不大于"
            f"{_limits_text(evaluation, 'primary')}、初中不大于{_limits_text(evaluation, 'junior')}"
            f"为达标；比较精度：{_precision(evaluation)}。"
        )
    )
    return table


def _precision(evaluation: Evaluation) -> str:
    policy = evaluation.standard.policies.get("comparison_decimals")
    return value_text(policy) if policy is not None else "完整精度"


def _limits_text(evaluation: Evaluation, level: str) -> str:
    limits = {i.cv_limit[level] for i in evaluation.standard.ratio_items if level in i.cv_limit}
    return "、".join(f"{x:.2f}" for x in sorted(limits)) or "—"


def _number_or(value: float | None, style: Style, text: str) -> Cell:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell(text, Style(align="center", color="#7F7F7F", fill=_GREY_FILL))
    return Cell(value, style)


def _items_table(
    evaluation: Evaluation, counties: list[str], title: str, parts: tuple[str, ...]
) -> Table:
    standard = evaluation.standard
    columns = [
        *_county_column(counties),
        Column("编号", max_width=5),
        Column("评估内容", max_width=30),
        Column("要求", max_width=30),
        Column("实际情况", max_width=56),
        Column("结论", max_width=10),
        Column("依据", max_width=22),
    ]
    table = Table(title, title, columns)
    for county in counties:
        results: dict[str, ItemResult] = {r.item: r for r in evaluation.items[county]}
        verdict = evaluation.verdicts[county]
        for part in parts:
            labels = VETO if part == "V" else VERDICT
            for item in standard.items_of(part):
                result = results.get(item.id)
                passes = result.passes if result else None
                requirement = requirement_text(item) or item.description
                table.rows.append(
                    [
                        *_county_cell(counties, county),
                        Cell(item.id, CENTER),
                        Cell(item.name),
                        Cell(requirement),
                        Cell(result.reason if result else "没有该项的评估结果"),
                        _verdict_cell(passes, labels),
                        Cell(item.source),
                    ]
                )
            mine = [results[i.id].passes for i in standard.items_of(part) if i.id in results]
            part_result = verdict.parts.get(part)
            part_passes = part_result.passes if part_result else None
            name = standard.parts.get(part, part)
            if part == "V":
                found = mine.count(False)
                text = f"{name}：{VETO[part_passes]}（{len(mine)} 项中存在 {found} 项）"
            else:
                undecided = f"，{mine.count(None)} 项无法判定" if mine.count(None) else ""
                text = (
                    f"{name}结论：{VERDICT[part_passes]}"
                    f"（{len(mine)} 项中 {mine.count(True)} 项达标{undecided}）"
                )
            prefix = f"{county} " if len(counties) > 1 else ""
            style = Style(bold=True, color=_RED_TEXT if part_passes is False else None)
            table.rows.append(Note(prefix + text, style))
    return table


def requirement_text(item: Item) -> str:
    """The requirement of a G, Q, S or V item in words, one clause per check."""
    clauses = []
    for check in item.checks:
        text = _readable(describe_threshold(check), item)
        # "布局规划科学合理：是" and per-kind lists read as requirements after a colon;
        # "比例 ≥ 10%" needs none. Per-kind lists use commas since clauses are split by "；".
        if check.threshold.by is not None:
            text, sep = text.replace("；", "，"), "："
        else:
            sep = "：" if isinstance(check.threshold.constant, bool) else " "
        clauses.append(f"{check.label}{sep}{text}")
    return "；".join(clauses)


_FUNCTIONS = frozenset({"max", "min", "ceil", "floor", "round", "abs", "coalesce"})
_ENUM_ZH: dict[str, str] = {**dict(SCHOOL_KINDS), **LEVEL_ZH}


def _readable(text: str, item: Item) -> str:
    """Formula thresholds and per-kind keys in Chinese: parameters become their values, column
    names their Chinese names, school kinds and levels their Chinese labels."""
    if not re.search(r"[A-Za-z_]{2,}", text):
        return text

    def word(match: re.Match[str]) -> str:
        name = match.group(0)
        if name in _FUNCTIONS:
            return name
        if name in item.params:
            return fmt_plain(item.params[name])
        return _ENUM_ZH.get(name) or name_zh(name)

    text = re.sub(r"[A-Za-z_][A-Za-z_0-9]*", word, text)
    text = re.sub(r"ceil\(([^()]*)\)", r"\1（向上取整）", text)
    text = re.sub(r"max\((\d+(?:\.\d+)?), (.+)\)", r"\2，且不少于 \1", text)
    return text.replace(" / ", " ÷ ").replace(" * ", " × ")


def _gap_table(evaluation: Evaluation, counties: list[str]) -> Table:
    columns = [
        *_county_column(counties),
        Column("学校名称", max_width=26),
        Column("学段", max_width=6),
        Column("编号", max_width=5),
        Column("内容", max_width=28),
        Column("现值", max_width=11),
        Column("标准值", max_width=10),
        Column("达到标准值的缺口", max_width=10),
        Column("达到85%线的缺口", max_width=10),
        Column("单位", max_width=5),
        Column("措施", max_width=20),
        Column("学段是否达标", max_width=8),
    ]
    floor_ratio = evaluation.standard.segment_rule.floor_ratio
    columns[-4] = replace(columns[-4], header=f"达到{floor_ratio:.0%}线的缺口")
    table = Table("差距测算", "差距测算表", columns)
    gaps = evaluation.gaps.filter(pl.col("county").is_in(counties))
    totals = evaluation.totals.filter(pl.col("county").is_in(counties))
    for county in counties:
        prefix = f"{county} " if len(counties) > 1 else ""
        table.rows.append(Note(f"{prefix}一、各学校差距", Style(bold=True)))
        mine = gaps.filter(pl.col("county") == county)
        if mine.is_empty():
            table.rows.append(Note("各学校各项指标均已达到标准，没有差距。"))
        for r in mine.iter_rows(named=True):
            passes = r["segment_passes"]
            table.rows.append(
                [
                    *_county_cell(counties, county),
                    Cell(r["name"]),
                    Cell(LEVEL_ZH.get(r["level"] or "", "—"), CENTER),
                    Cell(r["item"], CENTER),
                    Cell(r["indicator"]),
                    _quantity(r["value"]),
                    _quantity(r["threshold"]),
                    _quantity(r["shortfall"]),
                    _quantity(r["floor_shortfall"]),
                    Cell(r["unit"], CENTER),
                    Cell(f"{r['action']}{r['what']}"),
                    _verdict_cell(passes) if passes is not None else Cell("—", CENTER),
                ]
            )
        table.rows.append(Note(f"{prefix}二、全县合计", Style(bold=True)))
        mine_totals = totals.filter(pl.col("county") == county)
        if mine_totals.is_empty():
            table.rows.append(Note("全县没有需要补足的差距。"))
        for r in mine_totals.iter_rows(named=True):
            table.rows.append(
                [
                    *_county_cell(counties, county),
                    Cell(f"全县合计（涉及 {r['schools']} 所学校）"),
                    Cell(LEVEL_ZH.get(r["level"] or "", "—"), CENTER),
                    Cell(r["item"], CENTER),
                    Cell(r["sentence"]),
                    Cell(None),
                    Cell(None),
                    _quantity(r["total"]),
                    _quantity(r["floor_total"]),
                    Cell(r["unit"], CENTER),
                    Cell(f"{r['action']}{r['what']}"),
                    Cell(None),
                ]
            )
    table.rows.append(
        Note(
            "注：缺口为使该学校（学段）达到标准值、或达到标准值的"
            f"{floor_ratio:.0%}所需补充的数量；教师、教室按整数计。"
        )
    )
    return table


def _quantity(value: float | None) -> Cell:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell("—", CENTER)
    whole = float(value).is_integer()
    return Cell(value, Style(num_format="#,##0" if whole else "#,##0.00", align="right"))


def _policy_table(evaluation: Evaluation) -> Table:
    standard = evaluation.standard
    table = Table(
        "评估口径",
        "评估口径",
        [Column("项目", max_width=24), Column("取值", max_width=36), Column("说明", max_width=70)],
    )
    table.rows.append(
        [
            Cell("评估标准"),
            Cell(standard_text(standard)),
            Cell(standard.document),
        ]
    )
    rule = standard.segment_rule
    table.rows.append([Cell(rule.name), Cell(rule.description), Cell(rule.source)])
    for policy in standard.policies.values():
        table.rows.append([Cell(policy.name), Cell(value_text(policy)), Cell(policy.description)])
    return table


# ---------------------------------------------------------------------------------------------
# writing and measuring


class _Formats:
    """xlsxwriter formats created once per distinct style (a workbook allows a limited number)."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[Style, bool], Format] = {}
        base = {"font_name": _FONT, "font_size": _FONT_SIZE, "valign": "vcenter"}
        self.title = workbook.add_format({**base, "font_size": 15, "bold": True, "align": "center"})
        self.subtitle = workbook.add_format({**base, "font_size": 9, "align": "center"})
        self.header = workbook.add_format(
            {
                **base,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "border": 1,
                "bg_color": _HEAD_FILL,
            }
        )

    def cell(self, style: Style, wrap: bool = True) -> Format:
        key = (style, wrap)
        if key not in self._cache:
            props: dict[str, Any] = {
                "font_name": _FONT,
                "font_size": _FONT_SIZE,
                "valign": "vcenter",
                "align": style.align,
                "border": 1,
                "text_wrap": wrap,
            }
            if style.num_format:
                props["num_format"] = style.num_format
            if style.fill:
                props["bg_color"] = style.fill
            if style.bold:
                props["bold"] = True
            if style.color:
                props["font_color"] = style.color
            self._cache[key] = self._workbook.add_format(props)
        return self._cache[key]


def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _shown(cell: Cell) -> str:
    """The text a cell shows, for measuring widths and wrapped lines."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and cell.style.num_format:
        decimals = cell.style.num_format.partition(".")[2].count("0")
        thousands = "," in cell.style.num_format
        return f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return str(value)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def _column_widths(table: Table) -> list[float]:
    widths = []
    for c, column in enumerate(table.columns):
        shown = [
            text_width(line)
            for row in table.rows
            if isinstance(row, list)
            for line in _shown(row[c]).split("\n")
        ]
        # the header may wrap, but never mid-word for short headers like 学段 or 结论
        header = max(text_width(line) for line in column.header.split("\n"))
        natural = max([*shown, min(header, 10)]) + 2
        widths.append(max(column.min_width, min(column.max_width, natural)))
    return widths


def _write_table(
    workbook: Workbook, formats: _Formats, table: Table, title: str, subtitle: str
) -> None:
    sheet: Worksheet = workbook.add_worksheet(table.name)
    n_cols = len(table.columns)
    widths = _column_widths(table)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    total_width = sum(widths)

    _merged(sheet, 0, n_cols, title, formats.title)
    sheet.set_row(0, 26)
    _merged(sheet, 1, n_cols, subtitle, formats.subtitle)
    sheet.set_row(1, 16)
    header_row = 2
    for c, column in enumerate(table.columns):
        write(sheet, header_row, c, column.header, formats.header)
    header_lines = max(_lines(col.header, w) for col, w in zip(table.columns, widths, strict=True))
    sheet.set_row(header_row, _LINE_HEIGHT * header_lines + 6)

    for r, row in enumerate(table.rows, start=header_row + 1):
        if isinstance(row, Note):
            _merged(sheet, r, n_cols, row.text, formats.cell(row.style))
            sheet.set_row(r, _LINE_HEIGHT * _lines(row.text, total_width) + 6)
            continue
        for c, cell in enumerate(row):
            fmt = formats.cell(cell.style)
            value = cell.value
            if isinstance(value, bool):
                write(sheet, r, c, "是" if value else "否", fmt)
            elif value is None or isinstance(value, (int, float)):
                write(sheet, r, c, value, fmt)
            else:
                write(sheet, r, c, str(value), fmt)
        lines = max(_lines(_shown(cell), w) for cell, w in zip(row, widths, strict=True))
        sheet.set_row(r, _LINE_HEIGHT * lines + 6)

    # print setup: A4 landscape, one page wide, header repeated, page numbers in the footer
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页 共 &N 页", {"margin": 0.3})
    sheet.print_area(0, 0, header_row + len(table.rows), n_cols - 1)


def _merged(sheet: Worksheet, row: int, n_cols: int, text: str, fmt: Format) -> None:
    if n_cols > 1:
        merge_text(sheet, row, 0, row, n_cols - 1, text, fmt)
    else:
        write(sheet, row, 0, text, fmt)
