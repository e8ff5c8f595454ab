"""The demo county with an evaluation, one user of every role (and a department's login), and
private folders for evidence and documents."""

from __future__ import annotations

import pytest

from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification.models import Unit, UnitKind, UnitMember
from junheng.web.registry.models import City, County, School
from junheng.web.services import run_evaluation

PASSWORD = "pw-均衡-2026"


@pytest.fixture
def folders(settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    settings.JUNHENG_DOCUMENTS_DIR = str(tmp_path / "documents")
    return tmp_path


@pytest.fixture
def site(loaded, django_user_model, folders):
    county, year = loaded
    snapshot = run_evaluation(county, year, None)
    other = County.objects.create(city=City.objects.first(), name="邻县")
    school = School.objects.filter(county=county).order_by("school_id").first()
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局")

    def user(name, role=None, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        if role is not None:
            Profile.objects.create(user=u, role=role, **scope)
        return u

    users = {
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other),
        "school": user("school", Role.SCHOOL_USER, school=school),
        "department": user("fin"),
        "nobody": user("nobody"),
    }
    users["admin"].first_name = "王主任"
    users["admin"].save()
    UnitMember.objects.create(user=users["department"], unit=unit)
    users["inspector"].profile.inspected_counties.add(county)
    return {"county": county, "year": year, "snapshot": snapshot, "users": users, "other": other}


@pytest.fixture
def as_user(client, site):
    def login(role):
        client.force_login(site["users"][role])
        return client

    return login
