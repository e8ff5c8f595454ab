"""Periods and counts of the inspection summary (pure), on hand-made facts."""

from __future__ import annotations

from datetime import date

import pytest

from junheng.inspections.summary import ProblemFact, VisitFact, period_of, summarise


@pytest.mark.parametrize(
    "kind,day,start,end,label",
    [
        ("month", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
        ("month", date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), "2028年2月"),
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), "2026年12月"),
        ("quarter", date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31), "2026年第1季度"),
        ("quarter", date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), "2026年第2季度"),
        ("quarter", date(2026, 11, 30), date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度"),
        ("year", date(2026, 7, 1), date(2026, 1, 1), date(2026, 12, 31), "2026年"),
    ],
)
def test_periods(kind, day, start, end, label):
    period = period_of(kind, day)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert start in period and end in period
    assert period.previous().end == date.fromordinal(start.toordinal() - 1)
    assert period.next().start == date.fromordinal(end.toordinal() + 1)


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="未知的统计周期"):
        period_of("week", date(2026, 1, 1))


def test_counts_at_the_edges_of_a_month():
    november = period_of("month", date(2026, 11, 1))
    visits = [
        # planned in October, done on 1 November: done in November, not planned there
        VisitFact("甲", "一小", date(2026, 10, 31), date(2026, 11, 1), True, findings=2),
        # planned on 30 November, done on 1 December: planned in November, done in December
        VisitFact("甲", "一小", date(2026, 11, 30), date(2026, 12, 1), True, findings=5),
        # planned on 20 November, not done, today 25 November: overdue
        VisitFact("乙", "二小", date(2026, 11, 20), None, False),
        # planned on 25 November (today): not overdue yet
        VisitFact("乙", "二小", date(2026, 11, 25), None, False),
    ]
    problems = [
        ProblemFact("甲", "一小", date(2026, 11, 1), closed=True),
        ProblemFact("甲", "一小", date(2026, 12, 1), closed=False),
        ProblemFact("乙", "二小", date(2026, 11, 30), closed=False),
    ]
    result = summarise(november, visits, problems, today=date(2026, 11, 25))
    by = {c.name: c for c in result.by_inspector}
    # 甲: planned 1 (11-30), done 1 (11-01, 2 findings), problems 1 (11-01, closed)
    assert (by["甲"].planned, by["甲"].done, by["甲"].findings) == (1, 1, 2)
    assert (by["甲"].problems, by["甲"].closed, by["甲"].open) == (1, 1, 0)
    # 乙: planned 2, one overdue, none done, one problem open
    assert (by["乙"].planned, by["乙"].done, by["乙"].overdue, by["乙"].problems) == (2, 0, 1, 1)
    total = result.total
    assert (total.planned, total.done, total.overdue, total.findings) == (3, 1, 1, 2)
    assert (total.problems, total.closed) == (2, 1)
    assert [c.name for c in result.by_school] == ["一小", "二小"]
