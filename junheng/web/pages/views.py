"""Pages. Every view checks scope through `accounts.scope` before reading any data; a page the
user may not see answers 404 without naming what was asked for, so its existence is not leaked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import (
    can_evaluate_county,
    has_county_views,
    visible_counties,
)
from junheng.web.collection.models import SchoolYearData
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import dashboards, entry, presenters
from junheng.web.pages.lookup import page_or_404, school_or_404, year_or_404
from junheng.web.pages.townships import dashboard_scope, township_or_404, with_choices
from junheng.web.rectification.parties import start_url
from junheng.web.rectification.permissions import can_view_ledger, unit_of
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import data_changed_since, latest_snapshot


def _profile(request: HttpRequest) -> Profile | None:
    try:
        return request.user.profile  # type: ignore[union-attr]
    except Profile.DoesNotExist:
        return None


def _latest_year(county: County) -> SchoolYear | None:
    """The most recent school year with a snapshot, else with data, for the county."""
    snapshot = (
        Snapshot.objects.filter(county=county)
        .order_by("-year__label", "-created_at", "-id")
        .select_related("year")
        .only("year")
        .first()
    )
    if snapshot is not None:
        return snapshot.year
    return (
        SchoolYear.objects.filter(schoolyeardata__school__county=county).order_by("-label").first()
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    profile = _profile(request)
    if profile is not None and not request.user.is_superuser:
        if profile.role in (Role.COUNTY_ADMIN, Role.LEADER) and profile.county_id:
            year = _latest_year(profile.county)
            if year is not None:
                return redirect("county", county_id=profile.county_id, year=year.label)
        if profile.role == Role.SCHOOL_USER and profile.school_id:
            data = (
                SchoolYearData.objects.filter(school_id=profile.school_id)
                .select_related("year")
                .order_by("-year__label")
                .first()
            )
            if data is not None:
                return redirect("school", school_id=profile.school.school_id, year=data.year.label)
            return render(request, "pages/no_data.html", status=200)
        if profile.role in (Role.TOWNSHIP_USER, Role.SCHOOL_INSPECTOR):
            # a township's office starts at its 一镇一册, a 责任督学 at the list of their schools
            own = start_url(request.user, list(SchoolYear.objects.order_by("-label")))
            if own is not None:
                return redirect(own)
    if profile is None and not request.user.is_superuser and unit_of(request.user) is not None:
        # A department's user (整改责任单位) works on the rectification ledger only.
        return redirect("rectification_start")
    return redirect("counties")


@login_required
@require_GET
def counties(request: HttpRequest) -> HttpResponse:
    """The counties the user may see, each with the verdict of its latest snapshot."""
    latest = Snapshot.objects.filter(county=OuterRef("pk")).order_by(
        "-year__label", "-created_at", "-id"
    )
    rows = list(
        visible_counties(request.user)
        .select_related("city", "city__province")
        .annotate(latest_id=Subquery(latest.values("id")[:1]))
    )
    # One query for all verdicts: only the verdict key of each result is read, not whole results.
    snapshots = {
        s["id"]: s
        for s in Snapshot.objects.filter(id__in=[c.latest_id for c in rows if c.latest_id]).values(
            "id", "year__label", "created_at", "result__verdict__passes"
        )
    }
    items = []
    for county in rows:
        snapshot = snapshots.get(county.latest_id)
        passes = snapshot["result__verdict__passes"] if snapshot else None
        items.append(
            {
                "county": county,
                "snapshot": snapshot,
                "year": snapshot["year__label"] if snapshot else None,
                "verdict_text": presenters.verdict_text(passes) if snapshot else "尚未评估",
                "verdict_css": presenters.verdict_css(passes) if snapshot else "unknown",
            }
        )
    return render(request, "pages/counties.html", {"items": items})


@login_required
@require_GET
def county(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """County overview from the latest snapshot, saying which snapshot and whether data moved;
    `?township=` narrows its school parts to one township. A township's office has no county
    overview (its actions are the county's work) and is sent to its township's page."""
    county_row, town = dashboard_scope(request, county_id)
    if town.locked:
        return redirect("township_overview", county_id=county_row.pk, year=year, township=town.name)
    state = page_or_404(county_row, year, with_years=True)
    year_row, snapshot = state.year, state.snapshot
    context = {
        "county": county_row,
        "year": year_row,
        "snapshot": snapshot,
        "town": town,
        "can_evaluate": can_evaluate_county(request.user, county_row),
        "can_compare": has_county_views(request.user),
        "year_links": dashboards.year_links(
            state.years,
            year_row.label,
            lambda label: reverse("county", args=[county_row.pk, label]) + town.query,
        ),
    }
    if snapshot is not None:
        # the same for every user of the snapshot and township: rendered once (dashboards)
        board = dashboards.cached_county_board(
            county_row, year_row, snapshot, years=state.years, town=town
        )
        context |= {
            "changed": data_changed_since(snapshot),
            "board": board["board"],
            "town": with_choices(town, board["townships"]),
        }
    elif town.choices is None:
        # not evaluated yet: nothing to narrow, so no township to offer
        context["town"] = with_choices(town, ())
    return render(request, "pages/county.html", context)


@login_required
@require_GET
def township_overview(
    request: HttpRequest, county_id: int, year: str, township: str
) -> HttpResponse:
    """乡镇评估结果: the overview's board narrowed to one township, for the township's office
    (学区（中心校）) and the county's readers, beside the township's 一镇一册."""
    county_row, town = township_or_404(request, county_id, township)
    state = page_or_404(county_row, year, with_years=True)
    year_row, snapshot = state.year, state.snapshot
    ledger = town.locked or can_view_ledger(request.user, county_row)
    context = {
        "county": county_row,
        "year": year_row,
        "snapshot": snapshot,
        "town": town,
        "ledger_url": reverse("rectification_township", args=[county_row.pk, year, town.name])
        if ledger
        else "",
        "year_links": dashboards.year_links(
            state.years,
            year_row.label,
            lambda label: reverse("township_overview", args=[county_row.pk, label, town.name]),
        ),
    }
    if snapshot is not None:
        context |= {
            "changed": data_changed_since(snapshot),
            "board": dashboards.cached_county_board(
                county_row, year_row, snapshot, years=state.years, town=town
            )["board"],
        }
    return render(request, "pages/township.html", context)


@login_required
@require_GET
def school(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    """A school's values against thresholds, its gaps and its data status."""
    school_row = school_or_404(request, school_id)
    year_row = year_or_404(year)
    data = SchoolYearData.objects.filter(school=school_row, year=year_row).first()
    snapshot = latest_snapshot(school_row.county, year_row)
    context = {
        "school": school_row,
        "year": year_row,
        "data": data,
        "snapshot": snapshot,
        "county_visible": visible_counties(request.user).filter(pk=school_row.county_id).exists(),
        **entry.school_context(request, school_row, year_row, data),
    }
    if snapshot is not None:
        context |= {
            "changed": data_changed_since(snapshot),
            # the segments with a chart each, and the indicator table's Excel export
            **dashboards.school_board(school_row, year_row, snapshot),
            "problems": presenters.school_item_problems(snapshot.result, school_row.school_id),
        }
    return render(request, "pages/school.html", context)
