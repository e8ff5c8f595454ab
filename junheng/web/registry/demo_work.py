"""The creation work of the demo county, so that every demo account finds something to look at:
the 2026 problem list drawn from the evaluation, an organisation with the 石桥镇 township unit,
a task per problem (the demo school and the township lead some, so `school` and `township` have
work in their 待办), progress reports, the 责任督学's visits (two planned, one made with a
finding in the ledger), a meeting whose decisions become tasks, a plan with its phases and the
county's public progress page with last week's bulletin.

Everything goes through the services the pages use (`rectification.services`,
`inspections.services`, `appraisal.services`, `public.services`), so the rows are those a county
would have made by hand. Dates are counted from the local day (`web.clock.today`) of the first
run. Each part is made only when the county has none of it yet: a second run adds nothing, and a
county that has started its own ledger keeps it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse

from junheng.inspections import kinds
from junheng.rectification import tasks as task_rules
from junheng.web.appraisal import services as appraisal
from junheng.web.appraisal.models import Meeting, MeetingKind
from junheng.web.clock import today
from junheng.web.inspections import services as inspections
from junheng.web.inspections.models import Visit
from junheng.web.public import services as public
from junheng.web.public.models import PublicPage
from junheng.web.rectification import parties, reports
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import (
    Milestone,
    Phase,
    PhaseKind,
    Plan,
    Problem,
    ProblemSource,
    Task,
    Unit,
    UnitKind,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import latest_snapshot

Echo = Callable[[str], None]

TOWNSHIP_UNIT = "石桥镇中心校"
"""The township's unit in the ledger: the `township` account's tasks are this unit's."""
DEPARTMENTS = (
    ("县教育局", "牵头组织优质均衡创建，统筹学校建设、教师配置和装备配备"),
    ("县财政局", "保障创建经费，落实两个只增不减"),
    ("县人力资源和社会保障局", "核定编制，组织教师招聘"),
)
LEAD_DEPARTMENT = DEPARTMENTS[0][0]

# Deadlines of the evaluation problems' tasks, in days from the first run, taken in turn: a few
# overdue and due within the week (the 待办 lists and the bulletin have something to show), most
# later in the school year.
DEADLINE_DAYS = (30, -3, 60, 5, 90, -12, 120, 45)
DEMO_SCHOOL_DAYS = 5
"""The demo school's own task is due within the week, so it is in the `school` account's 待办."""
TOWNSHIP_DAYS = -3
"""The township's tasks are three days overdue: 逾期 in the `township` account's 待办."""

PLANNED_VISITS = ((0, kinds.ROUTINE), (3, kinds.SPECIAL))
"""The 责任督学's planned visits: today (in their 待办 now) and in three days."""
PAST_VISIT_DAYS = 10


@dataclass(frozen=True)
class DemoCast:
    """Who does what in the demo's creation work."""

    admin: AbstractBaseUser
    county_admin: AbstractBaseUser
    school_user: AbstractBaseUser | None
    duxue: AbstractBaseUser | None


def _user(username: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(username=username).first()


def ensure_units(county: County, township: str) -> dict[str, Unit]:
    """The county's departments and the township's unit, each made once by name."""
    units: dict[str, Unit] = {}
    with transaction.atomic():
        for order, (name, duties) in enumerate(DEPARTMENTS, start=1):
            units[name], _ = Unit.objects.get_or_create(
                county=county,
                name=name,
                defaults={"kind": UnitKind.DEPARTMENT, "duties": duties, "order": order},
            )
        units[TOWNSHIP_UNIT], _ = Unit.objects.get_or_create(
            county=county,
            name=TOWNSHIP_UNIT,
            defaults={
                "kind": UnitKind.TOWN,
                "township": township,
                "duties": f"组织{township}各校落实整改任务",
                "order": len(DEPARTMENTS) + 1,
            },
        )
    return units


def _fields(
    lead: Unit, responsible: list[Unit], measures: str, deadline: dt.date
) -> ledger.TaskFields:
    return ledger.TaskFields(
        lead_unit=lead,
        responsible_units=responsible,
        person="",
        leader="",
        measures=measures,
        deadline=deadline,
        budget_wan=None,
    )


def _measures(problem: Problem) -> str:
    gap = parties.gap_text(problem.numbers or {})
    return f"制定整改方案，{gap}，按期补足" if gap else "制定整改方案，明确责任和时限，按期整改到位"


def ledger_from_evaluation(
    county: County,
    year: SchoolYear,
    units: dict[str, Unit],
    cast: DemoCast,
    demo_school: str,
    township: str,
    echo: Echo,
) -> None:
    """The year's problems drawn from its latest evaluation and a task for each: a school's
    problem led by the school (the demo school's) or by the township unit with the school
    responsible (the township's other schools), the county's problems by 县教育局."""
    snapshot = latest_snapshot(county, year)
    if snapshot is None:
        return
    if not Problem.objects.filter(
        county=county, year=year, source=ProblemSource.EVALUATION
    ).exists():
        result = ledger.generate_problems(county, year, snapshot, cast.county_admin)
        echo(f"示范县 {year.label} 年整改台账：{result.message()}")
    if Task.objects.filter(problem__county=county, problem__year=year).exists():
        return
    day = today()
    schools = {s.school_id: s for s in School.objects.filter(county=county)}
    department = units[LEAD_DEPARTMENT]
    town = units[TOWNSHIP_UNIT]
    problems = Problem.objects.filter(
        county=county, year=year, source=ProblemSource.EVALUATION
    ).order_by("pk")
    made = 0
    school_led = False
    for index, problem in enumerate(problems):
        school = schools.get(problem.school_id) if problem.school_id else None
        deadline = day + dt.timedelta(days=DEADLINE_DAYS[index % len(DEADLINE_DAYS)])
        if school is not None and school.name == demo_school and not school_led:
            # the demo school's first problem is its own; the others the township leads
            lead, responsible = parties.unit_for_school(school), [town]
            deadline, school_led = day + dt.timedelta(days=DEMO_SCHOOL_DAYS), True
        elif school is not None and school.township == township:
            lead, responsible = town, [parties.unit_for_school(school)]
            deadline = day + dt.timedelta(days=TOWNSHIP_DAYS)
        elif school is not None:
            lead, responsible = parties.unit_for_school(school), [department]
        else:
            lead, responsible = department, []
        task = ledger.save_task(
            problem, _fields(lead, responsible, _measures(problem), deadline), cast.county_admin
        )
        made += 1
        # every third task under way, with a progress report of its lead unit
        if index % 3 == 0:
            reporter = cast.school_user if school and school.name == demo_school else None
            ledger.add_progress(
                task, reporter or cast.county_admin, "已制定整改方案，正在落实。", []
            )
    echo(f"已为 {made} 个问题建立整改任务。")


def inspection_work(
    county: County, units: dict[str, Unit], cast: DemoCast, township: str, echo: Echo
) -> None:
    """The 责任督学's visits: two planned (today and in three days) and one made ten days ago
    whose finding is in the ledger, led by the school and awaiting the county's 验收."""
    if cast.duxue is None or Visit.objects.filter(inspector=cast.duxue).exists():
        return
    schools = list(
        School.objects.filter(county=county, township=township).order_by("school_id")[:3]
    )
    if len(schools) < 3:
        return
    day = today()
    for (days, kind), school in zip(PLANNED_VISITS, schools[:2], strict=True):
        inspections.plan_visit(
            school, cast.duxue, day + dt.timedelta(days=days), kind, cast.county_admin
        )
    school = schools[2]
    visited = day - dt.timedelta(days=PAST_VISIT_DAYS)
    visit = inspections.plan_visit(school, cast.duxue, visited, kinds.ROUTINE, cast.county_admin)
    inspections.record_visit(
        visit,
        visited_on=visited,
        people_met="校长、分管副校长、音乐教师",
        remarks="办学条件总体良好，音乐教室被挪作储物间，需尽快恢复使用。",
        answers={
            "R4-rooms": (kinds.NOT_MET, "音乐教室堆放杂物，未正常开课"),
            "R5-sports": (kinds.MET, ""),
        },
    )
    finding = inspections.add_finding(
        visit,
        title=f"{school.name}音乐教室被挪作储物间",
        item="R4",
        description="音乐教室堆放课桌椅等杂物，音乐课在普通教室上。",
        photos=[],
        user=cast.duxue,
    )
    problem, _ = inspections.finding_problem(finding, cast.duxue)
    task = ledger.save_task(
        problem,
        _fields(
            parties.unit_for_school(school),
            [units[TOWNSHIP_UNIT]],
            "清理音乐教室，恢复音乐课正常使用",
            day + dt.timedelta(days=20),
        ),
        cast.county_admin,
    )
    ledger.add_progress(task, cast.county_admin, "杂物已清理，音乐教室已恢复使用。", [])
    ledger.step(task, task_rules.Status.AWAITING_CHECK.value, cast.county_admin)
    echo(f"已为责任督学安排督导检查 {len(PLANNED_VISITS) + 1} 次（其中 1 次已完成）。")


def meeting_work(
    county: County, year: SchoolYear, units: dict[str, Unit], cast: DemoCast, echo: Echo
) -> None:
    """A 推进会 two weeks ago with two decisions: the first already a task, done and closed;
    the second still to be turned into one (its lead unit and deadline proposed)."""
    if Meeting.objects.filter(county=county, year=year).exists():
        return
    day = today()
    held = day - dt.timedelta(days=14)
    department = units[LEAD_DEPARTMENT]
    meeting = appraisal.record_meeting(
        Meeting(
            county=county,
            year=year,
            kind=MeetingKind.PROGRESS,
            day=held,
            title="优质均衡创建工作推进会",
            attendees="分管副县长、各学区校长",
            minutes="通报创建进展，部署下一阶段整改任务。",
            created_by=cast.county_admin,
        ),
        [department, units["县财政局"], units[TOWNSHIP_UNIT]],
        ["各校建立整改工作台账，每月报送进展", "县财政局年底前拨付音乐器材购置经费"],
    )
    first, second = meeting.decisions.order_by("order")
    problem, _ = appraisal.decision_to_ledger(
        first,
        _fields(department, [], "印发台账模板，各校每月 5 日前报送", held + dt.timedelta(days=7)),
        cast.county_admin,
    )
    task = problem.tasks.get()
    for status in (task_rules.Status.IN_PROGRESS, task_rules.Status.AWAITING_CHECK):
        task = ledger.step(task, status.value, cast.county_admin)
    ledger.step(task, task_rules.Status.CLOSED.value, cast.county_admin, approve=True)
    second.lead_unit = units["县财政局"]
    second.deadline = dt.date(day.year, 12, 31)
    second.save(update_fields=["lead_unit", "deadline"])
    echo("已登记推进会一次（决定事项 2 项，其中 1 项已转为整改任务并销号）。")


def plan_work(county: County, target_year: int, echo: Echo) -> None:
    """The creation plan: target year and three phases around today, with milestones."""
    if Plan.objects.filter(county=county).exists():
        return
    day = today()
    with transaction.atomic():
        plan = Plan.objects.create(county=county, target_year=target_year)
        # (kind, name, first and last day, a milestone and its day): the past one done
        phases = (
            (PhaseKind.DEPLOY, "动员部署", -120, -31, "召开创建动员会", -100),
            (PhaseKind.IMPLEMENT, "全面整改", -30, 180, "完成问题清单整改过半", 60),
            (PhaseKind.INSPECTION, "迎检准备", 181, 300, "完成创建档案整理", 260),
        )
        for kind, name, start, end, milestone, on in phases:
            phase = Phase.objects.create(
                plan=plan,
                kind=kind,
                name=name,
                start=day + dt.timedelta(days=start),
                end=day + dt.timedelta(days=end),
            )
            Milestone.objects.create(
                phase=phase,
                name=milestone,
                day=day + dt.timedelta(days=on),
                done=on < 0,
            )
    echo(f"已建立创建计划（目标 {target_year} 年，三个阶段）。")


def ensure_public_page(
    county: County, year: SchoolYear, admin: AbstractBaseUser, echo: Echo
) -> None:
    """The county's progress page published, at its default address (`public.default_slug`),
    with last week's bulletin of the ledger (a whole week, Monday to Sunday, whatever day
    the demo is set up: this week's would cover a single day on a Monday)."""
    if PublicPage.objects.filter(county=county).exists():
        return
    page = public.settings_of(county)
    page.published = True
    page.show_schools = True
    page.intro = f"{county.name}义务教育优质均衡发展创建工作进展，欢迎社会监督。"
    page.updated_by = admin
    page.save()
    last_sunday = today() - dt.timedelta(days=today().weekday() + 1)
    bulletin = reports.bulletin_for(county, year, "week", last_sunday)
    public.publish_bulletin(county, year, bulletin, admin)
    echo("已公开本县创建工作进展页面和上周整改通报。")


def public_path(county: County | None) -> str | None:
    """The address of the county's published progress page, None when it is not published."""
    if county is None:
        return None
    page = PublicPage.objects.filter(county=county, published=True).first()
    return reverse("public_page", args=[page.slug]) if page is not None else None


def ensure_creation_work(
    county: County,
    year_label: str,
    *,
    demo_school: str,
    township: str,
    target_year: int,
    echo: Echo = lambda line: None,
) -> None:
    """Every part of the demo's creation work that the county does not have yet."""
    users = {name: _user(name) for name in ("admin", "county_admin", "school", "duxue")}
    admin, county_admin = users["admin"], users["county_admin"]
    if admin is None or county_admin is None:
        return
    cast = DemoCast(admin, county_admin, users["school"], users["duxue"])
    year = SchoolYear.objects.get(label=year_label)
    units = ensure_units(county, township)
    ledger_from_evaluation(county, year, units, cast, demo_school, township, echo)
    inspection_work(county, units, cast, township, echo)
    meeting_work(county, year, units, cast, echo)
    plan_work(county, target_year, echo)
    ensure_public_page(county, year, admin, echo)
