"""A small hand-made county for the reminder tests: two schools in 石桥镇 and 河口镇, a
department, a school's and a township's ledger units, and one user per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from junheng.web.accounts.models import Role
from junheng.web.collection.models import SchoolYearData, Status
from junheng.web.rectification.models import Problem, ProblemSource, Task, Unit, UnitKind
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.web.sites import add_user

UTC = dt.UTC


@pytest.fixture
def freeze(monkeypatch):
    """Freeze the site's clock at a UTC instant (every page, timestamp and local date)."""

    def set_to(instant: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return set_to


def make_task(unit: Unit, problem: Problem, deadline: dt.date, status: str = "进行中", **kw: Any):
    return Task.objects.create(
        problem=problem,
        lead_unit=unit,
        measures="按标准补齐",
        deadline=deadline,
        status=status,
        **kw,
    )


@pytest.fixture
def county_site(db, django_user_model) -> dict[str, Any]:
    province = Province.objects.create(name="甲省")
    city = City.objects.create(province=province, name="甲市")
    county = County.objects.create(city=city, name="石桥县")
    other = County.objects.create(city=city, name="邻县")
    year = SchoolYear.objects.create(label="2026")
    s1 = School.objects.create(
        school_id="2100000001", name="石桥镇中心小学", county=county, kind="小学", township="石桥镇"
    )
    s2 = School.objects.create(
        school_id="2100000002",
        name="河口镇初级中学",
        county=county,
        kind="初级中学",
        township="河口镇",
    )
    s3 = School.objects.create(school_id="2200000001", name="邻县一小", county=other, kind="小学")
    SchoolYearData.objects.create(school=s1, year=year, status=Status.DRAFT)
    SchoolYearData.objects.create(school=s2, year=year, status=Status.SUBMITTED)
    SchoolYearData.objects.create(school=s3, year=year, status=Status.SUBMITTED)
    dept = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    school_unit = Unit.objects.create(
        county=county, kind=UnitKind.SCHOOL, name="石桥镇中心小学", school=s1
    )
    town = Unit.objects.create(county=county, kind=UnitKind.TOWN, name="石桥镇", township="石桥镇")
    other_dept = Unit.objects.create(county=other, kind=UnitKind.DEPARTMENT, name="邻县教育局")

    def problem(title: str, where: County = county) -> Problem:
        return Problem.objects.create(
            county=where, year=year, source=ProblemSource.SELF_CHECK, title=title
        )

    u = django_user_model
    users = {
        "admin": add_user(u, "cadmin", Role.COUNTY_ADMIN, county=county),
        "leader": add_user(u, "leader", Role.LEADER, county=county),
        "inspector": add_user(u, "inspector", Role.INSPECTOR),
        "school": add_user(u, "school1", Role.SCHOOL_USER, school=s1),
        "school2": add_user(u, "school2", Role.SCHOOL_USER, school=s2),
        "township": add_user(u, "town", Role.TOWNSHIP_USER, county=county, township="石桥镇"),
        "duxue": add_user(u, "duxue", Role.SCHOOL_INSPECTOR, county=county),
        "department": add_user(u, "dept", unit=dept),
        "sysadmin": add_user(u, "sysadmin", Role.SYSTEM_ADMIN),
        "other_admin": add_user(u, "oadmin", Role.COUNTY_ADMIN, county=other),
        "other_leader": add_user(u, "oleader", Role.LEADER, county=other),
        "other_dept": add_user(u, "odept", unit=other_dept),
    }
    users["inspector"].profile.inspected_counties.add(county)
    users["duxue"].profile.supervised_schools.add(s1)
    for name, user in users.items():
        user.email = f"{user.username}@example.cn"
        user.first_name = {"admin": "管理员", "leader": "县长"}.get(name, "")
        user.save()
    return {
        "county": county,
        "other": other,
        "year": year,
        "schools": (s1, s2, s3),
        "units": {"dept": dept, "school": school_unit, "town": town, "other": other_dept},
        "problem": problem,
        "users": users,
    }
