"""The 督导检查 pages: visits (planned and done), planning, the visit record on a phone with the
checklist, findings with photos turned into ledger problems, 回头看 re-checks, the assignment of
责任督学 to schools and the summaries per period with their .xlsx.

Views are thin: scope from `permissions`, writes through `services`, counts in the core
(`junheng.inspections.summary`). Unknown and forbidden objects answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.inspections import kinds
from junheng.inspections.checklist import load_checklist
from junheng.inspections.summary import PERIODS, Period, period_of
from junheng.web.accounts.models import Profile
from junheng.web.accounts.scope import is_school_inspector, visible_counties
from junheng.web.clock import today
from junheng.web.inspections import permissions as perms
from junheng.web.inspections import presenters, services
from junheng.web.inspections.forms import (
    AssignForm,
    FindingForm,
    PeriodForm,
    PlanForm,
    RecheckForm,
    RecordForm,
)
from junheng.web.inspections.models import Finding, Photo, Visit
from junheng.web.pages.exports import xlsx_response
from junheng.web.pages.lookup import NOT_FOUND, school_or_404
from junheng.web.rectification import evidence
from junheng.web.rectification.models import Problem
from junheng.web.rectification.permissions import can_view_ledger
from junheng.web.registry.models import School


def _visit_rows(visits: Any) -> list[dict[str, Any]]:
    day = today()
    return [
        {
            "visit": v,
            "overdue": v.status == kinds.PLANNED and v.planned_on < day,
            "due": v.status == kinds.PLANNED and v.planned_on == day,
        }
        for v in visits
    ]


def _visits(request: HttpRequest, school: School | None = None) -> list[dict[str, Any]]:
    visits = perms.visible_visits(request.user).select_related("school", "inspector")
    if school is not None:
        visits = visits.filter(school=school)
    elif is_school_inspector(request.user):
        visits = visits.filter(inspector=request.user)
    return _visit_rows(visits.order_by("status", "planned_on", "id")[:300])


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """A 督学's planned and done visits; for county roles the county's visits with links to the
    assignment and the summaries."""
    if not perms.has_inspection_pages(request.user):
        raise Http404(NOT_FOUND)
    counties = list(visible_counties(request.user).order_by("name"))
    context = {
        "rows": _visits(request),
        "can_plan": perms.plannable_schools(request.user).exists(),
        "counties": [{"county": c, "assign": perms.can_assign(request.user, c)} for c in counties],
        "inspector": is_school_inspector(request.user),
    }
    return render(request, "inspections/start.html", context)


@login_required
@require_GET
def school_visits(request: HttpRequest, school_id: str) -> HttpResponse:
    """The visits of one school (linked from the school page)."""
    school = school_or_404(request, school_id)
    if not perms.inspection_schools(request.user).filter(pk=school.pk).exists():
        raise Http404(NOT_FOUND)
    context = {
        "school": school,
        "rows": _visits(request, school),
        "can_plan": perms.can_plan(request.user, school),
    }
    return render(request, "inspections/school.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    schools = perms.plannable_schools(request.user)
    if not schools.exists():
        raise Http404(NOT_FOUND)
    own = request.user if is_school_inspector(request.user) else None
    initial = {"planned_on": today(), "kind": kinds.ROUTINE}
    wanted = request.GET.get("school")
    if wanted:
        school = schools.filter(school_id=wanted).first()
        if school is not None:
            initial["school"] = school.pk
    form = PlanForm(request.POST or None, schools=schools, inspector=own, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = services.plan_visit(
            data["school"], data["inspector"], data["planned_on"], data["kind"], request.user
        )
        messages.success(request, f"已计划：{visit.planned_on:%Y-%m-%d} {visit.school.name}。")
        return redirect("inspections_visit", visit.pk)
    return render(request, "inspections/plan.html", {"form": form})


def _visit_context(request: HttpRequest, visit: Visit, **forms: Any) -> dict[str, Any]:
    checklist = load_checklist()
    editable = perms.can_record(request.user, visit)
    record = forms.get("record")
    if record is None and editable:
        initial: dict[str, Any] = {
            "visited_on": visit.visited_on or today(),
            "people_met": visit.people_met,
            "remarks": visit.remarks,
        }
        for row in services.answers_of(visit, checklist):
            key = row["item"].key
            initial[f"result_{key}"] = row["result"]
            initial[f"note_{key}"] = row["note"]
        record = RecordForm(checklist=checklist, initial=initial)
    ledger = can_view_ledger(request.user, visit.school.county)
    findings = list(visit.findings.prefetch_related("photos").select_related("problem"))
    context: dict[str, Any] = {
        "visit": visit,
        "editable": editable,
        "record": record,
        "answers": presenters.answer_rows(services.answers_of(visit, checklist)),
        "findings": findings,
        "finding_form": forms.get("finding") or FindingForm(checklist=checklist),
        "ledger": ledger,
        "limits": evidence.limits(),
        "photo_text": services.PHOTO_TEXT,
        "revisit": visit.kind == kinds.REVISIT,
    }
    if visit.kind == kinds.REVISIT:
        done = {r.problem_id: r for r in visit.rechecks.select_related("new_problem")}
        context["rechecks"] = [
            {"problem": p, "recheck": done.get(p.pk), "form": RecheckForm(prefix=f"p{p.pk}")}
            for p in services.closed_problems(visit.school)
        ]
    return context


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = perms.visit_or_404(request, pk)
    return render(request, "inspections/visit.html", _visit_context(request, visit))


@login_required
@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = perms.visit_or_404(request, pk)
    perms.record_or_404(request, visit)
    form = RecordForm(request.POST, checklist=load_checklist())
    if form.is_valid():
        try:
            services.record_visit(
                visit,
                visited_on=form.cleaned_data["visited_on"],
                people_met=form.cleaned_data["people_met"].strip(),
                remarks=form.cleaned_data["remarks"].strip(),
                answers=form.answers(),
            )
        except services.InspectionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存检查记录。")
            return redirect("inspections_visit", visit.pk)
    context = _visit_context(request, visit, record=form)
    return render(request, "inspections/visit.html", context, status=400)


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = perms.visit_or_404(request, pk)
    perms.record_or_404(request, visit)
    form = FindingForm(request.POST, checklist=load_checklist())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_finding(
                visit,
                title=data["title"].strip(),
                item=data["item"],
                description=data["description"].strip(),
                photos=request.FILES.getlist("photos"),
                user=request.user,
            )
        except evidence.EvidenceRefused as exc:
            messages.error(request, f"{exc}。本条问题未保存，请重新选择照片后提交。")
        else:
            messages.success(request, "已登记发现的问题。")
            return redirect(reverse("inspections_visit", args=[visit.pk]) + "#findings")
    context = _visit_context(request, visit, finding=form)
    return render(request, "inspections/visit.html", context, status=400)


@login_required
@require_POST
def finding_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """转为整改问题: the finding's one problem of the ledger (a second click finds it)."""
    finding = Finding.objects.filter(pk=pk).first()
    if finding is None:
        raise Http404(NOT_FOUND)
    visit = perms.visit_or_404(request, finding.visit_id)
    perms.record_or_404(request, visit)
    try:
        problem, made = services.finding_problem(finding, request.user)
    except services.InspectionRefused as exc:
        messages.error(request, str(exc))
    else:
        if made:
            messages.success(request, f"已登记到整改台账：{problem.title}。")
        else:
            messages.info(request, f"该问题已在整改台账中：{problem.title}，未重复登记。")
    return redirect(reverse("inspections_visit", args=[visit.pk]) + "#findings")


@login_required
@require_POST
def recheck(request: HttpRequest, pk: int, problem_id: int) -> HttpResponse:
    visit = perms.visit_or_404(request, pk)
    perms.record_or_404(request, visit)
    problem = Problem.objects.filter(pk=problem_id).first()
    if problem is None:
        raise Http404(NOT_FOUND)
    form = RecheckForm(request.POST, prefix=f"p{problem.pk}")
    if not form.is_valid():
        messages.error(request, f"“{problem.title}”：请选择巩固或反弹。")
        return redirect(reverse("inspections_visit", args=[visit.pk]) + "#rechecks")
    try:
        done, made = services.recheck(
            visit, problem, form.cleaned_data["result"], form.cleaned_data["note"], request.user
        )
    except services.InspectionRefused as exc:
        messages.error(request, str(exc))
    else:
        if not made:
            messages.info(request, f"“{problem.title}”本次已复查（{done.get_result_display()}）。")
        elif done.new_problem is not None:
            messages.success(request, f"已记录反弹，并登记新问题：{done.new_problem.title}。")
        else:
            messages.success(request, f"已记录“{problem.title}”整改成果巩固。")
    return redirect(reverse("inspections_visit", args=[visit.pk]) + "#rechecks")


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = Photo.objects.filter(pk=pk).first()
    if item is None:
        raise Http404(NOT_FOUND)
    finding = Finding.objects.get(pk=item.finding_id)
    perms.visit_or_404(request, finding.visit_id)
    return evidence.file_response(item.path, item.name, item.kind)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, county_id: int) -> HttpResponse:
    """责任督学分配: each school with its 督学; an admin picks a 督学 and ticks their schools."""
    county = perms.summary_county_or_404(request, county_id)
    if not perms.can_assign(request.user, county):
        raise Http404(NOT_FOUND)
    inspectors = services.inspectors_of(county)
    chosen = None
    wanted = request.POST.get("inspector") or request.GET.get("inspector")
    if wanted:
        chosen = next((u for u in inspectors if str(u.pk) == wanted), None)
        if chosen is None:
            raise Http404(NOT_FOUND)
    schools = School.objects.filter(county=county)
    form = None
    if chosen is not None:
        current = Profile.objects.get(user=chosen).supervised_schools.filter(county=county)
        form = AssignForm(request.POST or None, schools=schools, initial={"schools": list(current)})
        if request.method == "POST" and form.is_valid():
            services.assign_schools(chosen, county, form.cleaned_data["schools"])
            messages.success(
                request,
                f"已保存{services.person_name(chosen)}负责的学校"
                f"（{len(form.cleaned_data['schools'])} 所）。",
            )
            url = reverse("inspections_assign", args=[county.pk])
            return redirect(f"{url}?inspector={chosen.pk}")
    elif request.method == "POST":
        raise Http404(NOT_FOUND)
    context = {
        "county": county,
        "inspectors": inspectors,
        "chosen": chosen,
        "form": form,
        "table": presenters.assignment_table(county),
    }
    return render(request, "inspections/assign.html", context)


def _period(request: HttpRequest) -> Period:
    form = PeriodForm(request.GET)
    kind, day = "month", today()
    if form.is_valid():
        kind = form.cleaned_data["period"] or kind
        day = form.cleaned_data["day"] or day
    return period_of(kind, day)


@login_required
@require_GET
def summary(request: HttpRequest, county_id: int) -> HttpResponse:
    county = perms.summary_county_or_404(request, county_id)
    period = _period(request)
    result = services.summary(county, period)
    query = f"?period={period.kind}&day={period.start:%Y-%m-%d}"
    context = {
        "county": county,
        "period": period,
        "periods": PERIODS,
        "previous": period.previous(),
        "next": period.next(),
        "summary": result,
        "tables": presenters.summary_tables(result),
        "export_url": reverse("inspections_summary_xlsx", args=[county.pk]) + query,
    }
    return render(request, "inspections/summary.html", context)


@login_required
@require_GET
def summary_xlsx(request: HttpRequest, county_id: int) -> HttpResponse:
    county = perms.summary_county_or_404(request, county_id)
    period = _period(request)
    result = services.summary(county, period)
    heading = f"{county.name}督导检查汇总（{period.label}，{period.span}）"
    return xlsx_response(
        presenters.summary_tables(result), f"{county.name}督导检查汇总{period.label}.xlsx", heading
    )
