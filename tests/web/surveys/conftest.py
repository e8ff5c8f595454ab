"""Fixtures of the survey tests: a survey of the demo county, open now, with users of each role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import City, County, School
from junheng.web.surveys import ratelimit, services
from junheng.web.surveys.models import SurveyStatus

PASSWORD = "pw-均衡-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Every test's requests come from the test client's one address: count from zero."""
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def survey(loaded):
    county, year = loaded
    now = timezone.now()
    made = services.create_survey(
        county,
        year,
        None,
        title="2026 年社会认可度调查",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        population=352_000,
    )
    services.set_status(made, SurveyStatus.OPEN)
    return made


@pytest.fixture
def schools(loaded):
    county, _ = loaded
    return list(School.objects.filter(county=county, kind="primary").order_by("school_id")[:2])


@pytest.fixture
def users(loaded, schools, django_user_model):
    county, _ = loaded
    other_county = County.objects.create(city=City.objects.first(), name="邻县")

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=u, role=role, **scope)
        return u

    made = {
        "school": user("school", Role.SCHOOL_USER, school=schools[0]),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other_county),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "other_inspector": user("oinspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
    }
    made["inspector"].profile.inspected_counties.add(county)
    made["other_inspector"].profile.inspected_counties.add(other_county)
    return made
