"""Who may do what with a county's survey, built on `accounts.scope`.

- 系统管理员 and the county's 县级管理员 manage: create surveys, open and close them, generate and
  print access codes, exclude responses after review and write the result into the county's data.
- 县级领导 and 督导检查人员 of the county read the surveys and their results, never the codes
  (a code is a ballot: whoever holds it may answer).
- 学校填报员 have no survey pages; respondents use the public form with a code and no account.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from junheng.web.accounts.scope import (
    AnyUser,
    can_review_county,
    has_county_views,
    visible_counties,
)
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.registry.models import County
from junheng.web.surveys.models import Survey


def has_survey_pages(user: AnyUser) -> bool:
    """Whether the survey list has something for the user (every county-wide role)."""
    return has_county_views(user)


def survey_counties(user: AnyUser) -> QuerySet[County]:
    """Counties whose surveys the user may read."""
    if not has_survey_pages(user):
        return County.objects.none()
    return visible_counties(user)


def can_manage_surveys(user: AnyUser, county: County) -> bool:
    """Whether the user may create and run the county's surveys and see their codes."""
    return can_review_county(user, county)


def survey_or_404(request: HttpRequest, survey_id: int) -> Survey:
    """A survey of a county the user may read; unknown and forbidden answer the same 404."""
    survey = (
        Survey.objects.filter(pk=survey_id, county__in=survey_counties(request.user))
        .select_related("county", "county__city", "county__city__province", "year")
        .first()
    )
    if survey is None:
        raise Http404(NOT_FOUND)
    return survey
