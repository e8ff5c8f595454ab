"""待办 of 责任督学: their visits planned for today or earlier and not yet recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse

from junheng.inspections import kinds
from junheng.web.inspections.models import Visit
from junheng.web.notifications.sources import matching
from junheng.web.notifications.todo import TodoItem


def planned_visits(users: Sequence[AbstractBaseUser], today: date) -> dict[int, list[TodoItem]]:
    """Each 督学's planned visits due today or overdue: one read of those visits for all the
    users (by batches of ids, or the visits due read whole for a province's users)."""
    due = (
        Visit.objects.filter(status=kinds.PLANNED, planned_on__lte=today)
        .order_by("planned_on", "id")
        .values("pk", "inspector_id", "planned_on", "kind", "school__name", "school__county_id")
    )
    items: dict[int, list[TodoItem]] = {}
    for row in matching(due, "inspector_id", [u.pk for u in users]):
        overdue = row["planned_on"] < today
        items.setdefault(row["inspector_id"], []).append(
            TodoItem(
                kind="visit_planned",
                title=f"督导检查：{row['school__name']}（{kinds.KINDS[row['kind']]}，"
                f"计划 {row['planned_on']:%Y-%m-%d}{'，已逾期' if overdue else ''}）",
                url=reverse("inspections_visit", args=[row["pk"]]),
                due=row["planned_on"],
                overdue=overdue,
                county_id=row["school__county_id"],
            )
        )
    return items
