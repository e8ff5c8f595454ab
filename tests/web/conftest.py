"""Fixtures for the database tests: the demo county loaded as school year 2026."""

from __future__ import annotations

import pytest

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.demo_plans import with_plans
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from junheng.web.services import load_dataset


@pytest.fixture(scope="session")
def demo() -> Dataset:
    return demo_county()


@pytest.fixture(scope="session")
def planned_demo() -> Dataset:
    """The demo county with grade enrolment and its creation plan up to the demo year."""
    return with_plans(demo_county(with_grades=True), int(DEMO_YEAR))


@pytest.fixture
def loaded(db, demo) -> tuple[County, SchoolYear]:
    load_dataset(demo, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    return County.objects.get(name=DEMO_COUNTY), SchoolYear.objects.get(label=DEMO_YEAR)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no rendered boards: ids are reused after a test's rollback."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def regions():
    """Two provinces; province A has cities A1 (counties a, b) and A2 (county c)."""
    pa = Province.objects.create(name="甲省")
    pb = Province.objects.create(name="乙省")
    a1 = City.objects.create(province=pa, name="甲一市")
    a2 = City.objects.create(province=pa, name="甲二市")
    b1 = City.objects.create(province=pb, name="乙一市")
    counties = {
        "a": County.objects.create(city=a1, name="a县"),
        "b": County.objects.create(city=a1, name="b县"),
        "c": County.objects.create(city=a2, name="c县"),
        "d": County.objects.create(city=b1, name="d县"),
    }
    schools = {
        key: School.objects.create(school_id=f"{key}01", name=f"{key}县一小", county=county)
        for key, county in counties.items()
    }
    schools["a2"] = School.objects.create(school_id="a02", name="a县二小", county=counties["a"])
    return {"provinces": (pa, pb), "cities": (a1, a2, b1), "counties": counties, "schools": schools}
