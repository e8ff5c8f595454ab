"""一校一案 pages: a school's plan (its gaps from the latest evaluation, its problems and tasks
with deadlines and status) and its .docx, the list of a 责任督学's schools, and where school,
township and 责任督学 users start in the ledger.

Who may open a school's plan: whoever may read the school (`accounts.scope.can_view_school`:
its own user, its township's office, its 责任督学, the county's readers) and the readers of the
county's ledger. Unknown and forbidden schools answer the same 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from junheng.rectification.books import PlanTask, school_plan_document
from junheng.web.accounts.scope import (
    AnyUser,
    can_view_school,
    is_school_inspector,
    township_of,
    visible_schools,
)
from junheng.web.pages.lookup import NOT_FOUND, start_year, year_or_404
from junheng.web.rectification import parties, services
from junheng.web.rectification.models import Task
from junheng.web.rectification.permissions import (
    can_manage,
    can_report_progress,
    can_view_ledger,
)
from junheng.web.rectification.views import STATUS_CSS
from junheng.web.registry.models import County, School, SchoolYear

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def plan_school_or_404(request: HttpRequest, school_id: str) -> School:
    school = School.objects.filter(school_id=school_id).select_related("county").first()
    if school is None:
        raise Http404(NOT_FOUND)
    if not (can_view_school(request.user, school) or can_view_ledger(request.user, school.county)):
        raise Http404(NOT_FOUND)
    return school


def task_rows(
    tasks: Iterable[PlanTask], by_id: dict[int, Task], user: AnyUser, county: County
) -> list[dict[str, Any]]:
    """Rows of plan tasks for a page: the task, its css and whether it is the user's own unit's
    to report on (本单位办理; not marked for the county's approvers, who may report on all)."""
    manager = can_manage(user, county)
    return [
        {
            "t": task,
            "css": STATUS_CSS.get(task.status, "draft"),
            "mine": not manager and task.id in by_id and can_report_progress(user, by_id[task.id]),
        }
        for task in tasks
    ]


@login_required
@require_GET
def school_plan(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """一校一案: the school's gaps, problems and tasks of the year."""
    school = plan_school_or_404(request, school_id)
    school_year = year_or_404(year)
    today = services.today()
    plan = parties.school_plan(school, school_year, today)
    tasks = {t.pk: t for t in parties.school_tasks([school], school_year, school.county_id)}
    context = {
        "school": school,
        "county": school.county,
        "year": school_year,
        "plan": plan,
        "today": today,
        "tasks": task_rows(plan.tasks, tasks, request.user, school.county),
        "ledger_reader": can_view_ledger(request.user, school.county),
        "own_page": parties.own_page_link(request.user, school_year),
        "township_page": _township_link(request, school, school_year),
    }
    return render(request, "rectification/school_plan.html", context)


def _township_link(request: HttpRequest, school: School, year: SchoolYear) -> str | None:
    """The school's township book, for those who may open it."""
    if not school.township:
        return None
    town = township_of(request.user)
    if can_view_ledger(request.user, school.county) or town == (school.county_id, school.township):
        return reverse(
            "rectification_township", args=[school.county_id, year.label, school.township]
        )
    return None


@login_required
@require_GET
def school_plan_docx(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    school = plan_school_or_404(request, school_id)
    school_year = year_or_404(year)
    today = services.today()
    plan = parties.school_plan(school, school_year, today)
    return docx_response(
        school_plan_document(plan), f"{school.name}{school_year.label}学年一校一案.docx"
    )


@login_required
@require_GET
def schools(request: HttpRequest) -> HttpResponse:
    """A 责任督学's schools, each with its school page and its 一校一案 (other roles: 404; a
    township's office has its 一镇一册, the county's readers the county's pages)."""
    user = request.user
    if not is_school_inspector(user):
        raise Http404(NOT_FOUND)
    years = list(SchoolYear.objects.order_by("-label"))
    if not years:
        raise Http404(NOT_FOUND)
    rows = []
    starts: dict[int, SchoolYear] = {}
    for school in (
        visible_schools(user)
        .select_related("county")
        .order_by("county__name", "township", "school_id")
    ):
        if school.county_id not in starts:
            starts[school.county_id] = start_year(school.county, years)
        rows.append({"school": school, "year": starts[school.county_id]})
    return render(request, "rectification/schools.html", {"rows": rows})
