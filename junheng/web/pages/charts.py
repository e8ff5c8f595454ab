"""ECharts options built in Python from the presenters' rows, so a chart and the table under it
come from the same numbers. Pure: plain dicts in, plain dicts out; the page embeds them with
`json_script` and `static/junheng/charts.js` draws every `[data-chart]` element.

Options use only what JSON can carry (string templates such as "{c}%", never functions), and
narrow screens get a `media` variant (shorter labels, no rotated axis text) so a 360 px phone
shows the same chart without horizontal overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.schema import LEVELS

OK = "#2f855a"
WARN = "#d97706"
FAIL = "#c53030"
UNKNOWN = "#a0aec0"
LEVEL_COLORS = {"primary": "#0b5cad", "junior": "#0f766e"}
MEAN = "#52606d"
NARROW = {"maxWidth": 600}
"""Media query of phone-sized charts."""
ZOOM_AFTER = 60
"""More bars than this and the indicator chart scrolls (the smallest values stay in view)."""
ZOOM_SHOWN = 40
LABEL_WIDTH = 150
"""Pixels of a school's or county's name on an axis: a name of 12 characters fits whole."""
NARROW_LABEL_WIDTH = 84


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    options: dict[str, Any]
    height: int = 320

    @property
    def options_id(self) -> str:
        """Id of the `json_script` element holding the options."""
        return f"{self.id}-options"


def _v(value: float | None, decimals: int) -> float | str:
    """A value as ECharts reads it: rounded for display, '-' when missing (a gap, not zero)."""
    return "-" if value is None else round(float(value), decimals)


def _axis_max(values: list[float | None], step: float = 0.1) -> float | None:
    """A round axis maximum above every value and line, so a limit line is never off the chart."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return round(math.ceil(max(known) * 1.08 / step) * step, 6)


def _line_label(text: str, color: str, position: str) -> dict[str, Any]:
    # a light background keeps the label readable where it crosses a bar
    return {
        "formatter": text,
        "color": color,
        "position": position,
        "backgroundColor": "rgba(255,255,255,0.85)",
        "padding": [1, 3],
    }


def _base(**extra: Any) -> dict[str, Any]:
    return {"aria": {"enabled": True}, "animation": False, **extra}


def _responsive(base: dict[str, Any], narrow: dict[str, Any]) -> dict[str, Any]:
    """The options with their phone variant, and a default (a media entry without a query) that
    puts back what the variant changed: ECharts merges nothing when a query stops matching, so
    a chart once drawn narrow (a phone turned, a window narrowed and widened again, a full-page
    capture) would otherwise keep its short labels at full width."""
    return {
        "baseOption": base,
        "media": [{"query": NARROW, "option": narrow}, {"option": _restoring(base, narrow)}],
    }


def _restoring(base: dict[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    """Base's values at every key of `changed` (ECharts' default where base has none: shown)."""
    out: dict[str, Any] = {}
    for key, value in changed.items():
        if isinstance(value, dict):
            out[key] = _restoring(base.get(key) or {}, value)
        elif key in base:
            out[key] = base[key]
        elif key == "show":
            out[key] = True
    return out


def _status_series(
    rows: list[dict[str, Any]],
    value_key: str,
    decimals: int,
    floor_ratio: float | None,
    **style: Any,
) -> list[dict[str, Any]]:
    """Three stacked bar series by status so the legend explains the colours: met, below the
    threshold but above the floor, below the floor. Each bar has a value in exactly one."""
    floor_label = f"低于 {fmt_plain(floor_ratio * 100)}%" if floor_ratio else "低于底线"
    groups = (
        ("达标", OK, lambda r: r["met"] is True),
        ("未达标", WARN, lambda r: r["met"] is False and r["floor_ok"] is not False),
        (floor_label, FAIL, lambda r: r["met"] is False and r["floor_ok"] is False),
        ("无法判定", UNKNOWN, lambda r: r["met"] is None),
    )
    return stacked_series(groups, rows, lambda r: _v(r[value_key], decimals), "status", **style)


def stacked_series(
    groups: Sequence[tuple[str, str, Callable[[Any], bool]]],
    items: Sequence[Any],
    value: Callable[[Any], Any],
    stack: str,
    **style: Any,
) -> list[dict[str, Any]]:
    """One stacked bar series per group (name, colour, which items belong), so the legend
    explains the colours: each item's value stands in the one group it belongs to and "-" in
    the others; a group no item belongs to has no series."""
    series = []
    for name, color, belongs in groups:
        data = [value(item) if belongs(item) else "-" for item in items]
        if all(d == "-" for d in data):
            continue
        series.append(
            {
                "name": name,
                "type": "bar",
                "stack": stack,
                "itemStyle": {"color": color},
                "data": data,
                **style,
            }
        )
    return series


def cv_chart(series: dict[str, Any], chart_id: str = "chart-cv") -> Chart:
    """The 14 CVs as bars per level, each level's limit as a dashed line; bars over the limit red
    and labelled."""
    bars: list[dict[str, Any]] = []
    for level in series["levels"]:
        color = LEVEL_COLORS.get(level["level"], MEAN)
        data = []
        for cv, passes in zip(level["cv"], level["passes"], strict=True):
            point: dict[str, Any] = {"value": _v(cv, 3)}
            if passes is False:
                point["itemStyle"] = {"color": FAIL}
                point["label"] = {
                    "show": True,
                    "position": "top",
                    "formatter": "超限",
                    "color": FAIL,
                }
            data.append(point)
        bar: dict[str, Any] = {
            "name": level["label"],
            "type": "bar",
            "itemStyle": {"color": color},
            "barMaxWidth": 28,
            "data": data,
        }
        limits = {x for x in level["limit"] if x is not None}
        if len(limits) == 1:
            (limit,) = limits
            bar["markLine"] = {
                "symbol": "none",
                "silent": True,
                "lineStyle": {"type": "dashed", "color": color, "width": 2},
                "label": _line_label(
                    f"{level['label']}上限 {fmt_plain(limit)}", color, "insideEndTop"
                ),
                "data": [{"yAxis": limit}],
            }
            bars.append(bar)
        else:
            bars.append(bar)
            bars.append(
                {
                    "name": f"{level['label']}上限",
                    "type": "line",
                    "symbol": "circle",
                    "lineStyle": {"type": "dashed", "color": color},
                    "itemStyle": {"color": color},
                    "data": [_v(x, 2) for x in level["limit"]],
                }
            )
    long_labels = [name.replace(" ", "\n", 1) for name in series["short"]]
    top = _axis_max([v for lv in series["levels"] for v in (*lv["cv"], *lv["limit"])])
    base = _base(
        tooltip={"trigger": "axis", "axisPointer": {"type": "shadow"}},
        legend={"top": 0},
        grid={"left": 8, "right": 12, "top": 36, "bottom": 8, "containLabel": True},
        xAxis={"type": "category", "data": long_labels, "axisLabel": {"interval": 0}},
        yAxis={"type": "value", "name": "差异系数", "max": top},
        series=bars,
    )
    narrow = {
        "xAxis": {"data": series["items"]},
        "grid": {"right": 4},
    }
    return Chart(chart_id, "校际差异系数与上限（小学、初中）", _responsive(base, narrow), 340)


def trend_chart(series: dict[str, Any], chart_id: str) -> Chart:
    """CVs of one level over the school years, one line per indicator, the limit dashed."""
    lines = []
    limits = set(series["limits"].values())
    for i, item in enumerate(series["items"]):
        line: dict[str, Any] = {
            "name": item,
            "type": "line",
            "symbol": "circle",
            "symbolSize": 7,
            "data": [_v(x, 3) for x in series["values"][item]],
        }
        if i == 0 and len(limits) == 1:
            (limit,) = limits
            line["markLine"] = {
                "symbol": "none",
                "silent": True,
                "lineStyle": {"type": "dashed", "color": FAIL, "width": 2},
                "label": _line_label(f"上限 {fmt_plain(limit)}", FAIL, "insideEndTop"),
                "data": [{"yAxis": limit}],
            }
        lines.append(line)
    top = _axis_max([v for vs in series["values"].values() for v in vs] + list(limits))
    base = _base(
        tooltip={"trigger": "axis"},
        legend={"type": "scroll", "top": 0},
        grid={"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        xAxis={"type": "category", "data": series["years"], "boundaryGap": True},
        yAxis={"type": "value", "name": "差异系数", "max": top},
        series=lines,
    )
    narrow = {"grid": {"right": 8, "top": 60}}
    title = f"{series['label']}各指标差异系数（历年）"
    return Chart(chart_id, title, _responsive(base, narrow), 300)


def indicator_chart(
    rows: list[dict[str, Any]], summary: dict[str, Any], chart_id: str = "chart-indicator"
) -> Chart:
    """Every in-scope school's value, smallest first, with the threshold, the floor and the
    weighted mean as lines; the bar colour says met / below the threshold / below the floor."""
    plotted = [r for r in rows if r["value"] is not None]
    names = [r["name"] for r in plotted]
    lines = []
    if summary.get("threshold") is not None:
        lines.append(
            {
                "name": "标准",
                "yAxis": summary["threshold"],
                "lineStyle": {"color": OK, "type": "solid", "width": 2},
                "label": _line_label(
                    f"标准 {fmt_plain(summary['threshold'])}", OK, "insideStartTop"
                ),
            }
        )
    if summary.get("floor") is not None:
        pct = fmt_plain((summary.get("floor_ratio") or 0) * 100)
        lines.append(
            {
                "name": f"{pct}%",
                "yAxis": summary["floor"],
                "lineStyle": {"color": FAIL, "type": "dashed", "width": 2},
                "label": _line_label(
                    f"{pct}% {fmt_plain(round(summary['floor'], 6))}", FAIL, "insideStartBottom"
                ),
            }
        )
    if summary.get("mean") is not None:
        lines.append(
            {
                "name": "加权平均值",
                "yAxis": round(summary["mean"], 2),
                "lineStyle": {"color": MEAN, "type": "dotted", "width": 2},
                "label": _line_label(f"均值 {fmt_number(summary['mean'])}", MEAN, "insideEndTop"),
            }
        )
    bars = _status_series(plotted, "value", 2, summary.get("floor_ratio"), barMaxWidth=36)
    if bars:
        bars[0]["markLine"] = {"symbol": "none", "silent": True, "data": lines}
    base = _base(
        tooltip={"trigger": "item", "formatter": "{b}<br/>{a}：{c}"},
        legend={"top": 0},
        grid={"left": 36, "right": 12, "top": 40, "bottom": 8, "containLabel": True},
        xAxis={
            "type": "category",
            "data": names,
            "axisLabel": {
                "rotate": 45,
                "interval": 0 if len(names) <= ZOOM_AFTER else "auto",
                "width": LABEL_WIDTH,
                "overflow": "truncate",
            },
            "axisTick": {"alignWithLabel": True},
            # a name longer than the label's width ends in "…"; pointing at it shows it whole
            "tooltip": {"show": True},
        },
        yAxis={"type": "value", "name": summary.get("unit") or ""},
        series=bars,
    )
    if len(names) > ZOOM_AFTER:
        end = round(100 * ZOOM_SHOWN / len(names))
        base["dataZoom"] = [
            {"type": "slider", "start": 0, "end": end, "height": 18, "bottom": 4},
            {"type": "inside", "start": 0, "end": end},
        ]
        base["grid"]["bottom"] = 30
    narrow = {"xAxis": {"axisLabel": {"show": False}}, "grid": {"left": 8, "right": 4, "top": 60}}
    title = f"{summary['short']}（{summary['level_label']}）各校数值，从小到大"
    return Chart(chart_id, title, _responsive(base, narrow), 420)


def school_chart(segment: dict[str, Any], chart_id: str) -> Chart:
    """One segment's seven values as a percentage of their thresholds, with the 100 % and the
    floor lines; `segment` is a row of `presenters.school_segments`."""
    rows = []
    for indicator in segment["indicators"]:
        raw = indicator["raw"]
        ratio = raw["ratio"]
        rows.append(
            {
                "id": indicator["id"],
                "short": raw["short"],
                "pct": None if ratio is None else ratio * 100,
                "met": raw["met"],
                "floor_ok": raw["floor_ok"],
            }
        )
    floor = segment.get("floor_ratio")
    lines: list[dict[str, Any]] = [
        {
            "xAxis": 100,
            "lineStyle": {"color": OK, "type": "solid", "width": 2},
            "label": _line_label("标准 100%", OK, "start"),
        }
    ]
    if floor:
        lines.append(
            {
                "xAxis": floor * 100,
                "lineStyle": {"color": FAIL, "type": "dashed", "width": 2},
                "label": _line_label(f"{fmt_plain(floor * 100)}%", FAIL, "start"),
            }
        )
    bars = _status_series(
        rows,
        "pct",
        1,
        floor,
        barMaxWidth=22,
        label={"show": True, "position": "right", "formatter": "{c}%"},
    )
    if bars:
        bars[0]["markLine"] = {"symbol": "none", "silent": True, "data": lines}
    base = _base(
        tooltip={"trigger": "item", "formatter": "{b}<br/>{a}：占标准的 {c}%"},
        legend={"top": 0},
        grid={"left": 8, "right": 48, "top": 52, "bottom": 8, "containLabel": True},
        xAxis={"type": "value", "axisLabel": {"formatter": "{value}%"}},
        yAxis={"type": "category", "inverse": True, "data": [r["short"] for r in rows]},
        series=bars,
    )
    narrow = {"yAxis": {"data": [r["id"] for r in rows]}, "grid": {"right": 44}}
    title = f"{segment['level']}各项指标占标准的比例（标准 = 100%）"
    return Chart(chart_id, title, _responsive(base, narrow), 320)


def compare_chart(rows: list[dict[str, Any]], chart_id: str = "chart-compare") -> Chart:
    """Counties in ranking order: each level's largest CV as a percentage of its limit."""
    ranked = [r for r in rows if r.get("summary")]
    names = [r["name"] for r in ranked]
    series = []
    for level, label in LEVELS:
        data = []
        for r in ranked:
            worst = (r["summary"].get("worst_cv") or {}).get(level)
            data.append("-" if not worst else round(worst["ratio"] * 100, 1))
        series.append(
            {
                "name": f"{label}最大差异系数 ÷ 上限",
                "type": "bar",
                "itemStyle": {"color": LEVEL_COLORS[level]},
                "barMaxWidth": 14,
                "data": data,
            }
        )
    if series:
        series[0]["markLine"] = {
            "symbol": "none",
            "silent": True,
            "lineStyle": {"color": FAIL, "type": "dashed", "width": 2},
            "label": _line_label("上限 100%", FAIL, "start"),
            "data": [{"xAxis": 100}],
        }
    visible = 20
    base = _base(
        tooltip={"trigger": "axis", "axisPointer": {"type": "shadow"}},
        legend={"top": 0},
        grid={"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        xAxis={"type": "value", "axisLabel": {"formatter": "{value}%"}},
        yAxis={
            "type": "category",
            "inverse": True,
            "data": names,
            "axisLabel": {"width": LABEL_WIDTH, "overflow": "truncate"},
            "tooltip": {"show": True},
        },
        series=series,
    )
    if len(names) > visible:
        base["dataZoom"] = [
            {
                "type": "slider",
                "yAxisIndex": 0,
                "start": 0,
                "end": round(100 * visible / len(names)),
                "right": 4,
                "width": 16,
            },
            {"type": "inside", "yAxisIndex": 0},
        ]
        base["grid"]["right"] = 64
    narrow = {"grid": {"top": 72}, "yAxis": {"axisLabel": {"width": NARROW_LABEL_WIDTH}}}
    height = 34 * min(len(names), visible) + 100
    return Chart(
        chart_id, "各县区最大差异系数与上限之比（按排名）", _responsive(base, narrow), height
    )
