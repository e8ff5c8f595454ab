"""The system's own 待办 providers (registered in `todo`): school data to fill, fix or review,
ledger tasks due soon or overdue for their units, and tasks waiting for 销号.

Each provider reads all the users it is handed in a few queries (ids in chunks), so the digest
of a whole province costs a handful of queries, not some per user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.urls import get_resolver, get_script_prefix, reverse

from junheng.notifications.rules import rules
from junheng.rectification.tasks import Status as TaskStatus
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import SchoolYearData, Status
from junheng.web.notifications.todo import TodoItem, group, register
from junheng.web.rectification.models import Task, Unit, UnitKind, UnitMember

CHUNK = 500
"""Ids per IN (…) list: well under every database's limit on parameters."""

_T = TypeVar("_T")

OPEN_TASK = (TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value)
"""Statuses in which a task is its units' work (待验收 waits for the county, 已销号 is done)."""


def chunks(ids: Iterable[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for value in ids:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


WHOLE_TABLE = 2000
"""Above this many ids a table is read whole and filtered here: for a province's users, an
IN (…) list of tens of thousands of ids costs the ORM more to build than the rows it spares."""


def matching(queryset: QuerySet, field: str, ids: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The rows (a `values()` queryset, `field` among them) whose `field` is one of `ids`."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > WHOLE_TABLE:
        keep = set(wanted)
        yield from (row for row in queryset if row[field] in keep)
        return
    for batch in chunks(wanted):
        yield from queryset.filter(**{f"{field}__in": batch})


_MARKS = (7_770_000_000_001, 7_770_000_000_002)


@cache
def _pattern(name: str, n: int, prefix: str, resolver: object) -> str:
    return reverse(name, args=list(_MARKS[:n]))


def _part(arg: Any) -> str:
    text = str(arg)
    return text if text.isascii() and text.isalnum() else quote(text, safe="!$&'()*+,;=:@~")


def linker(name: str, n: int) -> Callable[..., str]:
    """`reverse(name, args=…)` for `n` arguments from a pattern reversed once per process and
    URL configuration: a province's digest links tens of thousands of items."""
    url = _pattern(name, n, get_script_prefix(), get_resolver())
    marks = [str(m) for m in _MARKS[:n]]

    def link(*args: Any) -> str:
        filled = url
        for mark, arg in zip(marks, args, strict=True):
            filled = filled.replace(mark, _part(arg), 1)
        return filled

    return link


def link(name: str, *args: Any) -> str:
    """One URL by `linker` (for a few; loops take a `linker` once)."""
    return linker(name, len(args))(*args)


def profiles(users: Sequence[AbstractBaseUser]) -> dict[int, Any]:
    """Role, county, school and township of each user with a profile (user pk → row)."""
    rows = Profile.objects.values("user_id", "role", "county_id", "school_id", "township")
    return {row["user_id"]: row for row in matching(rows, "user_id", (u.pk for u in users))}


def school_data(users: Sequence[AbstractBaseUser], today: date) -> dict[int, list[TodoItem]]:
    """A school user's latest year in 填报中 (to fill) or 退回 (to fix); a county admin's schools
    whose data waits for review."""
    found: dict[int, list[TodoItem]] = defaultdict(list)
    people = profiles(users)
    schools: dict[int, list[int]] = defaultdict(list)
    admins: dict[int, list[int]] = defaultdict(list)
    for pk, p in people.items():
        if p["role"] == Role.SCHOOL_USER and p["school_id"]:
            schools[p["school_id"]].append(pk)
        elif p["role"] == Role.COUNTY_ADMIN and p["county_id"]:
            admins[p["county_id"]].append(pk)
    latest: dict[int, dict[str, Any]] = {}
    years = SchoolYearData.objects.values(
        "school_id", "school__school_id", "school__county_id", "year__label", "status"
    ).order_by("school_id", "year__label")
    for row in matching(years, "school_id", schools):
        latest[row["school_id"]] = row
    school_link = linker("school", 2)
    for school_pk, row in latest.items():
        year = row["year__label"]
        url = school_link(row["school__school_id"], year) + "#data-entry"
        if row["status"] == Status.DRAFT:
            item = TodoItem(
                "school_data_fill",
                f"填报 {year} 学年本校数据并提交审核",
                url,
                county_id=row["school__county_id"],
            )
        elif row["status"] == Status.RETURNED:
            item = TodoItem(
                "school_data_returned",
                f"{year} 学年本校数据被退回：请按退回意见修改后重新提交",
                url,
                county_id=row["school__county_id"],
            )
        else:
            continue
        for pk in schools[school_pk]:
            found[pk].append(item)
    if admins:
        waiting = (
            SchoolYearData.objects.filter(
                status=Status.SUBMITTED, school__county_id__in=list(admins)
            )
            .values("school__county_id", "year__label")
            .annotate(n=Count("id"))
        )
        for row in waiting:
            county_id, year = row["school__county_id"], row["year__label"]
            item = TodoItem(
                "school_data_review",
                f"审核 {row['n']} 所学校提交的 {year} 学年数据",
                link("county_review", county_id, year),
                county_id=county_id,
            )
            for pk in admins[county_id]:
                found[pk].append(item)
    return dict(found)


def units_of(users: Sequence[AbstractBaseUser], people: dict[int, Any]) -> dict[int, set[int]]:
    """The ledger units each user works for: a department's members by membership, a school's
    users through the school's unit, a township's users through the township's unit."""
    units: dict[int, set[int]] = defaultdict(set)
    members = UnitMember.objects.values("user_id", "unit_id")
    for row in matching(members, "user_id", (u.pk for u in users)):
        units[row["user_id"]].add(row["unit_id"])
    by_school: dict[int, list[int]] = defaultdict(list)
    by_town: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, p in people.items():
        if p["role"] == Role.SCHOOL_USER and p["school_id"]:
            by_school[p["school_id"]].append(pk)
        elif p["role"] == Role.TOWNSHIP_USER and p["county_id"] and p["township"]:
            by_town[(p["county_id"], p["township"])].append(pk)
    school_units = Unit.objects.filter(school__isnull=False).values("id", "school_id")
    for row in matching(school_units, "school_id", by_school):
        for pk in by_school[row["school_id"]]:
            units[pk].add(row["id"])
    if by_town:
        counties = sorted({county for county, _ in by_town})
        for batch in chunks(counties):
            for unit_id, county_id, township in Unit.objects.filter(
                county_id__in=batch, kind=UnitKind.TOWN
            ).values_list("id", "county_id", "township"):
                for pk in by_town.get((county_id, township), ()):
                    units[pk].add(unit_id)
    return dict(units)


def ledger_tasks(users: Sequence[AbstractBaseUser], today: date) -> dict[int, list[TodoItem]]:
    """Tasks not yet submitted for 验收 whose deadline is at most `due_soon_days` away or passed,
    for the users of their lead or responsible units; a county admin's tasks waiting for 销号
    and, for admins and leaders, the county's overdue tasks in one line."""
    found: dict[int, list[TodoItem]] = defaultdict(list)
    people = profiles(users)
    units = units_of(users, people)
    users_of_unit: dict[int, list[int]] = defaultdict(list)
    for pk, ids in units.items():
        for unit_id in ids:
            users_of_unit[unit_id].append(pk)
    horizon = rules().due_horizon(today)
    if users_of_unit:
        unit_counties = sorted(
            {
                row["county_id"]
                for row in matching(Unit.objects.values("id", "county_id"), "id", users_of_unit)
            }
        )
        task_link = linker("rectification_task", 1)
        for batch in chunks(unit_counties):
            open_tasks = Task.objects.filter(
                problem__county_id__in=batch, status__in=OPEN_TASK, deadline__lte=horizon
            )
            shared: dict[int, list[int]] = defaultdict(list)
            for task_id, unit_id in Task.responsible_units.through.objects.filter(
                task__in=open_tasks
            ).values_list("task_id", "unit_id"):
                shared[task_id].append(unit_id)
            for row in open_tasks.values(
                "id", "deadline", "lead_unit_id", "problem__title", "problem__county_id"
            ):
                task_units = {row["lead_unit_id"], *shared.get(row["id"], ())}
                receivers = {pk for u in task_units for pk in users_of_unit.get(u, ())}
                if not receivers:
                    continue
                overdue = row["deadline"] < today
                item = TodoItem(
                    "task_overdue" if overdue else "task_due",
                    f"整改任务：{row['problem__title']}",
                    task_link(row["id"]),
                    due=row["deadline"],
                    overdue=overdue,
                    county_id=row["problem__county_id"],
                )
                for pk in receivers:
                    found[pk].append(item)
    heads: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, p in people.items():
        if p["role"] in (Role.COUNTY_ADMIN, Role.LEADER) and p["county_id"]:
            heads[p["county_id"]].append((pk, p["role"]))
    if heads:
        counties = list(heads)
        counts = (
            Task.objects.filter(problem__county_id__in=counties)
            .filter(
                Q(status=TaskStatus.AWAITING_CHECK.value)
                | (~Q(status=TaskStatus.CLOSED.value) & Q(deadline__lt=today))
            )
            .values("problem__county_id", "problem__year__label")
            .annotate(
                waiting=Count("id", filter=Q(status=TaskStatus.AWAITING_CHECK.value)),
                late=Count("id", filter=~Q(status=TaskStatus.CLOSED.value) & Q(deadline__lt=today)),
            )
        )
        for row in counts:
            county_id, year = row["problem__county_id"], row["problem__year__label"]
            for pk, role in heads[county_id]:
                if row["waiting"] and role == Role.COUNTY_ADMIN:
                    found[pk].append(
                        TodoItem(
                            "task_approval",
                            f"验收销号：{row['waiting']} 项整改任务已提交验收（{year} 学年）",
                            link("rectification", county_id, year),
                            county_id=county_id,
                        )
                    )
                if row["late"]:
                    found[pk].append(
                        TodoItem(
                            "task_overdue_county",
                            f"督办：本县 {row['late']} 项整改任务已逾期（{year} 学年）",
                            link("rectification_due", county_id, year),
                            overdue=True,
                            county_id=county_id,
                        )
                    )
    return dict(found)


register(school_data)
register(ledger_tasks)
group("数据填报", "school_data_fill", "school_data_returned")
group("审核与验收", "school_data_review", "task_approval")
group("整改任务", "task_due", "task_overdue", "task_overdue_county")
