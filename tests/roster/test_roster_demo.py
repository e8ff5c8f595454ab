"""The demo roster counts exactly to the demo county's segments and rotation facts."""

from __future__ import annotations

import polars as pl

from junheng.demo import demo_county
from junheng.roster.aggregate import TEACHER_COLUMNS, county_rates, reconcile, segment_counts
from junheng.roster.demo import demo_roster
from junheng.roster.privacy import mask_id
from junheng.roster.rules import load_eligibility
from junheng.roster.schema import BOTH_LEVELS, TEACHER_SCHEMA

DATASET = demo_county()
ROSTER = demo_roster(DATASET)


def test_aggregation_equals_the_demo_segments_teacher_columns() -> None:
    counts = segment_counts(ROSTER.teachers, ROSTER.year)
    expected = DATASET.segments.select("school_id", "level", *TEACHER_COLUMNS).sort(
        "school_id", "level"
    )
    assert counts.equals(expected.filter(pl.col("teachers") > 0))
    assert reconcile(counts, DATASET).height == 0


def test_rotation_rates_equal_the_demo_facts() -> None:
    # The demo's notes: 符合交流条件教师442人，交流轮岗53人，其中县级及以上骨干教师9人.
    rates = {
        r["fact"]: r
        for r in county_rates(
            ROSTER.teachers, ROSTER.rotations, ROSTER.year, load_eligibility()
        ).iter_rows(named=True)
    }
    assert (rates["rotation_rate"]["numerator"], rates["rotation_rate"]["denominator"]) == (53, 442)
    share = rates["rotation_backbone_share"]
    assert (share["numerator"], share["denominator"], share["met"]) == (9, 53, False)
    facts = DATASET.county_facts.row(0, named=True)
    assert rates["training_360h_rate"]["rate"] == facts["training_360h_rate"]
    assert rates["certified_teacher_rate"]["rate"] == facts["certified_teacher_rate"]


def test_demo_roster_is_well_formed_and_repeatable() -> None:
    teachers = ROSTER.teachers
    assert teachers.schema == pl.Schema(TEACHER_SCHEMA)
    assert teachers.get_column("teacher_id").is_unique().all()
    assert teachers.filter(pl.col("levels") == BOTH_LEVELS).height > 0
    assert teachers.filter(pl.col("status") != "in_post").height > 0
    assert demo_roster(DATASET).teachers.equals(teachers)
    first = teachers.get_column("id_number")[0]
    assert len(first) == 18 and mask_id(first) != first


def test_the_roster_as_the_evaluation_source() -> None:
    from junheng.core.evaluate import evaluate
    from junheng.roster.aggregate import with_roster
    from junheng.standards import load_standard

    rules = load_eligibility()
    # One counted teacher of the first segment goes on sick leave: that segment loses one.
    first = ROSTER.teachers.filter(pl.col("status") == "in_post").row(0, named=True)
    teachers = ROSTER.teachers.with_columns(
        pl.when(pl.col("teacher_id") == first["teacher_id"])
        .then(pl.lit("sick_leave"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    counts = segment_counts(teachers, ROSTER.year)
    rates = county_rates(teachers, ROSTER.rotations, ROSTER.year, rules)
    county = DATASET.county_facts.get_column("county")[0]
    changed = with_roster(DATASET, counts, county=county, rates=rates)
    key = (pl.col("school_id") == first["school_id"]) & (pl.col("level") == first["level"])
    before = DATASET.segments.filter(key).row(0, named=True)["teachers"]
    assert changed.segments.filter(key).row(0, named=True)["teachers"] == before - 1
    assert changed.segments.filter(~key).equals(DATASET.segments.filter(~key))
    # The roster's rate replaces the reported 0.12.
    rate = rates.filter(pl.col("fact") == "rotation_rate").get_column("rate")[0]
    assert rate != DATASET.county_facts.row(0, named=True)["rotation_rate"]
    assert changed.county_facts.row(0, named=True)["rotation_rate"] == rate
    assert with_roster(DATASET, segment_counts(ROSTER.teachers, ROSTER.year)).segments.equals(
        DATASET.segments
    )
    assert evaluate(changed, load_standard()) is not None
