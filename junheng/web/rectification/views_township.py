"""一镇一册 pages: a township's schools with each school's gaps, tasks and progress, the tasks
of the township's own unit, and the book as .docx.

Who may open it: the township's office (学区（中心校）用户 of that county and township) and the
readers of the county's ledger. A township that none of the county's schools names, and a
township or county the user may not read, answer the same 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from junheng.rectification.books import school_counts, township_book_document
from junheng.web.accounts.scope import township_of
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.rectification import parties, services
from junheng.web.rectification.permissions import can_view_ledger
from junheng.web.rectification.views_school import docx_response, task_rows
from junheng.web.registry.models import County


def township_or_404(request: HttpRequest, county_id: int, township: str) -> County:
    county = County.objects.filter(pk=county_id).select_related("city").first()
    if county is None or township not in parties.townships(county):
        raise Http404(NOT_FOUND)
    if township_of(request.user) == (county.pk, township):
        return county
    if not can_view_ledger(request.user, county):
        raise Http404(NOT_FOUND)
    return county


@login_required
@require_GET
def township_page(request: HttpRequest, county_id: int, year: str, township: str) -> HttpResponse:
    """一镇一册: the township's schools, each with its gaps, tasks and latest progress."""
    county = township_or_404(request, county_id, township)
    school_year = year_or_404(year)
    today = services.today()
    book = parties.township_book(county, township, school_year, today)
    schools = parties.township_schools(county, township)
    rows = {
        t.pk: t
        for t in [
            *parties.school_tasks(schools, school_year, county.pk),
            *parties.township_tasks(county, township, school_year),
        ]
    }
    plans = [
        {
            "plan": plan,
            "counts": school_counts(plan),
            "tasks": task_rows(plan.tasks, rows, request.user, county),
        }
        for plan in book.schools
    ]
    context = {
        "county": county,
        "year": school_year,
        "township": township,
        "book": book,
        "today": today,
        "plans": plans,
        "quiet": [plan.school for plan in book.schools if plan.empty],
        "own_tasks": task_rows(book.tasks, rows, request.user, county),
        "ledger_reader": can_view_ledger(request.user, county),
        "own_page": parties.own_page_link(request.user, school_year),
    }
    return render(request, "rectification/township.html", context)


@login_required
@require_GET
def township_docx(request: HttpRequest, county_id: int, year: str, township: str) -> HttpResponse:
    county = township_or_404(request, county_id, township)
    school_year = year_or_404(year)
    book = parties.township_book(county, township, school_year, services.today())
    return docx_response(
        township_book_document(book), f"{township}{school_year.label}学年一镇一册.docx"
    )
