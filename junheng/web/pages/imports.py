"""Import pages: upload workbooks for a county (or one school) and a school year, see the problems
cell by cell or what was loaded, confirm warnings, download problem reports and templates.

Scope is checked through `accounts.scope` before anything is read: a county or school the user
may not see answers 404, one they may see but not import into answers 403. A run and its reports
belong to the user who uploaded them; anyone else gets 404.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, TooManyFilesSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.intake.sources import MAX_FILE_MB
from junheng.web import clock
from junheng.web.accounts.scope import (
    ImportRights,
    can_evaluate_county,
    can_import_county,
    can_register_counties,
    import_rights,
    import_school_of,
    importable_counties,
    visible_counties,
)
from junheng.web.collection.models import SchoolYearData
from junheng.web.imports import downloads, presenters
from junheng.web.imports.forms import TargetForm, UploadForm, valid_year
from junheng.web.imports.models import ImportRun, RunStatus
from junheng.web.imports.services import (
    KEEP,
    Target,
    UploadRefused,
    confirm_run,
    report_file,
    settle_interrupted,
    start_import,
)
from junheng.web.imports.uploads import LimitedUploadHandler
from junheng.web.pages.lookup import NOT_FOUND, county_or_404, school_or_404
from junheng.web.registry.models import County, School, SchoolYear

NO_IMPORT = "您的角色只能查看数据，不能导入。"
HISTORY_ROWS = 20


def _max_files() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_NUMBER_FILES", None) or 100)


def _limits() -> dict[str, Any]:
    return {
        "max_files": _max_files(),
        "max_file_mb": MAX_FILE_MB,
        "keep_hours": int(KEEP.total_seconds() // 3600),
    }


def _default_year() -> str:
    latest = SchoolYear.objects.order_by("-label").values_list("label", flat=True).first()
    return latest or str(clock.today().year)


def _year_or_404(year: str) -> str:
    if not valid_year(year):
        raise Http404(NOT_FOUND)
    return year


def _with_upload_limits(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install the size-limiting upload handler before the CSRF check reads the request body.

    Django's documented pattern: the outer view is exempt only so that handlers can be set
    before the body is parsed; the inner view is protected as usual. Too many files answer
    with the page's own Chinese message instead of a bare 400.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limiter = LimitedUploadHandler(request)
        request.upload_handlers.insert(0, limiter)
        request.upload_limiter = limiter  # type: ignore[attr-defined]
        try:
            return protected(request, *args, **kwargs)
        except TooManyFilesSent:
            # The body was not parsed, so its CSRF token was never checked: refuse here, before
            # any view runs, with a page of its own that holds no form and no data.
            message = (
                f"一次最多上传 {_max_files()} 个文件，未导入任何数据；"
                "学校较多时请把一校一册压缩成一个 .zip 文件上传。"
            )
            context = {"message": message, "back": request.path}
            return render(request, "pages/import_refused.html", context, status=413)

    return wrapper


def _upload_problem(request: HttpRequest) -> str | None:
    """A refusal found while the files streamed in (too many, too large), else None."""
    limiter = getattr(request, "upload_limiter", None)
    if limiter is not None and limiter.too_large:
        names = "、".join(f"“{n}”" for n in limiter.too_large)
        return f"{names}超过 {limiter.limit_mb} MB，未导入任何数据。"
    return None


def _history(request: HttpRequest, runs: Any) -> list[presenters.HistoryRow]:
    rows = list(runs.select_related("user")[:HISTORY_ROWS])
    settle_interrupted(rows)
    return presenters.history(rows, request.user.pk)


def _handle_upload(
    request: HttpRequest,
    form: UploadForm,
    target: Callable[[], tuple[Target, ImportRights]],
) -> HttpResponse | str | None:
    """Start the import of a posted form: the redirect to its run, or the reason the upload
    was refused while it streamed in, or None when the form shows its own errors."""
    problem = _upload_problem(request)
    if problem is not None:
        return problem
    if not form.is_valid():
        return None
    where, rights = target()
    try:
        run = start_import(request.user, where, rights, form.cleaned_data["files"])
    except UploadRefused as exc:
        form.add_error("files", str(exc))
        return None
    return redirect("import_run", run_id=run.pk)


def _school_year(school: School) -> str:
    latest = (
        SchoolYearData.objects.filter(school=school)
        .order_by("-year__label")
        .values_list("year__label", flat=True)
        .first()
    )
    return latest or _default_year()


@login_required
@require_http_methods(["GET", "POST"])
@_with_upload_limits
def import_start(request: HttpRequest) -> HttpResponse:
    """Choose county and year (system admins may name a new county) and upload."""
    school = import_school_of(request.user)
    if school is not None:
        return redirect("import_school", school_id=school.school_id, year=_school_year(school))
    counties = importable_counties(request.user)
    may_register = can_register_counties(request.user)
    if not may_register and not counties.exists():
        raise PermissionDenied(NO_IMPORT)
    options = {"counties": counties, "may_register": may_register}
    if request.method == "POST":
        form = TargetForm(request.POST, request.FILES, **options)
    else:
        initial: dict[str, Any] = {"year": _default_year(), "county": counties.first()}
        form = TargetForm(initial=initial, **options)

    def target() -> tuple[Target, ImportRights]:
        data = form.cleaned_data
        county = data.get("county")
        if county is not None:
            where = Target.of_county(county, data["year"])
        else:
            where = Target(data["year"], data["province"], data["city"], data["county_name"])
            county = County.objects.filter(
                city__province__name=where.province, city__name=where.city, name=where.county_name
            ).first()
            if county is not None:
                where = Target.of_county(county, where.year)
        rights = import_rights(request.user, county)
        if rights is None or not rights.county_wide:
            raise PermissionDenied(NO_IMPORT)
        return where, rights

    refusal = None
    if request.method == "POST":
        outcome = _handle_upload(request, form, target)
        if isinstance(outcome, HttpResponse):
            return outcome
        refusal = outcome
    mine = ImportRun.objects.filter(user=request.user)
    context = {
        "form": form,
        "refusal": refusal,
        "general": True,
        "history": _history(request, mine),
        **_limits(),
    }
    return render(request, "pages/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_with_upload_limits
def import_county(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """Upload the county workbook, 一校一册 books or CSV files for one county and year."""
    county = county_or_404(request, county_id)
    year = _year_or_404(year)
    rights = import_rights(request.user, county)
    if rights is None or not rights.county_wide:
        raise PermissionDenied(NO_IMPORT)
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    refusal = None
    if request.method == "POST":
        outcome = _handle_upload(request, form, lambda: (Target.of_county(county, year), rights))
        if isinstance(outcome, HttpResponse):
            return outcome
        refusal = outcome
    schools = list(School.objects.filter(county=county).order_by("school_id"))
    context = {
        "form": form,
        "refusal": refusal,
        "county": county,
        "year": year,
        "schools": schools,
        "history": _history(request, ImportRun.objects.filter(county=county, year=year)),
        **_limits(),
    }
    return render(request, "pages/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_with_upload_limits
def import_school(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """Upload one school's 一校一册 (the school's own users, or the county's administrators)."""
    school = school_or_404(request, school_id)
    year = _year_or_404(year)
    rights = import_rights(request.user, school.county, school)
    if rights is None:
        raise PermissionDenied(NO_IMPORT)
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    refusal = None
    if request.method == "POST":
        outcome = _handle_upload(request, form, lambda: (Target.of_school(school, year), rights))
        if isinstance(outcome, HttpResponse):
            return outcome
        refusal = outcome
    context = {
        "form": form,
        "refusal": refusal,
        "school": school,
        "county": school.county,
        "year": year,
        "county_visible": visible_counties(request.user).filter(pk=school.county_id).exists(),
        "history": _history(request, ImportRun.objects.filter(school=school, year=year)),
        **_limits(),
    }
    return render(request, "pages/import.html", context)


def _own_run(request: HttpRequest, run_id: int) -> ImportRun:
    run = (
        ImportRun.objects.filter(pk=run_id, user=request.user)
        .select_related("county", "school", "school__county")
        .first()
    )
    if run is None:
        raise Http404(NOT_FOUND)
    return run


def _run_rights(request: HttpRequest, run: ImportRun) -> ImportRights | None:
    if run.school is not None:
        return import_rights(request.user, run.school.county, run.school)
    county = run.county or (
        County.objects.filter(
            city__province__name=run.province, city__name=run.city, name=run.county_name
        ).first()
    )
    return import_rights(request.user, county)


@login_required
@require_GET
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """The outcome of one upload: problems, a confirmation step, or what was loaded."""
    run = _own_run(request, run_id)
    settle_interrupted([run])
    county = run.county
    county_visible = (
        county is not None and visible_counties(request.user).filter(pk=county.pk).exists()
    )
    context = {
        "run": run,
        "problems": presenters.problem_rows(run),
        "columns": presenters.COLUMNS,
        "reports": list(enumerate(run.reports)),
        "count_lines": presenters.count_lines(run),
        "county_visible": county_visible,
        "can_evaluate": county is not None and can_evaluate_county(request.user, county),
        "year_known": SchoolYear.objects.filter(label=run.year).exists(),
        "may_confirm": run.status == RunStatus.PENDING and _run_rights(request, run) is not None,
        "again_url": _again_url(run),
        **_limits(),
    }
    return render(request, "pages/import_run.html", context)


def _again_url(run: ImportRun) -> str:
    if run.school is not None:
        return reverse("import_school", args=[run.school.school_id, run.year])
    if run.county is not None:
        return reverse("import_county", args=[run.county.pk, run.year])
    return reverse("import_start")


@login_required
@require_POST
def import_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    """Load the saved uploads of a run whose only problems are warnings the user has read."""
    run = _own_run(request, run_id)
    rights = _run_rights(request, run)
    if rights is None:
        raise PermissionDenied(NO_IMPORT)
    confirm_run(run, rights)
    return redirect("import_run", run_id=run.pk)


@login_required
@require_GET
def import_report(request: HttpRequest, run_id: int, index: int) -> FileResponse:
    """A problem list or annotated workbook of the user's own run."""
    run = _own_run(request, run_id)
    path = report_file(run, index)
    if path is None:
        raise Http404("该文件已过期删除，请重新上传后再下载。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


def _attachment(name: str, content: bytes) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name)


@login_required
@require_GET
def county_template(request: HttpRequest, county_id: int, year: str) -> FileResponse:
    """The county workbook (全县填报模板) pre-filled with the county's schools."""
    county = county_or_404(request, county_id)
    year = _year_or_404(year)
    if not can_import_county(request.user, county):
        raise PermissionDenied(NO_IMPORT)
    return _attachment(*downloads.county_template(county, year))


@login_required
@require_GET
def school_books(request: HttpRequest, county_id: int, year: str) -> FileResponse:
    """Every school's 一校一册 of the county in one zip, last year's values beside the inputs."""
    county = county_or_404(request, county_id)
    year = _year_or_404(year)
    if not can_import_county(request.user, county):
        raise PermissionDenied(NO_IMPORT)
    return _attachment(*downloads.school_books(county, year))


@login_required
@require_GET
def school_book(request: HttpRequest, school_id: str, year: str) -> FileResponse:
    """One school's 一校一册."""
    school = school_or_404(request, school_id)
    year = _year_or_404(year)
    if import_rights(request.user, school.county, school) is None:
        raise PermissionDenied(NO_IMPORT)
    return _attachment(*downloads.school_book(school, year))
