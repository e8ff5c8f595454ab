"""The plan tables (班级学生数, 县级教育经费, 建设项目, 编制与招聘计划) in the database: stored by
load_dataset per county and loaded school year, rebuilt exactly by dataset_for, replaced only by a
dataset that carries them, and counted by the fingerprint only when given."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from junheng.core.dataset import Dataset, table_schema
from junheng.core.schema import CLASSES
from junheng.demo import DEMO_COUNTY
from junheng.web.collection.models import (
    BuildingProject,
    ChangeLog,
    ClassCount,
    CountyFinance,
    StaffingPlan,
)
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for, fingerprint, stored_rows, table_token
from junheng.web.services import PlanTableConflict, load_dataset, save_stored_table

pytestmark = pytest.mark.django_db

FIRST, SECOND = "2152010001", "2152010002"
"""Two primary schools of the demo county."""


def plan_frames(county: str = DEMO_COUNTY) -> dict[str, pl.DataFrame]:
    """A few rows of each plan table: nulls in optional columns, two unnamed classes of one
    grade, a project of a new school without a school id, enums and fractions."""
    return {
        "classes": pl.DataFrame(
            [
                (FIRST, 2026, 1, "一（1）班", 45),
                (FIRST, 2026, 1, None, 44),
                (FIRST, 2026, 1, None, 46),
                (SECOND, 2026, 3, "3", 52),
            ],
            schema=table_schema(CLASSES),
            orient="row",
        ),
        "finance": Dataset.build(
            pl.DataFrame(),
            pl.DataFrame(),
            finance=pl.DataFrame(
                {
                    "county": [county, county],
                    "year": [2024, 2025],
                    "education_expenditure_yuan": [1.5e8, 1.625e8],
                    "students": [30000, None],
                }
            ),
        ).finance,
        "projects": Dataset.build(
            pl.DataFrame(),
            pl.DataFrame(),
            projects=pl.DataFrame(
                {
                    "project_id": ["2026-01", "2026-02"],
                    "county": [county, county],
                    "name": ["城关一小综合楼", "城南新区小学"],
                    "kind": ["expand", "new"],
                    "school_id": [FIRST, None],
                    "new_school_name": [None, "城南新区小学"],
                    "places_primary": [None, 1350],
                    "teaching_aux_area_m2": [2400.5, 9800.0],
                    "planned_finish": ["2027年8月", "2028-08-31"],
                    "status": ["building", "planned"],
                    "progress_pct": [62.5, None],
                }
            ),
        ).projects,
        "staffing": Dataset.build(
            pl.DataFrame(),
            pl.DataFrame(),
            staffing=pl.DataFrame(
                {
                    "school_id": [FIRST, FIRST],
                    "year": [2026, 2027],
                    "level": ["primary", "primary"],
                    "approved_posts": [60, None],
                    "hires": [3, 4],
                    "hires_pe": [1, 0],
                }
            ),
        ).staffing,
    }


def _load(dataset: Dataset):
    counts = load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    return counts, County.objects.get(name=DEMO_COUNTY), SchoolYear.objects.get(label=DEMO_YEAR)


@pytest.fixture
def planned(demo) -> Dataset:
    return replace(demo, **plan_frames())


def test_the_four_tables_round_trip_exactly(planned):
    counts, county, year = _load(planned)
    # 4 classes + 2 finance years + 2 projects + 2 staffing rows.
    assert counts.plans == 10
    assert (ClassCount.objects.count(), CountyFinance.objects.count()) == (4, 2)
    assert (BuildingProject.objects.count(), StaffingPlan.objects.count()) == (2, 2)
    back = dataset_for(county, year)
    for name in ("classes", "finance", "projects", "staffing"):
        assert_frame_equal(getattr(back, name), getattr(planned, name))
    assert fingerprint(back) == fingerprint(planned)
    new_school = BuildingProject.objects.get(project_id="2026-02")
    assert new_school.school is None and new_school.new_school_name == "城南新区小学"


def test_the_fingerprint_counts_a_plan_table_only_when_it_has_rows(demo, planned):
    assert fingerprint(demo) == fingerprint(replace(demo, classes=planned.classes.clear()))
    assert fingerprint(demo) != fingerprint(replace(demo, finance=planned.finance))
    # Order of rows does not matter, even between the two unnamed classes of a grade.
    assert fingerprint(planned) == fingerprint(replace(planned, classes=planned.classes.reverse()))


def test_a_dataset_without_a_table_keeps_it_and_one_with_it_replaces_it(demo, planned):
    _, county, year = _load(planned)
    assert _load(demo)[0].changes == 0
    assert len(stored_rows(county, year, "classes")) == 4
    # 一（1）班 of the first school left out: the school's classes are replaced, and the
    # second school, without rows in this dataset, keeps its class.
    fewer = planned.classes.filter(pl.col("class_name").ne_missing("一（1）班"))
    counts, _, _ = _load(replace(planned, classes=fewer, finance=planned.finance.head(1)))
    assert [(r["school_id"], r["students"]) for r in stored_rows(county, year, "classes")] == [
        (FIRST, 44),
        (FIRST, 46),
        (SECOND, 52),
    ]
    # The removed class logs its values: grade year, grade, class name and students; the
    # finance year left out its year and expenditure (its students were empty).
    logs = ChangeLog.objects.all()
    assert {(log.model, log.object_id, log.field) for log in logs} == {
        ("ClassCount", f"{FIRST}/2026/1/一（1）班", name)
        for name in ("plan_year", "grade", "class_name", "students")
    } | {("CountyFinance", "2025", name) for name in ("plan_year", "education_expenditure_yuan")}
    assert counts.changes == 6


def test_a_load_replaces_only_the_schools_it_gives_a_school_table_for(planned):
    _, county, year = _load(planned)
    only_second = planned.classes.filter(pl.col("school_id") == SECOND)
    _load(replace(planned, classes=only_second.with_columns(pl.lit(50).alias("students"))))
    assert [(r["school_id"], r["students"]) for r in stored_rows(county, year, "classes")] == [
        (FIRST, 45),
        (FIRST, 44),
        (FIRST, 46),
        (SECOND, 50),
    ]


def test_an_edited_unnamed_class_is_one_change_of_that_class(planned):
    _load(planned)
    edited = planned.classes.with_columns(
        pl.when(pl.col("students") == 46).then(47).otherwise(pl.col("students")).alias("students")
    )
    counts, _, _ = _load(replace(planned, classes=edited))
    assert counts.changes == 1
    log = ChangeLog.objects.get()
    # The third row of school FIRST is the second unnamed class of grade 1.
    assert (log.object_id, log.field, log.old_value, log.new_value) == (
        f"{FIRST}/2026/1",
        "students",
        "46",
        "47",
    )


def test_saving_one_schools_rows_keeps_the_other_schools(planned):
    _, county, year = _load(planned)
    school = ClassCount.objects.filter(school__school_id=FIRST).first().school
    rows = [{"school_id": FIRST, "year": 2026, "grade": 2, "class_name": None, "students": 40}]
    changed = save_stored_table(county, year, "classes", rows, None, school=school)
    # Removed: 一（1）班 logs year, grade, name and students (4), each unnamed class year,
    # grade and students (3 + 3); created: year, grade and students (3). 4 + 3 + 3 + 3 = 13.
    assert changed == ChangeLog.objects.filter(model="ClassCount").count() == 13
    kept = [(r["school_id"], r["students"]) for r in stored_rows(county, year, "classes")]
    assert sorted(kept) == [(FIRST, 40), (SECOND, 52)]


def test_saving_against_changed_rows_is_refused_and_writes_nothing(planned):
    _, county, year = _load(planned)
    opened = table_token(stored_rows(county, year, "finance"))
    first = [dict(r) for r in stored_rows(county, year, "finance")]
    first[0]["students"] = 31000
    save_stored_table(county, year, "finance", first, None, token=opened)
    second = [dict(r) for r in stored_rows(county, year, "finance")]
    second[1]["students"] = 32000
    with pytest.raises(PlanTableConflict):
        save_stored_table(county, year, "finance", second, None, token=opened)
    assert [r["students"] for r in stored_rows(county, year, "finance")] == [31000, None]
