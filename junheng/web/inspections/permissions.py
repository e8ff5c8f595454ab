"""Who may see and do what in 督导检查, built on `accounts.scope`.

- 系统管理员: everything.
- 县级管理员: their county — assigns 责任督学 to schools, plans visits, records them, turns
  findings into problems of the ledger, reads the summaries.
- 责任督学: the schools assigned to them — plans visits there, records their own visits, turns
  their findings into problems, re-checks closed problems (回头看). Other schools: 404.
- 县级领导 and 督导检查人员: read the visits and summaries of the counties they may see.
- 学校填报员 and 学区（中心校）用户: nothing (404); the school learns of findings through the
  problems of its ledger.

Unknown and forbidden objects answer the same 404 (`NOT_FOUND`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from junheng.web.accounts.models import Role
from junheng.web.accounts.scope import (
    AnyUser,
    can_review_county,
    is_system_admin,
    profile_of,
    visible_county,
    visible_schools,
)
from junheng.web.inspections.models import Visit
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.registry.models import County, School

_NO_INSPECTIONS = (Role.SCHOOL_USER, Role.TOWNSHIP_USER)


def _role(user: AnyUser) -> str | None:
    profile = profile_of(user)
    return profile.role if profile is not None else None


def inspection_schools(user: AnyUser) -> QuerySet[School]:
    """Schools whose visits the user may read."""
    if is_system_admin(user):
        return School.objects.all()
    role = _role(user)
    if role is None or role in _NO_INSPECTIONS:
        return School.objects.none()
    return visible_schools(user)


def plannable_schools(user: AnyUser) -> QuerySet[School]:
    """Schools where the user may plan and record visits."""
    if is_system_admin(user):
        return School.objects.all()
    profile = profile_of(user)
    if profile is None:
        return School.objects.none()
    if profile.role == Role.COUNTY_ADMIN:
        return School.objects.filter(county_id=profile.county_id)
    if profile.role == Role.SCHOOL_INSPECTOR:
        return profile.supervised_schools.all()
    return School.objects.none()


def has_inspection_pages(user: AnyUser) -> bool:
    """Whether the 督导检查 section has anything for the user (the header's link)."""
    if is_system_admin(user):
        return True
    return _role(user) in (Role.COUNTY_ADMIN, Role.LEADER, Role.INSPECTOR, Role.SCHOOL_INSPECTOR)


def visible_visits(user: AnyUser) -> QuerySet[Visit]:
    return Visit.objects.filter(school__in=inspection_schools(user))


def can_plan(user: AnyUser, school: School) -> bool:
    return plannable_schools(user).filter(pk=school.pk).exists()


def can_record(user: AnyUser, visit: Visit) -> bool:
    """Whether the user may record the visit, add findings, turn them into problems and
    re-check: the county's admins, and the visit's own 责任督学 while the school is theirs."""
    if is_system_admin(user):
        return True
    profile = profile_of(user)
    if profile is None:
        return False
    if profile.role == Role.COUNTY_ADMIN:
        return profile.county_id == visit.school.county_id
    if profile.role == Role.SCHOOL_INSPECTOR:
        return (
            visit.inspector_id == user.pk
            and profile.supervised_schools.filter(pk=visit.school_id).exists()
        )
    return False


def can_assign(user: AnyUser, county: County) -> bool:
    """Whether the user assigns 责任督学 to the county's schools (its admins)."""
    return can_review_county(user, county)


def summary_county_or_404(request: HttpRequest, county_id: int) -> County:
    """A county whose inspection summary the user may read: its admins, leaders, inspectors."""
    county = visible_county(request.user, county_id)
    if county is None:
        raise Http404(NOT_FOUND)
    return county


def visit_or_404(request: HttpRequest, pk: int) -> Visit:
    visit = (
        visible_visits(request.user)
        .filter(pk=pk)
        .select_related("school", "school__county", "inspector", "planned_by")
        .first()
    )
    if visit is None:
        raise Http404(NOT_FOUND)
    return visit


def record_or_404(request: HttpRequest, visit: Visit) -> None:
    """Refuse a change to a visit with the same 404 as an unknown page."""
    if not can_record(request.user, visit):
        raise Http404(NOT_FOUND)
