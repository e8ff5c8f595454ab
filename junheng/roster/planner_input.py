"""The roster as the planner reads it: one row per teacher counted this school year, with the
subject group, backbone flag and eligibility the planner's model needs. Pure.

The roster's own rules decide everything: who is counted (`aggregate.in_post`: status in post
and joined by the year), which subjects are PE, music and art and which backbone levels count
(`counting.yaml`), and who is eligible (`eligibility.eligible` with `eligibility.yaml`), so the
plan moves exactly the teachers the roster's counts and G11 figures are made of.
"""

from __future__ import annotations

import polars as pl

from junheng.roster.aggregate import in_post
from junheng.roster.eligibility import eligible
from junheng.roster.planner_limits import SUBJECT_COLUMN
from junheng.roster.rules import CountingRules, EligibilityRules, load_counting, load_eligibility


def planner_teachers(
    roster: pl.DataFrame,
    year: int,
    *,
    eligibility: EligibilityRules | None = None,
    counting: CountingRules | None = None,
) -> pl.DataFrame:
    """The planner's `teachers` frame from the roster (`schema.ROSTER` with its `level`):
    teacher_id, name, school_id, level, subject (pe/music/fine_art/other), degree, backbone,
    eligible, years_at_school, reason (why eligible or not, in Chinese)."""
    eligibility = eligibility if eligibility is not None else load_eligibility()
    counting = counting if counting is not None else load_counting()
    counted = in_post(roster, year, counting)
    judged = eligible(counted, year, eligibility).select(
        "teacher_id", "eligible", "years_at_school", "reason"
    )
    subject = pl.col("subject").str.strip_chars()
    group = pl.lit("other")
    for name, column in SUBJECT_COLUMN.items():
        if column is not None:
            names = sorted(counting.subjects.get(column, ()))
            group = pl.when(subject.is_in(names)).then(pl.lit(name)).otherwise(group)
    return counted.join(judged, on="teacher_id", how="left").select(
        "teacher_id",
        "name",
        "school_id",
        "level",
        group.alias("subject"),
        "degree",
        pl.col("backbone").is_in(sorted(counting.backbone_levels)).alias("backbone"),
        pl.col("eligible").fill_null(False),
        "years_at_school",
        "reason",
    )
