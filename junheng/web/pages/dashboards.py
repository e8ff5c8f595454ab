"""Dashboard pages: the indicator page, the comparison of counties, and the Excel export of every
dashboard table. The county overview and the school page (`views.py`) use the same builders here,
so a page and its Excel file always hold the same rows.

Scope first: every view finds the county or school through `accounts.scope` before reading a
snapshot, and answers 404 without naming what was asked for when the user may not see it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from junheng.core.schema import LEVEL_ZH, LEVELS
from junheng.web import clock
from junheng.web.accounts.scope import has_county_views, visible_counties
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import charts, presenters, townships
from junheng.web.pages.exports import xlsx_response
from junheng.web.pages.lookup import (
    NOT_FOUND,
    page_or_404,
    school_or_404,
    year_or_404,
)
from junheng.web.pages.townships import WHOLE_COUNTY, Township, dashboard_scope, with_choices
from junheng.web.rectification.parties import school_townships
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import (
    county_page,
    data_changed_since,
    latest_snapshot,
    latest_summaries,
    result_excerpt,
    yearly_summaries,
    years_with_snapshots,
)

COUNTY_TABLES = ("cv", "schools", "gaps", "trend")
TOWNSHIP_TABLE = "township"
"""The township subtotal, a table of the overview only when a township is chosen."""


def _with_export(table: presenters.Table, url: str) -> presenters.Table:
    return replace(table, export_url=url)


_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]+")
"""Characters a URL carries unquoted, so filling them into a reversed URL gives reverse's own."""


def _school_urls(year_label: str) -> Callable[[str], str]:
    """School page URLs of one year for many schools: reversed once, the id filled in per
    school (reversing each of a county's hundreds of links cost a tenth of the page's time)."""
    marker = "SCHOOLID"
    head, tail = reverse("school", args=[marker, year_label]).split(marker, 1)

    def url(school_id: str) -> str:
        if _PLAIN_ID.fullmatch(school_id):
            return f"{head}{school_id}{tail}"
        return reverse("school", args=[school_id, year_label])

    return url


# ---- county overview --------------------------------------------------------------------------


OVERVIEW_FIELDS = ("school_id", "name", "level", "in_scope", "passes", "reasons")
"""What the county overview's presenters read of each segment (`county_overview`,
`schools_table`): the page reads only this excerpt of the snapshot (`result_excerpt`)."""
TOWNSHIP_FIELDS = (*OVERVIEW_FIELDS, "met", "floor_ok")
"""With a township chosen, its subtotal reads which indicators each segment meets as well."""

INDICATOR_FIELDS = (
    "school_id",
    "name",
    "level",
    "in_scope",
    "students",
    "values",
    "thresholds",
    "met",
    "floor_ok",
    "shares",
)
"""What the indicator page's presenters read of each segment (`indicator_rows`)."""


def overview_result(snapshot: Snapshot, town: Township = WHOLE_COUNTY) -> dict[str, Any]:
    """The excerpt of the snapshot's result that the county overview shows (with the G, Q, S
    and V items' records for the item tables)."""
    return result_excerpt(snapshot, TOWNSHIP_FIELDS if town.name else OVERVIEW_FIELDS, items=True)


def year_links(
    years: list[dict[str, Any]] | None, current: str, url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The county's school years with an evaluation (and the year shown, evaluated or not),
    newest first as on the comparison's switcher, each linking to the same page of that year;
    `years` are the county's `yearly_summaries` (or `CountyPage.years`), read by the page
    anyway."""
    labels = sorted({y["year"] for y in years or []} | {current}, reverse=True)
    return [{"label": label, "current": label == current, "url": url(label)} for label in labels]


def county_dashboard(
    county: County,
    year: SchoolYear,
    snapshot: Snapshot,
    result: dict[str, Any] | None = None,
    years: list[dict[str, Any]] | None = None,
    town: Township = WHOLE_COUNTY,
) -> dict[str, Any]:
    """Tables and charts of the county overview (the page and its Excel exports); `result` is
    the snapshot's `overview_result` and `years` the county's `yearly_summaries` when the caller
    has read them already. With a township (`town`), the school table and the township's
    subtotal hold only its schools; the CVs, items, gaps and trend stay the county's."""
    if result is None:
        result = overview_result(snapshot, town)
    standard = presenters.standard_of(snapshot.standard_id)
    local = townships.only_township(result, town)

    def indicator_url(item_id: str, level: str) -> str:
        return reverse("indicator", args=[county.pk, year.label, item_id, level]) + town.query

    school_url = _school_urls(year.label)

    def export(key: str) -> str:
        return reverse("county_export", args=[county.pk, year.label, key]) + town.query

    series = presenters.cv_series(result, standard)
    if years is None:
        years = yearly_summaries(county)
    trend_levels = [
        presenters.trend_cv_series(years, level, series["items"]) for level, _ in LEVELS
    ]
    tables = {
        "cv": _with_export(presenters.cv_table(series, indicator_url), export("cv")),
        "schools": _with_export(presenters.schools_table(local, school_url), export("schools")),
        "gaps": _with_export(presenters.gaps_table(result), export("gaps")),
        "trend": _with_export(presenters.trend_table(years), export("trend")),
    }
    township: dict[str, Any] | None = None
    if town.name:
        tables["schools"] = replace(
            tables["schools"], title=f"{town.name}{tables['schools'].title}"
        )
        floor = presenters.floor_ratio(result, standard)
        table = townships.township_table(local, series, town, floor, indicator_url)
        tables[TOWNSHIP_TABLE] = _with_export(table, export(TOWNSHIP_TABLE))
        counts = townships.segment_counts(local["segments"])
        township = {
            "name": town.name,
            "note": townships.county_wide_note(town, counts["schools"]),
            **counts,
        }
    trend = [
        {
            "chart": charts.trend_chart(s, f"chart-trend-{s['level']}"),
            "table": presenters.trend_cv_table(s),
        }
        for s in trend_levels
    ]
    return {
        "tables": tables,
        "township": township,
        "all_export": export("all"),
        "item_sections": presenters.item_tables(result, standard),
        "trend_tables": [t["table"] for t in trend],
        "cv_chart": charts.cv_chart(series),
        "trend": trend,
        "years": years,
        "indicator_links": [
            {
                "id": item_id,
                "short": series["short"][i],
                "levels": [
                    {"label": label, "url": indicator_url(item_id, level)}
                    for level, label in LEVELS
                ],
            }
            for i, item_id in enumerate(series["items"])
        ],
    }


@login_required
@require_GET
def county_export(request: HttpRequest, county_id: int, year: str, table: str) -> HttpResponse:
    """One table of the county overview as .xlsx (`all`: every table, one sheet each); with
    `?township=` the tables of that township's overview, as the page shows them."""
    county, town = dashboard_scope(request, county_id)
    year_row = year_or_404(year)
    known = (*COUNTY_TABLES, TOWNSHIP_TABLE) if town.name else COUNTY_TABLES
    if table not in (*known, "all"):
        raise Http404(NOT_FOUND)
    snapshot = latest_snapshot(county, year_row)
    if snapshot is None:
        raise Http404(f"{year_row.label} 学年尚未评估，没有可导出的表格。")
    board = county_dashboard(county, year_row, snapshot, town=town)
    if table == "all":
        chosen = [
            *(board["tables"][k] for k in known),
            *(section["table"] for section in board["item_sections"]),
            *board["trend_tables"],
        ]
        name = f"{county.name}{town.name}{year_row.label}学年评估概况.xlsx"
    elif table == "trend":
        chosen = [board["tables"]["trend"], *board["trend_tables"]]
        name = f"{county.name}历年评估结论.xlsx"
    else:
        chosen = [board["tables"][table]]
        name = f"{county.name}{year_row.label}学年{chosen[0].title}.xlsx"
    heading = _heading(county.name, year_row.label, snapshot)
    if board["township"]:
        heading += f" · {board['township']['note']}"
    return xlsx_response(chosen, name, heading)


def _heading(name: str, year: str, snapshot: Snapshot) -> str:
    return (
        f"{name} {year} 学年 · 评估快照 {clock.stamp(snapshot.created_at)} · "
        f"评估标准 {presenters.standard_text(snapshot.standard_id, snapshot.standard_version)}"
    )


# ---- indicator page ---------------------------------------------------------------------------


def indicator_board(
    county: County,
    year: SchoolYear,
    snapshot: Snapshot,
    item_id: str,
    level: str,
    town: Township = WHOLE_COUNTY,
) -> dict[str, Any]:
    """Summary, chart and tables of one indicator and level; 404 when the snapshot has none.
    With a township, the chart and the table hold its schools only; the summary (CV, mean,
    counts) stays the county's, and the township's counts are added to the facts."""
    if level not in LEVEL_ZH:
        raise Http404(NOT_FOUND)
    standard = presenters.standard_of(snapshot.standard_id)
    result = result_excerpt(snapshot, INDICATOR_FIELDS, level=level, item=item_id)
    summary = presenters.indicator_summary(result, standard, item_id, level)
    if summary is None:
        raise Http404(NOT_FOUND)
    rows = presenters.indicator_rows(townships.only_township(result, town), item_id, level)

    export = reverse("indicator_export", args=[county.pk, year.label, item_id, level])
    table = _with_export(
        presenters.indicator_table(rows, summary, _school_urls(year.label)), export + town.query
    )
    facts = presenters.indicator_facts(summary)
    township = None
    if town.name:
        table = replace(
            table,
            title=f"{summary['id']} {summary['level_label']} {town.name}各校数值",
            note=f"{table.note}本表只列出 {town.name} 的学校。",
        )
        township = townships.indicator_counts(rows, town)
        facts = replace(facts, rows=townships.county_labelled(facts.rows) + township["rows"])
    series = presenters.cv_series(result, standard)
    return {
        "summary": summary,
        "facts": facts,
        "township": township,
        "table": table,
        "chart": charts.indicator_chart(rows, summary),
        "items": [
            {
                "id": other,
                "current": other == item_id,
                "url": reverse("indicator", args=[county.pk, year.label, other, level])
                + town.query,
            }
            for other in series["items"]
        ],
        "levels": [
            {
                "label": label,
                "current": lv == level,
                "url": reverse("indicator", args=[county.pk, year.label, item_id, lv]) + town.query,
            }
            for lv, label in LEVELS
        ],
    }


def warm_boards(county: County, year: SchoolYear, snapshot: Snapshot) -> int:
    """Render what a new snapshot changes before anyone asks: the county overview of every
    school year (the trend shows this one) and every indicator page of this one. Called after
    an evaluation, so the first visitor waits no longer than the next; returns the boards
    rendered.

    Only the whole county is warmed: a county has a dozen townships or more, and warming each
    would multiply the work after every evaluation (boards × townships) for pages few people
    open; a township's board is rendered on its first view and kept like the others."""
    rendered = 0
    summaries = yearly_summaries(county)
    for summary in summaries:
        if summary["id"] == snapshot.pk:
            cached_county_board(county, year, snapshot, years=summaries)
            rendered += 1
        elif (page := county_page(county, summary["year"])) and page.snapshot is not None:
            cached_county_board(county, page.year, page.snapshot, years=summaries)
            rendered += 1
    for level, indicators in (snapshot.summary or {}).get("balance", {}).items():
        for item_id in indicators:
            try:
                cached_indicator_board(county, year, snapshot, item_id, level)
            except Http404:
                continue  # an indicator the standard does not chart
            rendered += 1
    return rendered


@login_required
@require_GET
def indicator(
    request: HttpRequest, county_id: int, year: str, item_id: str, level: str
) -> HttpResponse:
    """Every school of the county (or of one township) against one indicator's threshold, and
    who drives its CV."""
    county, town = dashboard_scope(request, county_id)
    if level not in LEVEL_ZH:
        raise Http404(NOT_FOUND)
    state = page_or_404(county, year, with_years=True)
    year_row, snapshot = state.year, state.snapshot
    context: dict[str, Any] = {
        "county": county,
        "year": year_row,
        "snapshot": snapshot,
        "town": town,
        "overview_url": overview_url(county, year_row.label, town),
        "year_links": year_links(
            state.years,
            year_row.label,
            lambda label: (
                reverse("indicator", args=[county.pk, label, item_id, level]) + town.query
            ),
        ),
    }
    if snapshot is not None:
        context |= cached_indicator_board(county, year_row, snapshot, item_id, level, town)
        context["town"] = with_choices(town, context.pop("townships"))
        context["changed"] = data_changed_since(snapshot)
    else:
        context |= {"item_id": item_id, "level_label": LEVEL_ZH[level]}
    return render(request, "pages/indicator.html", context)


@login_required
@require_GET
def indicator_export(
    request: HttpRequest, county_id: int, year: str, item_id: str, level: str
) -> HttpResponse:
    county, town = dashboard_scope(request, county_id)
    year_row = year_or_404(year)
    snapshot = latest_snapshot(county, year_row)
    if snapshot is None:
        raise Http404(f"{year_row.label} 学年尚未评估，没有可导出的表格。")
    board = indicator_board(county, year_row, snapshot, item_id, level, town)
    summary = board["summary"]
    what = f"{item_id}{summary['level_label']}各校数值"
    name = f"{county.name}{town.name}{year_row.label}学年{what}.xlsx"
    heading = _heading(county.name, year_row.label, snapshot)
    if board["township"]:
        heading += f" · {board['township']['note']}"
    return xlsx_response([board["table"], board["facts"]], name, heading)


def overview_url(county: County, year: str, town: Township) -> str:
    """Where the overview of the page's county and township is: the township's own page for
    its office (who has no county overview), else the county overview with the filter."""
    if town.locked:
        return reverse("township_overview", args=[county.pk, year, town.name])
    return reverse("county", args=[county.pk, year]) + town.query


# ---- cached boards ----------------------------------------------------------------------------

# The snapshot-derived parts of the county overview and the indicator page, rendered once.
#
# A snapshot never changes after it is written, so the tables, charts and links built from it are
# the same for every user and every request. Building the presenters and rendering them is most of
# such a page's time, so the rendered HTML is kept in Django's cache under the snapshot's id.
# Everything that depends on the user or on the current data (the "changed since" warning, the
# buttons a user's rights allow, the navigation) stays in the page template and is computed per
# request. On a cache hit the snapshot's `result` is not read at all.

BOARD_VERSION = 7
"""Bumped when a board's templates or presenters change what a snapshot renders to; with the
package version in the key, a release never serves HTML rendered by the code of another one
from a cache shared by several releases."""


def _package_version() -> str:
    try:
        return metadata.version("junheng")
    except metadata.PackageNotFoundError:
        return "unknown"


_PREFIX = (
    "board:" + hashlib.sha256(f"{BOARD_VERSION}:{_package_version()}".encode()).hexdigest()[:12]
)


def _key(kind: str, snapshot: Snapshot, *variant: Any) -> str:
    # The creation time beside the id: a database restored from a backup (or rolled back in a
    # test) may give an id to another snapshot, never with the same id and time. The variant is
    # hashed so that any item id from a URL makes a valid key for every cache backend.
    raw = "|".join(str(part) for part in (snapshot.pk, snapshot.created_at.isoformat(), *variant))
    return f"{_PREFIX}:{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_county_board(
    county: County,
    year: SchoolYear,
    snapshot: Snapshot,
    years: list[dict[str, Any]] | None = None,
    town: Township = WHOLE_COUNTY,
) -> dict[str, Any]:
    """`board`: the overview's verdict, CV, trend, gaps and schools sections of a snapshot, as
    HTML, one board per township (`town`), whose name and schools are part of the key;
    `townships`: the county's townships when its whole board was rendered (the choices of the
    filter, kept with the board so the whole county's page asks no query for them; empty for a
    township's board, whose page has read them to check the choice).

    The trend shows the latest snapshot of every year, so their ids are part of the key: an
    evaluation of another year renders the board anew. They come from the stored summaries (one
    small query, unless the caller read them as `years`), which the board needs anyway when it
    is built.
    """
    if years is None:
        years = yearly_summaries(county)
    key = _key(
        "county",
        snapshot,
        *(f"{y['id']}@{y['created_at'].isoformat()}" for y in years),
        *town.variant,
    )
    cached = cache.get(key)
    if cached is None:
        result = overview_result(snapshot, town)
        standard = presenters.standard_of(snapshot.standard_id)
        context = {
            "county": county,
            "year": year,
            "overview": presenters.county_overview(result, standard),
            **county_dashboard(county, year, snapshot, result, years=years, town=town),
        }
        cached = {
            "board": render_to_string("pages/_county_board.html", context),
            "townships": _choices(county, town),
        }
        cache.set(key, cached)
    # rendered by our template, which escaped every value
    return {"board": mark_safe(cached["board"]), "townships": cached["townships"]}


def _choices(county: County, town: Township) -> tuple[str, ...]:
    """The townships a whole-county board keeps for its filter (read when it is rendered)."""
    if town.name:
        return ()
    return townships.township_options(school_townships(county))


def cached_indicator_board(
    county: County,
    year: SchoolYear,
    snapshot: Snapshot,
    item_id: str,
    level: str,
    town: Township = WHOLE_COUNTY,
) -> dict[str, Any]:
    """`summary` (the id, name and level the page's title and heading name), `board` (the
    tabs, verdict, chart and table as HTML) of one indicator and level, for the whole county
    or one township, and `townships` (as `cached_county_board`); 404 as `indicator_board`
    when the snapshot has no such indicator (not cached)."""
    key = _key("indicator", snapshot, item_id, level, *town.variant)
    cached = cache.get(key)
    if cached is None:
        context = indicator_board(county, year, snapshot, item_id, level, town)
        summary = context["summary"]
        cached = {
            "summary": {k: summary[k] for k in ("id", "name", "level_label")},
            "board": render_to_string("pages/_indicator_board.html", context),
            "townships": _choices(county, town),
        }
        cache.set(key, cached)
    return {
        "summary": cached["summary"],
        "board": mark_safe(cached["board"]),
        "townships": cached["townships"],
    }


# ---- school page ------------------------------------------------------------------------------


def school_board(school: School, year: SchoolYear, snapshot: Snapshot) -> dict[str, Any]:
    """The school page's segments with a chart each, and its indicator table for Excel."""
    standard = presenters.standard_of(snapshot.standard_id)
    segments = presenters.school_segments(snapshot.result, school.school_id, standard)
    for seg in segments:
        seg["table"] = presenters.school_segment_table(seg)
        if seg["in_scope"]:
            seg["chart"] = charts.school_chart(seg, f"chart-school-{seg['level_id']}")
    table = presenters.school_table(segments)
    export = reverse("school_export", args=[school.school_id, year.label])
    return {"segments": segments, "school_table": _with_export(table, export)}


@login_required
@require_GET
def school_export(request: HttpRequest, school_id: str, year: str) -> HttpResponse:
    school = school_or_404(request, school_id)
    year_row = year_or_404(year)
    snapshot = latest_snapshot(school.county, year_row)
    if snapshot is None:
        raise Http404(f"{year_row.label} 学年尚未评估，没有可导出的表格。")
    board = school_board(school, year_row, snapshot)
    name = f"{school.name}{year_row.label}学年资源配置指标.xlsx"
    heading = _heading(school.name, year_row.label, snapshot)
    return xlsx_response([board["school_table"]], name, heading)


# ---- comparison of counties -------------------------------------------------------------------


def compare_board(request: HttpRequest, year: SchoolYear) -> dict[str, Any]:
    """The counties the user may see, side by side for one school year, ranked by readiness."""
    counties = visible_counties(request.user)
    summaries = latest_summaries(counties, year)
    entries = [
        {
            "county_id": c["pk"],
            "name": c["name"],
            "city": c["city__name"],
            "summary": (summaries.get(c["pk"]) or {}).get("summary"),
        }
        for c in counties.order_by("name").values("pk", "name", "city__name")
    ]
    rows = presenters.compare_rows(entries)

    def county_url(county_id: int) -> str:
        return reverse("county", args=[county_id, year.label])

    table = presenters.compare_table(rows, county_url)
    return {
        "rows": rows,
        "table": _with_export(table, reverse("compare_export", args=[year.label])),
        "chart": charts.compare_chart(rows),
        "evaluated": sum(1 for r in rows if r["rank"] is not None),
        "rule": presenters.READINESS_RULE,
        "years": years_with_snapshots(counties),
    }


def _compare_year(request: HttpRequest, year: str) -> SchoolYear:
    # School users have no county-wide view; the page does not exist for them.
    if not has_county_views(request.user):
        raise Http404(NOT_FOUND)
    return year_or_404(year)


@login_required
@require_GET
def compare(request: HttpRequest, year: str) -> HttpResponse:
    """Counties side by side for inspectors and city or province users; a county's own users
    see their county alone."""
    year_row = _compare_year(request, year)
    context = {"year": year_row, **compare_board(request, year_row)}
    return render(request, "pages/compare.html", context)


@login_required
@require_GET
def compare_export(request: HttpRequest, year: str) -> HttpResponse:
    year_row = _compare_year(request, year)
    board = compare_board(request, year_row)
    return xlsx_response([board["table"]], f"{year_row.label}学年县域对比.xlsx")


@login_required
@require_GET
def compare_latest(request: HttpRequest) -> HttpResponse:
    """The comparison of the most recent school year any visible county was evaluated in."""
    if not has_county_views(request.user):
        raise Http404(NOT_FOUND)
    years = years_with_snapshots(visible_counties(request.user))
    if not years:
        return render(request, "pages/compare.html", {"year": None, "rows": [], "years": []})
    return redirect("compare", year=years[0])
