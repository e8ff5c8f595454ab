"""What a URL names, looked up within the user's scope: a county, a school, a school year.

Unknown and forbidden objects answer the same 404 without naming what was asked for, so ids
cannot be probed and a page never leaks another county's or school's existence.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from junheng.web.accounts.scope import can_view_school, visible_county
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import CountyPage, county_page

NOT_FOUND = "页面不存在或您没有查看权限。"


def county_or_404(request: HttpRequest, county_id: int) -> County:
    """A county the user may see, with its city and province."""
    county = visible_county(request.user, county_id)
    if county is None:
        raise Http404(NOT_FOUND)
    return county


def school_or_404(request: HttpRequest, school_id: str) -> School:
    """A school the user may see, with its county, city and province."""
    school = (
        School.objects.filter(school_id=school_id)
        .select_related("county", "county__city", "county__city__province")
        .first()
    )
    if school is None or not can_view_school(request.user, school):
        raise Http404(NOT_FOUND)
    return school


def year_or_404(label: str) -> SchoolYear:
    """A school year that exists."""
    year = SchoolYear.objects.filter(label=label).first()
    if year is None:
        raise Http404(NOT_FOUND)
    return year


def page_or_404(county: County, label: str, *, with_years: bool = False) -> CountyPage:
    """A school year that exists, with the county's latest snapshot of it (`county_page`)."""
    page = county_page(county, label, with_years=with_years)
    if page is None:
        raise Http404(NOT_FOUND)
    return page


def start_year(county: County, years: list[SchoolYear]) -> SchoolYear:
    """Where a section opens for one county: the latest year it has been evaluated in (its
    ledger and reports come from there), else the latest year of all."""
    evaluated = SchoolYear.objects.filter(snapshot__county=county).order_by("-label").first()
    return evaluated or years[0]
