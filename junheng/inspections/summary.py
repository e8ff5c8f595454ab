"""Inspection summaries per period (month, quarter, year): visits planned against done per 责任督学
and per school, findings, and the ledger problems opened from visits with their status.

Pure: the caller passes local dates (the site's zone decides which day an instant falls on), so
a visit or a problem belongs to the period of the day people saw it on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

PERIODS: dict[str, str] = {"month": "月", "quarter": "季度", "year": "年"}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    """Inclusive."""

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def span(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def previous(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.kind, self.end + timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year that contains `day`. Raises ValueError for another kind."""
    if kind == "month":
        return Period(kind, date(day.year, day.month, 1), _month_end(day.year, day.month))
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return Period(kind, date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"未知的统计周期：{kind}")


@dataclass(frozen=True)
class VisitFact:
    inspector: str
    school: str
    planned_on: date
    visited_on: date | None
    done: bool
    findings: int = 0


@dataclass(frozen=True)
class ProblemFact:
    inspector: str
    school: str
    opened_on: date
    """The local day the problem was registered in the ledger."""
    closed: bool


@dataclass
class Counts:
    name: str
    planned: int = 0
    """Visits planned for a day of the period (whether done or not)."""
    done: int = 0
    """Visits made on a day of the period."""
    overdue: int = 0
    """Planned in the period, not done, and the planned day has passed."""
    findings: int = 0
    """Findings of the visits made in the period."""
    problems: int = 0
    """Problems registered in the ledger on a day of the period, from visits of this period or
    an earlier one (a finding may be registered days after its visit) and 回头看 rebounds: the
    pages say so, since this count is not a part of `findings`."""
    closed: int = 0
    """Of those, closed (已销号) now."""

    @property
    def open(self) -> int:
        return self.problems - self.closed


@dataclass(frozen=True)
class Summary:
    period: Period
    by_inspector: list[Counts]
    by_school: list[Counts]
    total: Counts = field(default_factory=lambda: Counts("合计"))


def summarise(
    period: Period, visits: Iterable[VisitFact], problems: Iterable[ProblemFact], today: date
) -> Summary:
    """Counts per 责任督学 and school for the period; rows sorted by name, a total at the end."""
    inspectors: dict[str, Counts] = {}
    schools: dict[str, Counts] = {}
    total = Counts("合计")

    def rows(inspector: str, school: str) -> tuple[Counts, ...]:
        return (
            inspectors.setdefault(inspector, Counts(inspector)),
            schools.setdefault(school, Counts(school)),
            total,
        )

    for visit in visits:
        planned = visit.planned_on in period
        done = visit.done and visit.visited_on in period
        if not (planned or done):
            continue
        for counts in rows(visit.inspector, visit.school):
            if planned:
                counts.planned += 1
                if not visit.done and visit.planned_on < today:
                    counts.overdue += 1
            if done:
                counts.done += 1
                counts.findings += visit.findings
    for problem in problems:
        if problem.opened_on not in period:
            continue
        for counts in rows(problem.inspector, problem.school):
            counts.problems += 1
            counts.closed += int(problem.closed)
    return Summary(
        period=period,
        by_inspector=sorted(inspectors.values(), key=lambda c: c.name),
        by_school=sorted(schools.values(), key=lambda c: c.name),
        total=total,
    )
