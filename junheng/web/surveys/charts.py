"""ECharts options of the survey results, built in Python from the same rows as the tables under
them (see `junheng.web.pages.charts` for the conventions: plain JSON, a phone variant)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from junheng.core.formatting import fmt_plain
from junheng.survey.scoring import Rate, Requirement
from junheng.web.pages.charts import (
    FAIL,
    OK,
    Chart,
    _base,
    _line_label,
    _responsive,
    stacked_series,
)

BAR_HEIGHT = 30
"""Pixels per bar of the horizontal charts; the chart grows with its rows."""


def _percent(rate: Rate) -> float | str:
    return "-" if rate.rate is None else round(rate.rate * 100, 1)


def rate_chart(
    chart_id: str,
    title: str,
    rows: list[tuple[str, Rate]],
    requirement: Requirement,
    narrow_labels: list[str] | None = None,
) -> Chart:
    """One bar per row (its 认可度 in %), green where the requirement is met and red where not,
    with the requirement as a line; `narrow_labels` replace long names on a phone."""
    line = round(requirement.threshold * 100, 6)
    # a row without answers has no bar; its table row says 无有效答案
    judged = dict(
        zip(
            (id(rate) for _, rate in rows),
            requirement.passes_all([rate.rate for _, rate in rows]),
            strict=True,
        )
    )
    groups: tuple[tuple[str, str, Callable[[Rate], bool]], ...] = (
        ("达到要求", OK, lambda rate: judged[id(rate)] is True),
        ("未达到要求", FAIL, lambda rate: judged[id(rate)] is False),
    )
    series = stacked_series(
        groups,
        [rate for _, rate in rows],
        _percent,
        "verdict",
        barMaxWidth=20,
        label={"show": True, "position": "right", "formatter": "{c}%"},
    )
    if series:
        series[0]["markLine"] = {
            "symbol": "none",
            "silent": True,
            "lineStyle": {"color": FAIL, "type": "dashed", "width": 2},
            "label": _line_label(f"要求 {fmt_plain(line)}%", FAIL, "start"),
            "data": [{"xAxis": line}],
        }
    base = _base(
        tooltip={"trigger": "item", "formatter": "{b}<br/>{a}：认可度 {c}%"},
        legend={"top": 0},
        grid={"left": 8, "right": 48, "top": 52, "bottom": 8, "containLabel": True},
        xAxis={"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        yAxis={"type": "category", "inverse": True, "data": [name for name, _ in rows]},
        series=series,
    )
    narrow: dict[str, Any] = {"grid": {"right": 40, "top": 60}}
    if narrow_labels is not None:
        narrow["yAxis"] = {"data": narrow_labels}
    return Chart(chart_id, title, _responsive(base, narrow), BAR_HEIGHT * len(rows) + 100)
