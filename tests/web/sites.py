"""The demo county as a site with one user per role, shared by the page tests.

`add_user` makes one login (a role with its county or school, and/or a department's membership);
`demo_site` loads a dataset as the demo county's school year and adds a neighbouring county, the
county's finance department and the users most page tests ask about; `unchanged_grid` is what a
plan-data grid posts when saved as it was opened.
"""

from __future__ import annotations

from typing import Any

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY
from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification.models import Unit, UnitKind, UnitMember
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import City, County, School, SchoolYear
from junheng.web.services import load_dataset

PASSWORD = "pw-均衡-2026"


def add_user(
    django_user_model: Any,
    name: str,
    role: str | None = None,
    unit: Unit | None = None,
    **scope: Any,
) -> Any:
    """A user with a profile when `role` is given and a member of `unit` when that is given."""
    user = django_user_model.objects.create_user(name, password=PASSWORD)
    if role is not None:
        Profile.objects.create(user=user, role=role, **scope)
    if unit is not None:
        UnitMember.objects.create(user=user, unit=unit)
    return user


def demo_site(dataset: Dataset, django_user_model: Any) -> dict[str, Any]:
    """`dataset` loaded as the demo county's year, with 邻县 beside it and the users admin,
    other_admin, leader, inspector (of the county), sysadmin, school (of the county's first
    school by id) and department (a member of 县财政局)."""
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    other = County.objects.create(city=City.objects.get(name=DEMO_CITY), name="邻县")
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局")
    school = School.objects.filter(county=county).order_by("school_id").first()
    users = {
        "admin": add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": add_user(django_user_model, "oadmin", Role.COUNTY_ADMIN, county=other),
        "leader": add_user(django_user_model, "leader", Role.LEADER, county=county),
        "inspector": add_user(django_user_model, "inspector", Role.INSPECTOR),
        "sysadmin": add_user(django_user_model, "sysadmin", Role.SYSTEM_ADMIN),
        "school": add_user(django_user_model, "school", Role.SCHOOL_USER, school=school),
        "department": add_user(django_user_model, "dept", unit=unit),
    }
    users["inspector"].profile.inspected_counties.add(county)
    return {
        "county": county,
        "year": SchoolYear.objects.get(label=DEMO_YEAR),
        "other": other,
        "unit": unit,
        "users": users,
    }


def unchanged_grid(response: Any) -> dict[str, str]:
    """A plan-data grid as the browser would post it unchanged: every field's initial text, the
    token it was opened with and, for one school's rows, that school and year."""
    formset = response.context["formset"]
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
        f"{formset.prefix}-MIN_NUM_FORMS": "0",
        f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        "token": response.context["token"],
    }
    for form in formset.forms:
        for name in form.fields:
            if name != "DELETE":
                value = form[name].value()
                data[form[name].html_name] = "" if value is None else str(value)
    school = response.context.get("school")
    if school is not None:
        data["school"] = school.school_id
        data["year"] = str(response.context["table_year"])
    return data
