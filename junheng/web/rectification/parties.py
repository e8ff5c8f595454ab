"""The ledger seen from a school (一校一案) and from a township (一镇一册): the school's unit made
on demand, the tasks a school or township takes part in, the township of each problem, and the
records `junheng.rectification.books` shows and writes.

A school's gaps are the latest evaluation's problem drafts of that school (`services.drafts_of`,
the same the ledger's generation reads), never computed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from junheng.core.finance import UNIT as MONEY_UNIT
from junheng.core.formatting import fmt_number
from junheng.core.schema import LEVEL_ZH
from junheng.rectification import tasks as core
from junheng.rectification.books import (
    COUNTY_LEVEL,
    Gap,
    PlanProblem,
    PlanTask,
    SchoolPlan,
    TownshipBook,
    township_of_school,
)
from junheng.rectification.problems import ProblemDraft
from junheng.web.accounts.scope import AnyUser, is_school_inspector, township_of
from junheng.web.clock import local_date
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages.lookup import start_year
from junheng.web.rectification import services
from junheng.web.rectification.models import Problem, ProblemStatus, Task, Unit, UnitKind
from junheng.web.rectification.permissions import own_school
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import latest_snapshot

SETUP_NOTES = ("建立整改任务", "修改整改任务")
"""The notes `services.save_task` records: history, not progress reports."""
PROBLEM_STATUS = {
    ProblemStatus.OPEN.value: "整改中",
    ProblemStatus.PROPOSED.value: ProblemStatus.PROPOSED.label,
    ProblemStatus.CLOSED.value: ProblemStatus.CLOSED.label,
}


def gap_text(numbers: dict[str, Any]) -> str:
    """差距 as people write it: money to the fen with thousands separators ("少 2,852,000.00
    元"); other amounts with separators and decimals only when they have them ("3 间",
    "1,234.50 平方米"). "" without a gap."""
    gap = numbers.get("gap")
    if gap is None:
        return ""
    unit = numbers.get("gap_unit") or ""
    decimals = 2 if unit == MONEY_UNIT or not float(gap).is_integer() else 0
    text = f"{numbers.get('gap_what') or ''} {fmt_number(gap, decimals, thousands=True)} {unit}"
    return text.strip()


# ---- parties --------------------------------------------------------------------------------


def unit_for_school(school: School) -> Unit:
    """The school's ledger unit (kind 学校), made on first use and named after the school; a
    county unit of the same name already taken gives the school's unit "（学校）" after it."""
    existing = Unit.objects.filter(school=school).first()
    if existing is not None:
        return existing
    name = school.name
    if Unit.objects.filter(county_id=school.county_id, name=name).exists():
        name = f"{school.name}（学校）"
    try:
        with transaction.atomic():
            return Unit.objects.create(
                county_id=school.county_id,
                kind=UnitKind.SCHOOL,
                school=school,
                name=name[:100],
                order=Unit.objects.filter(county_id=school.county_id).count(),
            )
    except IntegrityError:
        # made at the same moment by another request: theirs is the school's unit
        return Unit.objects.get(school=school)


def township_units(county: County | int, township: str) -> QuerySet[Unit]:
    county_id = county if isinstance(county, int) else county.pk
    return Unit.objects.filter(county_id=county_id, kind=UnitKind.TOWN, township=township)


def school_townships(county: County) -> dict[str, str]:
    """Each school's 标识码 → its 乡镇 (schools without one are left out)."""
    return dict(
        School.objects.filter(county=county)
        .exclude(township="")
        .values_list("school_id", "township")
    )


def townships(county: County) -> list[str]:
    return sorted(set(school_townships(county).values()))


def problems_in_township(
    problems: QuerySet[Problem], county: County, township: str
) -> QuerySet[Problem]:
    """The problems of the township's schools; for 县级 those without a school in a township."""
    by_school = school_townships(county)
    if township == COUNTY_LEVEL:
        return problems.exclude(school_id__in=list(by_school))
    return problems.filter(school_id__in=[s for s, t in by_school.items() if t == township])


def tasks_in_township(tasks: Sequence[Task], county: County, township: str) -> list[Task]:
    """Tasks whose problem belongs to the township (`township_of_school`)."""
    by_school = school_townships(county)
    return [t for t in tasks if township_of_school(t.problem.school_id, by_school) == township]


def _task_query(year: SchoolYear, county_id: int) -> QuerySet[Task]:
    return (
        Task.objects.filter(problem__county_id=county_id, problem__year=year)
        .select_related("problem", "problem__year", "lead_unit", "approver")
        .prefetch_related("responsible_units", "updates")
        .order_by("deadline", "id")
    )


def school_tasks(schools: Iterable[School], year: SchoolYear, county_id: int) -> list[Task]:
    """Tasks of the schools' problems and tasks one of the schools' units leads or shares."""
    schools = list(schools)
    ids = [s.school_id for s in schools]
    pks = [s.pk for s in schools]
    return list(
        _task_query(year, county_id)
        .filter(
            Q(problem__school_id__in=ids)
            | Q(lead_unit__school_id__in=pks)
            | Q(pk__in=Task.objects.filter(responsible_units__school_id__in=pks).values("pk"))
        )
        .distinct()
    )


def township_tasks(county: County, township: str, year: SchoolYear) -> list[Task]:
    """Tasks the township's unit leads or shares."""
    units = list(township_units(county, township).values_list("pk", flat=True))
    return list(
        _task_query(year, county.pk).filter(
            Q(lead_unit_id__in=units)
            | Q(pk__in=Task.objects.filter(responsible_units__in=units).values("pk"))
        )
    )


def _belongs(task: Task, school: School) -> bool:
    if task.problem.school_id == school.school_id:
        return True
    units = [task.lead_unit, *task.responsible_units.all()]
    return any(u.school_id == school.pk for u in units)


# ---- records --------------------------------------------------------------------------------


def gaps_by_school(snapshot: Snapshot | None) -> dict[str, list[Gap]]:
    """The latest evaluation's problems of each school (its failing indicators and items)."""
    if snapshot is None:
        return {}
    out: dict[str, list[Gap]] = {}
    for draft in services.drafts_of(snapshot):
        if draft.missing or not draft.school_id:
            continue
        out.setdefault(draft.school_id, []).append(_gap(draft))
    return out


def _gap(draft: ProblemDraft) -> Gap:
    numbers = {"gap": draft.gap, "gap_unit": draft.gap_unit, "gap_what": draft.gap_what}
    return Gap(
        item=draft.item,
        level=LEVEL_ZH.get(draft.level or "", draft.level or ""),
        title=draft.title,
        gap=gap_text(numbers),
        tolerated=draft.tolerated,
    )


def evaluated_text(snapshot: Snapshot | None) -> str:
    """The local day of the evaluation ("" without one)."""
    return f"{local_date(snapshot.created_at):%Y-%m-%d}" if snapshot is not None else ""


def plan_task(task: Task, today: date) -> PlanTask:
    latest = next(
        (u for u in task.updates.all() if u.text and not u.status_to and u.text not in SETUP_NOTES),
        None,
    )
    return PlanTask(
        problem=task.problem.title,
        measures=task.measures,
        lead_unit=task.lead_unit.name,
        responsible="、".join(u.name for u in task.responsible_units.all()),
        person=task.person,
        deadline=task.deadline,
        status=core.display_status(services.core_task(task), today),
        progress=latest.text if latest is not None else "",
        progress_on=local_date(latest.created_at) if latest is not None else None,
        id=task.pk,
    )


def _plan_problem(problem: Problem, tasks: int) -> PlanProblem:
    status = PROBLEM_STATUS.get(problem.status, problem.status)
    if problem.status == ProblemStatus.OPEN and not tasks:
        status = "待部署"
    return PlanProblem(
        title=problem.title,
        number=services.number_of(problem),
        source=problem.get_source_display(),
        status=status,
        found_on=problem.found_on,
        id=problem.pk,
    )


def _plans(
    county: County,
    schools: Sequence[School],
    year: SchoolYear,
    today: date,
    snapshot: Snapshot | None,
) -> list[SchoolPlan]:
    gaps = gaps_by_school(snapshot)
    tasks = school_tasks(schools, year, county.pk)
    problems: dict[str, list[Problem]] = {}
    for p in Problem.objects.filter(
        county=county, year=year, school_id__in=[s.school_id for s in schools]
    ).select_related("year"):
        problems.setdefault(p.school_id, []).append(p)
    counts: dict[int, int] = {}
    for t in tasks:
        counts[t.problem_id] = counts.get(t.problem_id, 0) + 1
    evaluated = evaluated_text(snapshot)
    standard = services.standard_name(snapshot)
    return [
        SchoolPlan(
            county=county.name,
            school=s.name,
            township=s.township,
            year=year.label,
            today=today,
            evaluated=evaluated,
            gaps=tuple(gaps.get(s.school_id, [])),
            problems=tuple(
                _plan_problem(p, counts.get(p.pk, 0)) for p in problems.get(s.school_id, [])
            ),
            tasks=tuple(plan_task(t, today) for t in tasks if _belongs(t, s)),
            school_id=s.school_id,
            standard=standard,
        )
        for s in schools
    ]


def school_plan(school: School, year: SchoolYear, today: date) -> SchoolPlan:
    """一校一案 of the school for the year on `today`."""
    county = school.county
    return _plans(county, [school], year, today, latest_snapshot(county, year))[0]


def township_schools(county: County, township: str) -> list[School]:
    return list(School.objects.filter(county=county, township=township).order_by("school_id"))


def township_book(county: County, township: str, year: SchoolYear, today: date) -> TownshipBook:
    """一镇一册 of the township for the year on `today`."""
    snapshot = latest_snapshot(county, year)
    schools = township_schools(county, township)
    return TownshipBook(
        county=county.name,
        township=township,
        year=year.label,
        today=today,
        evaluated=evaluated_text(snapshot),
        schools=tuple(_plans(county, schools, year, today, snapshot)),
        tasks=tuple(plan_task(t, today) for t in township_tasks(county, township, year)),
        standard=services.standard_name(snapshot),
    )


# ---- where a school's or township's user starts ---------------------------------------------


def own_page_link(user: AnyUser, year: SchoolYear) -> dict[str, str] | None:
    """The page a school user (一校一案), a township user (一镇一册) or a 责任督学 (their
    schools) starts from; None for other roles."""
    school = own_school(user)
    if school is not None:
        return {
            "label": "一校一案",
            "url": reverse("rectification_school", args=[school.school_id, year.label]),
        }
    town = township_of(user)
    if town is not None:
        return {
            "label": "一镇一册",
            "url": reverse("rectification_township", args=[town[0], year.label, town[1]]),
        }
    if is_school_inspector(user):
        return {"label": "责任学校", "url": reverse("rectification_schools")}
    return None


def start_url(user: AnyUser, years: Sequence[SchoolYear]) -> str | None:
    """Where the ledger opens for a school user (their 一校一案 of the school's latest evaluated
    year), a township user (their 一镇一册) and a 责任督学 (their schools); None for others."""
    if not years:
        return None
    school = own_school(user)
    if school is not None:
        year = start_year(school.county, list(years))
        return reverse("rectification_school", args=[school.school_id, year.label])
    town = township_of(user)
    if town is not None:
        county = County.objects.filter(pk=town[0]).first()
        if county is not None:
            year = start_year(county, list(years))
            return reverse("rectification_township", args=[county.pk, year.label, town[1]])
    if is_school_inspector(user):
        return reverse("rectification_schools")
    return None
