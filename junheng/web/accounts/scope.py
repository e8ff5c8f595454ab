"""Who may see and change what. These rules are enforced on the server for every page and API.

- 系统管理员 (and Django superusers): everything.
- 县级管理员: their county; may edit its schools, its county facts, and review (approve, return,
  unlock) its schools' data.
- 学校填报员: their own school only; may edit it. No county-wide view.
- 县级领导: their county, read-only.
- 督导检查人员: read-only, the counties assigned directly, through a city or through a province.
- 学区（中心校）用户: read-only, the schools of their county whose 乡镇 is their township.
- 责任督学: read-only, the schools assigned to them (挂牌督导); they record visits there.

A user without a profile (and not a superuser), or an inactive user, sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet

from junheng.web import sqlrows
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import City, County, Province, School

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


def profile_of(user: AnyUser) -> Profile | None:
    """The active user's role and scope (None without one): for rules built on these."""
    return _profile(user)


def is_system_admin(user: AnyUser) -> bool:
    """Whether the user is a system admin or a Django superuser."""
    return _is_system_admin(user)


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


@cache
def _visible_county_sql(vendor: str, inspector: bool) -> str:
    """The county with its city and province by id; for an inspector, only when one of the
    profile's three assignments covers it (the rule of `visible_counties`, written out)."""
    q, column = sqlrows.quote, sqlrows.column
    county_pk, city, province = (
        f"c.{column(County, 'pk')}",
        f"c.{column(County, 'city')}",
        f"ci.{column(City, 'province')}",
    )
    sql = (
        f"SELECT {sqlrows.columns(County, 'c')}, {sqlrows.columns(City, 'ci')},"
        f" {sqlrows.columns(Province, 'p')} FROM {sqlrows.table(County)} c"
        f" JOIN {sqlrows.table(City)} ci ON ci.{column(City, 'pk')} = {city}"
        f" JOIN {sqlrows.table(Province)} p ON p.{column(Province, 'pk')} = {province}"
        f" WHERE {county_pk} = %s"
    )
    if inspector:
        covers = []
        for name, covered in (
            ("inspected_counties", county_pk),
            ("inspected_cities", city),
            ("inspected_provinces", province),
        ):
            field = Profile._meta.get_field(name)
            covers.append(
                f"EXISTS (SELECT 1 FROM {sqlrows.table(field.remote_field.through)} t"
                f" WHERE t.{q(field.m2m_column_name())} = %s"
                f" AND t.{q(field.m2m_reverse_name())} = {covered})"
            )
        sql += f" AND ({' OR '.join(covers)})"
    return sql


def visible_county(user: AnyUser, county_id: int) -> County | None:
    """The county of that id with its city and province, when the user may open its overview
    (`visible_counties`); one query, none when the role alone rules it out."""
    inspector: Profile | None = None
    if not _is_system_admin(user):
        profile = _profile(user)
        if profile is None:
            return None
        if profile.role in (Role.COUNTY_ADMIN, Role.LEADER):
            if profile.county_id != county_id:
                return None
        elif profile.role == Role.INSPECTOR:
            inspector = profile
        else:
            return None
    params = [county_id] if inspector is None else [county_id, *[inspector.pk] * 3]
    with connection.cursor() as cursor:
        cursor.execute(_visible_county_sql(connection.vendor, inspector is not None), params)
        row = cursor.fetchone()
    if row is None:
        return None
    county_part, city_part, province_part = sqlrows.split(
        row, sqlrows.width(County), sqlrows.width(City)
    )
    county = sqlrows.instance(County, county_part)
    city = sqlrows.instance(City, city_part)
    sqlrows.attach(county, County.city, city)
    sqlrows.attach(city, City.province, sqlrows.instance(Province, province_part))
    return county  # type: ignore[return-value]


def can_view_school(user: AnyUser, school: School) -> bool:
    """Whether the user may read the school's data and results."""
    if _is_system_admin(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    if profile.role == Role.SCHOOL_USER:
        return profile.school_id == school.pk
    if profile.role == Role.TOWNSHIP_USER:
        return (
            profile.county_id == school.county_id
            and bool(profile.township)
            and school.township == profile.township
        )
    if profile.role == Role.SCHOOL_INSPECTOR:
        return profile.supervised_schools.filter(pk=school.pk).exists()
    return visible_county(user, school.county_id) is not None


def visible_schools(user: AnyUser) -> QuerySet[School]:
    """Schools whose data and results the user may read (the rule of `can_view_school`)."""
    if _is_system_admin(user):
        return School.objects.all()
    profile = _profile(user)
    if profile is None:
        return School.objects.none()
    if profile.role == Role.SCHOOL_USER:
        return School.objects.filter(pk=profile.school_id)
    if profile.role == Role.TOWNSHIP_USER:
        if not profile.township:
            return School.objects.none()
        return School.objects.filter(county_id=profile.county_id, township=profile.township)
    if profile.role == Role.SCHOOL_INSPECTOR:
        return profile.supervised_schools.all()
    return School.objects.filter(county__in=visible_counties(user))


def township_of(user: AnyUser) -> tuple[int, str] | None:
    """The county id and township of a 学区（中心校）user (None for every other role)."""
    profile = _profile(user)
    if profile is None or profile.role != Role.TOWNSHIP_USER or not profile.township:
        return None
    if profile.county_id is None:
        return None
    return profile.county_id, profile.township


def is_school_inspector(user: AnyUser) -> bool:
    """Whether the user is a 责任督学 (assigned to schools, records visits)."""
    profile = _profile(user)
    return profile is not None and profile.role == Role.SCHOOL_INSPECTOR


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


def can_export_full_ids(user: AnyUser, county: County) -> bool:
    """Whether the user may export the county's teacher roster with full ID numbers: the
    county's own administrators only (a system admin runs the server, not the county's staff
    records)."""
    if not can_review_county(user, county):
        return False
    profile = _profile(user)
    return (
        profile is not None and profile.role == Role.COUNTY_ADMIN and profile.county_id == county.pk
    )


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
