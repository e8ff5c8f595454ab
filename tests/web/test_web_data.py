"""Loading a Dataset into the database and building it back: exact round trip, history, locks."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from junheng.core.dataset import Dataset
from junheng.web.collection.models import (
    ChangeLog,
    CountyFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import City, County, Province, School
from junheng.web.selectors import dataset_for, fingerprint
from junheng.web.services import DataLockedError, load_dataset

pytestmark = pytest.mark.django_db


def _with(dataset: Dataset, **frames: pl.DataFrame) -> Dataset:
    parts = {
        "schools": dataset.schools,
        "segments": dataset.segments,
        "county_facts": dataset.county_facts,
        "school_facts": dataset.school_facts,
        "survey": dataset.survey,
        "notes": dataset.notes,
    }
    parts.update(frames)
    return Dataset.build(**parts)


def test_load_creates_regions_and_schools(loaded, demo):
    county, _ = loaded
    assert county.city.name == DEMO_CITY
    assert county.city.province.name == DEMO_PROVINCE
    assert School.objects.filter(county=county).count() == demo.schools.height
    assert SegmentData.objects.count() == demo.segments.height
    assert SchoolYearData.objects.filter(status=Status.DRAFT, version=1).count() == (
        demo.schools.height
    )
    # First load creates rows; history records changes to existing rows only.
    assert ChangeLog.objects.count() == 0


def test_round_trip_gives_the_input_frames(loaded, demo):
    back = dataset_for(*loaded)
    assert_frame_equal(back.schools, demo.schools)
    assert_frame_equal(back.segments, demo.segments)
    assert_frame_equal(back.county_facts, demo.county_facts)
    assert_frame_equal(back.school_facts, demo.school_facts)
    assert_frame_equal(back.survey, demo.survey)
    assert_frame_equal(back.notes, demo.notes)
    assert_frame_equal(back.grades, demo.grades)
    assert fingerprint(back) == fingerprint(demo)


def test_teaching_points_keep_their_central_school(loaded, demo):
    linked = demo.schools.filter(pl.col("parent_id").is_not_null())
    assert linked.height > 0
    for row in linked.iter_rows(named=True):
        school = School.objects.get(school_id=row["school_id"])
        assert school.parent.school_id == row["parent_id"]


def test_fingerprint_ignores_row_order_but_not_values(demo):
    shuffled = _with(demo, segments=demo.segments.reverse(), schools=demo.schools.reverse())
    assert fingerprint(shuffled) == fingerprint(demo)
    changed = _with(demo, segments=demo.segments.with_columns(pl.col("students") + 1))
    assert fingerprint(changed) != fingerprint(demo)


def test_reloading_the_same_data_changes_nothing(loaded, demo):
    counts = load_dataset(demo, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    assert counts.changes == 0
    assert counts.schools_created == 0
    assert ChangeLog.objects.count() == 0
    assert set(SchoolYearData.objects.values_list("version", flat=True)) == {1}


def test_reloading_a_changed_value_logs_old_and_new(loaded, demo, django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    first = demo.segments.row(0, named=True)
    sid, level, old = first["school_id"], first["level"], first["students"]
    segments = demo.segments.with_columns(
        pl.when((pl.col("school_id") == sid) & (pl.col("level") == level))
        .then(pl.col("students") + 7)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    facts = demo.county_facts.with_columns(pl.lit(0.25).alias("rotation_backbone_share"))

    counts = load_dataset(
        _with(demo, segments=segments, county_facts=facts),
        DEMO_YEAR,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
        user=clerk,
    )

    assert counts.changes == 2
    segment_log = ChangeLog.objects.get(model="SegmentData")
    assert segment_log.field == "students"
    assert (segment_log.old_value, segment_log.new_value) == (str(old), str(old + 7))
    assert segment_log.school.school_id == sid
    assert segment_log.user == clerk
    assert segment_log.year.label == DEMO_YEAR
    fact_log = ChangeLog.objects.get(model="CountyFactValue")
    assert fact_log.field == "value"
    assert (fact_log.old_value, fact_log.new_value) == ("0.17", "0.25")
    assert fact_log.county.name == demo.counties[0]
    # The changed school's version moves on, so a form opened before the load is refused.
    data = SchoolYearData.objects.get(school__school_id=sid)
    assert data.version == 2
    assert data.updated_by == clerk
    assert SchoolYearData.objects.filter(version=1).count() == demo.schools.height - 1
    assert dataset_for(*loaded).segments.row(0, named=True)["students"] == old + 7


def test_a_segment_missing_from_a_reload_is_removed_and_logged(loaded, demo):
    first = demo.segments.row(0, named=True)
    keep = ~((pl.col("school_id") == first["school_id"]) & (pl.col("level") == first["level"]))
    load_dataset(
        _with(demo, segments=demo.segments.filter(keep)),
        DEMO_YEAR,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    assert not SegmentData.objects.filter(
        school__school_id=first["school_id"], level=first["level"]
    ).exists()
    removed = ChangeLog.objects.filter(model="SegmentData", field="students").get()
    assert (removed.old_value, removed.new_value) == (str(first["students"]), None)


def test_a_load_without_county_facts_keeps_them(loaded, demo):
    county, _ = loaded
    before = CountyFactValue.objects.filter(county=county).count()
    load_dataset(
        _with(demo, county_facts=pl.DataFrame(), notes=None, survey=pl.DataFrame()),
        DEMO_YEAR,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    assert CountyFactValue.objects.filter(county=county).count() == before
    assert_frame_equal(dataset_for(*loaded).survey, demo.survey)


def test_approved_data_refuses_the_whole_load(loaded, demo):
    sid = demo.schools.get_column("school_id")[0]
    SchoolYearData.objects.filter(school__school_id=sid).update(status=Status.APPROVED)
    changed = _with(demo, segments=demo.segments.with_columns(pl.col("students") + 1))
    with pytest.raises(DataLockedError, match="已审核锁定"):
        load_dataset(changed, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    assert ChangeLog.objects.count() == 0
    assert_frame_equal(dataset_for(*loaded).segments, demo.segments)


def test_an_unknown_school_in_segments_refuses_the_whole_load(db, demo):
    extra = demo.segments.head(1).with_columns(pl.lit("9999999999").alias("school_id"))
    broken = _with(demo, segments=pl.concat([demo.segments, extra]))
    with pytest.raises(ValueError, match="9999999999"):
        load_dataset(broken, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    assert not Province.objects.exists()
    assert not City.objects.exists()
    assert not County.objects.exists()
    assert not School.objects.exists()
