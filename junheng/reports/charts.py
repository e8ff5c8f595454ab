"""PNG charts for the reports: CVs, one indicator across schools, part verdicts, one school.

Every number drawn comes from the `Evaluation` (values, CVs, met flags, verdicts) or from the
standard (thresholds, CV limits, the 85 % floor); nothing is re-evaluated here, so a chart can
never disagree with the tables next to it.

Figures are built with `matplotlib.figure.Figure` and the Agg canvas directly, never through
pyplot, so rendering keeps no global state and is safe in a server. All text is set in the CJK
font shipped with the project (see `fonts.py`) so Chinese renders the same on every machine.
Sizes are for an A4 portrait page: 16 cm wide at 180 dpi.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.text import Text

from junheng.core.evaluate import Evaluation
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Item
from junheng.reports.fonts import cjk_font

DPI = 180
WIDTH_CM = 16.0
_CM = 1 / 2.54

# Colours chosen to stay distinguishable when printed in greyscale (different lightness).
BLUE = "#4472C4"
ORANGE = "#ED7D31"
RED = "#C00000"
GREY = "#A6A6A6"
DARK = "#404040"
GREEN_LINE = "#375623"

SHORT_NAMES: dict[str, str] = {
    "R1": "高于规定学历教师数",
    "R2": "县级以上骨干教师数",
    "R3": "体育艺术专任教师数",
    "R4": "生均教学及辅助用房面积",
    "R5": "生均体育运动场馆面积",
    "R6": "生均教学仪器设备值",
    "R7": "网络多媒体教室数",
}
"""Short Chinese names of the resource indicators, for axis labels where the full name is too
long; any other item falls back to its full name."""

_PART_ORDER: tuple[str, ...] = ("R", "G", "Q", "S", "V")
_VERDICT = {True: "达标", False: "未达标", None: "无法判定"}
_VETO = {True: "无否决情形", False: "存在否决情形", None: "无法判定"}

# Long words in school names replaced by their usual short forms so rotated labels stay short.
_NAME_SHORTENINGS: tuple[tuple[str, str], ...] = (
    ("十二年一贯制学校", "十二年一贯制"),
    ("九年一贯制学校", "九年一贯制"),
    ("初级中学", "初中"),
)
_MAX_LABEL_CHARS = 9
# white backing behind value labels so threshold lines crossing them do not hide digits
_BACKING: dict[str, Any] = {"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85}


def short_name(item: Item) -> str:
    """A short Chinese name of an indicator for chart labels."""
    return SHORT_NAMES.get(item.id, item.name)


def cv_chart(evaluation: Evaluation, county: str, level: str) -> bytes:
    """Horizontal bars of the seven CVs of one level, with the CV limit and failing bars in red."""
    return _png(_cv_figure(evaluation, county, level))


def indicator_chart(evaluation: Evaluation, county: str, level: str, indicator: str) -> bytes:
    """Every in-scope school's value of one indicator, sorted descending, with the threshold
    and the 85 % line."""
    return _png(_indicator_figure(evaluation, county, level, indicator))


def parts_chart(evaluation: Evaluation, county: str) -> bytes:
    """A row of boxes: the verdict of each part and how many of its items pass."""
    return _png(_parts_figure(evaluation, county))


def school_chart(evaluation: Evaluation, county: str, school_id: str, level: str) -> bytes:
    """One segment's resource values as a percentage of their thresholds."""
    return _png(_school_figure(evaluation, county, school_id, level))


# ---------------------------------------------------------------------------------------------
# figures


def _cv_figure(evaluation: Evaluation, county: str, level: str) -> Figure:
    _check_county(evaluation, county)
    level_zh = _level_zh(level)
    items = evaluation.standard.ratio_items
    by_indicator = {
        r["indicator"]: r
        for r in evaluation.balance.filter(
            (pl.col("county") == county) & (pl.col("level") == level)
        ).iter_rows(named=True)
    }
    rows = [by_indicator.get(item.id) for item in items]
    limits = [
        r["limit"] if r else item.cv_limit.get(level) for r, item in zip(rows, items, strict=True)
    ]
    cvs: list[float | None] = [r["cv"] if r else None for r in rows]
    passes: list[bool | None] = [r["passes"] if r else None for r in rows]

    fig = _figure(1.1 * len(items) + 2.2)
    ax = fig.add_subplot()
    ys = list(range(len(items)))[::-1]
    known = [v for v in cvs if v is not None]
    x_max = max([*known, *(x for x in limits if x is not None), 0.1]) * 1.28
    for y, cv, ok in zip(ys, cvs, passes, strict=True):
        if cv is None:
            ax.text(x_max * 0.01, y, "无法计算", va="center", ha="left", color=DARK, fontsize=8)
            continue
        color = RED if ok is False else (BLUE if ok else GREY)
        ax.barh(y, cv, height=0.62, color=color)
    for y, cv, limit in zip(ys, cvs, limits, strict=True):
        if cv is not None:
            ax.text(
                cv + x_max * 0.01,
                y,
                _cv_text(cv, limit),
                va="center",
                ha="left",
                fontsize=8,
                color=DARK,
            )
    distinct = {x for x in limits if x is not None}
    if len(distinct) == 1:
        limit = distinct.pop()
        ax.axvline(limit, color=RED, linestyle="--", linewidth=1.1)
        ax.text(
            limit,
            1.01,
            f"限值 {limit:.2f}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color=RED,
        )
    else:
        # limits that differ by indicator are drawn per bar
        for y, limit in zip(ys, limits, strict=True):
            if limit is not None:
                ax.plot([limit, limit], [y - 0.42, y + 0.42], color=RED, linestyle="--", lw=1.1)
    ax.set_yticks(ys, [f"{item.id} {short_name(item)}" for item in items])
    ax.set_xlim(0, x_max)
    ax.set_ylim(-0.6, len(items) - 0.4)
    ax.set_xlabel("差异系数", fontsize=9)
    _tidy(ax, grid_axis="x")
    counts = []
    if passes.count(False):
        counts.append(f"{passes.count(False)} 项超过限值")
    if passes.count(None):
        counts.append(f"{passes.count(None)} 项无法计算")
    summary = "，".join(counts) or "全部在限值内"
    ax.set_title(f"{county}{level_zh}校际差异系数（{summary}）", fontsize=11, loc="left", pad=16)
    fig.legend(
        handles=[Patch(color=BLUE, label="在限值内"), Patch(color=RED, label="超过限值")],
        loc="outside lower center",
        ncols=2,
        fontsize=7.5,
    )
    return fig


def _indicator_figure(evaluation: Evaluation, county: str, level: str, indicator: str) -> Figure:
    _check_county(evaluation, county)
    level_zh = _level_zh(level)
    item = _ratio_item(evaluation, indicator)
    threshold = item.threshold[level]
    floor_ratio = evaluation.standard.segment_rule.floor_ratio
    floor = threshold * floor_ratio
    rows = (
        evaluation.segments.filter(
            (pl.col("county") == county) & (pl.col("level") == level) & pl.col("in_scope")
        )
        .select(
            "name",
            pl.col(indicator).alias("value"),
            pl.col(f"{indicator}_met").alias("met"),
            pl.col(f"{indicator}_floor_ok").alias("floor_ok"),
        )
        .sort("value", descending=True, nulls_last=True, maintain_order=True)
    )
    n = rows.height
    title = f"{county}{level_zh} {item.id} {item.name}"
    if n == 0:
        fig = _figure(5.0)
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"没有纳入评估范围的{level_zh}学段", ha="center", va="center")
        ax.set_axis_off()
        ax.set_title(title, fontsize=11, loc="left")
        return fig

    bars = _Bars(
        names=[_abbreviate(name, county) for name in rows["name"]],
        values=rows["value"].to_list(),
        colors=[_bar_color(v, m, f) for v, m, f in rows.select("value", "met", "floor_ok").rows()],
        threshold=threshold,
        floor=floor,
        floor_ratio=floor_ratio,
    )
    # Up to 40 schools, upright bars with rotated names fit 16 cm; beyond that the rotated names
    # would have to shrink below a printable size, so the bars lie down and the page grows.
    if n > _LABELLED_MAX:
        # Hundreds of names cannot be printed legibly: show the sorted distribution against
        # the lines; the failing schools are named in the report's tables.
        fig = _figure(9.0)
        ax = fig.add_subplot()
        _distribution_bars(ax, bars)
        ax.set_ylabel(_unit_label(item), fontsize=9)
        ax.set_xlabel(f"{n} 所学校，按数值从高到低排列（未达标学校见表格）", fontsize=8)
    elif n <= _UPRIGHT_MAX:
        fig = _figure(11.5 if n > 12 else 9.0)
        ax = fig.add_subplot()
        _upright_bars(ax, bars)
        ax.set_ylabel(_unit_label(item), fontsize=9)
    else:
        fig = _figure(min(3.6 + 0.34 * n, 24.0))
        ax = fig.add_subplot()
        _lying_bars(ax, bars)
        ax.set_xlabel(_unit_label(item), fontsize=9)
    below = sum(1 for c in bars.colors if c in (ORANGE, RED))
    under_floor = bars.colors.count(RED)
    missing = bars.colors.count(GREY)
    summary = f"{n} 所学校：{n - below - missing} 所达到标准值"
    if below:
        summary += f"，{below} 所低于标准值"
    if under_floor:
        summary += f"（其中 {under_floor} 所低于{floor_ratio:.0%}）"
    if missing:
        summary += f"，{missing} 所缺数据"
    # the lying layout labels its lines above the plot, so the title keeps clear of them
    pad = 16.0 if _UPRIGHT_MAX < n <= _LABELLED_MAX else 6.0
    ax.set_title(f"{title}\n{summary}", fontsize=10, loc="left", pad=pad)
    handles = [
        Patch(color=BLUE, label="达到标准值"),
        Patch(color=ORANGE, label=f"低于标准值、不低于{floor_ratio:.0%}"),
        Patch(color=RED, label=f"低于标准值的{floor_ratio:.0%}"),
    ]
    if missing:
        handles.append(Patch(color=GREY, label="缺数据"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=7.5)
    return fig


_UPRIGHT_MAX = 40
_LABELLED_MAX = 80


@dataclass(frozen=True)
class _Bars:
    names: list[str]
    values: list[float | None]
    colors: list[str]
    threshold: float
    floor: float
    floor_ratio: float

    @property
    def top(self) -> float:
        return max([*(v for v in self.values if v is not None), self.threshold]) * 1.12


def _upright_bars(ax: Any, bars: _Bars) -> None:
    n, top = len(bars.values), bars.top
    xs = list(range(n))
    ax.bar(xs, [v or 0.0 for v in bars.values], width=0.72, color=bars.colors)
    for x, v, c in zip(xs, bars.values, bars.colors, strict=True):
        if v is None:
            ax.text(x, top * 0.01, "缺数据", rotation=90, ha="center", va="bottom", fontsize=6.5)
        elif n <= 20 or c in (ORANGE, RED):
            ax.text(
                x,
                v + top * 0.01,
                _value_text(v),
                rotation=0 if n <= 12 else 90,
                ha="center",
                va="bottom",
                fontsize=7 if n <= 20 else 6.5,
                color=DARK,
                bbox=_BACKING,
            )
    _threshold_lines(ax, bars)
    _tidy(ax, grid_axis="y")
    ax.set_xticks(xs, bars.names)
    size = 8 if n <= 20 else 7
    ax.tick_params(axis="x", labelrotation=90 if n > 8 else 0, labelsize=size, length=0)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, top)


def _threshold_lines(ax: Any, bars: _Bars) -> None:
    """The threshold and 85 % lines across upright bars, labelled in the right margin."""
    ax.axhline(bars.threshold, color=GREEN_LINE, linestyle="--", linewidth=1.1)
    ax.axhline(bars.floor, color=RED, linestyle=":", linewidth=1.3)
    # labels in the right margin: the threshold above its line, the 85 % line below its own,
    # so the two never overlap however close they are on the scale
    right = ax.get_yaxis_transform()
    ax.text(
        1.005,
        bars.threshold,
        f"标准值\n{_value_text(bars.threshold)}",
        transform=right,
        ha="left",
        va="bottom",
        fontsize=7.5,
        color=GREEN_LINE,
    )
    ax.text(
        1.005,
        bars.floor,
        f"{bars.floor_ratio:.0%}线\n{_value_text(bars.floor)}",
        transform=right,
        ha="left",
        va="top",
        fontsize=7.5,
        color=RED,
    )


def _distribution_bars(ax: Any, bars: _Bars) -> None:
    n, top = len(bars.values), bars.top
    xs = list(range(n))
    ax.bar(xs, [v or 0.0 for v in bars.values], width=1.0, color=bars.colors, linewidth=0)
    _threshold_lines(ax, bars)
    _tidy(ax, grid_axis="y")
    ax.set_xticks([])
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, top)


def _lying_bars(ax: Any, bars: _Bars) -> None:
    n, top = len(bars.values), bars.top
    ys = list(range(n))[::-1]
    ax.barh(ys, [v or 0.0 for v in bars.values], height=0.7, color=bars.colors)
    size = 7 if n <= 60 else 6
    for y, v, c in zip(ys, bars.values, bars.colors, strict=True):
        if v is None:
            ax.text(top * 0.005, y, "缺数据", va="center", ha="left", fontsize=size)
        elif c in (ORANGE, RED):
            ax.text(
                v + top * 0.005,
                y,
                _value_text(v),
                va="center",
                ha="left",
                fontsize=size,
                color=DARK,
                bbox=_BACKING,
            )
    ax.axvline(bars.threshold, color=GREEN_LINE, linestyle="--", linewidth=1.1)
    ax.axvline(bars.floor, color=RED, linestyle=":", linewidth=1.3)
    # the threshold label to the right of its line, the 85 % label to the left of its own
    above = ax.get_xaxis_transform()
    ax.text(
        bars.threshold,
        1.003,
        f"标准值 {_value_text(bars.threshold)}",
        transform=above,
        ha="left",
        va="bottom",
        fontsize=7.5,
        color=GREEN_LINE,
    )
    ax.text(
        bars.floor,
        1.003,
        f"{bars.floor_ratio:.0%}线 {_value_text(bars.floor)}",
        transform=above,
        ha="right",
        va="bottom",
        fontsize=7.5,
        color=RED,
    )
    _tidy(ax, grid_axis="x")
    ax.set_yticks(ys, bars.names)
    ax.tick_params(axis="y", labelsize=size, length=0)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, top)


def _parts_figure(evaluation: Evaluation, county: str) -> Figure:
    _check_county(evaluation, county)
    verdict = evaluation.verdicts[county]
    results = evaluation.items[county]
    segments = evaluation.segments.filter((pl.col("county") == county) & pl.col("in_scope"))
    balance = evaluation.balance.filter(pl.col("county") == county)

    # boxes are placed by hand, so no layout engine
    fig = _figure(5.2, constrained=False)
    ax = fig.add_axes((0, 0, 1, 0.80))
    ax.set_xlim(0, len(_PART_ORDER))
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    for i, key in enumerate(_PART_ORDER):
        part = verdict.parts[key]
        if key == "R":
            seg = segments["passes"].to_list()
            cv = balance["passes"].to_list()
            counts = [
                f"学段达标 {seg.count(True)}/{len(seg)}",
                f"差异系数达标 {cv.count(True)}/{len(cv)}",
            ]
        else:
            mine = [r.passes for r in results if evaluation.standard.items[r.item].part == key]
            label = "无此情形" if key == "V" else "符合"
            counts = [f"{label} {mine.count(True)}/{len(mine)} 项"]
            if mine.count(None):
                counts.append(f"无法判定 {mine.count(None)} 项")
        face, edge = _status_colors(part.passes)
        ax.add_patch(
            FancyBboxPatch(
                (i + 0.06, 0.06),
                0.88,
                0.88,
                boxstyle="round,pad=0,rounding_size=0.06",
                facecolor=face,
                edgecolor=edge,
                linewidth=1.4,
            )
        )
        status = (_VETO if key == "V" else _VERDICT)[part.passes]
        ax.text(i + 0.5, 0.77, part.name or key, ha="center", va="center", fontsize=10.5)
        ax.text(i + 0.5, 0.54, status, ha="center", va="center", fontsize=10, color=edge)
        ax.text(i + 0.5, 0.26, "\n".join(counts), ha="center", va="center", fontsize=7.5)
    overall = {
        True: "达到县域义务教育优质均衡发展要求",
        False: "未达到县域义务教育优质均衡发展要求",
        None: "数据不完整，无法判定",
    }[verdict.passes]
    fig.text(0.012, 0.93, f"{county}评估结论：{overall}", fontsize=11, va="center")
    return fig


def _school_figure(evaluation: Evaluation, county: str, school_id: str, level: str) -> Figure:
    _check_county(evaluation, county)
    level_zh = _level_zh(level)
    found = evaluation.segments.filter(
        (pl.col("county") == county)
        & (pl.col("school_id") == school_id)
        & (pl.col("level") == level)
    )
    if found.is_empty():
        raise KeyError(f"{county}没有学校标识码为 {school_id} 的{level_zh}学段")
    row = found.row(0, named=True)
    items = evaluation.standard.ratio_items
    floor_ratio = evaluation.standard.segment_rule.floor_ratio

    # Fixed margins instead of constrained layout: this chart is drawn once per school and
    # level, and the layout engine's measuring passes would dominate the time of 一校一册.
    height_cm = 1.05 * len(items) + 2.6
    fig = _figure(height_cm, constrained=False)
    fig.subplots_adjust(left=0.25, right=0.98, top=1 - 1.55 / height_cm, bottom=1.75 / height_cm)
    ax = fig.add_subplot()
    ys = list(range(len(items)))[::-1]
    shares: list[float | None] = []
    colors: list[str] = []
    for y, item in zip(ys, items, strict=True):
        value, threshold = row[item.id], item.threshold[level]
        share = None if value is None or not threshold else value / threshold * 100
        shares.append(share)
        colors.append(_bar_color(value, row[f"{item.id}_met"], row[f"{item.id}_floor_ok"]))
        if share is None:
            ax.text(2, y, "缺数据", va="center", ha="left", fontsize=8, color=DARK)
    # one call for all bars: separate containers per bar cost more than the bars themselves
    ax.barh(ys, [s or 0.0 for s in shares], height=0.62, color=colors)
    x_max = max([s for s in shares if s is not None] + [110.0]) * 1.42
    for y, item, share in zip(ys, items, shares, strict=True):
        if share is not None:
            met, floor_ok = row[f"{item.id}_met"], row[f"{item.id}_floor_ok"]
            ax.text(
                share + x_max * 0.008,
                y,
                f"{_share_text(share, met, floor_ok, floor_ratio)}"
                f"（{_value_text(row[item.id])} / {_value_text(item.threshold[level])}"
                f"{item.unit}）",
                va="center",
                ha="left",
                fontsize=7.5,
                color=DARK,
            )
    ax.axvline(100, color=GREEN_LINE, linestyle="--", linewidth=1.1)
    ax.axvline(floor_ratio * 100, color=RED, linestyle=":", linewidth=1.3)
    top = ax.get_xaxis_transform()
    ax.text(
        100, 1.01, "标准值", transform=top, ha="left", va="bottom", fontsize=7.5, color=GREEN_LINE
    )
    ax.text(
        floor_ratio * 100,
        1.01,
        f"{floor_ratio:.0%}",
        transform=top,
        ha="right",
        va="bottom",
        fontsize=7.5,
        color=RED,
    )
    ax.set_yticks(ys, [f"{item.id} {short_name(item)}" for item in items])
    ax.set_xlim(0, x_max)
    ax.set_ylim(-0.6, len(items) - 0.4)
    ax.set_xlabel("占标准值的百分比（%）", fontsize=9)
    _tidy(ax, grid_axis="x")
    if row["in_scope"]:
        outcome = f"{row['n_met']} 项达标，结论：{_VERDICT[row['passes']]}"
    else:
        outcome = f"不纳入评估范围（{row['scope_reason']}）"
    ax.set_title(
        f"{row['name']}（{level_zh}，在校生 {row['students']} 人）\n{outcome}",
        fontsize=10,
        loc="left",
        pad=16,
    )
    handles = [
        Patch(color=BLUE, label="达到标准值"),
        Patch(color=ORANGE, label=f"低于标准值、不低于{floor_ratio:.0%}"),
        Patch(color=RED, label=f"低于标准值的{floor_ratio:.0%}"),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=len(handles),
        fontsize=7.5,
        frameon=False,
    )
    return fig


# ---------------------------------------------------------------------------------------------
# helpers


def _figure(height_cm: float, constrained: bool = True) -> Figure:
    fig = Figure(
        figsize=(WIDTH_CM * _CM, height_cm * _CM),
        dpi=DPI,
        layout="constrained" if constrained else None,
    )
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    _use_cjk_font(fig)
    buffer = io.BytesIO()
    # no software/version metadata so the same evaluation always gives the same bytes
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def _use_cjk_font(fig: Figure) -> None:
    """Set every text of the figure in the bundled CJK font, keeping each text's size.

    Collecting the texts also creates the tick labels for the current tick locations; ticks
    added later while drawing copy their font from the first tick of their axis.
    """
    base = cjk_font()
    for text in _texts(fig):
        font = base.copy()
        font.set_size(text.get_fontsize())
        text.set_fontproperties(font)


def _texts(fig: Figure) -> Sequence[Text]:
    found = fig.findobj(Text)
    return [t for t in found if isinstance(t, Text)]


def _check_county(evaluation: Evaluation, county: str) -> None:
    if county not in evaluation.counties:
        raise KeyError(f"评估结果中没有“{county}”")


def _level_zh(level: str) -> str:
    if level not in LEVEL_ZH:
        raise KeyError(f"未知学段“{level}”，可用：{'、'.join(LEVEL_ZH)}")
    return LEVEL_ZH[level]


def _ratio_item(evaluation: Evaluation, indicator: str) -> Item:
    item = evaluation.standard.items.get(indicator)
    if item is None or item.ratio is None:
        known = "、".join(i.id for i in evaluation.standard.ratio_items)
        raise KeyError(f"“{indicator}”不是资源配置指标，可用：{known}")
    return item


def _bar_color(value: float | None, met: bool | None, floor_ok: bool | None) -> str:
    if value is None:
        return GREY
    if met:
        return BLUE
    if floor_ok is False:
        return RED
    return ORANGE


def _status_colors(passes: bool | None) -> tuple[str, str]:
    """(fill, edge) of a verdict box."""
    if passes is True:
        return "#E2F0D9", "#3B6E22"
    if passes is False:
        return "#FBE4E4", RED
    return "#EDEDED", "#595959"


def _cv_text(cv: float, limit: float | None) -> str:
    text = f"{cv:.3f}"
    # a CV just above the limit (0.5004 > 0.50) would read "0.500"; show it in full instead
    if limit is not None and text == f"{limit:.3f}" and cv != limit:
        return f"{cv:.6f}"
    return text


def _share_text(share: float, met: bool | None, floor_ok: bool | None, floor_ratio: float) -> str:
    text = f"{share:.1f}%"
    # a value just below a line must not read as being on it (99.96 % is not 100.0 %)
    if (met is False and text == "100.0%") or (
        floor_ok is False and text == f"{floor_ratio * 100:.1f}%"
    ):
        return f"{share:.4f}%"
    return text


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _unit_label(item: Item) -> str:
    ratio = item.ratio
    per = "每百名学生" if ratio is not None and ratio.factor == 100 else "生均"
    return f"{per}（{item.unit}）" if item.unit else per


def _abbreviate(name: str, county: str) -> str:
    """A school name short enough for a rotated axis label."""
    short = name
    if county and short.startswith(county) and len(short) > len(county) + 1:
        short = short[len(county) :]
    for long, brief in _NAME_SHORTENINGS:
        short = short.replace(long, brief)
    if len(short) > _MAX_LABEL_CHARS:
        short = short[: _MAX_LABEL_CHARS - 1] + "…"
    return short


def _tidy(ax: Any, grid_axis: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color="#D9D9D9", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
