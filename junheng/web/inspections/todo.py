"""待办 of 责任督学: their visits planned for today or earlier and not yet recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse

from junheng.inspections import kinds
from junheng.web.inspections.models import Visit
from junheng.web.notifications.todo import TodoItem


def planned_visits(users: Sequence[AbstractBaseUser], today: date) -> dict[int, list[TodoItem]]:
    """Each 督学's planned visits due today or overdue (one query for all the users)."""
    visits = (
        Visit.objects.filter(
            inspector__in=[u.pk for u in users], status=kinds.PLANNED, planned_on__lte=today
        )
        .select_related("school")
        .order_by("planned_on", "id")
    )
    items: dict[int, list[TodoItem]] = {}
    for visit in visits:
        overdue = visit.planned_on < today
        items.setdefault(visit.inspector_id, []).append(
            TodoItem(
                kind="visit_planned",
                title=f"督导检查：{visit.school.name}（{kinds.KINDS[visit.kind]}，"
                f"计划 {visit.planned_on:%Y-%m-%d}{'，已逾期' if overdue else ''}）",
                url=reverse("inspections_visit", args=[visit.pk]),
                due=visit.planned_on,
                overdue=overdue,
                county_id=visit.school.county_id,
            )
        )
    return items
