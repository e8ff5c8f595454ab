"""Whether the data changed since a snapshot: exact, and one query while nothing was written."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from junheng.core.dataset import Dataset
from junheng.demo import national_dataset
from junheng.web.collection.models import CountyFactValue, SchoolYearData, SegmentData
from junheng.web.registry.models import County, CountyYear, School, SchoolYear
from junheng.web.registry.revisions import bump_data_revision, remember_fingerprint
from junheng.web.selectors import (
    current_fingerprint,
    data_changed_since,
    dataset_for,
    fingerprint,
    latest_snapshot,
)
from junheng.web.services import load_dataset, run_evaluation

pytestmark = pytest.mark.django_db

YEAR = "2026"


@pytest.fixture(scope="module")
def two_counties() -> Dataset:
    # 县0001 and 县0002, twelve segments each (combined schools and teaching points included).
    return national_dataset(counties=2, segments_per_county=12, seed=3)


def _load(dataset: Dataset) -> None:
    load_dataset(dataset, YEAR, province="测试省", city="测试市")


def _students(dataset: Dataset, school_id: str, delta: int) -> Dataset:
    segments = dataset.segments.with_columns(
        pl.when(pl.col("school_id") == school_id)
        .then(pl.col("students") + delta)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    return Dataset.build(
        dataset.schools,
        segments,
        dataset.county_facts,
        dataset.school_facts,
        dataset.survey,
        dataset.notes,
    )


def _first_school(dataset: Dataset, county: str) -> str:
    return dataset.schools.filter(pl.col("county") == county).get_column("school_id")[0]


@pytest.fixture
def evaluated(two_counties):
    _load(two_counties)
    year = SchoolYear.objects.get(label=YEAR)
    first, second = County.objects.get(name="县0001"), County.objects.get(name="县0002")
    return {
        "year": year,
        "first": first,
        "second": second,
        "snapshot": run_evaluation(first, year, None),
    }


def _queries(function):
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured)


def test_unchanged_data_is_one_query(evaluated):
    snapshot = latest_snapshot(evaluated["first"], evaluated["year"])
    changed, queries = _queries(lambda: data_changed_since(snapshot))
    assert changed is False
    # Only the revision row is read: no school, segment or fact.
    assert queries == 1


def test_a_changed_value_counts(evaluated, two_counties):
    _load(_students(two_counties, _first_school(two_counties, "县0001"), 5))
    assert data_changed_since(evaluated["snapshot"]) is True
    # The new fingerprint was stored: the next view is one query again, and still "changed".
    changed, queries = _queries(lambda: data_changed_since(evaluated["snapshot"]))
    assert (changed, queries) == (True, 1)


def test_a_change_that_was_reverted_counts_as_unchanged(evaluated, two_counties):
    school_id = _first_school(two_counties, "县0001")
    _load(_students(two_counties, school_id, 5))
    assert data_changed_since(evaluated["snapshot"]) is True
    _load(two_counties)
    state = CountyYear.objects.get(county=evaluated["first"], year=evaluated["year"])
    assert state.data_revision == 3  # first load, the change, the revert
    assert data_changed_since(evaluated["snapshot"]) is False


def test_another_countys_change_does_not_count(evaluated, two_counties):
    first_state = CountyYear.objects.get(county=evaluated["first"], year=evaluated["year"])
    _load(_students(two_counties, _first_school(two_counties, "县0002"), 5))
    assert CountyYear.objects.get(pk=first_state.pk).data_revision == first_state.data_revision
    changed, queries = _queries(lambda: data_changed_since(evaluated["snapshot"]))
    assert (changed, queries) == (False, 1)
    second = run_evaluation(evaluated["second"], evaluated["year"], None)
    assert data_changed_since(second) is False


def test_reloading_identical_data_does_not_move_the_revision(evaluated, two_counties):
    before = CountyYear.objects.get(county=evaluated["first"], year=evaluated["year"])
    _load(two_counties)
    after = CountyYear.objects.get(pk=before.pk)
    assert after.data_revision == before.data_revision
    assert after.fingerprint == evaluated["snapshot"].data_fingerprint


def test_a_single_saved_row_counts_and_a_workflow_save_does_not(evaluated):
    # The admin site and a shell save one row at a time; signals bump the revision for them.
    county, year, snapshot = evaluated["first"], evaluated["year"], evaluated["snapshot"]
    data = SchoolYearData.objects.filter(school__county=county, year=year).first()
    data.status = "submitted"
    data.save(update_fields=["status"])
    assert CountyYear.objects.get(county=county, year=year).fingerprint_revision == (
        CountyYear.objects.get(county=county, year=year).data_revision
    )
    segment = SegmentData.objects.filter(school__county=county, year=year).first()
    segment.teachers += 1
    segment.save()
    assert data_changed_since(snapshot) is True
    segment.teachers -= 1
    segment.save()
    assert data_changed_since(snapshot) is False
    CountyFactValue.objects.filter(county=county, year=year).first().delete()
    assert data_changed_since(snapshot) is True


def test_a_renamed_school_counts_in_every_year(evaluated, two_counties):
    county = evaluated["first"]
    load_dataset(two_counties, "2025", province="测试省", city="测试市")
    earlier = SchoolYear.objects.get(label="2025")
    old = run_evaluation(county, earlier, None)
    school = School.objects.filter(county=county).order_by("school_id").first()
    school.name = "改名后的学校"
    school.save()
    # The registry is shared by all years, so both years' Datasets show the new name.
    assert data_changed_since(evaluated["snapshot"]) is True
    assert data_changed_since(old) is True
    assert data_changed_since(run_evaluation(evaluated["second"], earlier, None)) is False


def test_the_stored_fingerprint_is_the_current_datas(evaluated):
    county, year = evaluated["first"], evaluated["year"]
    assert current_fingerprint(county, year) == fingerprint(dataset_for(county, year))
    assert evaluated["snapshot"].data_fingerprint == fingerprint(dataset_for(county, year))


def test_a_fingerprint_computed_before_a_write_is_not_stored(evaluated):
    county, year = evaluated["first"], evaluated["year"]
    state = CountyYear.objects.get(county=county, year=year)
    stale = "0" * 64
    # A reader read the revision, then a write moved it, then the reader tries to store.
    bump_data_revision([county], year)
    assert remember_fingerprint(county, year, state.data_revision, stale) is False
    assert CountyYear.objects.get(pk=state.pk).fingerprint != stale
    assert remember_fingerprint(county, year, state.data_revision + 1, stale) is True
    assert CountyYear.objects.get(pk=state.pk).fingerprint == stale


def test_data_without_a_revision_row_is_checked_and_then_cheap(evaluated):
    # Data loaded before revisions existed has no row: the first check computes and records.
    CountyYear.objects.all().delete()
    snapshot = evaluated["snapshot"]
    assert data_changed_since(snapshot) is False
    assert data_changed_since(snapshot) is False
    changed, queries = _queries(lambda: data_changed_since(snapshot))
    assert (changed, queries) == (False, 1)


def test_a_load_that_removes_rows_bumps_once(evaluated, two_counties):
    county, year, snapshot = evaluated["first"], evaluated["year"], evaluated["snapshot"]
    before = CountyYear.objects.get(county=county, year=year).data_revision
    school_id = _first_school(two_counties, "县0001")
    removed = Dataset.build(
        two_counties.schools,
        two_counties.segments.filter(pl.col("school_id") != school_id),
        two_counties.county_facts,
        two_counties.school_facts.filter(pl.col("school_id") != school_id),
        two_counties.survey,
        two_counties.notes,
    )
    _load(removed)
    assert not SegmentData.objects.filter(school__school_id=school_id).exists()
    # One bump for the whole load, not one per deleted row.
    assert CountyYear.objects.get(county=county, year=year).data_revision == before + 1
    assert data_changed_since(snapshot) is True
