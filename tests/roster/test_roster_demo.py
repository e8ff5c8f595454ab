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
