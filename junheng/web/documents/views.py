"""The 报告 page of a county and year: generate documents in the background, watch their
progress, download what was generated.

County administrators (and system administrators) generate; leaders and inspectors of the county
read and download. School users and departments see nothing of it (404, as for an unknown page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from junheng.rectification.bulletin import PERIODS
from junheng.reports.pdf import pdf_available
from junheng.web import clock
from junheng.web.accounts.scope import can_evaluate_county, visible_counties
from junheng.web.documents import services
from junheng.web.documents.models import ACTIVE, Document, Job, JobKind
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages.lookup import NOT_FOUND, county_or_404, start_year, year_or_404
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import data_changed_since

# The kinds the page offers, in the order a county hands them in, with what each holds.
OFFERED: tuple[tuple[str, str], ...] = (
    (JobKind.SELF_EVALUATION, "县域自评报告：评估结论、各项指标、主要做法、问题和整改措施。"),
    (JobKind.TABLES, "评估附表：各校资源配置、差异系数和各项指标，一个 Excel 文件。"),
    (JobKind.SCHOOL_BOOKS, "一校一册：每所学校一份 Word，打包为 zip；学校多时需要一两分钟。"),
    (JobKind.BULLETIN, "整改通报：按整改台账当前情况汇总的周通报或月通报。"),
)
NEEDS_SNAPSHOT = {JobKind.SELF_EVALUATION, JobKind.TABLES, JobKind.SCHOOL_BOOKS, JobKind.ARCHIVE}
RECENT_JOBS = 8


def _county_year(request: HttpRequest, county_id: int, year: str) -> tuple[County, SchoolYear]:
    return county_or_404(request, county_id), year_or_404(year)


def _snapshots(county: County, year: SchoolYear) -> list[Snapshot]:
    return list(
        Snapshot.objects.filter(county=county, year=year)
        .defer("result")
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def _jobs(county: County, year: SchoolYear) -> list[Job]:
    jobs = list(
        Job.objects.filter(county=county, year=year)
        .select_related("requested_by", "snapshot")
        .order_by("-created_at", "-id")[:RECENT_JOBS]
    )
    services.settle_interrupted(jobs)
    return jobs


def _document_rows(county: County, year: SchoolYear, latest: Snapshot | None) -> list[Any]:
    rows = []
    for document in Document.objects.filter(county=county, year=year).select_related(
        "created_by", "snapshot"
    ):
        stale = (
            latest is not None
            and document.snapshot_id is not None
            and document.snapshot_id != latest.pk
        )
        rows.append({"doc": document, "stale": stale})
    return rows


def _jobs_context(county: County, year: SchoolYear) -> dict[str, Any]:
    jobs = _jobs(county, year)
    active = any(j.status in ACTIVE for j in jobs)
    return {
        "jobs": jobs,
        "polling": active,
        "worker_missing": active and not services.worker_running(),
        "now": clock.now(),
    }


@login_required
@require_GET
def reports(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _county_year(request, county_id, year)
    snapshots = _snapshots(county, school_year)
    latest = snapshots[0] if snapshots else None
    context: dict[str, Any] = {
        "county": county,
        "year": school_year,
        "manage": can_evaluate_county(request.user, county),
        "snapshots": snapshots,
        "latest": latest,
        "offered": [(JobKind(kind), text) for kind, text in OFFERED],
        "needs_snapshot": [str(k) for k in NEEDS_SNAPSHOT],
        "periods": PERIODS,
        "pdf": pdf_available(),
        "documents": _document_rows(county, school_year, latest),
        "latest_changed": latest is not None and data_changed_since(latest),
        "archive_url": _archive_url(county, school_year),
        "practice_url": reverse("practice:edit", args=[county.pk, school_year.label]),
    }
    context.update(_jobs_context(county, school_year))
    return render(request, "documents/reports.html", context)


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The section's start: the reports of the user's county (latest evaluated year), or a list
    of the counties the user may see."""
    counties = list(visible_counties(request.user).order_by("name"))
    years = list(SchoolYear.objects.order_by("-label"))
    if not counties or not years:
        raise Http404(NOT_FOUND)
    if len(counties) == 1:
        return redirect("documents:reports", counties[0].pk, start_year(counties[0], years).label)
    return render(request, "documents/start.html", {"counties": counties, "year": years[0]})


def _archive_url(county: County, year: SchoolYear) -> str | None:
    try:
        return reverse("archive:home", args=[county.pk, year.label])
    except NoReverseMatch:
        return None


@login_required
@require_GET
def jobs(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The jobs box, polled by the page while a job waits or runs."""
    county, school_year = _county_year(request, county_id, year)
    context = {"county": county, "year": school_year, **_jobs_context(county, school_year)}
    response = render(request, "documents/_jobs.html", context)
    if not context["polling"]:
        # the last poll: reload the page so the new documents are listed
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def generate(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _county_year(request, county_id, year)
    if not can_evaluate_county(request.user, county):
        raise Http404(NOT_FOUND)
    back = reverse("documents:reports", args=[county.pk, school_year.label])
    kind = request.POST.get("kind", "")
    if kind not in JobKind.values:
        messages.error(request, "请选择要生成的文件。")
        return redirect(back)
    snapshot = None
    params: dict[str, Any] = {}
    if kind in NEEDS_SNAPSHOT:
        snapshot = _chosen_snapshot(request, county, school_year)
        if snapshot is None:
            messages.error(
                request,
                f"{county.name}{school_year.label}学年还没有评估结果：请先“重新评估”，再生成"
                f"{JobKind(kind).label}。",
            )
            return redirect(back)
    if kind == JobKind.BULLETIN:
        period = request.POST.get("period", "week")
        params["period"] = period if period in PERIODS else "week"
    if kind == JobKind.SELF_EVALUATION:
        params["pdf"] = request.POST.get("pdf", "1") == "1"
    try:
        services.start_job(
            county, school_year, kind, request.user, snapshot=snapshot, params=params
        )
    except services.JobRefused as exc:
        messages.error(request, str(exc))
        return redirect(request.POST.get("next") or back)
    messages.success(
        request, f"已开始生成{JobKind(kind).label}，完成后会列在下方“已生成的文件”中。"
    )
    target = request.POST.get("next") or back
    if not target.startswith("/") or target.startswith("//"):
        target = back
    return redirect(target)


def _chosen_snapshot(request: HttpRequest, county: County, year: SchoolYear) -> Snapshot | None:
    chosen = request.POST.get("snapshot", "")
    snapshots = Snapshot.objects.filter(county=county, year=year).defer("result")
    if chosen.isdigit():
        return snapshots.filter(pk=int(chosen)).first()
    return snapshots.order_by("-created_at", "-id").first()


@login_required
@require_GET
def download(request: HttpRequest, document_id: int) -> FileResponse:
    document = Document.objects.filter(pk=document_id).select_related("county").first()
    if document is None:
        raise Http404(NOT_FOUND)
    county_or_404(request, document.county_id)
    path = services.document_path(document)
    if not path.is_file():
        raise Http404("文件已不存在，请重新生成。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=document.filename)
