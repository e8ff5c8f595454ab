"""Loading a province must take minutes: `load_dataset` issues the same SQL statements however
many schools it loads (no query per school, segment or fact; inserts in batches). Counted, not
timed."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from junheng.core.dataset import Dataset
from junheng.demo import national_dataset
from junheng.web.collection.models import ChangeLog, SegmentData
from junheng.web.registry.models import City, Province, School, SchoolYear
from junheng.web.services import load_dataset

pytestmark = pytest.mark.django_db


def _queries(dataset: Dataset, year: str = "2026") -> tuple[int, int]:
    """(statements other than INSERT, INSERT statements) of one load."""
    with CaptureQueriesContext(connection) as captured:
        load_dataset(dataset, year, province="测试省", city="测试市")
    inserts = sum(1 for q in captured if q["sql"].lstrip().upper().startswith("INSERT"))
    return len(captured) - inserts, inserts


def _changed(dataset: Dataset) -> Dataset:
    """Every segment one student more, every school renamed and every teaching point moved to
    another central school: changes in every table a reload writes."""
    schools = dataset.schools
    primaries = schools.filter(pl.col("kind") == "primary").get_column("school_id")
    moved = pl.when(pl.col("parent_id").is_not_null()).then(pl.lit(primaries[-1]))
    return Dataset.build(
        schools.with_columns(
            name=pl.col("name") + "（新）",
            parent_id=moved.otherwise(pl.col("parent_id")),
        ),
        dataset.segments.with_columns(pl.col("students") + 1),
        dataset.county_facts,
        dataset.school_facts,
        dataset.survey,
        dataset.notes,
    )


@pytest.mark.parametrize("what", ["first load", "reload with changes", "reload unchanged"])
def test_queries_do_not_grow_with_the_number_of_schools(what):
    # The same generator twice: 2 counties of 12 segments and 2 counties of 120.
    small = national_dataset(counties=2, segments_per_county=12, seed=5)
    large = national_dataset(counties=2, segments_per_county=120, seed=5)
    large = Dataset.build(
        large.schools.with_columns(
            pl.col("school_id").str.replace("^2", "3"),
            pl.col("parent_id").str.replace("^2", "3"),
            pl.col("county") + "大",
        ),
        large.segments.with_columns(pl.col("school_id").str.replace("^2", "3")),
        large.county_facts.with_columns(pl.col("county") + "大"),
        large.school_facts.with_columns(pl.col("school_id").str.replace("^2", "3")),
        large.survey.with_columns(pl.col("county") + "大"),
        large.notes.with_columns(
            pl.col("school_id").str.replace("^2", "3"), pl.col("county") + "大"
        ),
    )
    assert large.schools.height > 5 * small.schools.height
    # The year and the regions exist already, as they do for every load but the very first.
    City.objects.create(province=Province.objects.create(name="测试省"), name="测试市")
    SchoolYear.objects.create(label="2026")
    counts = []
    for dataset in (small, large):
        if what == "first load":
            counts.append(_queries(dataset))
            continue
        _queries(dataset)
        counts.append(_queries(_changed(dataset) if what == "reload with changes" else dataset))
    (small_other, small_inserts), (large_other, large_inserts) = counts
    assert small_other == large_other
    # Inserts come in batches (SQLite allows 999 parameters per statement, so more schools
    # take a few more batches there); one per row would be hundreds.
    assert large_inserts - small_inserts <= large.segments.height // 10
    if what == "reload with changes":
        # The changes were really written and logged, in bulk.
        renamed = School.objects.filter(name__endswith="（新）").count()
        assert renamed == small.schools.height + large.schools.height
        assert ChangeLog.objects.filter(field="parent_id").exists()
        assert ChangeLog.objects.filter(model="SegmentData", field="students").count() == (
            small.segments.height + large.segments.height
        )
        assert SegmentData.objects.filter(students__isnull=False).count() == (
            small.segments.height + large.segments.height
        )
