"""The roster counted into what the engine reads: segment counts (R1–R3), G9, G11 and G12.

A teacher is counted once, at the school in the roster and at the level in `level` (for a
teacher of both levels the 主要任教学段, the level of most hours), so segment totals add up to
the head count and nobody is counted twice. Only teachers whose status is one of
`counting.yaml`'s `in_post_statuses` (在岗 by default) and who joined the school by the year
are counted: a seconded teacher or one on sick, maternity or study leave does not teach at the
school this year. Pure.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import SEGMENTS
from junheng.roster.eligibility import eligible, school_year_expr
from junheng.roster.rules import CountingRules, EligibilityRules, load_counting

DEGREE_COLUMNS: dict[str, str] = {
    "postgraduate": "teachers_postgraduate",
    "bachelor": "teachers_bachelor",
    "associate": "teachers_associate",
    "below_associate": "teachers_below_associate",
}
TEACHER_COLUMNS: tuple[str, ...] = (
    "teachers",
    *DEGREE_COLUMNS.values(),
    "backbone_teachers",
    "pe_teachers",
    "music_teachers",
    "fine_art_teachers",
)
"""The segment columns the roster gives, in the order of `SEGMENTS`."""


def _rules(counting: CountingRules | None) -> CountingRules:
    return counting if counting is not None else load_counting()


def in_post(
    teachers: pl.DataFrame, year: int, counting: CountingRules | None = None
) -> pl.DataFrame:
    """The teachers the counts of school year `year` include: their status is counted as in
    post and they joined the school by that year (a roster kept up to date may already list
    teachers who start next autumn)."""
    statuses = sorted(_rules(counting).in_post_statuses)
    return teachers.filter(pl.col("status").is_in(statuses) & (pl.col("joined_year") <= year))


def segment_counts(
    teachers: pl.DataFrame, year: int, *, counting: CountingRules | None = None
) -> pl.DataFrame:
    """school_id, level and the nine teacher columns of SEGMENTS, one row per school and level
    with at least one counted teacher in school year `year` (`in_post`)."""
    rules = _rules(counting)
    subject = pl.col("subject").str.strip_chars()
    columns = [
        pl.len().cast(pl.Int64).alias("teachers"),
        *(
            (pl.col("degree") == degree).sum().cast(pl.Int64).alias(column)
            for degree, column in DEGREE_COLUMNS.items()
        ),
        pl.col("backbone")
        .is_in(sorted(rules.backbone_levels))
        .sum()
        .cast(pl.Int64)
        .alias("backbone_teachers"),
        *(
            subject.is_in(sorted(names)).sum().cast(pl.Int64).alias(column)
            for column, names in rules.subjects.items()
        ),
    ]
    counted = in_post(teachers, year, rules)
    return (
        counted.group_by("school_id", "level")
        .agg(columns)
        .select("school_id", "level", *TEACHER_COLUMNS)
        .sort("school_id", "level")
    )


def rotations_in_year(rotations: pl.DataFrame, year: int, rules: EligibilityRules) -> pl.DataFrame:
    """The rotations starting in school year `year`, with `lasting`: whether the rotation is
    open-ended or its end reaches the summer of its `min_rotation_years`-th school year (a
    rotation from September 2025 to July 2028 has lasted its three years)."""
    started = school_year_expr("start", rules)
    month, day = rules.rotation_ends_by
    due = pl.date(started + rules.min_rotation_years, month, day)
    return rotations.filter(started == year).with_columns(
        (pl.col("end").is_null() | (pl.col("end") >= due)).alias("lasting")
    )


def _rate(
    fact: str,
    item: str,
    name: str,
    numerator: int,
    denominator: int,
    target: float,
) -> dict[str, object]:
    rate = numerator / denominator if denominator else None
    return {
        "fact": fact,
        "item": item,
        "name": name,
        "numerator": numerator,
        "denominator": denominator,
        "rate": rate,
        "target": target,
        "met": None if rate is None else rate >= target,
    }


RATES_SCHEMA: dict[str, type[pl.DataType]] = {
    "fact": pl.String,
    "item": pl.String,
    "name": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "rate": pl.Float64,
    "target": pl.Float64,
    "met": pl.Boolean,
}


def county_rates(
    teachers: pl.DataFrame,
    rotations: pl.DataFrame,
    year: int,
    rules: EligibilityRules,
    *,
    counting: CountingRules | None = None,
) -> pl.DataFrame:
    """G9, G11 (rate and backbone share) and G12 of one county's roster for school year `year`.

    One row each (columns of RATES_SCHEMA): `fact` is the county fact the rate stands for
    (`training_360h_rate` …), `rate` is null when the denominator is 0 and `met` then null.
    G9 and G12 count the teachers in post. G11's numerator is the teachers whose rotation
    starts in `year` and lasts (`rotations_in_year`); its denominator is the teachers eligible
    at the start of the year together with those who rotated (a teacher who moved this year
    restarts his years at the new school, but was among the eligible when he moved).
    """
    count_rules = _rules(counting)
    counted = in_post(teachers, year, count_rules)
    trained = counted.filter(pl.col("training_hours") >= count_rules.training_hours).height
    certified = counted.filter(pl.col("certificate") == "yes").height
    moved = rotations_in_year(rotations, year, rules).filter("lasting")
    moved_ids = moved.get_column("teacher_id").unique()
    pool = (
        eligible(teachers, year, rules)
        .filter("eligible")
        .get_column("teacher_id")
        .append(moved_ids)
        .n_unique()
    )
    backbone = teachers.filter(
        pl.col("teacher_id").is_in(moved_ids.implode())
        & pl.col("backbone").is_in(sorted(rules.backbone_levels))
    ).height
    rows = [
        _rate(
            "training_360h_rate",
            "G9",
            f"教师5年{count_rules.training_hours:g}学时培训完成率",
            trained,
            counted.height,
            count_rules.training_target,
        ),
        _rate(
            "rotation_rate",
            "G11",
            "符合交流条件教师年交流轮岗比例",
            moved_ids.len(),
            pool,
            rules.rotation_rate,
        ),
        _rate(
            "rotation_backbone_share",
            "G11",
            "交流轮岗教师中骨干教师比例",
            backbone,
            moved_ids.len(),
            rules.backbone_share,
        ),
        _rate(
            "certified_teacher_rate",
            "G12",
            "专任教师持证上岗率",
            certified,
            counted.height,
            count_rules.certificate_target,
        ),
    ]
    return pl.DataFrame(rows, schema=RATES_SCHEMA)


RECONCILE_SCHEMA: dict[str, type[pl.DataType]] = {
    "school_id": pl.String,
    "school": pl.String,
    "level": pl.String,
    "column": pl.String,
    "column_zh": pl.String,
    "reported": pl.Int64,
    "roster": pl.Int64,
    "difference": pl.Int64,
}


def reconcile(counts: pl.DataFrame, dataset: Dataset) -> pl.DataFrame:
    """Where the roster's counts and the segments a school reported differ, one row per school,
    level and column (RECONCILE_SCHEMA; `difference` = roster − reported). A segment the
    dataset lacks has `reported` null (its difference is the roster's count); a segment the
    roster lacks counts 0 teachers in the roster. Sorted by school, level and column order."""
    key = ["school_id", "level"]
    reported = dataset.segments.select(*key, *TEACHER_COLUMNS).unpivot(
        index=key, variable_name="column", value_name="reported"
    )
    roster = counts.select(*key, *TEACHER_COLUMNS).unpivot(
        index=key, variable_name="column", value_name="roster"
    )
    order = {c: i for i, c in enumerate(TEACHER_COLUMNS)}
    labels = {c.name: c.zh for c in SEGMENTS.columns}
    names = dataset.schools.select("school_id", pl.col("name").alias("school"))
    joined = reported.join(roster, on=[*key, "column"], how="full", coalesce=True).with_columns(
        pl.col("reported").cast(pl.Int64), pl.col("roster").fill_null(0).cast(pl.Int64)
    )
    return (
        joined.with_columns(
            (pl.col("roster") - pl.col("reported").fill_null(0)).alias("difference"),
            pl.col("column").replace_strict(labels, default=None).alias("column_zh"),
            pl.col("column").replace_strict(order, default=None).alias("__order__"),
        )
        .filter((pl.col("difference") != 0) | pl.col("reported").is_null())
        .join(names, on="school_id", how="left")
        .sort("school_id", "level", "__order__")
        .select(list(RECONCILE_SCHEMA))
        .cast(RECONCILE_SCHEMA)
    )


def with_roster(
    dataset: Dataset,
    counts: pl.DataFrame,
    *,
    county: str | None = None,
    rates: pl.DataFrame | None = None,
) -> Dataset:
    """The dataset with the roster as the source of its teacher figures: every segment's nine
    teacher columns replaced by `counts` (0 where the roster has no teacher there), and with
    `rates` (from `county_rates`) and `county` the county's G9, G11 and G12 facts replaced by
    the roster's rates. Segments the dataset does not have are not added (`reconcile` lists
    them). Rates without a denominator leave the reported fact as it was."""
    key = ["school_id", "level"]
    roster = counts.select(*key, *(pl.col(c).alias(f"__roster_{c}") for c in TEACHER_COLUMNS))
    segments = (
        dataset.segments.join(roster, on=key, how="left")
        .with_columns(
            pl.col(f"__roster_{c}").fill_null(0).cast(dataset.segments.schema[c]).alias(c)
            for c in TEACHER_COLUMNS
        )
        .select(dataset.segments.columns)
    )
    facts = dataset.county_facts
    if rates is not None and county is not None:
        values = {
            r["fact"]: r["rate"]
            for r in rates.iter_rows(named=True)
            if r["rate"] is not None and r["fact"] in facts.columns
        }
        mine = pl.col("county") == county
        facts = facts.with_columns(
            pl.when(mine).then(pl.lit(v)).otherwise(pl.col(f)).cast(facts.schema[f]).alias(f)
            for f, v in values.items()
        )
    return replace(dataset, segments=segments, county_facts=facts)
