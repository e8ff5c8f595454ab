"""The rectification pages: problem list, problem and task pages, progress with evidence,
closure approval, organisation, tasks due soon, bulletin, plan and policy checklist.

Views are thin: scope from `permissions`, writes through `services`, rules in the core. Unknown
and forbidden objects answer the same 404; changes a role may not make answer 404 too.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.rectification import tasks as core
from junheng.rectification.books import COUNTY_LEVEL, township_choices
from junheng.rectification.bulletin import PERIODS
from junheng.rectification.forecast import forecast
from junheng.rectification.ledger_xlsx import HEADERS as LEDGER_HEADERS
from junheng.rectification.ledger_xlsx import REQUIRED as LEDGER_REQUIRED
from junheng.rectification.ledger_xlsx import read_ledger, write_ledger
from junheng.rectification.organisation import HEADERS as ORG_HEADERS
from junheng.rectification.organisation import read_organisation, write_organisation
from junheng.rectification.policies import load_checklist
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.web.accounts.scope import AnyUser
from junheng.web.imports.uploads import safe_name
from junheng.web.pages import presenters
from junheng.web.pages.lookup import NOT_FOUND, start_year, year_or_404
from junheng.web.rectification import evidence, parties, reports, services
from junheng.web.rectification.forms import (
    MemberForm,
    MilestoneForm,
    PersonForm,
    PhaseForm,
    PlanForm,
    ProblemForm,
    ProgressForm,
    TaskForm,
    UnitForm,
)
from junheng.web.rectification.models import (
    Evidence,
    Milestone,
    Person,
    Phase,
    Plan,
    PolicyDocument,
    Problem,
    ProblemSource,
    ProblemStatus,
    Task,
    Unit,
)
from junheng.web.rectification.parties import gap_text, own_page_link, start_url, unit_for_school
from junheng.web.rectification.permissions import (
    can_edit_task,
    can_manage,
    can_report_progress,
    can_view_ledger,
    can_view_problem,
    can_view_task,
    ledger_county_or_404,
    ledger_visible_counties,
    manage_or_404,
    unit_of,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import latest_snapshot

STATUS_CSS = {
    core.Status.NOT_STARTED.value: "draft",
    core.Status.IN_PROGRESS.value: "submitted",
    core.Status.AWAITING_CHECK.value: "awaiting",
    core.Status.CLOSED.value: "ok",
    core.OVERDUE: "fail",
}
PENDING = "pending"
"""An open problem without a task yet (shown 待部署; the database keeps it open)."""
STATUS_TEXT = {
    PENDING: "待部署",
    ProblemStatus.OPEN.value: "整改中",
    ProblemStatus.PROPOSED.value: ProblemStatus.PROPOSED.label,
    ProblemStatus.CLOSED.value: ProblemStatus.CLOSED.label,
}
SINGLE = "single"
IMPACTS = {"school": "影响学校达标", SINGLE: "单项未达标（不影响学校达标）"}
PROBLEM_CSS = {
    PENDING: "draft",
    ProblemStatus.OPEN: "submitted",
    ProblemStatus.PROPOSED: "proposal",
    ProblemStatus.CLOSED: "ok",
}
DUE_DAYS = (7, 14, 30)


def _ledger(request: HttpRequest, county_id: int, year: str) -> tuple[County, SchoolYear]:
    return ledger_county_or_404(request, county_id), year_or_404(year)


def _base(request: HttpRequest, county: County, year: SchoolYear, tab: str) -> dict[str, Any]:
    return {
        "county": county,
        "year": year,
        "tab": tab,
        "manage": can_manage(request.user, county),
        "my_unit": unit_of(request.user),
        # school and township users read single problems and tasks, not the county's lists
        "ledger_reader": can_view_ledger(request.user, county),
        "own_page": own_page_link(request.user, year),
    }


def _task_row(task: Task, today: Any, user: AnyUser) -> dict[str, Any]:
    status = core.display_status(services.core_task(task), today)
    return {
        "task": task,
        "status": status,
        "css": STATUS_CSS[status],
        "responsible": "、".join(u.name for u in task.responsible_units.all()),
        "editable": can_edit_task(user, task),
    }


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The section's start: the ledger of the user's county (latest year), or a list."""
    years = list(SchoolYear.objects.order_by("-label"))
    own = start_url(request.user, years)
    if own is not None:
        return redirect(own)
    counties = ledger_visible_counties(request.user)
    if not counties or not years:
        raise Http404(NOT_FOUND)
    if len(counties) == 1:
        return redirect("rectification", counties[0].pk, start_year(counties[0], years).label)
    return render(
        request,
        "rectification/start.html",
        {"counties": counties, "year": years[0]},
    )


def _problem_status(problem: Problem, n_tasks: int) -> str:
    """The status people read: an open problem is 待部署 until a task is set for it."""
    if problem.status == ProblemStatus.OPEN and not n_tasks:
        return PENDING
    return str(problem.status)


def _impact_of(tolerated: bool) -> str:
    return SINGLE if tolerated else "school"


def _query(wanted: dict[str, str], **change: str) -> str:
    """The list's query string with some filters changed, the others kept."""
    merged = {**wanted, **change}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


@login_required
@require_GET
def home(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    problems = (
        Problem.objects.filter(county=county, year=school_year)
        .select_related("year")
        .annotate(
            n_tasks=Count("tasks"),
            n_closed=Count("tasks", filter=Q(tasks__status=core.Status.CLOSED.value)),
        )
    )
    wanted = {
        k: request.GET.get(k, "")
        for k in ("status", "impact", "source", "category", "q", "township")
    }
    if wanted["status"] not in STATUS_TEXT:
        wanted["status"] = ""
    if wanted["impact"] not in IMPACTS:
        wanted["impact"] = ""
    towns = township_choices(parties.townships(county))
    if wanted["township"] not in towns:
        wanted["township"] = ""
    if wanted["township"]:
        problems = parties.problems_in_township(problems, county, wanted["township"])
    # Counts of each filter within the other one, so the numbers on the links are what a
    # click shows.
    shown = [
        (_problem_status(p, p.n_tasks), p.tolerated)
        for p in problems.only("status", "tolerated", "year")
    ]
    status_counts = {
        s: sum(1 for st, t in shown if st == s and wanted["impact"] in ("", _impact_of(t)))
        for s in STATUS_TEXT
    }
    impact_counts = {
        i: sum(1 for st, t in shown if _impact_of(t) == i and wanted["status"] in ("", st))
        for i in IMPACTS
    }
    if wanted["status"] == PENDING:
        problems = problems.filter(status=ProblemStatus.OPEN, n_tasks=0)
    elif wanted["status"] == ProblemStatus.OPEN:
        problems = problems.filter(status=ProblemStatus.OPEN, n_tasks__gt=0)
    elif wanted["status"]:
        problems = problems.filter(status=wanted["status"])
    if wanted["impact"]:
        problems = problems.filter(tolerated=wanted["impact"] == SINGLE)
    if wanted["source"] in ProblemSource.values:
        problems = problems.filter(source=wanted["source"])
    if wanted["category"]:
        problems = problems.filter(category=wanted["category"])
    if wanted["q"]:
        problems = problems.filter(Q(title__icontains=wanted["q"]) | Q(item=wanted["q"]))
    my_unit = unit_of(request.user)
    mine = my_unit is not None and request.GET.get("mine") == "1"
    if mine:
        # a subquery, so the task counts annotated above are not multiplied by a second join
        own = Task.objects.filter(Q(lead_unit=my_unit) | Q(responsible_units=my_unit))
        problems = problems.filter(pk__in=own.values("problem_id"))
    categories = list(
        Problem.objects.filter(county=county, year=school_year)
        .exclude(category="")
        .values_list("category", flat=True)
        .distinct()
        .order_by("category")
    )
    snapshot = latest_snapshot(county, school_year)
    missing = [d for d in services.drafts_of(snapshot) if d.missing] if snapshot else []
    rows = []
    # open problems first, then those proposed for closure, closed ones last; within them the
    # problems that fail a school before those that do not
    stage = Case(
        When(status=ProblemStatus.PROPOSED, then=Value(1)),
        When(status=ProblemStatus.CLOSED, then=Value(2)),
        default=Value(0),
    )
    for p in problems.order_by(stage, "tolerated", "category", "id"):
        status = _problem_status(p, p.n_tasks)
        rows.append(
            {
                "p": p,
                "css": PROBLEM_CSS[status],
                "status": STATUS_TEXT[status],
                "number": services.number_of(p),
            }
        )
    filters = {k: v for k, v in wanted.items() if k in ("status", "impact", "township")}
    context = _base(request, county, school_year, "problems")
    context.update(
        missing=missing,
        problems=rows,
        all_link=_query(filters, status=""),
        counts=[
            {
                "value": s,
                "text": text,
                "count": status_counts[s],
                "link": _query(filters, status=s),
            }
            for s, text in STATUS_TEXT.items()
        ],
        total=sum(status_counts.values()),
        impacts=[
            {
                "value": i,
                "text": text,
                "count": impact_counts[i],
                "link": _query(filters, impact=i),
            }
            for i, text in IMPACTS.items()
        ],
        impact_all_link=_query(filters, impact=""),
        impact_total=sum(impact_counts.values()),
        wanted=wanted,
        mine=mine,
        sources=ProblemSource.choices,
        categories=categories,
        townships=towns,
        county_level=COUNTY_LEVEL,
        snapshot=snapshot,
        standard_name=services.standard_name(snapshot),
    )
    return render(request, "rectification/home.html", context)


@login_required
@require_POST
def generate(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    manage_or_404(request, county)
    snapshot = latest_snapshot(county, school_year)
    if snapshot is None:
        messages.error(request, "本学年还没有评估结果，请先在县区总览中运行评估。")
    else:
        try:
            result = services.generate_problems(county, school_year, snapshot, request.user)
        except IntegrityError:
            # two first generations at once: the other one's problems stand, nothing doubled
            messages.error(request, "另一位用户刚刚生成了问题清单，请刷新后查看。")
        else:
            messages.success(request, result.message())
    return redirect("rectification", county.pk, school_year.label)


@login_required
@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    manage_or_404(request, county)
    snapshot = latest_snapshot(county, school_year)
    standard = presenters.standard_of(snapshot.standard_id if snapshot else DEFAULT_STANDARD)
    if standard is None:
        standard = load_standard(DEFAULT_STANDARD)
    form = ProblemForm(request.POST or None, county=county, standard=standard)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problem = services.add_problem(
            county,
            school_year,
            user=request.user,
            source=data["source"],
            title=data["title"],
            description=data["description"],
            found_on=data["found_on"],
            found_by=data["found_by"],
            item=data["item"],
            school_id=data["school"],
            school_name=form.school_name(),
        )
        messages.success(request, "已登记问题。")
        return redirect("rectification_problem", problem.pk)
    context = _base(request, county, school_year, "problems")
    context["form"] = form
    return render(request, "rectification/problem_new.html", context)


def _problem_or_404(request: HttpRequest, pk: int) -> Problem:
    problem = Problem.objects.filter(pk=pk).select_related("county", "year").first()
    if problem is None or not can_view_problem(request.user, problem):
        raise Http404(NOT_FOUND)
    return problem


def _task_or_404(request: HttpRequest, pk: int) -> Task:
    task = (
        Task.objects.filter(pk=pk)
        .select_related("problem", "problem__county", "problem__year", "lead_unit", "approver")
        .first()
    )
    if task is None or not can_view_task(request.user, task):
        raise Http404(NOT_FOUND)
    return task


@login_required
@require_GET
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem_or_404(request, pk)
    today = services.today()
    tasks = [
        t
        for t in problem.tasks.select_related(
            "problem", "problem__county", "lead_unit", "approver"
        ).prefetch_related("responsible_units")
        if can_view_task(request.user, t)
    ]
    context = _base(request, problem.county, problem.year, "problems")
    numbers = problem.numbers or {}
    rows = [_task_row(t, today, request.user) for t in tasks]
    # Offered where closure may make sense: the data show it resolved, every task is closed,
    # or a hand-entered problem was put right without a task. The server checks again.
    closable = (
        context["manage"]
        and problem.status != ProblemStatus.CLOSED
        and all(r["task"].status == core.Status.CLOSED.value for r in rows)
        and (problem.status == ProblemStatus.PROPOSED or bool(rows) or not problem.data_backed)
    )
    snapshot, passes = services.problem_closure_evidence(problem) if closable else (None, None)
    status = _problem_status(problem, len(rows))
    context.update(
        problem=problem,
        number=services.number_of(problem),
        status=STATUS_TEXT[status],
        css=PROBLEM_CSS[status],
        standard_name=services.standard_name(snapshot),
        missing=_closure_missing(problem, snapshot, passes) if closable else [],
        numbers=numbers,
        gap=numbers.get("gap"),
        gap_text=gap_text(numbers),
        tasks=rows,
        closable=closable,
        snapshot=snapshot,
        passes=passes,
        excerpt=reports.closure_excerpt(snapshot, problem) if snapshot is not None else None,
    )
    return render(request, "rectification/problem.html", context)


@login_required
@require_POST
def problem_close(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem_or_404(request, pk)
    manage_or_404(request, problem.county)
    try:
        services.close_problem(problem, request.user)
    except core.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "问题已销号。")
    return redirect("rectification_problem", problem.pk)


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem_or_404(request, pk)
    manage_or_404(request, problem.county)
    return _task_form(request, problem, None)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    if not can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    return _task_form(request, task.problem, task)


def _task_form(request: HttpRequest, problem: Problem, task: Task | None) -> HttpResponse:
    county = problem.county
    form = TaskForm(request.POST or None, instance=task, county=county)
    if not Unit.objects.filter(county=county).exists():
        messages.warning(request, "本县尚未登记整改单位，请先在“组织机构”中添加单位。")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead, others = form.chosen()
        saved = services.save_task(
            problem,
            services.TaskFields(
                lead_unit=_unit(lead),
                responsible_units=[_unit(p) for p in others],
                person=data["person"],
                leader=data["leader"],
                measures=data["measures"],
                deadline=data["deadline"],
                budget_wan=data["budget_wan"],
                phase=data["phase"],
            ),
            request.user,
            task,
        )
        messages.success(request, "已保存整改任务。")
        return redirect("rectification_task", saved.pk)
    context = _base(request, county, problem.year, "problems")
    context.update(form=form, problem=problem, task=task)
    return render(request, "rectification/task_form.html", context)


def _unit(party: Unit | School) -> Unit:
    """A unit chosen in the task form, or a school's unit made on first use (一校一案)."""
    return party if isinstance(party, Unit) else unit_for_school(party)


def _closure_missing(problem: Problem, snapshot: Any, passes: bool | None) -> list[str]:
    """What 销号 still lacks, in the words of `tasks.check_closure`, so the page can say it
    before the approver tries (the server checks again on the step)."""
    if not problem.data_backed:
        return []
    if snapshot is None:
        return ["显示该指标已达标的评估结果（本学年还没有评估结果，请先重新评估）"]
    if passes is False:
        return ["显示该指标已达标的评估结果（最新评估结果中此项仍未达标，请更新数据并重新评估）"]
    if passes is None:
        return ["能判定该指标的评估数据（最新评估结果中此项数据缺失，请补齐数据并重新评估）"]
    return []


def _step_needs_approver(source: str, target: str) -> bool:
    """Acceptance is the bureau's: once a task awaits acceptance (or is closed), only an
    approver moves it — closing it, returning it for more work or revoking a closure."""
    return target == core.Status.CLOSED.value or source in (
        core.Status.AWAITING_CHECK.value,
        core.Status.CLOSED.value,
    )


def _budget(value: Any) -> str:
    if value is None:
        return "—"
    return f"{format(value.normalize(), 'f')} 万元"


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    today = services.today()
    problem = task.problem
    editable = can_edit_task(request.user, task)
    reporting = can_report_progress(request.user, task)
    manage = can_manage(request.user, problem.county)
    steps = []
    for t in core.TRANSITIONS:
        if t.source.value != task.status:
            continue
        if _step_needs_approver(t.source.value, t.target.value):
            if manage:
                steps.append({"t": t, "approve": t.needs_approval})
        elif reporting:
            steps.append({"t": t})
    updates = task.updates.select_related("author").prefetch_related("files")
    context = _base(request, problem.county, problem.year, "problems")
    context.update(
        row=_task_row(task, today, request.user),
        budget=_budget(task.budget_wan),
        task=task,
        problem=problem,
        editable=editable,
        reporting=reporting,
        # a school responsible for a county task reads the task, not the county's problem
        problem_visible=can_view_problem(request.user, problem),
        steps=steps,
        updates=updates,
        form=ProgressForm(),
        limits=evidence.limits(),
    )
    return render(request, "rectification/task.html", context)


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    if not can_report_progress(request.user, task):
        raise Http404(NOT_FOUND)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写本次进展。")
        return redirect("rectification_task", task.pk)
    try:
        services.add_progress(
            task, request.user, form.cleaned_data["text"], request.FILES.getlist("files")
        )
    except evidence.EvidenceRefused as exc:
        messages.error(request, f"{exc}。本次进展未保存，请重新选择文件后提交。")
        return redirect("rectification_task", task.pk)
    messages.success(request, "已记录进展。")
    return redirect("rectification_task", task.pk)


@login_required
@require_POST
def task_step(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    target = request.POST.get("target", "")
    allowed = (
        can_manage(request.user, task.problem.county)
        if _step_needs_approver(task.status, target)
        else can_report_progress(request.user, task)
    )
    if not allowed:
        raise Http404(NOT_FOUND)
    try:
        services.step(
            task,
            target,
            request.user,
            comment=request.POST.get("comment", ""),
            approve=target == core.Status.CLOSED.value,
        )
    except core.TransitionError as exc:
        messages.error(request, str(exc))
        if target == core.Status.CLOSED.value:
            return redirect("rectification_approve", task.pk)
    else:
        done = "已销号。" if target == core.Status.CLOSED.value else f"状态已改为“{target}”。"
        messages.success(request, done)
    return redirect("rectification_task", task.pk)


@login_required
@require_GET
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The closure check: the task's history and, for a data-backed problem, the latest
    snapshot and whether it shows the indicator passing."""
    task = _task_or_404(request, pk)
    problem = task.problem
    manage_or_404(request, problem.county)
    snapshot, passes = services.closure_evidence(task)
    entry = reports.closure_excerpt(snapshot, problem) if snapshot is not None else None
    awaiting = task.status == core.Status.AWAITING_CHECK.value
    missing = _closure_missing(problem, snapshot, passes)
    if task.status == core.Status.CLOSED.value:
        missing = []
    elif not awaiting:
        missing.insert(0, f"责任单位提交验收（任务目前为“{task.status}”）")
    context = _base(request, problem.county, problem.year, "problems")
    context.update(
        task=task,
        problem=problem,
        snapshot=snapshot,
        standard_name=services.standard_name(snapshot),
        passes=passes,
        excerpt=entry,
        updates=task.updates.select_related("author").prefetch_related("files"),
        awaiting=awaiting,
        closed=task.status == core.Status.CLOSED.value,
        missing=missing,
    )
    return render(request, "rectification/approve.html", context)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    item = Evidence.objects.filter(pk=pk).select_related("update__task__problem", "policy").first()
    if item is None:
        raise Http404(NOT_FOUND)
    if item.update is not None:
        task = item.update.task
        if not can_view_task(request.user, task):
            raise Http404(NOT_FOUND)
    else:
        ledger_county_or_404(request, item.policy.county_id)
    return evidence.file_response(item.path, item.name, item.kind)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    unit_form = UnitForm(county=county, prefix="unit")
    person_form = PersonForm(county=county, prefix="person")
    member_form = MemberForm(county=county, prefix="member")
    import_errors: list[str] = []
    if request.method == "POST":
        manage_or_404(request, county)
        action = request.POST.get("action")
        if action == "unit":
            unit_form = UnitForm(request.POST, county=county, prefix="unit")
            if unit_form.is_valid():
                unit = unit_form.save(commit=False)
                unit.county = county
                unit.order = Unit.objects.filter(county=county).count()
                unit.save()
                messages.success(request, f"已添加单位“{unit.name}”。")
                return redirect("rectification_organisation", county.pk, school_year.label)
        elif action == "person":
            person_form = PersonForm(request.POST, county=county, prefix="person")
            if person_form.is_valid():
                person_form.save()
                messages.success(request, "已添加人员。")
                return redirect("rectification_organisation", county.pk, school_year.label)
        elif action == "member":
            member_form = MemberForm(request.POST, county=county, prefix="member")
            if member_form.is_valid():
                data = member_form.cleaned_data
                services.add_member(
                    data["unit"], data["username"], data["full_name"], data["password"]
                )
                messages.success(
                    request, f"已为“{data['unit'].name}”建立单位用户“{data['username']}”。"
                )
                return redirect("rectification_organisation", county.pk, school_year.label)
        elif action == "import":
            upload = request.FILES.get("table")
            if upload is None:
                import_errors = ["请选择要导入的 .xlsx 表格。"]
            else:
                import_errors = _import_organisation(request, county, upload)
                if not import_errors:
                    return redirect("rectification_organisation", county.pk, school_year.label)
        else:
            raise Http404(NOT_FOUND)
    units = Unit.objects.filter(county=county).prefetch_related("people", "members__user")
    context = _base(request, county, school_year, "organisation")
    context.update(
        units=units,
        unit_form=unit_form,
        person_form=person_form,
        member_form=member_form,
        import_errors=import_errors,
        headers=ORG_HEADERS,
    )
    return render(request, "rectification/organisation.html", context)


@login_required
@require_GET
def organisation_template(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The table the organisation import reads, filled with the units and people entered so
    far, so a county edits its organisation in Excel and imports it back."""
    county, _ = _ledger(request, county_id, year)
    manage_or_404(request, county)
    with tempfile.TemporaryDirectory() as folder:
        path = write_organisation(services.organisation_rows(county), Path(folder) / "org.xlsx")
        content = path.read_bytes()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{county.name}组织机构.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _unit_or_404(request: HttpRequest, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).select_related("county").first()
    if unit is None:
        raise Http404(NOT_FOUND)
    ledger_county_or_404(request, unit.county_id)
    manage_or_404(request, unit.county)
    return unit


def _organisation_page(request: HttpRequest, county: County) -> HttpResponse:
    # the year of the page the user came from: the organisation is the county's, not a year's
    year = request.GET.get("year") or request.POST.get("year") or ""
    if not SchoolYear.objects.filter(label=year).exists():
        latest = SchoolYear.objects.order_by("-label").first()
        year = latest.label if latest is not None else ""
    return redirect("rectification_organisation", county.pk, year)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    form = UnitForm(request.POST or None, instance=unit, county=unit.county)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存单位“{unit.name}”。")
        return _organisation_page(request, unit.county)
    return _edit_page(
        request,
        unit.county,
        form,
        title=f"修改单位：{unit.name}",
        delete_url=reverse("rectification_unit_delete", args=[unit.pk]),
        delete_note=services.unit_deletion_refusal(unit)
        or "删除后，该单位的人员一并删除；该单位的单位用户不能再查看整改台账；"
        "该单位作为责任单位参与的任务中不再列出该单位。",
        can_delete=not services.unit_deletion_refusal(unit),
        delete_label=f"删除单位“{unit.name}”",
    )


@login_required
@require_POST
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    name = unit.name
    try:
        people, shared = services.delete_unit(unit)
    except services.OrganisationError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("rectification_unit_edit", args=[pk]) + _year_query(request))
    text = f"已删除单位“{name}”"
    if people:
        text += f"及其 {people} 名人员"
    if shared:
        text += f"；它不再列为 {shared} 项任务的责任单位"
    messages.success(request, text + "。")
    return _organisation_page(request, unit.county)


def _person_or_404(request: HttpRequest, pk: int) -> Person:
    person = Person.objects.filter(pk=pk).select_related("unit__county").first()
    if person is None:
        raise Http404(NOT_FOUND)
    ledger_county_or_404(request, person.unit.county_id)
    manage_or_404(request, person.unit.county)
    return person


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    county = person.unit.county
    form = PersonForm(request.POST or None, instance=person, county=county)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存人员“{person.name}”。")
        return _organisation_page(request, county)
    return _edit_page(
        request,
        county,
        form,
        title=f"修改人员：{person.name}",
        delete_url=reverse("rectification_person_delete", args=[person.pk]),
        delete_note="删除只删去组织机构中的这一行，不影响整改任务中已填写的责任人。",
        can_delete=True,
        delete_label=f"删除人员“{person.name}”",
    )


@login_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    county, name = person.unit.county, person.name
    person.delete()
    messages.success(request, f"已删除人员“{name}”。")
    return _organisation_page(request, county)


def _year_query(request: HttpRequest) -> str:
    year = request.GET.get("year") or request.POST.get("year") or ""
    return "?" + urlencode({"year": year}) if year else ""


def _edit_page(request: HttpRequest, county: County, form: Any, **labels: Any) -> HttpResponse:
    year_label = request.GET.get("year") or request.POST.get("year") or ""
    school_year = SchoolYear.objects.filter(label=year_label).first() or (
        SchoolYear.objects.order_by("-label").first()
    )
    if school_year is None:
        raise Http404(NOT_FOUND)
    context = _base(request, county, school_year, "organisation")
    context.update(form=form, **labels)
    return render(request, "rectification/organisation_edit.html", context)


def _import_organisation(request: HttpRequest, county: County, upload: Any) -> list[str]:
    name = safe_name(upload.name or "", default="组织机构.xlsx")
    if not name.lower().endswith(".xlsx"):
        return [f"“{name}”不是 .xlsx 表格；请用 Excel/WPS 另存为 .xlsx 后再导入。"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsx"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        result = read_organisation(path, name)
    if result.errors:
        return [e.message for e in result.errors]
    units, people = services.import_organisation(county, result.units)
    messages.success(request, f"已导入 {units} 个单位、{people} 名人员。")
    return []


@login_required
@require_GET
def due(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    try:
        days = max(0, min(365, int(request.GET.get("days", "14"))))
    except ValueError:
        days = 14
    today = services.today()
    tasks = services.ledger_tasks(county, school_year)
    towns = township_choices(parties.townships(county))
    township = _township(request, towns)
    if township:
        tasks = parties.tasks_in_township(tasks, county, township)
    my_unit = unit_of(request.user)
    mine = my_unit is not None and request.GET.get("mine") == "1"
    if mine:
        tasks = [
            t for t in tasks if t.lead_unit_id == my_unit.pk or my_unit in t.responsible_units.all()
        ]
    by_id = {t.pk: t for t in tasks}
    core_tasks = [services.core_task(t) for t in tasks]
    due_rows = [
        _task_row(by_id[t.id], today, request.user)
        for t in core.due_within(core_tasks, today, days)
    ]
    overdue_rows = [
        _task_row(by_id[t.id], today, request.user) for t in core_tasks if core.is_overdue(t, today)
    ]
    context = _base(request, county, school_year, "due")
    context.update(
        days=days,
        choices=DUE_DAYS,
        rows=due_rows,
        overdue=overdue_rows,
        today=today,
        township=township,
        townships=towns,
    )
    return render(request, "rectification/due.html", context)


@login_required
@require_GET
def bulletin(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    period = request.GET.get("period", "week")
    if period not in PERIODS:
        period = "week"
    towns = township_choices(parties.townships(county))
    township = _township(request, towns)
    data = reports.bulletin_for(county, school_year, period, services.today(), township=township)
    context = _base(request, county, school_year, "bulletin")
    context.update(b=data, period=period, periods=PERIODS, township=township, townships=towns)
    return render(request, "rectification/bulletin.html", context)


@login_required
@require_GET
def bulletin_docx(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    period = request.GET.get("period", "week")
    if period not in PERIODS:
        period = "week"
    today = services.today()
    township = _township(request, township_choices(parties.townships(county)))
    content = reports.bulletin_docx(
        reports.bulletin_for(county, school_year, period, today, township=township)
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{county.name}{township}整改{PERIODS[period]}通报{today:%Y%m%d}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _township(request: HttpRequest, towns: list[str]) -> str:
    """The 乡镇 filter of a ledger page: one of the county's townships or 县级, else none."""
    township = request.GET.get("township", "")
    return township if township in towns else ""


def _quote(name: str) -> str:
    return quote(name)


def _span_percent(day: Any, start: Any, days: int) -> float:
    return round(100 * (day - start).days / days, 2)


def _timeline(phases: list[Phase], today: Any, target: Any) -> dict[str, Any] | None:
    """Bar positions (in % of the plan's span) of the phases, milestones, today and target."""
    if not phases:
        return None
    start = min(p.start for p in phases)
    end = max([p.end for p in phases] + [d for d in (target,) if d is not None])
    days = max((end - start).days, 1)
    rows = []
    for phase in phases:
        rows.append(
            {
                "phase": phase,
                "left": _span_percent(phase.start, start, days),
                "width": max(_span_percent(phase.end, phase.start, days), 0.8),
                "milestones": [
                    {"m": m, "left": _span_percent(m.day, start, days)}
                    for m in phase.milestones.all()
                ],
                "tasks": len(phase.tasks.all()),
                "closed": sum(1 for t in phase.tasks.all() if t.status == core.Status.CLOSED.value),
            }
        )
    inside = start <= today <= end
    return {
        "start": start,
        "end": end,
        "rows": rows,
        "today": _span_percent(today, start, days) if inside else None,
        "target": _span_percent(target, start, days) if target is not None else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    current = Plan.objects.filter(county=county).first()
    plan_form = PlanForm(instance=current, prefix="plan")
    phase_form = PhaseForm(prefix="phase")
    milestone_form = MilestoneForm(prefix="milestone", plan=current)
    if request.method == "POST":
        manage_or_404(request, county)
        action = request.POST.get("action")
        here = redirect("rectification_plan", county.pk, school_year.label)
        if action == "plan":
            plan_form = PlanForm(request.POST, instance=current, prefix="plan")
            if plan_form.is_valid():
                saved = plan_form.save(commit=False)
                saved.county = county
                saved.save()
                messages.success(request, "已保存创建目标。")
                return here
        elif action == "phase" and current is not None:
            phase_form = PhaseForm(request.POST, prefix="phase")
            if phase_form.is_valid():
                phase = phase_form.save(commit=False)
                phase.plan = current
                phase.save()
                messages.success(request, f"已添加阶段“{phase.name}”。")
                return here
        elif action == "milestone" and current is not None:
            milestone_form = MilestoneForm(request.POST, prefix="milestone", plan=current)
            if milestone_form.is_valid():
                milestone_form.save()
                messages.success(request, "已添加节点。")
                return here
        elif action == "done" and current is not None:
            milestone = Milestone.objects.filter(
                pk=request.POST.get("milestone"), phase__plan=current
            ).first()
            if milestone is None:
                raise Http404(NOT_FOUND)
            milestone.done = not milestone.done
            milestone.save(update_fields=["done"])
            return here
        else:
            raise Http404(NOT_FOUND)
    today = services.today()
    target = None
    if current is not None:
        target = current.target_date or date(current.target_year, 12, 31)
    phases = (
        list(current.phases.prefetch_related("milestones", "tasks")) if current is not None else []
    )
    tasks = services.ledger_tasks(county, school_year)
    # Readiness is every problem closed, so the pace is that of problems, not of tasks.
    closures = services.problem_closures(county, school_year)
    outlook = forecast(closures, len(closures), today, target)
    context = _base(request, county, school_year, "plan")
    context.update(
        plan=current,
        plan_form=plan_form,
        phase_form=phase_form,
        milestone_form=milestone_form,
        timeline=_timeline(phases, today, target),
        forecast=outlook,
        target=target,
        unplaced=sum(1 for t in tasks if t.phase_id is None),
        today=today,
    )
    return render(request, "rectification/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def policies(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _ledger(request, county_id, year)
    snapshot = latest_snapshot(county, school_year)
    known = None
    if snapshot is not None:
        try:
            known = load_standard(snapshot.standard_id).items
        except Exception:  # a standard file removed since: the checklist is still shown
            known = None
    checklist = load_checklist(known_items=known)
    if request.method == "POST":
        manage_or_404(request, county)
        item_id = request.POST.get("item", "")
        if item_id not in {d.id for d in checklist.documents}:
            raise Http404(NOT_FOUND)
        status = request.POST.get("status", "")
        issued_text = request.POST.get("issued_on", "").strip()
        issued = None
        error = ""
        if status not in checklist.statuses:
            error = f"状态应为：{'、'.join(checklist.statuses)}"
        elif issued_text:
            try:
                issued = date.fromisoformat(issued_text)
            except ValueError:
                error = f"印发日期“{issued_text}”不是日期，应如 2026-03-15"
        if status == checklist.done_status and not error and issued is None:
            error = "已印发的文件须填写印发日期"
        if error:
            messages.error(request, error)
        else:
            try:
                services.save_policy(
                    county,
                    item_id,
                    status=status,
                    document_number=request.POST.get("document_number", "").strip()[:100],
                    issued_on=issued,
                    files=request.FILES.getlist("files"),
                    user=request.user,
                )
            except evidence.EvidenceRefused as exc:
                messages.error(request, f"{exc}。本次修改未保存。")
            else:
                messages.success(request, "已保存。")
        return redirect("rectification_policies", county.pk, school_year.label)
    recorded = {
        d.item_id: d for d in PolicyDocument.objects.filter(county=county).prefetch_related("files")
    }
    verdicts = {}
    if snapshot is not None:
        verdicts = {
            item: result.get("passes")
            for item, result in (snapshot.result.get("items") or {}).items()
        }
    rows = []
    for document in checklist.documents:
        stored = recorded.get(document.id)
        rows.append(
            {
                "d": document,
                "stored": stored,
                "status": stored.status if stored else checklist.statuses[0],
                "done": stored is not None and stored.status == checklist.done_status,
                "feeds": [{"item": f, "passes": verdicts.get(f)} for f in document.feeds],
            }
        )
    context = _base(request, county, school_year, "policies")
    context.update(
        rows=rows,
        statuses=checklist.statuses,
        issued=sum(1 for r in rows if r["done"]),
        limits=evidence.limits(),
        snapshot=snapshot,
    )
    return render(request, "rectification/policies.html", context)


@login_required
@require_GET
def ledger_xlsx(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """整改台账.xlsx in the layout `junheng ledger check` reads back."""
    county, school_year = _ledger(request, county_id, year)
    rows = services.ledger_rows(county, school_year)
    with tempfile.TemporaryDirectory() as folder:
        path = write_ledger(
            rows,
            Path(folder) / "ledger.xlsx",
            title=f"{county.name}{school_year.label}学年整改台账",
        )
        content = path.read_bytes()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{county.name}{school_year.label}整改台账.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """A county's existing 整改台账.xlsx moved in: every bad cell named, nothing written then."""
    county, school_year = _ledger(request, county_id, year)
    manage_or_404(request, county)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("ledger")
        name = safe_name(upload.name or "", default="整改台账.xlsx") if upload else ""
        if upload is None:
            errors = ["请选择要导入的整改台账（.xlsx）。"]
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / name
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                result = read_ledger(path)
            errors = [e.message for e in result.errors]
            if not errors:
                outcome = services.import_ledger(county, school_year, result.rows, request.user)
                messages.success(request, outcome.message())
                return redirect("rectification", county.pk, school_year.label)
    context = _base(request, county, school_year, "problems")
    context.update(errors=errors, headers=LEDGER_HEADERS, required=LEDGER_REQUIRED)
    return render(request, "rectification/ledger_import.html", context)
