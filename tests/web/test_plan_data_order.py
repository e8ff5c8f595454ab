"""规划数据 班级学生数 grid: classes shown by grade and class name with the numbers inside names
compared as numbers ("2班" before "10班"), while the stored order stays and an unchanged save
changes nothing."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from django.urls import reverse

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY
from junheng.web.accounts.models import Profile, Role
from junheng.web.pages.plan_data import display_order, natural_key
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import stored_rows
from junheng.web.services import load_dataset
from tests.web.sites import unchanged_grid

pytestmark = pytest.mark.django_db

PASSWORD = "pw-班级-2026"
FIRST = "2152010001"
"""城关第一小学 of the demo county."""
# As a program sorting names as text stores them: 10班 and 11班 between 1班 and 2班, grade 2
# before grade 1.
STORED = [(2, "1班"), (1, "10班"), (1, "1班"), (1, "11班"), (1, "2班"), (1, None)]
SHOWN = [(1, "1班"), (1, "2班"), (1, "10班"), (1, "11班"), (1, None), (2, "1班")]


@pytest.fixture(name="site")
def site_fixture(demo, django_user_model):
    classes = Dataset.build(
        pl.DataFrame(),
        pl.DataFrame(),
        classes=pl.DataFrame(
            {
                "school_id": [FIRST] * len(STORED),
                "year": [2026] * len(STORED),
                "grade": [g for g, _ in STORED],
                "class_name": [n for _, n in STORED],
                "students": [40 + i for i in range(len(STORED))],
            }
        ),
    ).classes
    load_dataset(replace(demo, classes=classes), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    users = {}
    for name, role in (("cadmin", Role.COUNTY_ADMIN), ("leader", Role.LEADER)):
        users[name] = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=users[name], role=role, county=county)
    url = reverse("plan_table", args=[county.pk, year.label, "classes"])
    return {
        "county": county,
        "year": year,
        "users": users,
        "url": f"{url}?school={FIRST}&year=2026",
    }


def _pairs(rows) -> list[tuple[int, str | None]]:
    return [(r["grade"], r["class_name"]) for r in rows]


def test_the_grid_shows_classes_in_natural_order_and_keeps_the_stored_one(client, site):
    client.force_login(site["users"]["cadmin"])
    response = client.get(site["url"])
    assert response.status_code == 200
    formset = response.context["formset"]
    shown = [
        (int(f.initial["grade"]), f.initial["class_name"] or None)
        for f in formset.forms
        if f.initial
    ]
    assert shown == SHOWN
    # The unchanged grid saved as the browser posts it: nothing changes, order stays stored.
    data = unchanged_grid(response)
    assert (data["school"], data["year"]) == (FIRST, "2026")
    assert client.post(site["url"], data).status_code == 302
    rows = stored_rows(site["county"], site["year"], "classes")
    assert _pairs(rows) == STORED
    # Students were 40, 41, … in stored order: each class kept its own count.
    assert [r["students"] for r in rows] == [40 + i for i in range(len(STORED))]


def test_a_reader_sees_the_same_order(client, site):
    client.force_login(site["users"]["leader"])
    response = client.get(site["url"])
    assert response.status_code == 200
    # Read-only rows: grade, class, students as text.
    assert [(int(r[0]), r[1] or None) for r in response.context["rows"]] == SHOWN


@pytest.mark.parametrize(
    ("names", "ordered"),
    [
        (["10班", "1班", "2班"], ["1班", "2班", "10班"]),
        # numbers anywhere in the name; text parts still compare as text
        (["初一(10)班", "初一(2)班", "初一(1)班"], ["初一(1)班", "初一(2)班", "初一(10)班"]),
        # a bare number and a named class: numbers first, then names, then empty names
        (["甲班", "3", None, "12"], ["3", "12", "甲班", None]),
    ],
)
def test_natural_key(names, ordered):
    assert sorted(names, key=natural_key) == ordered


def test_other_tables_keep_their_order():
    rows = [{"year": 2025}, {"year": 2024}]
    assert display_order("finance", rows) == rows
