"""A small county for the appraisal pages: two townships with a school each, two departments
and a 乡镇 unit, one user per role, and a neighbouring county with its own department user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from junheng.web.accounts.models import Role
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import Problem, ProblemSource, Unit, UnitKind
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.web.sites import add_user

# every account of the `site` fixture, for the tests that try each role on both sides
ROLES = (
    "admin",
    "sysadmin",
    "leader",
    "inspector",
    "dept",
    "other_admin",
    "school",
    "township",
    "duxue",
    "foreign",
    "nobody",
)


@pytest.fixture
def clock(monkeypatch):
    """The site's clock (`timezone.now`, so also `clock.today` and every `auto_now_add`) set by
    `clock(instant)`; 10 April 2026, 10:00 in Beijing until a test sets another."""
    state = {"now": dt.datetime(2026, 4, 10, 2, 0, tzinfo=dt.UTC)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def set_now(instant: dt.datetime) -> None:
        state["now"] = instant

    return set_now


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def site(db, django_user_model, evidence_dir):
    province = Province.objects.create(name="示范省")
    city = City.objects.create(province=province, name="示范市")
    county = County.objects.create(city=city, name="示范县", code="500101")
    other = County.objects.create(city=city, name="邻县", code="500102")
    year = SchoolYear.objects.create(label="2026")
    shiqiao = School.objects.create(
        school_id="3150000001", name="石桥小学", county=county, kind="小学", township="石桥镇"
    )
    School.objects.create(
        school_id="3150000002", name="河口中学", county=county, kind="初级中学", township="河口镇"
    )
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局", order=1)
    fin = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局", order=2)
    town = Unit.objects.create(
        county=county, kind=UnitKind.TOWN, name="石桥镇人民政府", township="石桥镇", order=3
    )
    foreign = Unit.objects.create(county=other, kind=UnitKind.DEPARTMENT, name="邻县教育局")

    def user(name, role=None, unit=None, **scope):
        return add_user(django_user_model, name, role, unit, **scope)

    users = {
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "school": user("school", Role.SCHOOL_USER, school=shiqiao),
        "township": user("township", Role.TOWNSHIP_USER, county=county, township="石桥镇"),
        "duxue": user("duxue", Role.SCHOOL_INSPECTOR, county=county),
        "dept": user("dept", unit=edu),
        "foreign": user("foreign", unit=foreign),
        "nobody": user("nobody"),
    }
    users["inspector"].profile.inspected_counties.add(county)
    users["duxue"].profile.supervised_schools.add(shiqiao)
    return {
        "county": county,
        "other": other,
        "year": year,
        "school": shiqiao,
        "units": {"edu": edu, "fin": fin, "town": town},
        "users": users,
    }


@pytest.fixture
def finding(site):
    """An inspection finding at 石桥小学 with one task led by 县教育局."""
    problem = ledger.add_problem(
        site["county"],
        site["year"],
        source=ProblemSource.INSPECTION,
        title="石桥小学音乐教室不足",
        description="",
        found_on=dt.date(2026, 3, 31),
        found_by="县督导室",
        item="R4",
        school_name="石桥小学",
        school_id="3150000001",
        user=site["users"]["admin"],
    )
    task = ledger.save_task(
        problem,
        ledger.TaskFields(
            lead_unit=site["units"]["edu"],
            responsible_units=[],
            person="",
            leader="",
            measures="改建音乐教室",
            deadline=dt.date(2026, 3, 20),
            budget_wan=None,
        ),
        site["users"]["admin"],
    )
    assert Problem.objects.count() == 1
    return {"problem": problem, "task": task}
