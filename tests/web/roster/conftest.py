"""The demo county loaded for 2026, one user per role, and roster workbooks to upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from junheng.intake.roster import write_roster_xlsx
from junheng.roster.demo import demo_roster
from junheng.roster.schema import ROTATION_SCHEMA, TEACHER_SCHEMA
from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification.models import Unit, UnitKind, UnitMember
from junheng.web.registry.models import City, County, School

PASSWORD = "pw-均衡-2026"


@pytest.fixture
def users(loaded, django_user_model):
    county, _ = loaded
    other = County.objects.create(city=City.objects.first(), name="邻县")
    school = School.objects.filter(county=county).order_by("school_id").first()
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")

    def user(name, role=None, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        if role is not None:
            Profile.objects.create(user=u, role=role, **scope)
        return u

    made = {
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "far_inspector": user("far_inspector", Role.INSPECTOR),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other),
        "school": user("school", Role.SCHOOL_USER, school=school),
        "department": user("edu"),
        "nobody": user("nobody"),
    }
    made["inspector"].profile.inspected_counties.add(county)
    UnitMember.objects.create(user=made["department"], unit=edu)
    return made


def teacher(school_id: str, teacher_id: str, **changes) -> dict:
    """A counted primary teacher (in post, certified, 400 hours) with the given changes."""
    row = {
        "school_id": school_id,
        "teacher_id": teacher_id,
        "name": "张老师",
        "id_number": "152201198005171234",
        "levels": "primary",
        "level": "primary",
        "subject": "语文",
        "degree": "bachelor",
        "backbone": "none",
        "certificate": "yes",
        "training_hours": 400.0,
        "joined_year": 2015,
        "career_start_year": 2010,
        "birth_date": dt.date(1980, 5, 17),
        "gender": "female",
        "post_type": "established",
        "status": "in_post",
    }
    return row | changes


@pytest.fixture
def roster_file(tmp_path):
    """`make(teachers, rotations=(), name=...)` → the path of a roster workbook with full IDs."""
    count = iter(range(1000))

    def make(teachers: list[dict], rotations: list[dict] = (), name: str = "") -> Path:
        path = tmp_path / (name or f"名册{next(count)}.xlsx")
        frame = pl.DataFrame(teachers, schema=TEACHER_SCHEMA)
        history = pl.DataFrame(list(rotations), schema=ROTATION_SCHEMA)
        return write_roster_xlsx(path, frame, history, full_ids=True)

    return make


@pytest.fixture(scope="session")
def demo_roster_file(tmp_path_factory, demo):
    """The demo county's roster (counts equal to its segments) as uploaded, full IDs."""
    roster = demo_roster(demo)
    path = tmp_path_factory.mktemp("demo-roster") / "示范县教师名册.xlsx"
    write_roster_xlsx(path, roster.teachers, roster.rotations, full_ids=True)
    return path, roster


def set_cell(path: Path, header: str, row: int, value: object) -> Path:
    """The workbook at `path` with the roster sheet's cell under `header` in Excel row `row`
    set to `value` (saved in place)."""
    book = openpyxl.load_workbook(path)
    sheet = book["教师名册"]
    column = [c.value for c in sheet[1]].index(header) + 1
    sheet.cell(row=row, column=column, value=value)
    book.save(path)
    return path


@pytest.fixture
def make_teacher():
    return teacher


@pytest.fixture
def edit_cell():
    return set_cell
