"""The weekly or monthly bulletin (周通报、月通报) of the ledger: period, progress by unit, the
ranking of units, overdue tasks, tasks due soon, problems closed in the period. Pure: tasks are
the core's records and the day is given; the page and the .docx render the same `Bulletin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from junheng.rectification.tasks import (
    Task,
    UnitProgress,
    due_within,
    is_overdue,
    progress_by_unit,
)

PERIODS = {"week": "周", "month": "月"}


@dataclass(frozen=True)
class ClosedProblem:
    title: str
    closed_on: date
    units: str = ""


@dataclass(frozen=True)
class Bulletin:
    county: str
    period: str
    start: date
    end: date
    today: date
    progress: list[UnitProgress]
    ranking: list[UnitProgress]
    overdue: list[Task]
    due: list[Task]
    due_days: int
    closed: list[ClosedProblem]
    total: int
    closed_total: int
    township: str = ""
    """A township's bulletin (its schools' problems), or 县级 (problems without a school in a
    township); "" for the whole county."""

    @property
    def title(self) -> str:
        kind = "周" if self.period == "week" else "月"
        where = f"（{self.township}）" if self.township else ""
        return f"{self.county}义务教育优质均衡发展整改工作{kind}通报{where}"

    @property
    def area(self) -> str:
        """Who the totals are of: 全县, a township, or 县级."""
        return self.township or "全县"

    @property
    def span(self) -> str:
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    def summary(self) -> str:
        share = f"{self.closed_total / self.total:.1%}" if self.total else "—"
        return (
            f"截至{self.today:%Y年%m月%d日}，{self.area}整改任务 {self.total} 项，"
            f"已销号 {self.closed_total} 项（{share}），逾期 {len(self.overdue)} 项；"
            f"本期销号问题 {len(self.closed)} 个，"
            f"{self.due_days} 天内到期任务 {len(self.due)} 项。"
        )


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The week (Monday to today) or the month (the 1st to today) the bulletin reports on."""
    if period == "week":
        return today - timedelta(days=today.weekday()), today
    if period == "month":
        return today.replace(day=1), today
    raise ValueError(f"unknown period {period!r}")


def rank_units(progress: Sequence[UnitProgress]) -> list[UnitProgress]:
    """Units by share closed (highest first), then fewer overdue, then name."""
    return sorted(
        progress,
        key=lambda p: (-(p.closed_share or 0.0), p.overdue, p.unit),
    )


def bulletin(
    county: str,
    tasks: Sequence[Task],
    closed: Sequence[ClosedProblem],
    *,
    period: str,
    today: date,
    due_days: int = 7,
    township: str = "",
) -> Bulletin:
    start, end = period_bounds(period, today)
    progress = progress_by_unit(tasks, today)
    overdue = sorted(
        (t for t in tasks if is_overdue(t, today)), key=lambda t: (t.deadline or today, t.lead_unit)
    )
    in_period = sorted(
        (c for c in closed if start <= c.closed_on <= end), key=lambda c: c.closed_on
    )
    return Bulletin(
        county=county,
        period=period,
        start=start,
        end=end,
        today=today,
        progress=progress,
        ranking=rank_units(progress),
        overdue=overdue,
        due=due_within(tasks, today, due_days),
        due_days=due_days,
        closed=in_period,
        total=len(tasks),
        closed_total=sum(1 for t in tasks if t.status.value == "已销号"),
        township=township,
    )
