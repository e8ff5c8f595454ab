"""The 主要做法与成效 edit page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from junheng.web.pages.lookup import NOT_FOUND


def edit(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    raise Http404(NOT_FOUND)
