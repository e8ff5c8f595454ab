"""Data-entry and review pages: the school data form, workflow steps, history, the county's
review list and the county facts form.

Scope first, as everywhere: a school or county the user may not see answers 404 without naming
it; one the user may see but not change answers 403. Validation is the import's (see
`collection.forms`), writes go through `workflow`, which holds the state rules and the locking.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.standards import DEFAULT_STANDARD
from junheng.web.accounts.scope import (
    can_edit_school,
    can_review_county,
)
from junheng.web.collection.forms import (
    CountyFactsForm,
    SchoolDataForm,
    county_values,
    fact_items,
    school_layout,
    school_values,
)
from junheng.web.collection.models import (
    CountyFactValue,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.pages.lookup import county_or_404, school_or_404, year_or_404
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import latest_snapshot
from junheng.web.workflow import (
    ACTION_ZH,
    NO_DATA,
    TRANSITIONS,
    Action,
    Conflict,
    DataLocked,
    NotPermitted,
    WorkflowError,
    allowed_actions,
    county_facts_history,
    county_facts_version,
    locked_message,
    may_edit,
    review_rows,
    save_county_facts,
    save_school_data,
    school_history,
    status_counts,
    transition,
)

STATUS_CSS: dict[str, str] = {
    Status.DRAFT: "draft",
    Status.SUBMITTED: "submitted",
    Status.APPROVED: "ok",
    Status.RETURNED: "fail",
}


def _standard_id(county: County, year: SchoolYear) -> str:
    snapshot = latest_snapshot(county, year)
    return snapshot.standard_id if snapshot is not None else DEFAULT_STANDARD


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _actions(user: Any, school: School, data: SchoolYearData | None) -> list[dict[str, Any]]:
    return [
        {
            "action": action.value,
            "label": ACTION_ZH[action],
            "comment_required": TRANSITIONS[action].comment_required,
            "comment_label": TRANSITIONS[action].comment_label,
        }
        for action in allowed_actions(user, school, data)
    ]


def status_badge(data: SchoolYearData | None) -> dict[str, str]:
    if data is None:
        return {"text": "尚无数据", "css": "unknown"}
    return {"text": data.get_status_display(), "css": STATUS_CSS[data.status]}


def school_context(
    request: HttpRequest, school: School, year: SchoolYear, data: SchoolYearData | None
) -> dict[str, Any]:
    """What the school page shows of data entry: state, permitted steps, the latest history."""
    history, more = school_history(school, year)
    return {
        "entry": {
            "status": status_badge(data),
            "data": data,
            "can_edit": may_edit(request.user, school, data),
            "may_edit_role": can_edit_school(request.user, school),
            "actions": _actions(request.user, school, data),
            "history": history,
            "more": more,
            "history_url": reverse("school_history", args=[school.school_id, year.label]),
            "edit_url": reverse("school_edit", args=[school.school_id, year.label]),
            "workflow_url": reverse("school_workflow", args=[school.school_id, year.label]),
        }
    }


def _school_stored(
    school: School, year: SchoolYear
) -> tuple[SchoolYearData | None, list[SegmentData], list[SchoolFactValue]]:
    data = (
        SchoolYearData.objects.filter(school=school, year=year).select_related("updated_by").first()
    )
    segments = list(SegmentData.objects.filter(school=school, year=year))
    facts = list(SchoolFactValue.objects.filter(school=school, year=year))
    return data, segments, facts


def _previous_year_with_data(school: School, year: SchoolYear) -> SchoolYear | None:
    """The latest school year before `year` for which the school has data."""
    return (
        SchoolYear.objects.filter(
            label__lt=year.label, pk__in=SegmentData.objects.filter(school=school).values("year")
        )
        .order_by("-label")
        .first()
    )


def _with_version(post: QueryDict, version: int) -> QueryDict:
    data = post.copy()
    data["version"] = str(version)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """The school's data form for one year; saving goes through the import's validation."""
    school = school_or_404(request, school_id)
    if not can_edit_school(request.user, school):
        raise PermissionDenied("您没有修改本校数据的权限。")
    year_row = year_or_404(year)
    data, segments, facts = _school_stored(school, year_row)
    layout = school_layout(school, data, segments)
    options = {
        "school": school,
        "layout": layout,
        "items": fact_items(_standard_id(school.county, year_row)),
    }
    stored = school_values(data, segments, facts)
    version = data.version if data is not None else 0
    editable = may_edit(request.user, school, data)
    notice, status = "", 200
    if request.method == "POST" and not editable:
        form = SchoolDataForm(request.POST, **options)
        notice, status = locked_message(data.status if data else Status.DRAFT, year_row), 409
    elif request.method == "POST":
        form = SchoolDataForm(request.POST, **options)
        if form.is_valid():
            try:
                changed = save_school_data(
                    school, year_row, form.dataset, request.user, form.cleaned_data["version"]
                )
            except Conflict as conflict:
                data, segments, facts = _school_stored(school, year_row)
                options["layout"] = school_layout(school, data, segments)
                form = SchoolDataForm(_with_version(request.POST, conflict.version), **options)
                form.compare_with(school_values(data, segments, facts))
                notice, status = conflict.message, 409
            except DataLocked as locked:
                notice, status = locked.message, 409
            else:
                if changed:
                    messages.success(request, f"已保存，共修改 {changed} 项。")
                else:
                    messages.info(request, "没有修改任何内容。")
                for warning in form.warnings:
                    messages.warning(request, warning)
                return redirect("school", school_id=school.school_id, year=year_row.label)
    else:
        form = SchoolDataForm(initial={**stored, "version": version}, **options)
        if not editable:
            notice = locked_message(data.status if data else Status.DRAFT, year_row)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if (earlier := _previous_year_with_data(school, year_row)) is not None:
        form.show_previous(earlier.label, school_values(*_school_stored(school, earlier)))
    context = {
        "school": school,
        "year": year_row,
        "data": data,
        "status": status_badge(data),
        "form": form,
        "sections": form.sections(),
        "editable": editable,
        "notice": notice,
        "conflict": bool(form.current),
    }
    return render(request, "pages/entry_school.html", context, status=status)


@login_required
@require_POST
def school_workflow(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """One workflow step (submit, approve, return, unlock) on a school's year."""
    school = school_or_404(request, school_id)
    year_row = year_or_404(year)
    action = request.POST.get("action", "")
    try:
        transition(school, year_row, action, request.user, request.POST.get("comment", ""))
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from None
    except WorkflowError as problem:
        messages.error(request, f"{school.name}：{problem.message}")
    else:
        messages.success(request, f"{school.name}：已{ACTION_ZH[action]}。")
    default = reverse("school", args=[school.school_id, year_row.label])
    return redirect(_next(request, default))


def _before(request: HttpRequest) -> int | None:
    try:
        return int(request.GET["before"])
    except (KeyError, ValueError):
        return None


@login_required
@require_GET
def school_history_page(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """Older history entries: a fragment for htmx, else a page of its own."""
    school = school_or_404(request, school_id)
    year_row = year_or_404(year)
    history, more = school_history(school, year_row, before=_before(request))
    context = {
        "school": school,
        "year": year_row,
        "history": history,
        "more": more,
        "history_url": reverse("school_history", args=[school.school_id, year_row.label]),
        "fragment": request.headers.get("HX-Request") == "true",
    }
    template = "pages/_history.html" if context["fragment"] else "pages/entry_history.html"
    return render(request, template, context)


@login_required
@require_GET
def county_review(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """All schools of the county with their state for the year; reviewers act from here."""
    county = county_or_404(request, county_id)
    year_row = year_or_404(year)
    wanted = request.GET.get("status", "")
    if wanted not in (*Status.values, NO_DATA):
        wanted = ""
    counts = status_counts(county, year_row)
    filters = [
        {"value": "", "text": "全部", "count": sum(counts.values())},
        *({"value": s.value, "text": s.label, "count": counts[s.value]} for s in Status),
        {"value": NO_DATA, "text": "尚无数据", "count": counts[NO_DATA]},
    ]
    rows = [
        {
            "school": row.school,
            "status": status_badge(row.data),
            "comment": row.data.review_comment if row.data else "",
            "last_at": row.last_at,
            "last_by": row.last_by,
            # Reviewers act here; a school's own submission is made from its page.
            "actions": [
                a
                for a in _actions(request.user, row.school, row.data)
                if a["action"] != Action.SUBMIT
            ],
        }
        for row in review_rows(county, year_row, wanted or None)
    ]
    context = {
        "county": county,
        "year": year_row,
        "rows": rows,
        "filters": filters,
        "wanted": wanted,
        "can_review": can_review_county(request.user, county),
        "here": request.get_full_path(),
    }
    return render(request, "pages/review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def county_facts_edit(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The county's facts (Parts G, Q, S and the vetoes) for one year."""
    county = county_or_404(request, county_id)
    if not can_review_county(request.user, county):
        raise PermissionDenied("只有本县管理员或系统管理员可以填报县级指标。")
    year_row = year_or_404(year)
    options = {"county": county, "standard_id": _standard_id(county, year_row)}

    def stored() -> dict[str, str]:
        return county_values(list(CountyFactValue.objects.filter(county=county, year=year_row)))

    state = county_facts_version(county, year_row)
    version = state.version if state is not None else 0
    notice, status = "", 200
    if request.method == "POST":
        form = CountyFactsForm(request.POST, **options)
        if form.is_valid():
            try:
                changed = save_county_facts(
                    county,
                    year_row,
                    form.fact_rows,
                    form.fact_notes,
                    request.user,
                    form.cleaned_data["version"],
                )
            except Conflict as conflict:
                form = CountyFactsForm(_with_version(request.POST, conflict.version), **options)
                form.compare_with(stored())
                notice, status = conflict.message, 409
            else:
                if changed:
                    messages.success(request, f"县级指标已保存，共修改 {changed} 项。")
                else:
                    messages.info(request, "没有修改任何内容。")
                return redirect("county_facts", county_id=county.pk, year=year_row.label)
    else:
        form = CountyFactsForm(initial={**stored(), "version": version}, **options)
    history, more = county_facts_history(county, year_row)
    context = {
        "county": county,
        "year": year_row,
        "form": form,
        "sections": form.sections(),
        "notice": notice,
        "conflict": bool(form.current),
        "history": history,
        "more": None,
        "has_more": more is not None,
    }
    return render(request, "pages/entry_county.html", context, status=status)
