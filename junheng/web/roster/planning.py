"""交流轮岗与教师补充 in the web: the planner run on a county's stored roster and data with the
limits its administrator sets, the plan re-evaluated by the engine, and the plan turned into
ledger tasks once (through `junheng.web.rectification.services`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from junheng.core.evaluate import evaluate
from junheng.roster.plan_report import (
    PlanFigures,
    approved_posts,
    plan_figures,
    planned_dataset,
)
from junheng.roster.planner import (
    PlanError,
    PlanLimits,
    RotationPlan,
    default_limits,
    plan_rotation,
    planner_segments,
)
from junheng.roster.planner_input import planner_teachers
from junheng.roster.rules import EligibilityRules
from junheng.web.pages.forecast import standard_for
from junheng.web.rectification.models import Problem, ProblemSource, Unit, UnitKind
from junheng.web.rectification.parties import unit_for_school
from junheng.web.rectification.services import TaskFields, add_problem, save_task
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.roster import services
from junheng.web.selectors import dataset_for


@dataclass(frozen=True)
class PlanRequest:
    """What the county administrator chose on the form."""

    scope: str = "county"
    max_moves: int | None = None
    max_hires: int = 0
    hires_by_subject: tuple[tuple[str, int], ...] = ()
    use_posts: bool = True

    def limits(self) -> PlanLimits:
        return replace(
            default_limits(),
            scope=self.scope,
            max_moves=self.max_moves,
            max_hires=self.max_hires,
            hires_by_subject=dict(self.hires_by_subject),
        )


@dataclass(frozen=True)
class PlanOutcome:
    plan: RotationPlan | None
    figures: PlanFigures | None
    error: str = ""
    posts_used: bool = False
    """Whether approved posts from the staffing table bound the plan."""


def has_posts(county: County, year: SchoolYear) -> bool:
    """Whether the county's 编制与招聘计划 gives approved posts for the year."""
    dataset = dataset_for(county, year)
    return approved_posts(dataset, services.roster_year(year)) is not None


def run_plan(county: County, year: SchoolYear, request: PlanRequest) -> PlanOutcome:
    """The plan for the county's roster and data of the year, and the engine's figures before
    and after it; `error` in Chinese when no plan can be made."""
    number = services.roster_year(year)
    dataset = dataset_for(county, year)
    rules = services.eligibility_for(county)
    teachers = planner_teachers(services.teachers_frame(county, year), number, eligibility=rules)
    posts = approved_posts(dataset, number) if request.use_posts else None
    segments = planner_segments(dataset, posts)
    standard = standard_for(county, year)
    try:
        plan = plan_rotation(teachers, segments, standard, request.limits())
    except PlanError as refused:
        return PlanOutcome(None, None, str(refused), posts is not None)
    after = planned_dataset(dataset, plan, county.name)
    figures = plan_figures(evaluate(dataset, standard), evaluate(after, standard), county.name)
    return PlanOutcome(plan, figures, "", posts is not None)


# ---- ledger tasks ---------------------------------------------------------------------------


class TasksRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plan_title(year: SchoolYear) -> str:
    return f"教师交流轮岗与补充（{year.label}学年）"


def due_date(today: dt.date, rules: EligibilityRules) -> dt.date:
    """The day the moves take effect: the next start of a school year (`school_year_begins`,
    teachers report to their new school then) on or after `today` (local date)."""
    month, day = rules.school_year_begins
    due = dt.date(today.year, month, day)
    return due if due >= today else dt.date(today.year + 1, month, day)


def existing_tasks(county: County, year: SchoolYear) -> Problem | None:
    """The ledger problem a former click made of this year's plan, if any."""
    return (
        Problem.objects.filter(
            county=county, year=year, source=ProblemSource.SELF_CHECK, title=plan_title(year)
        )
        .order_by("pk")
        .first()
    )


def _lead_unit(county: County) -> Unit | None:
    """The education bureau among the ledger's units (a 成员单位 named …教育…), else the leading
    group's office."""
    units = Unit.objects.filter(county=county).order_by("order", "pk")
    return (
        units.filter(kind=UnitKind.DEPARTMENT, name__contains="教育").first()
        or units.filter(kind=UnitKind.OFFICE).first()
    )


def _measures(school_moves: list[dict], school_hires: list[dict]) -> str:
    parts = []
    if school_moves:
        who = "、".join(
            f"{m['teacher_id']}（{m['subject_name']}，自{m['from_school']}）" for m in school_moves
        )
        parts.append(f"交流调入 {len(school_moves)} 人：{who}")
    if school_hires:
        hired = "、".join(f"{h['subject_name']} {h['hires']} 人" for h in school_hires)
        parts.append(f"新招聘：{hired}")
    return "；".join(parts) + "。"


@dataclass(frozen=True)
class TasksOutcome:
    created: bool
    problem: Problem
    tasks: int

    def message(self) -> str:
        if not self.created:
            return (
                f"本学年的方案已生成过整改任务（问题“{self.problem.title}”，"
                f"{self.problem.tasks.count()} 项任务），没有重复生成。"
            )
        return (
            f"已在整改台账登记问题“{self.problem.title}”，"
            f"按接收学校生成 {self.tasks} 项任务，请到整改台账补充责任人和措施。"
        )


def create_tasks(
    county: County,
    year: SchoolYear,
    plan: RotationPlan,
    user: AbstractBaseUser,
    today: dt.date,
) -> TasksOutcome:
    """One problem (自查) for the year's plan and one task per receiving school (its moves in
    and hires), led by the education bureau with the school's unit responsible; a second call
    finds the problem and creates nothing."""
    with transaction.atomic():
        # Two clicks at once wait for each other here, so the second finds the first's problem.
        County.objects.select_for_update().filter(pk=county.pk).first()
        found = existing_tasks(county, year)
        if found is not None:
            return TasksOutcome(False, found, 0)
        if not plan.moves.height and not plan.hires.height:
            raise TasksRefused("方案中没有交流或招聘，不需要生成任务。")
        lead = _lead_unit(county)
        if lead is None:
            raise TasksRefused(
                "整改台账中还没有县教育局（成员单位）或领导小组办公室，无法指定牵头单位；"
                "请先在整改台账的组织机构中登记。"
            )
        problem = add_problem(
            county,
            year,
            source=ProblemSource.SELF_CHECK,
            title=plan_title(year),
            description=plan.summary,
            found_on=today,
            found_by=lead.name,
            item="G11",
            school_name="",
            user=user,
        )
        moves_by: dict[str, list[dict]] = defaultdict(list)
        hires_by: dict[str, list[dict]] = defaultdict(list)
        for m in plan.moves.iter_rows(named=True):
            moves_by[m["to_school_id"]].append(m)
        for h in plan.hires.iter_rows(named=True):
            hires_by[h["school_id"]].append(h)
        ids = sorted(set(moves_by) | set(hires_by))
        schools = {s.school_id: s for s in School.objects.filter(county=county, school_id__in=ids)}
        due = due_date(today, services.eligibility_for(county))
        for sid in ids:
            school = schools[sid]
            save_task(
                problem,
                TaskFields(
                    lead_unit=lead,
                    # the receiving school's own unit (made on first use), so the school
                    # reads and reports on its task
                    responsible_units=[unit_for_school(school)],
                    person="",
                    leader="",
                    measures=f"{school.name}：{_measures(moves_by[sid], hires_by[sid])}",
                    deadline=due,
                    budget_wan=None,
                ),
                user,
            )
    return TasksOutcome(True, problem, len(ids))
