"""教师名册 pages: `/counties/<id>/<year>/roster/` (upload, summary, the teacher list), the
workbooks (the empty template, the current roster masked, the county administrator's export
with full ID numbers after a confirmation) and `…/roster/reconcile/` (the roster against the
counts the schools reported). Who sees what is `permissions.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.intake.sources import MAX_FILE_MB
from junheng.roster.rules import eligibility_files
from junheng.web import clock
from junheng.web.accounts.scope import can_export_full_ids
from junheng.web.imports.presenters import COLUMNS
from junheng.web.imports.uploads import safe_name
from junheng.web.pages.exports import xlsx_download
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.registry.models import School
from junheng.web.roster import adopt, presenters, services
from junheng.web.roster.permissions import Access, RosterView, roster_view_or_404

PAGE_SIZE = 50
ACCEPTED = (".xlsx", ".csv")


def _upload_problem(upload: Any) -> str:
    """A Chinese reason the upload is not read at all, or ""."""
    if upload is None:
        return "请选择要上传的教师名册文件（.xlsx）。"
    name = safe_name(upload.name or "")
    if not name.lower().endswith(ACCEPTED):
        return f"“{name}”不是 .xlsx 工作簿或 CSV 文件：请上传按模板填写的教师名册（.xlsx）。"
    if (upload.size or 0) > MAX_FILE_MB * 2**20:
        return f"文件超过 {MAX_FILE_MB} MB，请检查是否上传错了文件。"
    return ""


def _import(request: HttpRequest, view: RosterView, year: Any) -> dict[str, Any]:
    upload = request.FILES.get("roster")
    refused = _upload_problem(upload)
    if refused:
        return {"refused": refused}
    name = safe_name(upload.name or "", "教师名册.xlsx")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        outcome = services.import_roster(view.county, year, path, request.user, name)
    if outcome.record is None:
        return {"problems": presenters.problem_rows(outcome.errors), "file_name": name}
    request.session["roster_imported"] = outcome.record.pk
    return {"imported": outcome.record}


def _school_names(view: RosterView) -> dict[str, str]:
    schools = School.objects.filter(county=view.county)
    return dict(schools.values_list("school_id", "name"))


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    view = roster_view_or_404(request, county_id)
    school_year = year_or_404(year)
    context: dict[str, Any] = {
        "county": view.county,
        "year": school_year,
        "access": str(view.access),
        "school": view.school,
        "max_file_mb": MAX_FILE_MB,
        "columns": COLUMNS,
        "full_export": can_export_full_ids(request.user, view.county),
    }
    status = 200
    if request.method == "POST":
        if view.access != Access.MANAGE:
            raise Http404(NOT_FOUND)
        result = _import(request, view, school_year)
        if "imported" in result:
            return redirect("roster:page", view.county.pk, school_year.label)
        context |= result
        status = 400
    record = services.latest_import(view.county, school_year)
    context["record"] = record
    if record is not None:
        who = record.user
        context["record_by"] = (who.get_full_name() or who.get_username()) if who else "—"
        context["record_at"] = clock.stamp(record.created_at)
        context["just_imported"] = request.session.pop("roster_imported", None) == record.pk
    rules = services.eligibility_for(view.county)
    context |= {
        "rules": rules,
        "rules_rows": presenters.eligibility_rows(rules),
        "rules_file": services.eligibility_file(view.county),
        "rules_choices": list(eligibility_files().items()),
    }
    own = view.school if view.access == Access.SCHOOL else None
    teachers = services.teachers_frame(view.county, school_year, own)
    context["listed"] = teachers.height
    summary = services.summary(teachers, services.roster_year(school_year))
    context["summary"] = presenters.summary_rows(summary, _school_names(view))
    context["headings"] = presenters.summary_headings()
    if view.access != Access.SUMMARY:
        query = request.GET.get("q", "").strip()[:50]
        rows = services.search(
            services.teacher_rows(view.county, school_year, own).select_related("school"), query
        ).order_by("school__school_id", "teacher_id")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {
            "query": query,
            "page": page,
            "teachers": [presenters.teacher_row(t) for t in page.object_list],
            "teacher_headings": presenters.TEACHER_HEADINGS,
        }
    return render(request, "roster/roster.html", context, status=status)


def manager_or_404(request: HttpRequest, county_id: int) -> RosterView:
    view = roster_view_or_404(request, county_id)
    if view.access != Access.MANAGE:
        raise Http404(NOT_FOUND)
    return view


@login_required
@require_GET
def template(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The empty template, or with `?current=1` the stored roster with ID numbers masked."""
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    if request.GET.get("current") == "1":
        content = services.workbook(
            services.teachers_frame(view.county, school_year),
            services.rotations_frame(view.county, school_year),
            full_ids=False,
        )
        name = f"{view.county.name}{school_year.label}学年教师名册（身份证号已隐去）.xlsx"
    else:
        content = services.empty_template()
        name = "教师名册模板.xlsx"
    return xlsx_download(content, name)


@login_required
@require_http_methods(["GET", "POST"])
def full_export(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """GET: what the export holds and who exported before; POST with the confirmation ticked:
    the workbook with full ID numbers, recorded and logged. County administrators only."""
    view = roster_view_or_404(request, county_id)
    if not can_export_full_ids(request.user, view.county):
        raise Http404(NOT_FOUND)
    school_year = year_or_404(year)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            content = services.full_export(view.county, school_year, request.user)
            name = f"{view.county.name}{school_year.label}学年教师名册（完整身份证号）.xlsx"
            return xlsx_download(content, name)
        error = "请先勾选确认：导出的文件含完整身份证号，只用于本县教师管理。"
    exports = [
        {
            "who": (e.user.get_full_name() or e.user.get_username()) if e.user else "—",
            "at": clock.stamp(e.created_at),
            "teachers": e.teachers,
        }
        for e in services.full_exports(view.county, school_year)[:20]
    ]
    return render(
        request,
        "roster/full_export.html",
        {
            "county": view.county,
            "year": school_year,
            "teachers": services.teacher_rows(view.county, school_year).count(),
            "exports": exports,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def reconcile(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    view = roster_view_or_404(request, county_id)
    if view.access == Access.SCHOOL:
        raise Http404(NOT_FOUND)
    school_year = year_or_404(year)
    record = services.latest_import(view.county, school_year)
    context: dict[str, Any] = {
        "county": view.county,
        "year": school_year,
        "record": record,
        "access": str(view.access),
    }
    if record is not None:
        result = services.reconciliation(view.county, school_year)
        groups = presenters.difference_groups(result.differences)
        context |= {
            "groups": groups,
            "compared": result.compared,
            "differing": result.differences.select("school_id", "level").unique().height,
            "rates": presenters.rate_rows(result.rates),
        }
        if view.access == Access.MANAGE:
            context["adopt"] = presenters.adopt_preview(adopt.preview(view.county, school_year))
    return render(request, "roster/reconcile.html", context)


@login_required
@require_POST
def adopt_roster(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """以名册为准更新填报数据 (county and system administrators)."""
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    if services.latest_import(view.county, school_year) is None:
        messages.error(request, "本学年还没有导入教师名册，不能以名册为准更新。")
    else:
        try:
            done = adopt.adopt_roster(view.county, school_year, request.user)
        except adopt.AdoptRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, done.message())
    return redirect("roster:reconcile", view.county.pk, school_year.label)


@login_required
@require_POST
def choose_rules(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The county's choice of eligibility rules (county and system administrators)."""
    view = manager_or_404(request, county_id)
    school_year = year_or_404(year)
    chosen = request.POST.get("eligibility_file", "")
    files = eligibility_files()
    if chosen not in files:
        messages.error(request, "请从列表中选择交流轮岗条件规则。")
    else:
        services.choose_eligibility(view.county, chosen, request.user)
        messages.success(request, f"本县教师名册改按“{files[chosen]}”判断谁符合交流条件。")
    return redirect(reverse("roster:page", args=[view.county.pk, school_year.label]) + "#rules")
