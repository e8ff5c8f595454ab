"""Rich tables of the creation plan for the command line: 班额 (`junheng classes`), 县级教育经费
(`junheng finance`) and the plan parts of `junheng forecast` (projects, places, posts and hires,
timeline). Rendering only: every number and sentence comes from the core's dicts and frames, so
the tables say what `--json` says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from junheng.core.forecast import Forecast
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.projects import kind_zh, status_zh
from junheng.core.schema import LEVEL_ZH

CHECK_MARK = {True: "[green]达标[/]", False: "[red]未达标[/]", None: "[yellow]无法判定[/]"}
NOT_APPLICABLE = "[dim]不适用[/]"
MET_STYLE = {True: "green", False: "red", None: "yellow"}


def year_span(years: Sequence[int]) -> str:
    """ "2022—2026 年", or "2026 年" for one year."""
    first, last = min(years), max(years)
    return f"{first} 年" if first == last else f"{first}—{last} 年"


def _count(value: float | int | None) -> str:
    return fmt_number(value, 0, thousands=True)


def _level(level: str | None) -> str:
    return LEVEL_ZH.get(level or "", level or "—")


def json_default(value: object) -> str:
    """Dates in the plan frames (a project's finish) as ISO text for `json.dumps`."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# --- 班额 ---------------------------------------------------------------------------------------


def band_header(band: Mapping[str, Any]) -> str:
    """ "大班额（56—65人）"; "超标准班额（小学46—55人，初中51—55人）" when the levels differ."""
    ranges: Mapping[str, str] = band["ranges"]
    texts = set(ranges.values())
    if len(texts) == 1:
        return f"{band['name']}（{next(iter(texts))}）"
    return f"{band['name']}（{'，'.join(f'{_level(lv)}{r}' for lv, r in ranges.items())}）"


def print_class_sizes(console: Console, county: str, data: Mapping[str, Any]) -> None:
    """One county's `class_sizes_to_dict`: bands per year and level, targets, G5."""
    console.rule(f"[bold]{escape(county)}[/] 班额（{year_span(data['years'])}秋季）")
    bands = data["bands"]
    table = Table(title="各学年班级数（个）", title_justify="left")
    table.add_column("学年")
    table.add_column("学段")
    for band in bands:
        table.add_column(band_header(band), justify="right", overflow="fold")
    table.add_column("班级数合计", justify="right")
    table.add_column("学生数合计", justify="right")
    for record in data["county"]:
        table.add_row(
            f"{record['year']}年",
            record["level_name"],
            *(_count(record["bands"].get(band["key"], 0)) for band in bands),
            _count(record["classes"]),
            _count(record["students"]),
        )
    console.print(table)

    console.print("[bold]目标[/]")
    by_target: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for result in data["targets"]:
        by_target.setdefault((result["target"], result["source"]), []).append(result)
    for (target, source), results in by_target.items():
        console.print(Text(f"  {target}（依据：{source}）"))
        for result in results:
            console.print(Text(f"    • {result['sentence']}", style=MET_STYLE[result["met"]]))

    g5 = data["g5"]
    console.print("[bold]G5 班额上限[/]")
    console.print(Text(f"  {g5['sentence']}"))
    if g5["notes"]:
        console.print("  学段表填报的最大班额与班级学生数不一致（G5 仍按学段表判定）：")
        for note in g5["notes"]:
            console.print(Text(f"    • {note['sentence']}", style="yellow"))


# --- 县级教育经费 -------------------------------------------------------------------------------


def _check_cell(check: Mapping[str, Any]) -> str:
    return CHECK_MARK[check["passes"]] if check["applicable"] else NOT_APPLICABLE


def print_finance(console: Console, county: str, data: Mapping[str, Any]) -> None:
    """One county's `finance_to_dict`: years × checks, then why a check fails or is undecided."""
    years = data["years"]
    console.rule(
        f"[bold]{escape(county)}[/] 县级教育经费（{year_span([y['year'] for y in years])}）"
    )
    table = Table(title=f"各年检查结论（{escape(data['rules'])}）", title_justify="left")
    table.add_column("检查项目", overflow="fold")
    for year in years:
        table.add_column(f"{year['year']}年", justify="center")
    names: dict[str, str] = {}
    for year in years:
        for check in year["checks"]:
            names.setdefault(check["id"], check["name"])
    cells = {(y["year"], c["id"]): _check_cell(c) for y in years for c in y["checks"]}
    for check_id, name in names.items():
        table.add_row(escape(name), *(cells.get((y["year"], check_id), "—") for y in years))
    table.add_row("[bold]当年结论[/]", *(f"[bold]{CHECK_MARK[y['passes']]}[/]" for y in years))
    console.print(table)

    failing = [c for y in years for c in y["checks"] if c["passes"] is False]
    undecided = [c for y in years for c in y["checks"] if c["passes"] is None and c["applicable"]]
    for title, checks, style in (("未达标", failing, "red"), ("无法判定", undecided, "yellow")):
        if checks:
            console.print(f"[bold]{title}的原因[/]")
            for check in checks:
                console.print(Text(f"  • {check['reason']}", style=style))
    if not failing and not undecided:
        console.print("各年各项检查均达到要求（第一年没有上年数据，逐年比较的检查不适用）。")


# --- the forecast's plan ------------------------------------------------------------------------


def plan_payload(result: Forecast) -> dict[str, Any]:
    """The plan parts of a forecast as JSON-able data (dates stay dates: `json_default`)."""
    places = result.places
    return {
        "plans": result.plans,
        "projects": result.projects.to_dicts(),
        "additions": result.additions.to_dicts(),
        "hires": result.hires.to_dicts(),
        "places": {
            "target_year": places.target_year,
            "class_limits": dict(places.class_limits),
            "method": places.method,
            "counties": places.counties.to_dicts(),
            "townships": places.townships.to_dicts(),
            "new_schools": places.new_schools.to_dicts(),
        },
        "posts": result.posts.to_dicts(),
        "timeline": [dict(event) for event in result.timeline],
    }


def _projects(console: Console, result: Forecast, county: str) -> None:
    projects = result.projects.filter(pl.col("county") == county)
    if projects.is_empty():
        console.print("没有建设项目。")
        return
    counted = projects.filter(pl.col("counted"))
    new = counted.filter(pl.col("target") == "new_school").height
    console.print(
        f"建设项目 {projects.height} 个，其中 {counted.height} 个在 {result.target_year} 年秋季前"
        f"投入使用、计入预测" + (f"（含新建学校 {new} 所）" if new else "") + "。"
    )
    table = Table(title="建设项目", title_justify="left")
    for header in ("项目", "学校", "类型", "状态", "投入使用", "计入预测", "说明"):
        table.add_column(header, overflow="fold")
    for row in projects.iter_rows(named=True):
        status = status_zh(row["status"])
        if row["progress_pct"] is not None:
            status += f"（进度 {fmt_number(row['progress_pct'], 0)}%）"
        year = row["school_year"]
        table.add_row(
            escape(row["name"] or "—"),
            escape(row["school"] or "—"),
            kind_zh(row["kind"]),
            status,
            f"{year}年秋季" if year is not None else "—",
            "[green]计入[/]" if row["counted"] else "不计入",
            escape(row["note"] or ""),
        )
    console.print(table)


def _places(console: Console, result: Forecast, county: str) -> None:
    places = result.places
    counties = places.counties.filter(pl.col("county") == county)
    townships = places.townships.filter(pl.col("county") == county)
    if counties.is_empty() and townships.is_empty():
        return
    table = Table(title=f"{result.target_year} 年学位与学位缺口（个）", title_justify="left")
    for header in ("范围", "学段", "班级数", "班额上限", "现有学位"):
        table.add_column(header, justify="left" if header in ("范围", "学段") else "right")
    for header in ("项目新增", "学位合计", "预测在校生", "学位缺口"):
        table.add_column(header, justify="right")
    limits = places.class_limits
    for scope, frame in (("全县", counties), (None, townships)):
        for row in frame.iter_rows(named=True):
            gap = row["gap"]
            style = "yellow" if gap is None else ("red" if gap else None)
            table.add_row(
                escape(scope or row["township"]),
                _level(row["level"]),
                _count(row["classes"]),
                fmt_plain(limits.get(row["level"])),
                _count(row["capacity"]),
                _count(row["project_places"]),
                _count(row["places"]),
                _count(row["projected"]),
                _count(gap),
                style=style,
            )
    console.print(table)
    console.print(Text(places.method))
    for sentence in places.sentences(county):
        console.print(Text(f"  • {sentence}"))


def _posts(console: Console, result: Forecast, county: str) -> None:
    posts = result.posts.filter(pl.col("county") == county)
    if posts.height:
        table = Table(title="核定编制与在岗专任教师（人）", title_justify="left")
        for header in ("学校", "学段", "年份", "核定编制", "在岗专任教师", "空编", "超编"):
            table.add_column(
                header, justify="left" if header in ("学校", "学段", "年份") else "right"
            )
        for row in posts.iter_rows(named=True):
            table.add_row(
                escape(row["school"] or "—"),
                _level(row["level"]),
                f"{row['year']}年",
                _count(row["approved_posts"]),
                _count(row["teachers"]),
                _count(row["vacant"]),
                _count(row["over"]),
                style="red" if row["over"] else None,
            )
        console.print(table)
    hires = result.hires.filter(pl.col("county") == county)
    if hires.height:
        table = Table(title="教师招聘与调整计划（人）", title_justify="left")
        for header in ("学校", "学段", "到岗", "招聘", "其中体育", "其中音乐", "其中美术"):
            table.add_column(
                header, justify="left" if header in ("学校", "学段", "到岗") else "right"
            )
        for header in ("新增骨干教师", "退休及调出"):
            table.add_column(header, justify="right")
        table.add_column("说明", overflow="fold")
        for row in hires.iter_rows(named=True):
            table.add_row(
                escape(row["school"] or "—"),
                _level(row["level"]),
                f"{row['year']}年秋季",
                *(
                    _count(row[c])
                    for c in (
                        "hires",
                        "hires_pe",
                        "hires_music",
                        "hires_fine_art",
                        "backbone_new",
                        "leavers",
                    )
                ),
                escape(row["note"] or ""),
            )
        console.print(table)


def _timeline(console: Console, result: Forecast, county: str) -> None:
    events = [e for e in result.timeline if e["county"] == county]
    if not events:
        return
    table = Table(title="规划时间线", title_justify="left")
    table.add_column("学年", no_wrap=True)
    table.add_column("事项", overflow="fold")
    table.add_column("情况", overflow="fold")
    table.add_column("计入预测", no_wrap=True)
    for event in events:
        year = event["school_year"]
        table.add_row(
            f"{year}年秋季" if year is not None else "—",
            escape(event["title"]),
            escape(event["text"]),
            "[green]计入[/]" if event["counted"] else "不计入",
        )
    console.print(table)


def print_plan(console: Console, result: Forecast, county: str) -> None:
    """The plan parts of one county's forecast: projects counted by the target year, places per
    township with the 学位缺口, approved posts and hires, and the plan's timeline."""
    console.print(f"[bold]{escape(county)} 创建规划（计入 {result.target_year} 年预测的部分）[/]")
    _projects(console, result, county)
    _places(console, result, county)
    _posts(console, result, county)
    _timeline(console, result, county)
