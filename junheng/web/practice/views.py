"""The 主要做法与成效 page: one text box per section of the report, the section's hint, and the
engine's figures from the latest evaluation with an 插入 button each.

County administrators (and system administrators) write; leaders and inspectors of the county
read; everyone else — school users, department users — gets the same 404 as an unknown page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from junheng.reports.story import load_sections
from junheng.web import clock
from junheng.web.accounts.scope import can_review_county, visible_county
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.practice import services
from junheng.web.practice.services import Conflict, PracticeError, digest
from junheng.web.registry.models import County
from junheng.web.selectors import latest_snapshot

ALL = "all"


def _county_or_404(request: HttpRequest, county_id: int) -> County:
    county = visible_county(request.user, county_id)
    if county is None:
        raise Http404(NOT_FOUND)
    return county


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county = _county_or_404(request, county_id)
    school_year = year_or_404(year)
    editable = can_review_county(request.user, county)
    specs = load_sections()
    conflicts: dict[str, Conflict] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            raise Http404(NOT_FOUND)
        wanted = request.POST.get("save", ALL)
        chosen = [s for s in specs if wanted in (ALL, s.key)]
        if not chosen:
            raise Http404(NOT_FOUND)
        saved: list[str] = []
        errors: list[str] = []
        for spec in chosen:
            text = request.POST.get(f"text-{spec.key}")
            if text is None:
                continue
            # A section left as it was shown is not saved again: saving all at once must not
            # trip over a section a colleague changed meanwhile that this writer never touched.
            if wanted == ALL and digest(text.strip()) == request.POST.get(f"digest-{spec.key}"):
                continue
            try:
                version = int(request.POST.get(f"version-{spec.key}", "0"))
            except ValueError:
                version = 0
            try:
                if services.save_section(county, school_year, spec, text, version, request.user):
                    saved.append(spec.heading)
            except Conflict as conflict:
                conflicts[spec.key] = conflict
                posted[spec.key] = conflict.mine
            except PracticeError as error:
                errors.append(str(error))
                posted[spec.key] = text
        for error in errors:
            messages.error(request, error)
        if saved:
            messages.success(request, f"已保存：{'、'.join(saved)}。")
        if not conflicts and not errors:
            if not saved:
                messages.info(request, "内容没有变化，无需保存。")
            return redirect("practice:edit", county.pk, school_year.label)
    snapshot = latest_snapshot(county, school_year)
    figures = services.offered_figures(snapshot)
    rows = services.texts(county, school_year)
    sections: list[dict[str, Any]] = []
    for spec in specs:
        row = rows.get(spec.key)
        stored = row.text if row is not None else ""
        conflict = conflicts.get(spec.key)
        sections.append(
            {
                "spec": spec,
                "text": posted.get(spec.key, stored),
                "stored": stored,
                "digest": digest(stored),
                "version": row.version if row is not None else 0,
                "updated": (
                    f"{services.writer_name(row)} 于 {clock.stamp(row.updated_at)} 保存"
                    if row is not None
                    else ""
                ),
                "conflict": conflict,
                "figures": figures.get(spec.key, []),
            }
        )
    return render(
        request,
        "practice/edit.html",
        {
            "county": county,
            "year": school_year,
            "editable": editable,
            "sections": sections,
            "snapshot": snapshot,
            "written": sum(1 for s in sections if s["stored"].strip()),
            "max_chars": services.MAX_CHARS,
        },
    )
