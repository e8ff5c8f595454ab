"""A 督学's 待办: visits planned for today or earlier and not recorded; today is Beijing's."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.inspections import kinds
from junheng.web.inspections.models import Visit
from junheng.web.notifications import sources
from junheng.web.notifications.todo import providers, todo_for


@pytest.mark.parametrize("whole_table", [False, True])
def test_planned_visits_due_today_or_overdue(site, monkeypatch, whole_table):
    if whole_table:  # as for a province's users: the visits due read whole, filtered here
        monkeypatch.setattr(sources, "WHOLE_TABLE", 1)
    duxue, duxue2 = site["users"]["duxue"], site["users"]["duxue2"]
    one, two = site["schools"]["one"], site["schools"]["two"]

    def visit(who, school, day, status=kinds.PLANNED):
        return Visit.objects.create(
            inspector=who, school=school, planned_on=day, kind=kinds.REVISIT, status=status
        )

    late = visit(duxue, one, dt.date(2026, 12, 6))
    due = visit(duxue, one, dt.date(2026, 12, 7))
    visit(duxue, one, dt.date(2026, 12, 8))  # tomorrow: not yet
    visit(duxue, one, dt.date(2026, 12, 1), kinds.DONE)  # recorded
    visit(duxue2, two, dt.date(2026, 12, 7))
    from junheng.web.inspections.todo import planned_visits

    assert planned_visits in providers()
    items = planned_visits([duxue, duxue2, site["users"]["admin"]], dt.date(2026, 12, 7))
    assert set(items) == {duxue.pk, duxue2.pk}
    mine = items[duxue.pk]
    assert [(i.url, i.due, i.overdue) for i in mine] == [
        (f"/inspections/visits/{late.pk}/", dt.date(2026, 12, 6), True),
        (f"/inspections/visits/{due.pk}/", dt.date(2026, 12, 7), False),
    ]
    assert mine[0].title == "督导检查：甲县一小（回头看，计划 2026-12-06，已逾期）"
    assert mine[0].county_id == one.county_id
    # through the registry, alongside every other provider
    merged = todo_for([duxue], dt.date(2026, 12, 7))
    assert [i.kind for i in merged[duxue.pk]].count("visit_planned") == 2
