"""A county with a snapshot, an organisation of two departments, one user per role, and one
task led by each department."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

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
        # a school of 石桥镇, another township than the school user's (城关镇)
        "stone": School.objects.filter(county=county, township="石桥镇").order_by("school_id")[0],
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


@pytest.fixture
def parties_site(ledger, django_user_model):
    """The ledger with the schools and townships of 一校一案 and 一镇一册.

    - 城关第一小学 (`school`, the school user's; 城关镇) has one problem from the evaluation (G4:
      2,260 pupils, the limit 2,000) with two tasks: `own_task` led by the school's own unit,
      made through the task form, deadline 2026-06-30, and `bureau_task` led by 县教育局.
    - A county-level problem (no school) has `town_task`, led by 城关镇人民政府 (a unit of kind
      乡镇 for 城关镇) with the school's unit responsible, deadline 2026-08-31.
    - The ledger's own tasks (`edu_task`, `fin_task`) are of 青龙镇初级中学's problem.
    Users: `school2` (城关第二小学), `town` (城关镇's office), `stone_town` (石桥镇's),
    `duxue` (责任督学 of 城关第一小学 only).
    """
    county, year = ledger["county"], ledger["year"]
    users = ledger["users"]
    school = users["school"].profile.school
    second = School.objects.get(county=county, name="城关第二小学")
    users["school2"] = add_user(django_user_model, "school2", Role.SCHOOL_USER, school=second)
    users["town"] = add_user(
        django_user_model, "town", Role.TOWNSHIP_USER, county=county, township="城关镇"
    )
    users["stone_town"] = add_user(
        django_user_model, "stone", Role.TOWNSHIP_USER, county=county, township="石桥镇"
    )
    users["duxue"] = add_user(django_user_model, "duxue", Role.SCHOOL_INSPECTOR, county=county)
    users["duxue"].profile.supervised_schools.add(school)
    town_unit = Unit.objects.create(
        county=county, kind=UnitKind.TOWN, name="城关镇人民政府", township="城关镇"
    )
    problem = Problem.objects.get(county=county, year=year, school_id=school.school_id)
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.post(
        reverse("rectification_task_new", args=[problem.pk]),
        {
            "lead_unit": f"s{school.school_id}",
            "measures": "分流新生，控制学校规模",
            "deadline": "2026-06-30",
            "person": "王校长",
        },
    )
    assert response.status_code == 302, response.content.decode()
    own_task = problem.tasks.get()
    bureau_task = services.save_task(
        problem,
        services.TaskFields(
            lead_unit=ledger["units"]["edu"],
            responsible_units=[],
            person="",
            leader="",
            measures="新建城关第七小学",
            deadline=dt.date(2027, 8, 31),
            budget_wan=None,
        ),
        users["admin"],
    )
    county_problem = services.add_problem(
        county,
        year,
        source="self_check",
        title="城关镇学校布局需调整",
        description="",
        found_on=dt.date(2026, 3, 1),
        found_by="县教育局",
        item="G1",
        school_name="",
        user=users["admin"],
    )
    town_task = services.save_task(
        county_problem,
        services.TaskFields(
            lead_unit=town_unit,
            responsible_units=[own_task.lead_unit],
            person="",
            leader="",
            measures="编制城关镇学校布局调整方案",
            deadline=dt.date(2026, 8, 31),
            budget_wan=None,
        ),
        users["admin"],
    )
    return {
        **ledger,
        "school": school,
        "second": second,
        "school_problem": problem,
        "county_problem": county_problem,
        "own_task": own_task,
        "bureau_task": bureau_task,
        "town_task": town_task,
        "town_unit": town_unit,
    }
