"""The demo county evaluated, with one user per role (and a department user of its ledger)."""

from __future__ import annotations

import pytest

from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification.models import Unit, UnitKind, UnitMember
from junheng.web.registry.models import City, County, School
from junheng.web.services import run_evaluation


@pytest.fixture
def evaluated(loaded):
    county, year = loaded
    return county, year, run_evaluation(county, year, None)


@pytest.fixture
def users(evaluated, django_user_model):
    county, _, _ = evaluated
    other = County.objects.create(city=City.objects.first(), name="邻县")
    school = School.objects.filter(county=county).order_by("school_id").first()
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")

    def user(name, role=None, **scope):
        u = django_user_model.objects.create_user(name, password="pw-均衡-2026")
        if role is not None:
            Profile.objects.create(user=u, role=role, **scope)
        return u

    made = {
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "admin2": user("cadmin2", Role.COUNTY_ADMIN, county=county),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "far_inspector": user("far_inspector", Role.INSPECTOR),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other),
        "school": user("school", Role.SCHOOL_USER, school=school),
        "department": user("edu"),
        "nobody": user("nobody"),
    }
    made["admin2"].first_name = "李四"
    made["admin2"].save()
    made["inspector"].profile.inspected_counties.add(county)
    UnitMember.objects.create(user=made["department"], unit=edu)
    return made
