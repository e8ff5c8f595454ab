"""Who must rotate (符合交流条件的教师) in a school year, by the rules of `eligibility.yaml`.

The school year `year` is the one beginning that autumn; the teachers frame is read as it stood
on the day the school year begins (`school_year_begins`, 1 August by default): years at the
school are `year − joined_year`, ages are whole years on that day. Pure.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from junheng.roster.rules import EligibilityRules
from junheng.roster.schema import POST_TYPES, STATUSES


def year_begins(year: int, rules: EligibilityRules) -> dt.date:
    """The day school year `year` begins for the roster (its autumn)."""
    return dt.date(year, *rules.school_year_begins)


def school_year_expr(column: str, rules: EligibilityRules) -> pl.Expr:
    """The school year a date falls in: from `school_year_begins` on, the year of that autumn."""
    month, day = rules.school_year_begins
    date = pl.col(column)
    # dt.month() and dt.day() are Int8, which × 100 would overflow.
    before = date.dt.month().cast(pl.Int32) * 100 + date.dt.day() < month * 100 + day
    return date.dt.year().cast(pl.Int64) - before.cast(pl.Int64)


def age_on(column: str, on: dt.date) -> pl.Expr:
    """Whole years of age on `on` of the birth dates in `column`."""
    birth = pl.col(column)
    later = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day() > on.month * 100 + on.day
    return on.year - birth.dt.year().cast(pl.Int64) - later.cast(pl.Int64)


def _zh(column: str, pairs: tuple[tuple[str, str], ...]) -> pl.Expr:
    return pl.col(column).replace_strict(dict(pairs), default=pl.col(column))


def eligible(teachers: pl.DataFrame, year: int, rules: EligibilityRules) -> pl.DataFrame:
    """Every teacher with `eligible` (bool) and `reason` (a Chinese sentence).

    Columns: school_id, teacher_id, years_at_school, age, eligible, reason. The reason of an
    ineligible teacher names the first condition that fails, in the order: status, post type,
    near retirement, first years of service, years at the school.
    """
    begins = year_begins(year, rules)
    at_school = pl.lit(year) - pl.col("joined_year")
    service = pl.lit(year) - pl.coalesce("career_start_year", "joined_year")
    age = age_on("birth_date", begins)
    retirement = pl.col("gender").replace_strict(
        dict(rules.retirement_age), default=None, return_dtype=pl.Int64
    )
    near_retirement = age >= retirement - rules.years_before_retirement
    statuses = sorted(rules.statuses)
    post_types = sorted(rules.post_types)
    status_zh = "、".join(dict(STATUSES)[s] for s in statuses)
    post_zh = "、".join(dict(POST_TYPES)[p] for p in post_types)
    minimum = rules.min_years_at_school
    frame = teachers.with_columns(
        at_school.alias("years_at_school"), age.alias("age"), retirement.alias("__retire__")
    )
    reason = (
        pl.when(~pl.col("status").is_in(statuses))
        .then(pl.format("{}，不是{}教师", _zh("status", STATUSES), pl.lit(status_zh)))
        .when(~pl.col("post_type").is_in(post_types))
        .then(pl.format("{}教师，交流对象是{}教师", _zh("post_type", POST_TYPES), pl.lit(post_zh)))
        .when(near_retirement)
        .then(
            pl.format(
                "{} 周岁，距 {} 周岁退休在 {} 年以内",
                pl.col("age"),
                pl.col("__retire__"),
                pl.lit(rules.years_before_retirement),
            )
        )
        .when(service < rules.first_years_of_service)
        .then(
            pl.format(
                "参加工作 {} 年，未满 {} 年的新教师不列入交流",
                service,
                pl.lit(rules.first_years_of_service),
            )
        )
        .when(pl.col("years_at_school") < minimum)
        .then(pl.format("在本校任教 {} 年，未满 {} 年", pl.col("years_at_school"), pl.lit(minimum)))
        .otherwise(
            pl.format(
                "在本校连续任教 {} 年，已满 {} 年", pl.col("years_at_school"), pl.lit(minimum)
            )
        )
    )
    ok = (
        pl.col("status").is_in(statuses)
        & pl.col("post_type").is_in(post_types)
        & ~near_retirement
        & (service >= rules.first_years_of_service)
        & (pl.col("years_at_school") >= minimum)
    )
    return frame.select(
        "school_id",
        "teacher_id",
        "years_at_school",
        "age",
        ok.fill_null(False).alias("eligible"),
        reason.alias("reason"),
    )
