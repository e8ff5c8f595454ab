"""Two counties of one city with schools, a school year, and one user per role: county a's
admin, leader, provincial inspector (督导检查人员), two 责任督学 (一小 and 二小 each), a school
user, a township user and county b's admin."""

from __future__ import annotations

import pytest

from junheng.web.accounts.models import Role
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.web.sites import add_user


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def site(db, django_user_model, evidence_dir):
    province = Province.objects.create(name="甲省")
    city = City.objects.create(province=province, name="甲市")
    a = County.objects.create(city=city, name="甲县")
    b = County.objects.create(city=city, name="乙县")
    SchoolYear.objects.create(label="2025")
    year = SchoolYear.objects.create(label="2026")
    schools = {
        "one": School.objects.create(
            school_id="3100000001", name="甲县一小", county=a, kind="primary", township="东镇"
        ),
        "two": School.objects.create(
            school_id="3100000002", name="甲县二小", county=a, kind="primary", township="西镇"
        ),
        "other": School.objects.create(
            school_id="3200000001", name="乙县一小", county=b, kind="primary", township="南镇"
        ),
    }

    def user(name, role=None, **scope):
        return add_user(django_user_model, name, role, **scope)

    users = {
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=a),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=b),
        "leader": user("leader", Role.LEADER, county=a),
        "inspector": user("inspector", Role.INSPECTOR),
        "duxue": user("duxue", Role.SCHOOL_INSPECTOR, county=a),
        "duxue2": user("duxue2", Role.SCHOOL_INSPECTOR, county=a),
        "school": user("school", Role.SCHOOL_USER, school=schools["one"]),
        "township": user("township", Role.TOWNSHIP_USER, county=a, township="东镇"),
        "nobody": user("nobody"),
    }
    users["duxue"].first_name = "王督学"
    users["duxue"].save()
    users["inspector"].profile.inspected_counties.add(a)
    users["duxue"].profile.supervised_schools.add(schools["one"])
    users["duxue2"].profile.supervised_schools.add(schools["two"])
    return {"county": a, "other": b, "year": year, "schools": schools, "users": users}
