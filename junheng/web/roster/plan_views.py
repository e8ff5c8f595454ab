"""交流轮岗与教师补充 pages: `/counties/<id>/<year>/roster/plan/` (the limits, the plan and the
engine's figures before and after), `…/roster/plan.xlsx` (the moves and hires) and
`…/roster/plan/tasks/` (the plan as ledger tasks, once). County and system administrators
only; everyone else gets the site's 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from junheng.web import clock
from junheng.web.pages.exports import xlsx_response
from junheng.web.pages.lookup import year_or_404
from junheng.web.roster import plan_presenters, planning, services
from junheng.web.roster.forms import PlanForm
from junheng.web.roster.views import manager_or_404


def _form(data: Any) -> PlanForm:
    return PlanForm(data) if "scope" in data else PlanForm()


@login_required
@require_GET
def plan(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    form = _form(request.GET)
    record = services.latest_import(view.county, school_year)
    context: dict[str, Any] = {
        "county": view.county,
        "year": school_year,
        "form": form,
        "record": record,
        "has_posts": planning.has_posts(view.county, school_year),
        "existing": planning.existing_tasks(view.county, school_year),
    }
    status = 200
    if record is not None and form.is_bound:
        if not form.is_valid():
            status = 400
        else:
            outcome = planning.run_plan(view.county, school_year, form.plan_request())
            context["outcome"] = outcome
            if outcome.plan is None:
                status = 400
            else:
                query = urlencode(
                    {k: v for k, v in request.GET.items() if k in form.fields}, doseq=False
                )
                context |= {
                    "status": plan_presenters.status_rows(outcome.plan),
                    "moves": plan_presenters.move_rows(outcome.plan),
                    "move_headings": plan_presenters.MOVE_HEADINGS,
                    "hires": plan_presenters.hire_rows(outcome.plan),
                    "figures": plan_presenters.figure_rows(outcome.figures),
                    "query": query,
                    "hidden": [(k, v) for k, v in request.GET.items() if k in form.fields],
                }
    return render(request, "roster/plan.html", context, status=status)


@login_required
@require_GET
def plan_export(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    form = _form(request.GET)
    target = reverse("roster:plan", args=[view.county.pk, school_year.label])
    if not form.is_bound or not form.is_valid():
        return redirect(target)
    outcome = planning.run_plan(view.county, school_year, form.plan_request())
    if outcome.plan is None:
        return redirect(f"{target}?{request.GET.urlencode()}")
    heading = (
        f"{view.county.name} {school_year.label} 学年交流轮岗与教师补充方案：{outcome.plan.summary}"
    )
    name = f"{view.county.name}{school_year.label}学年交流轮岗与教师补充方案.xlsx"
    return xlsx_response(plan_presenters.workbook_tables(outcome.plan, heading), name)


@login_required
@require_POST
def plan_tasks(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    form = _form(request.POST)
    target = reverse("roster:plan", args=[view.county.pk, school_year.label])
    if not form.is_bound or not form.is_valid():
        messages.error(request, "规划条件有误，请重新运行规划后再生成任务。")
        return redirect(target)
    query = urlencode({k: request.POST[k] for k in form.fields if k in request.POST})
    existing = planning.existing_tasks(view.county, school_year)
    if existing is not None:
        done = planning.TasksOutcome(False, existing, 0)
        messages.info(request, done.message())
        return redirect(f"{target}?{query}")
    outcome = planning.run_plan(view.county, school_year, form.plan_request())
    if outcome.plan is None:
        messages.error(request, outcome.error)
        return redirect(f"{target}?{query}")
    try:
        done = planning.create_tasks(
            view.county, school_year, outcome.plan, request.user, clock.today()
        )
    except planning.TasksRefused as refused:
        messages.error(request, refused.message)
    else:
        (messages.success if done.created else messages.info)(request, done.message())
    return redirect(f"{target}?{query}")
