"""创建档案 pages: the completeness of a county's archive by part, an item's requirements and
files (upload, delete, a county's own requirements), one file's download, and the button that
starts building the archive zip in the job queue (`build.py`).

County administrators and system administrators change; the county's leaders and inspectors
read and download; school users and department users see nothing. Forbidden and unknown answer
the same 404, as everywhere on the site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.archive.requirements import ItemRequirements
from junheng.web.accounts.scope import AnyUser, can_evaluate_county, visible_county
from junheng.web.archive import services
from junheng.web.archive.models import OTHER_KEY, ArchiveFile
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.rectification import evidence
from junheng.web.rectification.permissions import unit_of
from junheng.web.registry.models import County, SchoolYear


def can_view(user: AnyUser, county: County | int) -> County | None:
    """The county when the user may read its archive: its county admins, leaders and
    inspectors, system admins; never a school user or a department user."""
    county_id = county if isinstance(county, int) else county.pk
    visible = visible_county(user, county_id)
    if visible is None:
        return None
    # A department's login reads the ledger only, even if it was also given a role.
    if unit_of(user) is not None and not can_evaluate_county(user, visible):
        return None
    return visible


def can_manage(user: AnyUser, county: County) -> bool:
    """Upload, delete, add requirements and build the archive: county admins, system admins."""
    return can_view(user, county) is not None and can_evaluate_county(user, county)


def _county_year(request: HttpRequest, county_id: int, year: str) -> tuple[County, SchoolYear]:
    county = can_view(request.user, county_id)
    if county is None:
        raise Http404(NOT_FOUND)
    return county, year_or_404(year)


def _manage_or_404(request: HttpRequest, county: County) -> None:
    if not can_manage(request.user, county):
        raise Http404(NOT_FOUND)


def _generate_url(county: County, year: SchoolYear) -> str | None:
    """The job start view of the documents app, if installed."""
    try:
        return reverse("documents:generate", args=[county.pk, year.label])
    except NoReverseMatch:
        return None


def _archive_documents(county: County, year: SchoolYear) -> dict[str, Any]:
    """The latest archive built and a job still running, when the documents app is there."""
    try:
        from junheng.web.documents.models import ACTIVE, Document, Job, JobKind
    except ImportError:
        return {}
    kind = JobKind.ARCHIVE
    document = (
        Document.objects.filter(county=county, year=year, kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )
    job = Job.objects.filter(county=county, kind=kind, status__in=ACTIVE).first()
    failed = (
        Job.objects.filter(county=county, year=year, kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )
    try:
        link = reverse("documents:download", args=[document.pk]) if document else None
    except NoReverseMatch:
        link = None
    return {
        "document": document,
        "document_url": link,
        "job": job,
        "failed": failed if failed is not None and failed.status == "failed" else None,
    }


@login_required
@require_GET
def home(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county, school_year = _county_year(request, county_id, year)
    reqs = services.requirement_set(county, school_year)
    parts, strays = services.completeness(county, school_year, reqs)
    required = sum(p.required for p in parts)
    provided = sum(p.provided for p in parts)
    manage = can_manage(request.user, county)
    context = {
        "county": county,
        "year": school_year,
        "parts": parts,
        "strays": strays,
        "required": required,
        "provided": provided,
        "missing": required - provided,
        "files": sum(i.files for p in parts for i in p.items) + len(strays),
        "manage": manage,
        "generate_url": _generate_url(county, school_year) if manage else None,
        **_archive_documents(county, school_year),
    }
    return render(request, "archive/home.html", context)


def _item_or_404(county: County, year: SchoolYear, item_id: str) -> ItemRequirements:
    item = services.requirement_set(county, year).items.get(item_id)
    if item is None:
        raise Http404(NOT_FOUND)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, county_id: int, year: str, item_id: str) -> HttpResponse:
    county, school_year = _county_year(request, county_id, year)
    current = _item_or_404(county, school_year, item_id)
    here = reverse("archive:item", args=[county.pk, school_year.label, current.id])
    if request.method == "POST":
        _manage_or_404(request, county)
        action = request.POST.get("action", "")
        try:
            if action == "upload":
                rows = services.upload(
                    county,
                    school_year,
                    current,
                    request.POST.get("requirement", OTHER_KEY),
                    request.FILES.getlist("files"),
                    request.POST.get("note", "").strip(),
                    request.user,
                )
                messages.success(request, f"已上传 {len(rows)} 个文件。")
            elif action == "add_requirement":
                services.add_requirement(
                    county,
                    current,
                    request.POST.get("title", ""),
                    request.POST.get("shows", ""),
                    request.POST.get("source", ""),
                    request.user,
                )
                messages.success(request, "已增加材料要求。")
            elif action == "delete_requirement":
                services.delete_requirement(county, request.POST.get("requirement", ""))
                messages.success(request, "已删除该材料要求，已上传的文件归入“其他材料”。")
            else:
                raise Http404(NOT_FOUND)
        except evidence.EvidenceRefused as exc:
            messages.error(request, f"{exc}。本次上传的文件都未保存。")
        except services.ArchiveRefused as exc:
            messages.error(request, str(exc))
        return redirect(here)
    files = ArchiveFile.objects.filter(county=county, year=school_year, item=current.id)
    state = services.item_state(
        current,
        files.select_related("uploaded_by"),
        services.supplied(county, school_year),
    )
    context = {
        "county": county,
        "year": school_year,
        "item": current,
        "state": state,
        "manage": can_manage(request.user, county),
        "limits": evidence.limits(),
        "other_key": OTHER_KEY,
    }
    return render(request, "archive/item.html", context)


def _file_or_404(request: HttpRequest, pk: int) -> ArchiveFile:
    row = ArchiveFile.objects.filter(pk=pk).select_related("year").first()
    if row is None or can_view(request.user, row.county_id) is None:
        raise Http404(NOT_FOUND)
    return row


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    row = _file_or_404(request, pk)
    return evidence.file_response(row.path, row.name, row.kind)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = _file_or_404(request, pk)
    county = County.objects.get(pk=row.county_id)
    _manage_or_404(request, county)
    args = [county.pk, row.year.label]
    known = row.item in services.requirement_set(county, row.year).items
    back = (
        reverse("archive:item", args=[*args, row.item])
        if known
        else reverse("archive:home", args=args)
    )
    name = row.name
    services.delete_file(row)
    messages.success(request, f"已删除“{name}”。")
    return redirect(back)
