"""目标年预测.xlsx: one county's forecast as a workbook — the same tables as the forecast page
(`forecast_tables.Page`), with enrolment as numbers per level and per school so a county can sum
and chart them. Every text cell is stored as text (`xlsx_cells`), never as a formula."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from junheng.core.forecast import Forecast
from junheng.core.projection import SCENARIO_ZH, SCENARIOS
from junheng.core.schema import LEVEL_ZH
from junheng.files import atomic_file
from junheng.reports.forecast_tables import Page, signed_percent
from junheng.reports.xlsx_cells import put

Value = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, the column headers and the rows (text or numbers)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Value]]
    widths: Sequence[float] = ()


def _row_texts(rows: Sequence[object]) -> list[list[Value]]:
    return [list(row.cells) for row in rows]  # type: ignore[attr-defined]


def forecast_sheets(result: Forecast, page: Page, county: str) -> list[Sheet]:
    """The workbook's sheets for one county, in the page's order."""
    target = result.target_year
    base = page.base_year
    chosen = SCENARIO_ZH[result.scenario]
    summary = [
        ["县区", county],
        ["目标年份", f"{target} 年秋季学期"],
        ["预测方案", chosen],
        ["最近实际数据", f"{base} 年"],
        ["预测结论", page.verdict],
        ["预测方法", page.method],
    ]
    if page.backtest_note and not page.backtest:
        summary.append(["回测", page.backtest_note])
    levels = result.projection.levels.filter(pl.col("county") == county)
    level_rows: list[list[Value]] = [
        [LEVEL_ZH.get(r["level"], r["level"]), r["base"], *(r[s] for s in SCENARIOS)]
        for r in levels.iter_rows(named=True)
    ]
    names = result.dataset.schools.select("school_id", "name")
    schools = (
        result.projection.schools.filter(pl.col("county") == county)
        .join(names, on="school_id", how="left")
        .sort("level", "name", descending=[True, False])
    )
    school_rows: list[list[Value]] = [
        [r["name"], LEVEL_ZH.get(r["level"], r["level"]), r["base"], *(r[s] for s in SCENARIOS)]
        for r in schools.iter_rows(named=True)
    ]
    # SCENARIO_ZH's values already end in 方案 ("低方案").
    scenario_headers = [f"{target} 年{SCENARIO_ZH[s]}" for s in SCENARIOS]
    sheets = [
        Sheet("说明", ["项目", "内容"], summary, (14, 90)),
        Sheet("在校生预测", ["学段", f"{base} 年实际", *scenario_headers], level_rows),
        Sheet(
            "各校在校生预测",
            ["学校", "学段", f"{base} 年实际", *scenario_headers],
            school_rows,
            (26, 8, 12, 14, 14, 14),
        ),
    ]
    if page.backtest:
        sheets.append(
            Sheet(
                "回测",
                ["学段", "实际（人）", "预测（中方案）", "误差（人）", "误差（%）"],
                _backtest_rows(result, county),
            )
        )
    sheets += [
        Sheet(
            "预测年结论",
            ["方面", "结论", "主要原因"],
            [*_row_texts(page.parts), ["总体", page.verdict, ""]],
            (16, 10, 90),
        ),
        Sheet("差异系数", ["指标", *page.cv_headers], _row_texts(page.cvs), (30, 20, 20)),
        Sheet(
            "未达标学段",
            ["学校", "学段", "结论", "原因"],
            _row_texts(page.segments),
            (26, 8, 10, 90),
        ),
        Sheet(
            "未达标项目",
            ["编号", "评估内容", "结论", "情况"],
            _row_texts(page.items),
            (8, 40, 10, 80),
        ),
        Sheet(
            "与现状相比",
            ["对象", f"{base} 年", f"{target} 年（预测）"],
            _row_texts(page.changes),
            (40, 20, 20),
        ),
        Sheet("差距测算", ["所需"], [[s] for s in page.gaps], (100,)),
        Sheet(
            "时间线",
            ["学年", "事项", "情况", "预测中"],
            _row_texts(page.timeline),
            (12, 36, 90, 8),
        ),
        Sheet(
            "学位",
            ["范围", "学段", "现有学位", "项目新增", "学位合计", "预测在校生", "学位缺口"],
            _places_rows(result, county),
            (14, 8, 12, 12, 12, 12, 12),
        ),
    ]
    if page.posts:
        sheets.append(
            Sheet(
                "编制",
                ["学校", "学段", "年份", "核定编制", "在岗专任教师", "空编", "超编"],
                _posts_rows(result, county),
                (26, 8, 10, 12, 14, 10, 10),
            )
        )
    return sheets


def _backtest_rows(result: Forecast, county: str) -> list[list[Value]]:
    """The backtest as numbers (the page's rows are text such as "23,654"); the error in per
    cent carries the sign of the error in pupils (projected − actual), rounded as the page."""
    frame = result.projection.backtest
    if frame is None:
        return []
    return [
        [
            LEVEL_ZH.get(r["level"], r["level"]),
            r["actual"],
            r["projected"],
            r["error"],
            signed_percent(r["error"], r["error_pct"]),
        ]
        for r in frame.filter(pl.col("county") == county).iter_rows(named=True)
    ]


def _posts_rows(result: Forecast, county: str) -> list[list[Value]]:
    """Approved posts against teachers as numbers, the page's order."""
    columns = ("approved_posts", "teachers", "vacant", "over")
    return [
        [r["school"], LEVEL_ZH.get(r["level"], r["level"]), r["year"], *(r[c] for c in columns)]
        for r in result.posts.filter(pl.col("county") == county).iter_rows(named=True)
    ]


def _places_rows(result: Forecast, county: str) -> list[list[Value]]:
    """Places as numbers: the county's rows first, then its townships."""
    columns = ("capacity", "project_places", "places", "projected", "gap")
    rows: list[list[Value]] = []
    for scope, frame in (
        ("全县", result.places.counties.filter(pl.col("county") == county)),
        (None, result.places.townships.filter(pl.col("county") == county)),
    ):
        for r in frame.iter_rows(named=True):
            rows.append(
                [
                    scope or r["township"] or "（未填乡镇）",
                    LEVEL_ZH.get(r["level"], r["level"]),
                    *(r[c] for c in columns),
                ]
            )
    return rows


def write_sheets(sheets: Sequence[Sheet], path: Path) -> Path:
    """The sheets as one workbook (bold frozen header, wrapped long text), written atomically."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for col, header in enumerate(spec.headers, 1):
            put(sheet, 1, col, header).font = Font(bold=True)
            width = spec.widths[col - 1] if col - 1 < len(spec.widths) else 16
            sheet.column_dimensions[get_column_letter(col)].width = width
        for number, row in enumerate(spec.rows, 2):
            for col, value in enumerate(row, 1):
                cell = put(sheet, number, col, value)
                if isinstance(value, int):
                    cell.number_format = "#,##0"
                elif isinstance(value, str) and len(value) > 30:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    with atomic_file(Path(path)) as tmp:
        book.save(tmp)
    return Path(path)


def write_forecast_xlsx(result: Forecast, page: Page, county: str, path: Path) -> Path:
    """目标年预测.xlsx of one county."""
    return write_sheets(forecast_sheets(result, page, county), path)
