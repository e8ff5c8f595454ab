"""目标年预测 as tables of text: the forecast of one county worded once for the web page, the
forecast workbook and the 自评报告's chapter. Pure (no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from junheng.archive.requirements import RequirementsError, load_requirements
from junheng.core.diff import compare_entries
from junheng.core.evaluate import Evaluation
from junheng.core.forecast import Forecast
from junheng.core.formatting import fmt_number
from junheng.core.projection import SCENARIOS
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Standard
from junheng.core.wording import part_reason

VERDICT = {True: "达标", False: "未达标", None: "无法判定"}
VETO = {True: "无", False: "存在", None: "无法判定"}
STATE = {True: "pass", False: "fail", None: "unknown"}
SHORT = {"low": "低", "median": "中", "high": "高"}


@dataclass
class Row:
    """One table row: cells as text and the row's state class (pass, fail, unknown or '')."""

    cells: list[str]
    state: str = ""


@dataclass
class Page:
    """What the template prints for one forecast."""

    method: str
    base_year: int
    levels: list[Row]
    backtest: list[Row]
    backtest_note: str
    verdict: str
    verdict_state: str
    parts: list[Row]
    cv_headers: list[str]
    cvs: list[Row]
    segments: list[Row]
    in_scope: int
    items: list[Row]
    changes: list[Row] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    timeline: list[Row] = field(default_factory=list)
    """学年, 事项, 情况, 是否计入预测 — the plan's dated events."""
    places: list[Row] = field(default_factory=list)
    """范围, 学段, 现有学位, 项目新增, 学位合计, 预测在校生, 学位缺口 — county first, then
    every township."""
    places_method: str = ""
    places_sentences: list[str] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)
    """学校, 学段, 年份, 核定编制, 在岗专任教师, 空编, 超编."""


def _num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else fmt_number(value, digits, thousands=True)


def _levels(result: Forecast, county: str) -> list[Row]:
    frame = result.projection.levels.filter(pl.col("county") == county)
    return [
        Row(
            [
                LEVEL_ZH.get(r["level"], r["level"]),
                _num(r["base"]),
                *(_num(r[s]) for s in SCENARIOS),
            ]
        )
        for r in frame.iter_rows(named=True)
    ]


def signed_percent(error: int | None, error_pct: float | None) -> float | None:
    """The backtest's error in per cent with the sign of its error in pupils (projected −
    actual), to one decimal as shown: the projection stores the per cent unsigned, and a page
    showing −449 beside +1.9 % read as two different errors. Taken as a size either way, so a
    signed per cent from the projection gives the same."""
    if error is None or error_pct is None:
        return None
    size = round(abs(error_pct), 1)
    return -size if error < 0 and size else size


def _backtest(result: Forecast, county: str) -> list[Row]:
    frame = result.projection.backtest
    if frame is None:
        return []
    rows = []
    for r in frame.filter(pl.col("county") == county).iter_rows(named=True):
        pct = signed_percent(r["error"], r["error_pct"])
        rows.append(
            Row(
                [
                    LEVEL_ZH.get(r["level"], r["level"]),
                    _num(r["actual"]),
                    _num(r["projected"]),
                    f"{r['error']:+,d}",
                    "—" if pct is None else f"{pct:+.1f}%",
                ]
            )
        )
    return rows


def short_names(standard: Standard) -> dict[str, str]:
    """Item id → the short name people use ("G3" → "音乐美术专用教室"): the archive's folder
    names, which are written for reading; the standard's full item name when there is none."""
    names = {key: item.name for key, item in standard.items.items()}
    try:
        archive = load_requirements(standard)
    except (RequirementsError, OSError):
        return names
    return names | {key: item.short for key, item in archive.items.items() if item.short}


def _judged(evaluation: Evaluation, county: str) -> dict[str, Any]:
    """Parts, CVs, failing segments and items, gap sentences of one county's evaluation."""
    standard = evaluation.standard
    verdict = evaluation.verdicts[county]
    results = evaluation.items[county]
    names = short_names(standard)
    parts = []
    for key, part in verdict.parts.items():
        marks = VETO if key == "V" else VERDICT
        reason = part_reason(key, part, results, names)
        parts.append(Row([part.name, marks[part.passes], reason], STATE[part.passes]))
    balance = evaluation.balance.filter(pl.col("county") == county)
    headers = []
    for level, zh in LEVEL_ZH.items():
        limit = balance.filter(pl.col("level") == level)["limit"].max()
        headers.append(f"{zh}（≤ {_num(limit, 2)}）")  # type: ignore[arg-type]
    cvs = []
    for item in standard.ratio_items:
        cells = [f"{item.id} {item.name}"]
        verdicts = []
        for level in LEVEL_ZH:
            row = balance.filter((pl.col("level") == level) & (pl.col("indicator") == item.id))
            value, ok = (row["cv"][0], row["passes"][0]) if row.height else (None, None)
            cells.append(f"{_num(value, 3)} {VERDICT[ok]}")
            verdicts.append(ok)
        worst = False if False in verdicts else (None if None in verdicts else True)
        cvs.append(Row(cells, STATE[worst]))
    in_scope = evaluation.segments.filter((pl.col("county") == county) & pl.col("in_scope"))
    failing = in_scope.filter(pl.col("passes").ne_missing(True))
    segments = [
        Row(
            [
                r["name"],
                LEVEL_ZH.get(r["level"], r["level"]),
                VERDICT[r["passes"]],
                "；".join(r["reasons"][1:] or r["reasons"]),
            ],
            STATE[r["passes"]],
        )
        for r in failing.iter_rows(named=True)
    ]
    items = []
    for result in results:
        if result.passes is True:
            continue
        item = standard.items[result.item]
        marks = VETO if item.part == "V" else VERDICT
        items.append(
            Row([item.id, item.name, marks[result.passes], result.reason], STATE[result.passes])
        )
    totals = evaluation.totals.filter(pl.col("county") == county)
    return {
        "verdict": VERDICT[verdict.passes],
        "verdict_state": STATE[verdict.passes],
        "parts": parts,
        "cv_headers": headers,
        "cvs": cvs,
        "segments": segments,
        "in_scope": in_scope.height,
        "items": items,
        "gaps": list(totals["sentence"]) if totals.height else [],
    }


def _scope_reasons(evaluation: Evaluation, county: str) -> dict[tuple[str, str], str]:
    """Why each segment of the county is out of the evaluation's scope (`scope.py`'s words)."""
    frame = evaluation.segments.filter((pl.col("county") == county) & ~pl.col("in_scope"))
    return {
        (r["school_id"], r["level"]): r["scope_reason"]
        for r in frame.select("school_id", "level", "scope_reason").iter_rows(named=True)
        if r["scope_reason"]
    }


def _out_of_scope(reason: str | None, prefix: str = "") -> str:
    """ "不在评估范围内（预测：教学点在校生 42 人，少于 50 人）": a school leaving the scope
    is news a reader needs the cause of (a teaching point shrinking below the minimum)."""
    if not reason:
        return "不在评估范围内"
    return f"不在评估范围内（{prefix}{reason.removesuffix('，不纳入评估范围')}）"


def _changes(today: Evaluation, future: Evaluation, county: str) -> list[Row]:
    """What the projected year changes against the latest year's own evaluation."""
    entries = [
        {e["county"]: e for e in ev.to_dict()["counties"]}.get(county) for ev in (today, future)
    ]
    if entries[0] is None or entries[1] is None:
        return []
    diff = compare_entries(entries[0], entries[1])
    names = {key: part.name for key, part in future.verdicts[county].parts.items()}
    rows: list[Row] = []
    if diff.verdict is not None:
        rows.append(Row(["总体结论", VERDICT[diff.verdict.old], VERDICT[diff.verdict.new]]))
    for part in diff.parts:
        marks = VETO if part.key == "V" else VERDICT
        rows.append(Row([names.get(part.key, "评估方面"), marks[part.old], marks[part.new]]))
    before, after = _scope_reasons(today, county), _scope_reasons(future, county)
    for seg in diff.segments:
        key = (seg.school_id, seg.level)
        rows.append(
            Row(
                [
                    f"{seg.name}（{LEVEL_ZH.get(seg.level, seg.level)}）",
                    VERDICT[seg.old] if seg.present_before else _out_of_scope(before.get(key)),
                    VERDICT[seg.new]
                    if seg.present_after
                    else _out_of_scope(after.get(key), "预测："),
                ]
            )
        )
    standard = future.standard
    for item in diff.items:
        label = item.key
        if item.key in standard.items:
            label = f"{item.key} {standard.items[item.key].name}"
        rows.append(Row([f"评估项目 {label}", VERDICT[item.old], VERDICT[item.new]]))
    for cv in diff.cvs:
        if not cv.verdict_changed:
            continue
        rows.append(
            Row(
                [
                    f"差异系数 {LEVEL_ZH.get(cv.level, cv.level)} {cv.item}"
                    f"（≤ {_num(cv.limit, 2)}）",
                    f"{_num(cv.old, 3)} {VERDICT[cv.old_passes]}",
                    f"{_num(cv.new, 3)} {VERDICT[cv.new_passes]}",
                ]
            )
        )
    return rows


def _targets(today: Evaluation, county: str, base: int) -> list[Row]:
    """The dated class-size targets as the latest year's classes stand against them."""
    targets = today.plan.get(county, {}).get("class_sizes", {}).get("targets", [])
    latest = [t for t in targets if t["year"] == max((t["year"] for t in targets), default=base)]
    return [
        Row(
            [
                f"{t['target_year']}年秋季",
                f"目标：{t['target']}",
                f"{t['sentence']}（依据：{t['source']}）",
                "目标",
            ],
            STATE[t["met"]],
        )
        for t in latest
    ]


def _in_year_order(rows: list[Row]) -> list[Row]:
    """Targets and events by school year ("2025年秋季"), a year's target before its events;
    rows without a year last. Stable, so each year keeps the core's order."""

    def year(row: Row) -> int:
        head = row.cells[0][:4]
        return int(head) if head.isdigit() else 10_000

    return sorted(rows, key=year)


def in_forecast(event: dict[str, Any], base: int) -> str:
    """计入, 已含在现状 (in use by the latest data year: its rooms are in that year's figures) or
    不计入 — for a timeline event or a row of `Forecast.projects` (both carry counted and
    school_year), so the page and the report's project table use the same words."""
    if event["counted"]:
        return "计入"
    year = event["school_year"]
    return "已含在现状" if year is not None and year <= base else "不计入"


def _timeline(result: Forecast, county: str) -> list[Row]:
    base = result.projection.base_year
    return [
        Row(
            [
                f"{e['school_year']}年秋季" if e["school_year"] is not None else "—",
                e["title"],
                e["text"],
                in_forecast(e, base),
            ],
            "pass" if e["counted"] else "",
        )
        for e in result.timeline
        if e["county"] == county
    ]


def _places(result: Forecast, county: str) -> list[Row]:
    places = result.places
    rows = []
    for scope, frame in (
        ("全县", places.counties.filter(pl.col("county") == county)),
        (None, places.townships.filter(pl.col("county") == county)),
    ):
        for r in frame.iter_rows(named=True):
            gap = r["gap"]
            rows.append(
                Row(
                    [
                        scope or r["township"] or "（未填乡镇）",
                        LEVEL_ZH.get(r["level"], r["level"]),
                        _num(r["capacity"]),
                        _num(r["project_places"]),
                        _num(r["places"]),
                        _num(r["projected"]),
                        _num(gap),
                    ],
                    STATE[None if gap is None else gap == 0],
                )
            )
    return rows


def _posts(result: Forecast, county: str) -> list[Row]:
    return [
        Row(
            [
                r["school"],
                LEVEL_ZH.get(r["level"], r["level"]),
                f"{r['year']}年",
                _num(r["approved_posts"]),
                _num(r["teachers"]),
                _num(r["vacant"]),
                _num(r["over"]),
            ],
            "fail" if r["over"] else "",
        )
        for r in result.posts.filter(pl.col("county") == county).iter_rows(named=True)
    ]


def forecast_page(result: Forecast, today: Evaluation, county: str) -> Page:
    """The forecast of one county as the page's rows."""
    projection = result.projection
    return Page(
        method=result.method,
        base_year=projection.base_year,
        levels=_levels(result, county),
        backtest=_backtest(result, county),
        backtest_note=projection.backtest_note,
        changes=_changes(today, result.evaluation, county),
        timeline=_in_year_order(
            _targets(today, county, projection.base_year) + _timeline(result, county)
        ),
        places=_places(result, county),
        places_method=result.places.method,
        places_sentences=result.places.sentences(county),
        posts=_posts(result, county),
        **_judged(result.evaluation, county),
    )
