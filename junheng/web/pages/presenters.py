"""Turn a snapshot's stored result into rows a template prints without further logic.

Numbers are formatted here with `junheng.core.formatting`, so a page shows the same digits as
the CLI and the reports.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from junheng.core.checks import show_value
from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Item, Standard
from junheng.reports.tables import requirement_text
from junheng.standards import load_standard

PARTS: tuple[tuple[str, str], ...] = (
    ("R", "资源配置"),
    ("G", "政府保障程度"),
    ("Q", "教育质量"),
    ("S", "社会认可度"),
    ("veto", "一票否决"),
)
LEVELS: tuple[str, ...] = ("primary", "junior")
ITEM_PARTS: tuple[tuple[str, str], ...] = (("G", "G"), ("Q", "Q"), ("S", "S"), ("veto", "V"))
"""The parts made of items: the key of the result's `parts` and the standard's part letter."""
PART_ANCHORS: dict[str, str] = {
    "R": "cv",
    "G": "part-G",
    "Q": "part-Q",
    "S": "part-S",
    "veto": "part-V",
}
"""Where each part's details are on the county overview (the boxes and the verdict link there)."""


def verdict_text(passes: bool | None) -> str:
    if passes is True:
        return "达标"
    if passes is False:
        return "未达标"
    return "无法判定"


def verdict_css(passes: bool | None) -> str:
    if passes is True:
        return "ok"
    if passes is False:
        return "fail"
    return "unknown"


def standard_of(standard_id: str) -> Standard | None:
    """The standard a snapshot was evaluated with, for indicator names and thresholds.

    A snapshot outlives standard files; a page still renders (with bare item ids) when the file
    is gone rather than failing.
    """
    try:
        return load_standard(standard_id)
    except Exception:
        return None


def standard_text(standard_id: str, version: str) -> str:
    """The standard a snapshot was evaluated with as users know it: its name from the standard
    file and the version evaluated, never the file's id."""
    standard = standard_of(standard_id)
    if standard is None:
        return f"（标准文件已停用，版本 {version}）"
    return f"《{standard.name}》（版本 {version}）"


def _ratio_items(
    standard: Standard | None, result: dict[str, Any]
) -> list[tuple[str, Item | None]]:
    if standard is not None and standard.ratio_items:
        return [(item.id, item) for item in standard.ratio_items]
    ids = sorted({key for level in result.get("balance", {}).values() for key in level})
    return [(item_id, None) for item_id in ids]


@dataclass(frozen=True)
class Mark:
    text: str
    css: str


def mark(passes: bool | None) -> Mark:
    if passes is True:
        return Mark("✓ 达标", "ok")
    if passes is False:
        return Mark("✗ 未达标", "fail")
    return Mark("— 无法判定", "unknown")


def veto_mark(passes: bool | None) -> Mark:
    """A veto part or item: it "passes" when the case does not exist, which 达标 misstates."""
    if passes is True:
        return Mark("✓ 无否决情形", "ok")
    if passes is False:
        return Mark("✗ 存在否决情形", "fail")
    return Mark("— 无法判定", "unknown")


def part_mark(key: str, passes: bool | None) -> Mark:
    return veto_mark(passes) if key == "veto" else mark(passes)


def county_overview(result: dict[str, Any], standard: Standard | None) -> dict[str, Any]:
    """Verdict, parts and failing segment count of a county result (the CV, gap and school
    tables are `cv_table`, `gaps_table` and `schools_table`)."""
    verdict = result.get("verdict", {})
    parts = result.get("parts", {})
    part_reasons = result.get("part_reasons", {})
    part_rows = [
        {
            "key": key,
            "label": label,
            "mark": part_mark(key, parts.get(key)),
            "reasons": part_reasons.get(key, []),
            "anchor": PART_ANCHORS.get(key, ""),
        }
        for key, label in PARTS
        if key in parts
    ]
    segments = [s for s in result.get("segments", []) if s.get("in_scope")]
    return {
        "verdict_text": verdict_text(verdict.get("passes")),
        "verdict_css": verdict_css(verdict.get("passes")),
        "verdict_reasons": verdict_lines(result, standard),
        "parts": part_rows,
        "segments_total": len(segments),
        "segments_failing": sum(1 for s in segments if s.get("passes") is False),
        "segments_undecided": sum(1 for s in segments if s.get("passes") is None),
    }


def verdict_lines(result: dict[str, Any], standard: Standard | None = None) -> list[dict[str, str]]:
    """The verdict's reasons, one line per part that did not pass, each linking to its details
    on the page: 资源配置 with its reasons, the item parts by the items that fail or cannot be
    decided (their reasons are in the item tables below)."""
    verdict = result.get("verdict", {})
    if verdict.get("passes") is True:
        return [{"text": r, "anchor": ""} for r in verdict.get("reasons", [])]
    parts = result.get("parts", {})
    items = result.get("items") or {}
    lines = []
    for key, label in PARTS:
        if key not in parts or parts[key] is True:
            continue
        passes = parts[key]
        if key == "R":
            reasons = "；".join(result.get("part_reasons", {}).get(key, []))
            head = f"{label}未达到要求" if passes is False else f"{label}数据不完整，无法判定"
            text = f"{head}：{reasons}" if reasons else head
        else:
            letter = dict(ITEM_PARTS)[key]
            mine = {i: r for i, r in items.items() if i.startswith(letter)}
            total = len(standard.items_of(letter)) if standard is not None else len(mine)
            failing = [i for i, r in mine.items() if r.get("passes") is False]
            undecided = [i for i, r in mine.items() if r.get("passes") is None]
            bits = []
            if key == "veto":
                if failing:
                    bits.append(f"存在否决情形：{'、'.join(failing)}")
                if undecided:
                    bits.append(f"无法判定：{'、'.join(undecided)}")
                text = f"{label}：{'；'.join(bits)}" if bits else label
            else:
                if failing:
                    bits.append(f"{'、'.join(failing)} 未达到要求")
                if undecided:
                    bits.append(f"{'、'.join(undecided)} 无法判定")
                head = f"{label}未达到要求" if passes is False else f"{label}无法判定"
                text = f"{head}（{total} 项中 {'，'.join(bits)}）" if bits else head
        lines.append({"text": text, "anchor": PART_ANCHORS[key]})
    if verdict.get("passes") is None:
        lines.append({"text": "数据不完整的县不能认定为达标", "anchor": ""})
    return lines


ITEM_HEADERS = ("编号", "评估内容", "要求", "实际情况", "结论", "说明", "依据")


def _item_value(item: Item | None, record: dict[str, Any]) -> str:
    """What was found, in a few words: a county item's values, a school item's failing count."""
    value = record.get("value")
    if item is not None and item.scope != "county":
        noun, measure = ("学段", "个") if item.scope == "segment" else ("学校", "所")
        if record.get("passes") is True:
            return f"全部{noun}符合要求"
        if isinstance(value, int) and not isinstance(value, bool) and value:
            return f"{value} {measure}{noun}不符合要求"
        return "部分数据缺失" if record.get("passes") is None else "—"
    checks = record.get("checks") or []
    by_key = {c.key: c for c in item.checks} if item is not None else {}
    shown = []
    for c in checks:
        check = by_key.get(c.get("key"))
        raw = c.get("value")
        if raw is None:
            text = "缺少数据"
        elif check is not None:
            text = show_value(check, raw) + (check.unit if not isinstance(raw, bool) else "")
        else:
            text = str(raw)
        shown.append(text if len(checks) == 1 else f"{c.get('label', '')} {text}")
    return "；".join(shown) or "—"


def item_tables(result: dict[str, Any], standard: Standard | None) -> list[dict[str, Any]]:
    """The G, Q, S and V parts as tables, every item of the standard in its order: requirement,
    value found, verdict, the evaluation's reason with the evidence notes, and the clause of the
    standard. Read from the snapshot's `items` and the standard file; nothing is re-evaluated."""
    records = result.get("items") or {}
    parts = result.get("parts", {})
    sections = []
    for key, letter in ITEM_PARTS:
        label = (standard.parts.get(letter) if standard is not None else None) or dict(PARTS)[key]
        defined = standard.items_of(letter) if standard is not None else []
        ids = [i.id for i in defined] or sorted(
            (i for i in records if i.startswith(letter)), key=lambda i: (len(i), i)
        )
        known = {i.id: i for i in defined}
        marker = veto_mark if key == "veto" else mark
        rows = []
        counts = {True: 0, False: 0, None: 0}
        for item_id in ids:
            item = known.get(item_id)
            record = records.get(item_id)
            if record is None:
                rows.append(
                    (
                        text_cell(item_id),
                        text_cell(item.name if item else "", css="long"),
                        text_cell(requirement_text(item) if item else ""),
                        text_cell(None),
                        _mark_as_cell(marker(None)),
                        text_cell("本次评估结果中没有该项"),
                        text_cell(item.source if item else "", css="long"),
                    )
                )
                counts[None] += 1
                continue
            passes = record.get("passes")
            counts[passes] += 1
            note = record.get("reason") or ""
            if passes is True and item is not None and item.scope == "county":
                # the reason repeats the requirement and value beside it; only how the value
                # was obtained (S1: from the survey's answers) adds to them
                start = note.find("（按调查答卷计算")
                note = note[start + 1 : -1] if start >= 0 and note.endswith("）") else ""
            evidence = [e for e in record.get("evidence") or [] if e]
            if evidence:
                shown = f"佐证材料：{'；'.join(evidence)}"
                note = f"{note}。{shown}" if note else shown
            rows.append(
                (
                    text_cell(item_id),
                    text_cell(item.name if item else "", css="long"),
                    text_cell(requirement_text(item) if item else "", css="long"),
                    text_cell(_item_value(item, record), css="long"),
                    _mark_as_cell(marker(passes)),
                    text_cell(note, css="long"),
                    text_cell(item.source if item else "", css="long"),
                )
            )
        total = len(ids)
        if key == "veto":
            summary = (
                f"{total} 种一票否决情形"
                + (f"中存在 {counts[False]} 种" if counts[False] else "均不存在")
                + (f"，{counts[None]} 种无法判定" if counts[None] else "")
            )
        else:
            summary = (
                f"{total} 项中 {counts[True]} 项达标"
                + (f"，{counts[False]} 项未达标" if counts[False] else "")
                + (f"，{counts[None]} 项无法判定" if counts[None] else "")
            )
        table = Table(
            f"items-{letter}",
            f"{label}评估项目",
            ITEM_HEADERS,
            tuple(rows),
            stack=True,
        )
        sections.append(
            {
                "key": key,
                "letter": letter,
                "label": label,
                "anchor": PART_ANCHORS[key],
                "mark": part_mark(key, parts.get(key)),
                "summary": summary,
                "table": table,
            }
        )
    return sections


def school_segments(
    result: dict[str, Any], school_id: str, standard: Standard | None
) -> list[dict[str, Any]]:
    """The school's segments: each indicator's value, threshold, 85 % line, mark and shortfall."""
    floor = floor_ratio(result, standard)
    rows = []
    for segment in result.get("segments", []):
        if segment.get("school_id") != school_id:
            continue
        level = segment.get("level")
        indicators = []
        for item_id, item in _ratio_items(standard, result):
            # thresholds and shortfalls come with the snapshot, so the page shows the numbers
            # the evaluation used even if the standard file changed afterwards
            threshold = segment.get("thresholds", {}).get(item_id)
            if threshold is None and item is not None:
                threshold = item.threshold.get(level)
            met = segment.get("met", {}).get(item_id)
            value = segment.get("values", {}).get(item_id)
            ratio = value / threshold if value is not None and threshold else None
            floor_ok = (segment.get("floor_ok") or {}).get(item_id)
            short = segment.get("shortfalls", {}).get(item_id)
            gap = None
            if met is False and short is not None and short.get("amount") is not None:
                amount = short["amount"]
                shown = fmt_plain(int(amount)) if float(amount).is_integer() else fmt_number(amount)
                gap = f"{short['action']}{short['what']} {shown} {short['unit']}"
            indicators.append(
                {
                    "id": item_id,
                    "name": item.name if item else "",
                    "unit": item.unit if item else "",
                    "value": fmt_number(value),
                    "threshold": fmt_plain(threshold),
                    "floor": fmt_line(threshold * floor) if threshold and floor else "—",
                    "ratio": fmt_percent(ratio) if ratio is not None else "—",
                    # the same numbers unformatted, for the chart and the Excel export
                    "raw": {
                        "short": short_name(item, item_id),
                        "value": value,
                        "threshold": threshold,
                        "floor": threshold * floor if threshold and floor else None,
                        "ratio": ratio,
                        "met": met,
                        "floor_ok": floor_ok,
                    },
                    "mark": indicator_mark(met, floor_ok, floor)
                    if segment.get("in_scope")
                    else Mark("不纳入评估", "unknown"),
                    "gap": gap,
                }
            )
        rows.append(
            {
                "level": LEVEL_ZH.get(level, level),
                "level_id": level,
                "floor_ratio": floor,
                "students": segment.get("students"),
                "in_scope": segment.get("in_scope"),
                "mark": mark(segment.get("passes")),
                "reasons": segment.get("reasons", []),
                "indicators": indicators,
                "gaps": [i["gap"] for i in indicators if i["gap"]],
            }
        )
    return rows


def school_item_problems(result: dict[str, Any], school_id: str) -> list[str]:
    """County items (G3, G4, Q4 …) that name this school among the failing ones."""
    problems = []
    for item_id, item in result.get("items", {}).items():
        for failing in item.get("failing") or []:
            if failing.get("school_id") == school_id:
                for reason in failing.get("reasons", []):
                    problems.append(f"{item_id}：{reason}")
    return problems


# ---------------------------------------------------------------------------------------------
# Dashboards: tables that the page prints and the Excel export writes, and the plain numbers
# the charts are drawn from. A table is built once; the template and `exports.py` only read it.


@dataclass(frozen=True)
class Cell:
    """One table cell: the text a page shows and the value an Excel sheet stores."""

    text: str
    value: str | float | int | None = None
    css: str = ""
    href: str = ""
    excel_format: str = ""
    """Excel number format of a numeric value ("0.000", "0.0%", "#,##0.00")."""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    export_url: str = ""
    stack: bool = False
    """On a phone, print each row as a small card (header beside each value) instead of a wide
    row to scroll: for tables of long texts (reasons, gap sentences) and many columns."""

    def rows_html(self) -> SafeString:
        """The `<tr>` rows as `pages/_table.html` prints them (the first cell heads its row).

        Written in Python rather than as template loops: a county of 300 schools has thousands
        of cells, and the template engine spent most of the county overview's time on them.
        """
        out = []
        for row in self.rows:
            cells = []
            for i, cell in enumerate(row):
                start = '<th scope="row"' if i == 0 else "<td"
                text = _escape(cell.text)
                if cell.href:
                    text = f'<a href="{_escape(cell.href)}">{text}</a>'
                end = "</th>" if i == 0 else "</td>"
                css = _escape(cell.css)
                label = f' data-label="{_escape(self.headers[i])}"' if self.stack and i else ""
                cells.append(f'{start} class="{css}"{label}><span class="c">{text}</span>{end}')
            out.append(f"<tr>{''.join(cells)}</tr>\n")
        return mark_safe("".join(out))


def _escape(value: object) -> str:
    """What the template's {{ value }} prints (Django's conditional_escape), without its lazy-
    string wrapper, which cost more than the escaping itself over thousands of cells."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def text_cell(text: str | None, href: str = "", css: str = "") -> Cell:
    shown = text if text not in (None, "") else "—"
    return Cell(shown, text if text not in (None, "") else None, css, href)


def number_cell(
    value: float | int | None,
    decimals: int = 2,
    href: str = "",
    css: str = "",
    thousands: bool = False,
) -> Cell:
    if value is None or isinstance(value, bool):
        return Cell("—", None, f"num {css}".strip(), href)
    grouping = "#,##0" if thousands else "0"
    excel = grouping + ("." + "0" * decimals if decimals else "")
    return Cell(fmt_number(value, decimals, thousands), value, f"num {css}".strip(), href, excel)


def fmt_line(value: float) -> str:
    """A threshold-derived line (85 % of 4.5 = 3.825) in full, without float dust or padding."""
    return fmt_plain(round(value, 6))


def line_cell(value: float | None) -> Cell:
    if value is None:
        return Cell("—", None, "num")
    return Cell(fmt_line(value), value, "num", "", "0.000")


def int_cell(value: int | None, href: str = "") -> Cell:
    if value is None:
        return Cell("—", None, "num", href)
    return Cell(str(value), int(value), "num", href, "0")


def percent_cell(value: float | None, decimals: int = 1) -> Cell:
    """A fraction shown as a percentage; Excel keeps the fraction with a percent format."""
    if value is None:
        return Cell("—", None, "num")
    return Cell(fmt_percent(value, decimals), value, "num", "", "0." + "0" * decimals + "%")


def mark_cell(passes: bool | None) -> Cell:
    m = mark(passes)
    return Cell(m.text, verdict_text(passes), f"{m.css} mark")


def _mark_as_cell(m: Mark) -> Cell:
    """A ✓/✗ mark; Excel gets the words without the symbol."""
    return Cell(m.text, m.text.lstrip("✓✗— "), f"{m.css} mark")


def _item_map(standard: Standard | None, result: dict[str, Any]) -> dict[str, Item | None]:
    return dict(_ratio_items(standard, result))


def short_name(item: Item | None, item_id: str) -> str:
    """ "R4 教学及辅助用房": the id and what the indicator counts, short enough for an axis."""
    if item is None:
        return item_id
    what = item.shortfall.what if item.shortfall is not None else item.name
    return f"{item_id} {what}"


def cv_series(result: dict[str, Any], standard: Standard | None) -> dict[str, Any]:
    """The 14 CVs (R1–R7 × level) with their limits and verdicts, as plain lists per level."""
    balance = result.get("balance", {})
    items = _ratio_items(standard, result)
    levels = []
    for level in LEVELS:
        cells = [balance.get(level, {}).get(item_id) or {} for item_id, _ in items]
        levels.append(
            {
                "level": level,
                "label": LEVEL_ZH.get(level, level),
                "cv": [c.get("cv") for c in cells],
                "limit": [c.get("limit") for c in cells],
                "passes": [c.get("passes") for c in cells],
                "schools": [c.get("schools") for c in cells],
            }
        )
    return {
        "items": [item_id for item_id, _ in items],
        "names": [item.name if item else "" for _, item in items],
        "short": [short_name(item, item_id) for item_id, item in items],
        "levels": levels,
    }


def cv_table(series: dict[str, Any], href: Any = None) -> Table:
    """指标 × (差异系数, 上限, 结论) per level; `href(item_id, level)` links to indicator pages."""
    headers = ["指标", "指标名称"]
    for level in series["levels"]:
        headers += [f"{level['label']}差异系数", f"{level['label']}上限", f"{level['label']}结论"]
    rows = []
    for i, item_id in enumerate(series["items"]):
        first = series["levels"][0]["level"] if series["levels"] else ""
        row = [
            text_cell(item_id, href(item_id, first) if href else ""),
            text_cell(series["names"][i], css="long"),
        ]
        for level in series["levels"]:
            link = href(item_id, level["level"]) if href else ""
            limit = level["limit"][i]
            row += [
                number_cell(level["cv"][i], 3, href=link),
                Cell(f"≤ {fmt_plain(limit)}", limit, "num", "", "0.00")
                if limit is not None
                else number_cell(None),
                mark_cell(level["passes"][i]),
            ]
        rows.append(tuple(row))
    return Table(
        "cv",
        "校际差异系数",
        tuple(headers),
        tuple(rows),
        note="差异系数按在校生数加权计算（总体标准差 ÷ 加权平均值）；点击指标查看每所学校的数值。",
        # eight columns: on a phone only 指标 and its name fitted; one card per indicator instead
        stack=True,
    )


def schools_table(result: dict[str, Any], href: Any = None) -> Table:
    """One row per school: its segments' verdicts and the reasons of failing ones; failing first.

    `href(school_id)` links to the school page.
    """
    by_school: dict[str, dict[str, Any]] = {}
    for segment in result.get("segments", []):
        row = by_school.setdefault(
            segment["school_id"],
            {"school_id": segment["school_id"], "name": segment.get("name"), "levels": {}},
        )
        row["levels"][segment.get("level")] = segment
    order = {False: 0, None: 1, True: 2}

    def rank(row: dict[str, Any]) -> int:
        scoped = [s for s in row["levels"].values() if s.get("in_scope")]
        return min((order[s.get("passes")] for s in scoped), default=3)

    rows = []
    for row in sorted(by_school.values(), key=rank):
        cells = [
            text_cell(row["school_id"]),
            text_cell(row["name"], href(row["school_id"]) if href else "", "nowrap"),
        ]
        reasons = []
        for level in LEVELS:
            segment = row["levels"].get(level)
            if segment is None:
                cells.append(text_cell(None))
            elif not segment.get("in_scope"):
                cells.append(Cell("不纳入评估", "不纳入评估", "unknown mark"))
                # the scope module's reason, without the "不纳入评估：" the cell already says
                reasons += [
                    f"{LEVEL_ZH.get(level, level)}：{r.removeprefix('不纳入评估：')}"
                    for r in segment.get("reasons", [])
                ]
            else:
                cells.append(mark_cell(segment.get("passes")))
                if segment.get("passes") is not True:
                    reasons += [
                        f"{LEVEL_ZH.get(level, level)}：{r}" for r in segment.get("reasons", [])
                    ]
        cells.append(text_cell("；".join(reasons), css="long"))
        rows.append(tuple(cells))
    headers = (
        "学校标识码",
        "学校名称",
        *(LEVEL_ZH[lv] for lv in LEVELS),
        "未达标或不纳入评估的原因",
    )
    return Table("schools", "学校资源配置结论", headers, tuple(rows), stack=True)


def gaps_table(result: dict[str, Any]) -> Table:
    """The county's gap totals (差距测算), one row per level, item and kind of shortfall."""
    rows = []
    for gap in result.get("gaps", []):
        level = gap.get("level")
        total = gap.get("total")
        whole = isinstance(total, (int, float)) and float(total).is_integer()
        rows.append(
            (
                text_cell(LEVEL_ZH.get(level, level) if level else "全县"),
                text_cell(gap.get("item")),
                text_cell(gap.get("sentence"), css="long"),
                number_cell(total, 0 if whole else 2, thousands=True),
                text_cell(gap.get("unit")),
                int_cell(gap.get("schools")),
            )
        )
    headers = ("学段", "指标", "差距", "数量", "单位", "涉及学校数")
    return Table("gaps", "差距测算", headers, tuple(rows), stack=True)


# ---- indicator page ---------------------------------------------------------------------------


def floor_ratio(result: dict[str, Any], standard: Standard | None) -> float | None:
    """The segment rule's floor (85 %) as the snapshot recorded it, else as the standard says."""
    rule = result.get("segment_rule") or {}
    if rule.get("floor_ratio") is not None:
        return rule["floor_ratio"]
    return standard.segment_rule.floor_ratio if standard is not None else None


def indicator_mark(met: bool | None, floor_ok: bool | None, floor: float | None) -> Mark:
    if met is True:
        return Mark("✓ 达标", "ok")
    if met is False and floor_ok is False:
        return Mark(f"✗ 低于标准的 {fmt_plain(floor * 100)}%" if floor else "✗ 低于底线", "fail")
    if met is False:
        return Mark("✗ 未达标", "warn")
    return Mark("— 无法判定", "unknown")


def indicator_rows(result: dict[str, Any], item_id: str, level: str) -> list[dict[str, Any]]:
    """Every in-scope segment of the level: value, threshold, met, share; smallest value first.

    Segments without a value come last (they make the CV undecidable).
    """
    rows = []
    for segment in result.get("segments", []):
        if segment.get("level") != level or not segment.get("in_scope"):
            continue
        rows.append(
            {
                "school_id": segment["school_id"],
                "name": segment.get("name") or segment["school_id"],
                "students": segment.get("students"),
                "value": segment.get("values", {}).get(item_id),
                "threshold": segment.get("thresholds", {}).get(item_id),
                "met": segment.get("met", {}).get(item_id),
                "floor_ok": (segment.get("floor_ok") or {}).get(item_id),
                "share": (segment.get("shares") or {}).get(item_id),
            }
        )
    return sorted(rows, key=lambda r: (r["value"] is None, r["value"] or 0.0, r["name"]))


def indicator_summary(
    result: dict[str, Any], standard: Standard | None, item_id: str, level: str
) -> dict[str, Any] | None:
    """Name, threshold, 85 % line and the CV record of one indicator and level, or None when
    the snapshot has no such indicator."""
    cell = result.get("balance", {}).get(level, {}).get(item_id)
    if cell is None:
        return None
    item = _item_map(standard, result).get(item_id)
    rows = indicator_rows(result, item_id, level)
    threshold = next((r["threshold"] for r in rows if r["threshold"] is not None), None)
    if threshold is None and item is not None:
        threshold = item.threshold.get(level)
    floor = floor_ratio(result, standard)
    return {
        "id": item_id,
        "name": item.name if item else item_id,
        "short": short_name(item, item_id),
        "unit": item.unit if item else "",
        "description": item.description if item else "",
        "level": level,
        "level_label": LEVEL_ZH.get(level, level),
        "threshold": threshold,
        "floor_ratio": floor,
        "floor": threshold * floor if threshold is not None and floor else None,
        "cv": cell.get("cv"),
        "cv_text": fmt_number(cell.get("cv"), 3),
        "limit_text": fmt_plain(cell.get("limit")),
        "mean": cell.get("mean"),
        "sd": cell.get("sd"),
        "limit": cell.get("limit"),
        "passes": cell.get("passes"),
        "mark": mark(cell.get("passes")),
        "reason": cell.get("reason", ""),
        "schools": len(rows),
        "met": sum(1 for r in rows if r["met"] is True),
        "unmet": sum(1 for r in rows if r["met"] is False),
        "below_floor": sum(1 for r in rows if r["floor_ok"] is False),
    }


def indicator_facts(summary: dict[str, Any]) -> Table:
    """The CV record of the indicator page as a two-column table (also the chart's summary)."""
    rows = (
        (text_cell("差异系数"), number_cell(summary["cv"], 3)),
        (text_cell("差异系数上限"), number_cell(summary["limit"], 2)),
        (text_cell("结论"), mark_cell(summary["passes"])),
        (text_cell("加权平均值"), number_cell(summary["mean"], 2)),
        (text_cell("加权标准差"), number_cell(summary["sd"], 2)),
        (text_cell("标准"), line_cell(summary["threshold"])),
        (
            text_cell(f"{fmt_plain((summary['floor_ratio'] or 0) * 100)}% 底线"),
            line_cell(summary["floor"]),
        ),
        (text_cell("纳入评估的学段数"), int_cell(summary["schools"])),
        (text_cell("达标学段数"), int_cell(summary["met"])),
        (text_cell("未达标学段数"), int_cell(summary["unmet"])),
    )
    return Table("facts", "指标概况", ("项目", "数值"), rows)


def indicator_table(rows: list[dict[str, Any]], summary: dict[str, Any], href: Any = None) -> Table:
    """Every school of the indicator, largest share of the weighted variance first."""
    ordered = sorted(rows, key=lambda r: (r["share"] is None, -(r["share"] or 0.0), r["name"]))
    mean = summary.get("mean")
    out = []
    for rank, row in enumerate(ordered, 1):
        m = indicator_mark(row["met"], row["floor_ok"], summary.get("floor_ratio"))
        side = None
        if mean is not None and row["value"] is not None:
            side = "高于均值" if row["value"] >= mean else "低于均值"
        out.append(
            (
                int_cell(rank),
                text_cell(row["name"], href(row["school_id"]) if href else "", "nowrap"),
                number_cell(row["value"], 2),
                percent_cell(row["share"]),
                _mark_as_cell(m),
                int_cell(row["students"]),
                line_cell(row["threshold"]),
                text_cell(side),
            )
        )
    # value and share first: a phone shows the left columns without scrolling
    headers = ("序号", "学校", "数值", "占加权方差比例", "结论", "在校生数", "标准", "相对均值")
    note = (
        "“占加权方差比例”是该校对差异系数的贡献：(在校生数 ÷ 全县在校生数) × (数值 − 加权平均值)² "
        "÷ 加权方差，全县合计 100%，按从大到小排列。"
    )
    return Table(
        "schools", f"{summary['id']} {summary['level_label']}各校数值", headers, tuple(out), note
    )


# ---- school page ------------------------------------------------------------------------------


def _floor_header(floor: float | None) -> str:
    return f"{fmt_plain(floor * 100)}% 底线" if floor else "底线"


SCHOOL_HEADERS = ("指标", "指标名称", "本校数值", "标准", "底线", "占标准的比例", "结论", "差距")


def school_segment_table(seg: dict[str, Any]) -> Table:
    """One segment's indicators on the school page (the table under its chart)."""
    rows = []
    for ind in seg["indicators"]:
        raw = ind.get("raw", {})
        rows.append(
            (
                text_cell(ind["id"]),
                text_cell(ind["name"], css="long"),
                number_cell(raw.get("value"), 2),
                line_cell(raw.get("threshold")),
                line_cell(raw.get("floor")),
                percent_cell(raw.get("ratio")),
                _mark_as_cell(ind["mark"]),
                text_cell(ind["gap"]),
            )
        )
    headers = list(SCHOOL_HEADERS)
    headers[4] = _floor_header(seg.get("floor_ratio"))
    title = f"{seg['level']}资源配置指标"
    key = f"school-{seg.get('level_id', '')}"
    return Table(key, title, tuple(headers), tuple(rows), stack=True)


def school_table(segments: list[dict[str, Any]]) -> Table:
    """The school page's segment tables in one sheet, a 学段 column in front, for Excel."""
    rows = []
    headers: tuple[str, ...] = ("学段", *SCHOOL_HEADERS)
    for seg in segments:
        table = school_segment_table(seg)
        headers = ("学段", *table.headers)
        rows += [(text_cell(seg["level"]), *row) for row in table.rows]
    return Table("indicators", "本校资源配置指标", headers, tuple(rows))


# ---- trend across years -----------------------------------------------------------------------


def _failing_parts(summary: dict[str, Any]) -> list[str]:
    parts = summary.get("parts", {})
    return [label for key, label in PARTS if key in parts and parts[key] is not True]


def trend_table(years: list[dict[str, Any]]) -> Table:
    """One row per school year (its latest snapshot): verdict, failing parts and segments."""
    rows = []
    for entry in years:
        s = entry["summary"]
        worst = s.get("worst_cv") or {}
        cells = [
            text_cell(entry["year"]),
            mark_cell(s.get("verdict")),
            text_cell("、".join(_failing_parts(s)) or "无"),
            int_cell(s.get("segments_failing")),
            int_cell(s.get("cv_over_limit")),
        ]
        for level in LEVELS:
            w = worst.get(level)
            cells.append(
                Cell(
                    f"{fmt_number(w['cv'], 3)}（{w['item']}）",
                    w["cv"],
                    "num",
                    "",
                    "0.000",
                )
                if w
                else number_cell(None)
            )
        rows.append(tuple(cells))
    headers = (
        "学年",
        "结论",
        "未通过的方面",
        "未达标学段数",
        "超过上限的差异系数个数",
        *(f"{LEVEL_ZH[lv]}最大差异系数" for lv in LEVELS),
    )
    # a card per school year on a phone (seven columns did not fit beside each other)
    return Table("trend", "历年评估结论", headers, tuple(rows), stack=True)


def trend_cv_series(years: list[dict[str, Any]], level: str, items: list[str]) -> dict[str, Any]:
    """CVs of one level by school year: one list of values per indicator."""
    values = {item: [] for item in items}
    limits = {}
    for entry in years:
        cells = entry["summary"].get("balance", {}).get(level, {})
        for item in items:
            cell = cells.get(item) or {}
            values[item].append(cell.get("cv"))
            if cell.get("limit") is not None:
                limits[item] = cell["limit"]
    return {
        "level": level,
        "label": LEVEL_ZH.get(level, level),
        "years": [e["year"] for e in years],
        "items": items,
        "values": values,
        "limits": limits,
    }


def trend_cv_table(series: dict[str, Any]) -> Table:
    rows = []
    for i, year in enumerate(series["years"]):
        rows.append(
            (text_cell(year), *(number_cell(series["values"][it][i], 3) for it in series["items"]))
        )
    return Table(
        f"trend_{series['level']}",
        f"{series['label']}差异系数（历年）",
        ("学年", *series["items"]),
        tuple(rows),
        stack=True,  # R1–R7 beside the year did not fit a phone either
    )


# ---- comparison of counties -------------------------------------------------------------------

READINESS_RULE = (
    "排名规则：先比未通过的方面数（资源配置、政府保障程度、教育质量、社会认可度、一票否决五项，"
    "“无法判定”也算未通过），少者在前；相同时比未达标学段数，少者在前；再相同时比最大差异系数"
    "与其上限之比（小学、初中取大者），小者在前；仍相同时按县区名称排列。尚未评估的县区不参加排名。"
)


def readiness_key(summary: dict[str, Any]) -> tuple[int, int, float]:
    """Sort key of the readiness ranking stated in `READINESS_RULE` (smaller is readier)."""
    ratio = summary.get("worst_ratio")
    return (
        len(_failing_parts(summary)),
        summary.get("segments_failing") or 0,
        ratio if ratio is not None else math.inf,
    )


def compare_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counties ranked by readiness; `entries` carry county id, name, city and summary (or None).

    Counties without a snapshot of the year come last, unranked.
    """
    evaluated = [e for e in entries if e.get("summary")]
    pending = [e for e in entries if not e.get("summary")]
    evaluated.sort(key=lambda e: (readiness_key(e["summary"]), e["name"]))
    ranked = [{**e, "rank": i} for i, e in enumerate(evaluated, 1)]
    return ranked + [{**e, "rank": None} for e in sorted(pending, key=lambda e: e["name"])]


def compare_table(rows: list[dict[str, Any]], href: Any = None) -> Table:
    """The comparison table; `href(county_id)` links to each county's overview."""
    out = []
    for row in rows:
        s = row.get("summary") or {}
        link = href(row["county_id"]) if href and s else ""
        if not s:
            out.append(
                (
                    text_cell(None),
                    text_cell(row["name"]),
                    text_cell(row.get("city")),
                    Cell("尚未评估", "尚未评估", "unknown mark"),
                    *(text_cell(None) for _ in range(len(PARTS) + 5)),
                )
            )
            continue
        parts = s.get("parts", {})
        worst = s.get("worst_cv") or {}
        cells = [
            int_cell(row["rank"]),
            text_cell(row["name"], link, "nowrap"),
            text_cell(row.get("city"), css="nowrap"),
            mark_cell(s.get("verdict")),
            *(_mark_as_cell(part_mark(key, parts.get(key))) for key, _ in PARTS),
            int_cell(len(_failing_parts(s))),
            int_cell(s.get("segments_failing")),
            int_cell(s.get("cv_over_limit")),
        ]
        for level in LEVELS:
            w = worst.get(level)
            cells.append(
                Cell(f"{fmt_number(w['cv'], 3)}（{w['item']}）", w["cv"], "num", "", "0.000")
                if w
                else number_cell(None)
            )
        out.append(tuple(cells))
    headers = (
        "排名",
        "县区",
        "所属市",
        "结论",
        *(label for _, label in PARTS),
        "未通过的方面数",
        "未达标学段数",
        "超过上限的差异系数个数",
        *(f"{LEVEL_ZH[lv]}最大差异系数" for lv in LEVELS),
    )
    return Table("compare", "县域对比", headers, tuple(out), note=READINESS_RULE, stack=True)
