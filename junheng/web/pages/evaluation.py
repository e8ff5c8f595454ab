"""重新评估: the confirmation that says which schools' data are not approved and lets the county
choose the data (`/counties/<id>/<year>/evaluate/`), and after the run what changed against the
previous snapshot (`…/evaluate/<snapshot>/`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from junheng.web.accounts.scope import can_evaluate_county
from junheng.web.evaluation import presenters
from junheng.web.evaluation.models import DataScope, Snapshot
from junheng.web.pages import dashboards
from junheng.web.pages.lookup import county_or_404, year_or_404
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import NothingApproved, run_evaluation, unapproved_schools
from junheng.web.workflow import NO_DATA, status_counts

CHOICES = {DataScope.APPROVED.value: True, DataScope.ALL.value: False}
"""The posted `data` value → evaluate approved data only."""


def _confirmation(
    request: HttpRequest, county: County, year: SchoolYear, error: str = "", status: int = 200
) -> HttpResponse:
    pending = unapproved_schools(county, year)
    context = {
        "county": county,
        "year": year,
        "ready": presenters.readiness(status_counts(county, year), pending, NO_DATA),
        "chosen": request.POST.get("data", ""),
        "error": error,
    }
    return render(request, "pages/evaluate.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """GET: the state of the data and the choice; POST: run with the chosen data."""
    county_row = county_or_404(request, county_id)
    if not can_evaluate_county(request.user, county_row):
        raise PermissionDenied("只有本县管理员或系统管理员可以重新评估。")
    year_row = year_or_404(year)
    if request.method == "GET":
        return _confirmation(request, county_row, year_row)
    choice = request.POST.get("data", "")
    if choice not in CHOICES:
        # An old form (the button of an earlier version) or a script that did not choose.
        message = "请选择本次评估使用的数据：只用已审核的数据，或使用全部数据。"
        return _confirmation(request, county_row, year_row, message, status=400)
    try:
        snapshot = run_evaluation(county_row, year_row, request.user, approved_only=CHOICES[choice])
    except NothingApproved as refused:
        return _confirmation(request, county_row, year_row, str(refused), status=400)
    dashboards.warm_boards(county_row, year_row, snapshot)
    return redirect(
        "evaluation_changes", county_id=county_row.pk, year=year_row.label, snapshot_id=snapshot.pk
    )


@login_required
@require_GET
def evaluation_changes(
    request: HttpRequest, county_id: int, year: str, snapshot_id: int
) -> HttpResponse:
    """A snapshot against the one before it (same county and year): verdicts, parts, items,
    segments and CVs that changed."""
    county_row = county_or_404(request, county_id)
    year_row = year_or_404(year)
    snapshot = Snapshot.objects.filter(pk=snapshot_id, county=county_row, year=year_row).first()
    if snapshot is None:
        raise Http404("没有这次评估。")
    previous = (
        Snapshot.objects.filter(
            county=county_row, year=year_row, created_at__lte=snapshot.created_at
        )
        .exclude(pk=snapshot.pk)
        .exclude(created_at=snapshot.created_at, pk__gt=snapshot.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    context = {
        "county": county_row,
        "year": year_row,
        "snapshot": snapshot,
        "scope_line": presenters.scope_line(snapshot, limit=None),
        "changes": presenters.changes(snapshot, previous),
        "previous_scope": presenters.scope_line(previous) if previous else "",
        "can_evaluate": can_evaluate_county(request.user, county_row),
    }
    return render(request, "pages/evaluation_changes.html", context)
