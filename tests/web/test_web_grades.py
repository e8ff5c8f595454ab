"""Grade enrolment in the database: stored by load_dataset, rebuilt exactly by dataset_for."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from junheng.core.dataset import Dataset
from junheng.core.forecast import forecast
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.standards import load_standard
from junheng.web.collection.models import ChangeLog, GradeCount
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for, fingerprint
from junheng.web.services import load_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def graded() -> Dataset:
    return demo_county(with_grades=True)


def _load(dataset: Dataset):
    counts = load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    return counts, County.objects.get(name=DEMO_COUNTY), SchoolYear.objects.get(label=DEMO_YEAR)


def test_grades_round_trip_exactly_with_the_fingerprint(graded):
    counts, county, year = _load(graded)
    # 1,710 rows: every segment with students, 5 years, 6 or 3 grades.
    assert counts.grades == graded.grades.height == GradeCount.objects.count() == 1710
    back = dataset_for(county, year)
    assert_frame_equal(back.grades, graded.grades)
    assert_frame_equal(back.segments, graded.segments)
    assert fingerprint(back) == fingerprint(graded)
    # The forecast of the stored data is the forecast of the file's data.
    standard = load_standard("national-2017")
    assert (
        forecast(back, 2029, standard=standard).evaluation.to_dict()
        == forecast(graded, 2029, standard=standard).evaluation.to_dict()
    )


def test_reloading_logs_a_changed_grade_and_nothing_else(graded):
    _load(graded)
    first = graded.grades.row(0, named=True)
    sid, grade_year, grade = first["school_id"], first["year"], first["grade"]
    changed = graded.grades.with_columns(
        pl.when(
            (pl.col("school_id") == sid)
            & (pl.col("year") == grade_year)
            & (pl.col("grade") == grade)
        )
        .then(pl.col("students") + 3)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    assert _load(graded)[0].changes == 0
    counts, _, _ = _load(replace(graded, grades=changed))
    assert counts.changes == 1
    log = ChangeLog.objects.get()
    assert (log.model, log.object_id, log.field) == (
        "GradeCount",
        f"{sid}/{grade_year}年/{grade}年级",
        "students",
    )
    assert (int(log.old_value), int(log.new_value)) == (first["students"], first["students"] + 3)


def test_a_load_without_grades_keeps_the_stored_grade_history(graded):
    _load(graded)
    counts, county, year = _load(demo_county())
    assert counts.grades == 0 and counts.changes == 0
    assert_frame_equal(dataset_for(county, year).grades, graded.grades)


def test_a_county_without_grades_keeps_its_dataset_and_fingerprint(graded):
    plain = demo_county()
    _, county, year = _load(plain)
    back = dataset_for(county, year)
    assert back.grades.is_empty() and GradeCount.objects.count() == 0
    # Without grades the fingerprint is the one snapshots were stored with before grades
    # existed (grades are hashed only when given); with grades it differs.
    assert fingerprint(back) == fingerprint(plain)
    assert fingerprint(graded) != fingerprint(plain)
    bare = replace(graded, grades=graded.grades.clear(), births=graded.births.clear())
    assert fingerprint(bare) == fingerprint(plain)


def test_a_workbook_with_grades_imported_over_the_stored_year(graded, tmp_path):
    """The web import's path: validate the files over the stored data, load the part they
    replace; the grade history arrives with them and the rest stays."""
    from junheng.intake.importer import imported_part, validate_sources
    from junheng.intake.writer import write_xlsx

    _, county, year = _load(demo_county())
    workbook = tmp_path / "全县.xlsx"
    write_xlsx(graded, workbook, chinese_headers=True)
    result = validate_sources([workbook], existing=dataset_for(county, year))
    assert result.ok, [e.message for e in result.blocking]
    counts = load_dataset(imported_part(result), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    assert counts.grades == 1710
    back = dataset_for(county, year)
    assert_frame_equal(back.grades, graded.grades)
    assert_frame_equal(back.segments, graded.segments)


def test_births_round_trip_and_reload_only_their_counties(graded):
    births = pl.DataFrame(
        {"county": [DEMO_COUNTY] * 2, "year": [2019, 2020], "births": [3650, 3702]}
    )
    with_births = replace(graded, births=births)
    _, county, year = _load(with_births)
    back = dataset_for(county, year)
    assert_frame_equal(back.births, births)
    assert fingerprint(back) == fingerprint(with_births) != fingerprint(graded)
    # A load without births keeps them; one with births replaces them.
    _load(demo_county())
    assert_frame_equal(dataset_for(county, year).births, births)
    changed = births.with_columns(pl.col("births") + 1)
    counts, _, _ = _load(replace(graded, births=changed))
    assert counts.changes == 2
    assert_frame_equal(dataset_for(county, year).births, changed)
