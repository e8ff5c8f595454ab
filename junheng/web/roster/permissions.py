"""Who reads and changes a county's roster, built on `accounts.scope`.

- 县级管理员 and 系统管理员: upload, the summary, the whole list (ID numbers masked), the masked
  workbook and the reconciliation.
- The county's own 县级管理员 alone: the export with full ID numbers (the county keeps them;
  a system administrator runs the server, not the county's personnel files).
- 县级领导 and 督导检查人员: the summary counts and the reconciliation — numbers of teachers,
  never a person: they judge the county, they do not manage its staff.
- 学校填报员: their own school's teachers, read-only and masked; nothing county-wide.
- Department users and everyone else: the same 404 as an unknown page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.http import Http404, HttpRequest

from junheng.web.accounts.scope import (
    AnyUser,
    can_review_county,
    import_school_of,
    visible_county,
)
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.registry.models import County, School


class Access(StrEnum):
    MANAGE = "manage"
    SUMMARY = "summary"
    SCHOOL = "school"


@dataclass(frozen=True)
class RosterView:
    county: County
    access: Access
    school: School | None = None
    """The school user's own school (`Access.SCHOOL`)."""


def roster_view(user: AnyUser, county_id: int) -> RosterView | None:
    """What the user may see of the county's roster; None when nothing (the page's 404).

    Also asked by pages that link to the roster, so a link is shown only to those it opens for.
    """
    county = visible_county(user, county_id)
    if county is not None:
        manage = can_review_county(user, county)
        return RosterView(county, Access.MANAGE if manage else Access.SUMMARY)
    school = import_school_of(user)
    if school is not None and school.county_id == county_id:
        return RosterView(school.county, Access.SCHOOL, school)
    return None


def roster_view_or_404(request: HttpRequest, county_id: int) -> RosterView:
    """What the user may see of the county's roster; unknown and forbidden answer 404."""
    view = roster_view(request.user, county_id)
    if view is None:
        raise Http404(NOT_FOUND)
    return view
