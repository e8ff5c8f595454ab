"""Fixtures for the database tests: the demo county loaded as school year 2026."""

from __future__ import annotations

import pytest

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset


@pytest.fixture(scope="session")
def demo() -> Dataset:
    return demo_county()


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
