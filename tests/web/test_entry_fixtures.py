"""Fixtures shared by the data-entry and workflow tests: the demo county as 2026, one user per
role, and helpers that post a school's form the way the browser does."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.forms import county_values, school_values
from junheng.web.collection.models import (
    CountyFactsVersion,
    CountyFactValue,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
)
from junheng.web.registry.models import County, School, SchoolYear

PASSWORD = "pw-均衡-2026"
OWN = "2152010001"
"""城关第一小学: a primary school; its primary segment has 2260 students and 113 teachers
(4 postgraduate + 85 bachelor + 22 associate + 2 below)."""
OTHER = "2152010002"
"""城关第二小学, in the same county."""
COMBINED = "2152010011"
"""育才九年一贯制学校: shared facilities reported on the school (16986.3 ㎡ teaching space)."""


def make_user(django_user_model: Any, name: str, full: str, role: str | None, **scope: Any) -> Any:
    user = django_user_model.objects.create_user(name, password=PASSWORD, first_name=full)
    if role is not None:
        Profile.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def site(loaded: tuple[County, SchoolYear], django_user_model: Any) -> dict[str, Any]:
    county, year = loaded
    other_county = County.objects.create(city=county.city, name="邻县")
    own = School.objects.get(school_id=OWN)
    combined = School.objects.get(school_id=COMBINED)
    users = {
        "school": make_user(django_user_model, "school", "李填报", Role.SCHOOL_USER, school=own),
        "combined": make_user(
            django_user_model, "combined", "赵填报", Role.SCHOOL_USER, school=combined
        ),
        "admin": make_user(django_user_model, "cadmin", "王管理", Role.COUNTY_ADMIN, county=county),
        "admin2": make_user(
            django_user_model, "cadmin2", "陈管理", Role.COUNTY_ADMIN, county=county
        ),
        "other_admin": make_user(
            django_user_model, "oadmin", "邻县管理", Role.COUNTY_ADMIN, county=other_county
        ),
        "leader": make_user(django_user_model, "leader", "张领导", Role.LEADER, county=county),
        "inspector": make_user(django_user_model, "inspector", "刘督导", Role.INSPECTOR),
        "sysadmin": make_user(django_user_model, "sysadmin", "系统管理", Role.SYSTEM_ADMIN),
    }
    users["inspector"].profile.inspected_counties.add(county)
    return {
        "county": county,
        "other_county": other_county,
        "year": year,
        "own": own,
        "other": School.objects.get(school_id=OTHER),
        "combined": combined,
        "users": users,
    }


def stored_form(school: School, year: SchoolYear) -> dict[str, str]:
    """The school's form as a browser would post it unchanged (current values and version)."""
    data = SchoolYearData.objects.filter(school=school, year=year).first()
    values = school_values(
        data,
        list(SegmentData.objects.filter(school=school, year=year)),
        list(SchoolFactValue.objects.filter(school=school, year=year)),
    )
    values["version"] = str(data.version if data else 0)
    return values


def county_form(county: County, year: SchoolYear) -> dict[str, str]:
    """The county facts form as a browser would post it unchanged."""
    values = county_values(list(CountyFactValue.objects.filter(county=county, year=year)))
    state = CountyFactsVersion.objects.filter(county=county, year=year).first()
    values["version"] = str(state.version if state else 0)
    return values


def edit_url(school: School, year: SchoolYear) -> str:
    return reverse("school_edit", args=[school.school_id, year.label])


def workflow_url(school: School, year: SchoolYear) -> str:
    return reverse("school_workflow", args=[school.school_id, year.label])


def school_url(school: School, year: SchoolYear) -> str:
    return reverse("school", args=[school.school_id, year.label])
