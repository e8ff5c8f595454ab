"""Who may see and record appraisal, decisions and meetings, built on `accounts.scope`.

- 考核排名 (`can_view_appraisal`): everyone who may open the county's overview (system admins,
  the county's administrators and leaders, inspectors covering it) and the county's department
  users — the bulletin's readers. The ranking names units and townships only.
- 表彰、问责 (`can_view_decisions`): the county's administrators and system admins record; the
  county's leaders read; everyone else gets 404 (the decisions are the county's own business).
- 会议 (`can_view_meetings`): administrators record; the county's leaders and department users
  read (attendees may name people, so nobody outside the county sees a meeting).

Unknown and forbidden objects answer the same 404 (`NOT_FOUND`), as everywhere on the site.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest

from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import AnyUser, can_review_county, visible_counties
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.rectification.permissions import unit_of
from junheng.web.registry.models import County


def _is_leader_of(user: AnyUser, county: County) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Profile.objects.filter(user_id=user.pk, role=Role.LEADER, county=county).exists()


def _is_member_of(user: AnyUser, county: County) -> bool:
    unit = unit_of(user)
    return unit is not None and unit.county_id == county.pk


def can_manage(user: AnyUser, county: County) -> bool:
    """Whether the user records the county's decisions and meetings."""
    return can_review_county(user, county)


def can_view_appraisal(user: AnyUser, county: County) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return visible_counties(user).filter(pk=county.pk).exists() or _is_member_of(user, county)


def can_view_decisions(user: AnyUser, county: County) -> bool:
    return can_manage(user, county) or _is_leader_of(user, county)


def can_view_meetings(user: AnyUser, county: County) -> bool:
    return can_manage(user, county) or _is_leader_of(user, county) or _is_member_of(user, county)


def county_or_404(
    request: HttpRequest, county_id: int, allowed: Callable[[AnyUser, County], bool]
) -> County:
    """The county of that id when `allowed(user, county)`; else the site's 404."""
    county = County.objects.filter(pk=county_id).select_related("city").first()
    if county is None or not allowed(request.user, county):
        raise Http404(NOT_FOUND)
    return county


def manage_or_404(request: HttpRequest, county: County) -> None:
    if not can_manage(request.user, county):
        raise Http404(NOT_FOUND)
