"""A county with a snapshot, an organisation of two departments, one user per role, and one
task led by each department."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.demo import DEMO_COUNTY
from junheng.web.accounts.models import Role
from junheng.web.rectification import services
from junheng.web.rectification.models import Problem, Unit, UnitKind
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import City, County, School, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.web.sites import add_user


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def ledger(loaded, django_user_model, evidence_dir):
    county, year = loaded
    snapshot = run_evaluation(county, year, None)
    other_county = County.objects.create(city=City.objects.first(), name="邻县")
    school = School.objects.filter(county=county).order_by("school_id").first()
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    fin = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局")
    hr = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县人社局")
    foreign = Unit.objects.create(county=other_county, kind=UnitKind.DEPARTMENT, name="邻县财政局")

    def user(name, role=None, unit=None, **scope):
        return add_user(django_user_model, name, role, unit, **scope)

    users = {
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other_county),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "school": user("school", Role.SCHOOL_USER, school=school),
        "edu": user("edu", unit=edu),
        "fin": user("fin", unit=fin),
        "hr": user("hr", unit=hr),
        "foreign": user("foreign", unit=foreign),
        "nobody": user("nobody"),
    }
    users["inspector"].profile.inspected_counties.add(county)
    services.generate_problems(county, year, snapshot, users["admin"])
    problem = Problem.objects.filter(county=county, year=year).order_by("id").first()
    fields = dict(person="张三", leader="李副县长", budget_wan=None)
    edu_task = services.save_task(
        problem,
        services.TaskFields(
            lead_unit=edu,
            responsible_units=[hr],
            measures="补充骨干教师",
            deadline=dt.date(2026, 6, 30),
            **fields,
        ),
        users["admin"],
    )
    fin_task = services.save_task(
        problem,
        services.TaskFields(
            lead_unit=fin,
            responsible_units=[],
            measures="落实经费",
            deadline=dt.date(2026, 7, 15),
            **fields,
        ),
        users["admin"],
    )
    return {
        "county": county,
        "year": year,
        "snapshot": snapshot,
        "other_county": other_county,
        "units": {"edu": edu, "fin": fin, "hr": hr},
        "users": users,
        "problem": problem,
        "edu_task": edu_task,
        "fin_task": fin_task,
    }


@pytest.fixture
def land_revenue(planned_demo) -> dict:
    """The demo county with its creation plan, evaluated, with the problems of that evaluation
    and the 2024 land-revenue shortfall among them."""
    load_dataset(planned_demo, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    snapshot = run_evaluation(county, year, None)
    services.generate_problems(county, year, snapshot, None)
    problem = Problem.objects.get(county=county, key="FIN/land_revenue/2024")
    return {"county": county, "snapshot": snapshot, "problem": problem}
