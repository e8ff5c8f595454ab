"""Readiness forecast: "at this pace, by the target year" (按目前进度，能否如期达标).

The pace is the number of closures per week over a recent window; the remaining open items at
that pace give a projected date, compared with the target date. Pure: the day is given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_WINDOW_WEEKS = 4


@dataclass(frozen=True)
class Forecast:
    total: int
    closed: int
    window_weeks: int
    closed_in_window: int
    per_week: float
    """Closures per week over the window."""
    weeks_needed: int | None
    """Whole weeks until every item is closed at that pace (None: no closure in the window)."""
    projected: date | None
    target: date | None
    on_track: bool | None
    """Projected on or before the target; None when there is no pace or no target."""

    @property
    def remaining(self) -> int:
        return self.total - self.closed

    def sentence(self) -> str:
        if self.remaining == 0:
            return f"全部 {self.total} 项已销号。"
        pace = (
            f"近 {self.window_weeks} 周销号 {self.closed_in_window} 项，"
            f"平均每周 {self.per_week:.2f} 项"
        )
        if self.projected is None:
            return f"{pace}；按此进度无法预计完成时间，尚余 {self.remaining} 项未销号。"
        text = (
            f"{pace}；尚余 {self.remaining} 项，约需 {self.weeks_needed} 周，"
            f"预计 {self.projected:%Y年%m月%d日} 全部销号"
        )
        if self.target is None:
            return text + "。"
        if self.on_track:
            return text + f"，早于目标日期 {self.target:%Y年%m月%d日}，可以如期完成。"
        return text + f"，晚于目标日期 {self.target:%Y年%m月%d日}，须加快进度。"


def forecast(
    closed_on: Iterable[date | None],
    total: int,
    today: date,
    target: date | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
) -> Forecast:
    """The forecast from the closure dates of the items closed so far (None for open ones is
    allowed and ignored) out of `total` items.

    The window is the `window_weeks` × 7 days ending today (today included).
    """
    days = [d for d in closed_on if d is not None]
    start = today - timedelta(days=window_weeks * 7 - 1)
    in_window = sum(1 for d in days if start <= d <= today)
    per_week = in_window / window_weeks
    remaining = total - len(days)
    if remaining <= 0:
        return Forecast(
            total,
            len(days),
            window_weeks,
            in_window,
            per_week,
            0,
            today,
            target,
            True if target is None else today <= target,
        )
    if in_window == 0:
        return Forecast(
            total, len(days), window_weeks, in_window, per_week, None, None, target, None
        )
    weeks = math.ceil(remaining / per_week)
    projected = today + timedelta(weeks=weeks)
    on_track = None if target is None else projected <= target
    return Forecast(
        total, len(days), window_weeks, in_window, per_week, weeks, projected, target, on_track
    )
