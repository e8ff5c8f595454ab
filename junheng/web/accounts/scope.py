"""Who may see and change what. These rules are enforced on the server for every page and API.

- 系统管理员 (and Django superusers): everything.
- 县级管理员: their county; may edit its schools, its county facts, and review (approve, return,
  unlock) its schools' data.
- 学校填报员: their own school only; may edit it. No county-wide view.
- 县级领导: their county, read-only.
- 督导检查人员: read-only, the counties assigned directly, through a city or through a province.

A user without a profile (and not a superuser), or an inactive user, sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import County, School

AnyUser = AbstractBaseUser | AnonymousUser


def _profile(user: AnyUser) -> Profile | None:
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.profile  # type: ignore[union-attr]
    except Profile.DoesNotExist:
        return None


def _is_system_admin(user: AnyUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    profile = _profile(user)
    return profile is not None and profile.role == Role.SYSTEM_ADMIN


def visible_counties(user: AnyUser) -> QuerySet[County]:
    """Counties whose overview the user may open."""
    if _is_system_admin(user):
        return County.objects.all()
    profile = _profile(user)
    if profile is None:
        return County.objects.none()
    if profile.role in (Role.COUNTY_ADMIN, Role.LEADER):
        return County.objects.filter(pk=profile.county_id)
    if profile.role == Role.INSPECTOR:
        return County.objects.filter(
            Q(pk__in=profile.inspected_counties.values("pk"))
            | Q(city__in=profile.inspected_cities.values("pk"))
            | Q(city__province__in=profile.inspected_provinces.values("pk"))
        ).distinct()
    return County.objects.none()


def can_view_school(user: AnyUser, school: School) -> bool:
    """Whether the user may read the school's data and results."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    if profile.role == Role.SCHOOL_USER:
        return profile.school_id == school.pk
    return visible_counties(user).filter(pk=school.county_id).exists()


def can_edit_school(user: AnyUser, school: School) -> bool:
    """Whether the user may change the school's data (the workflow may still lock a year)."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    if profile.role == Role.SCHOOL_USER:
        return profile.school_id == school.pk
    if profile.role == Role.COUNTY_ADMIN:
        return profile.county_id == school.county_id
    return False


def can_evaluate_county(user: AnyUser, county: County) -> bool:
    """Whether the user may run a new evaluation of the county; leaders and inspectors only read."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    return (
        profile is not None and profile.role == Role.COUNTY_ADMIN and profile.county_id == county.pk
    )


def can_review_county(user: AnyUser, county: County) -> bool:
    """Whether the user may approve, return and unlock the county's school data and edit its
    county facts: the county's administrators and system admins. Leaders and inspectors read."""
    return can_evaluate_county(user, county)


def can_review_school(user: AnyUser, school: School) -> bool:
    """Whether the user may review (approve, return, unlock) the school's data."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    return (
        profile is not None
        and profile.role == Role.COUNTY_ADMIN
        and profile.county_id == school.county_id
    )


@dataclass(frozen=True)
class ImportRights:
    """What a user may import into one county or school, as the web import enforces it."""

    county_wide: bool
    """The county workbook: any school of the county, county facts and survey counts."""
    school: School | None = None
    """When not county-wide, the one school whose 一校一册 may be imported."""
    take_over_schools: bool = False
    """Whether a school registered in another county may be imported here (moves it)."""


def import_rights(
    user: AnyUser, county: County | None, school: School | None = None
) -> ImportRights | None:
    """What the user may import into `county`, or with `school` into that school alone.

    `county` None is a county not registered yet: only system admins create counties. None is
    returned when the user may import nothing there.
    """
    if _is_system_admin(user):
        return ImportRights(county_wide=school is None, school=school, take_over_schools=True)
    profile = _profile(user)
    if profile is None or county is None:
        return None
    if school is not None and school.county_id != county.pk:
        return None
    if profile.role == Role.COUNTY_ADMIN and profile.county_id == county.pk:
        return ImportRights(county_wide=school is None, school=school)
    if profile.role == Role.SCHOOL_USER and school is not None and profile.school_id == school.pk:
        return ImportRights(county_wide=False, school=school)
    return None


def can_import_county(user: AnyUser, county: County) -> bool:
    """Whether the user may import the county's workbook and download its templates."""
    rights = import_rights(user, county)
    return rights is not None and rights.county_wide


def importable_counties(user: AnyUser) -> QuerySet[County]:
    """Counties into which the user may import county workbooks."""
    if _is_system_admin(user):
        return County.objects.all()
    profile = _profile(user)
    if profile is not None and profile.role == Role.COUNTY_ADMIN:
        return County.objects.filter(pk=profile.county_id)
    return County.objects.none()


def can_register_counties(user: AnyUser) -> bool:
    """Whether an import may create provinces, cities and counties (system admins only)."""
    return _is_system_admin(user)


def import_school_of(user: AnyUser) -> School | None:
    """The school whose 一校一册 a school user imports (other roles: None)."""
    profile = _profile(user)
    if profile is None or profile.role != Role.SCHOOL_USER:
        return None
    return profile.school


def has_county_views(user: AnyUser) -> bool:
    """Whether the user's role has county-wide pages at all (overviews, indicator pages, the
    comparison of counties). School users have only their school's pages."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    return profile is not None and profile.role in (Role.COUNTY_ADMIN, Role.LEADER, Role.INSPECTOR)


def has_own_school(user: AnyUser) -> bool:
    """Whether the user works for one school (a school user), whose pages are their start."""
    if _is_system_admin(user):
        return False
    profile = _profile(user)
    return (
        profile is not None and profile.role == Role.SCHOOL_USER and profile.school_id is not None
    )


def has_import_page(user: AnyUser) -> bool:
    """Whether the import page has something for the user: system admins (any county), county
    admins (their county) and school users (their school's 一校一册); leaders and inspectors
    only read."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    if profile.role == Role.COUNTY_ADMIN:
        return profile.county_id is not None
    return profile.role == Role.SCHOOL_USER and profile.school_id is not None
