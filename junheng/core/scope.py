"""Which segments are evaluated, and with which resources: 评估范围、教学点、共享设施分摊.

Turns the Dataset's segment rows into the rows the indicators are computed on:
1. shared facilities reported once on a combined school's row are apportioned between its
   segments (policy `apportionment`, weights `apportionment_weights`);
2. teaching points are either evaluated on their own when large enough, or merged into their
   central school (policy `teaching_point_mode`, `teaching_point_min_students`);
3. special-education and vocational schools (rule `scope.excluded_kinds`) and, by policy,
   private schools are left out. Every row says why it is in or out.
"""

from __future__ import annotations

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import SCHOOLS, SEGMENTS, SHARED_FACILITY_COLUMNS
from junheng.core.standard import Standard

SCHOOL_COLUMNS: tuple[str, ...] = (
    "county",
    "name",
    "kind",
    "parent_id",
    "area_type",
    "ownership",
    "township",
)
RESOURCE_COLUMNS: tuple[str, ...] = tuple(
    c for c in SEGMENTS.names if c not in ("school_id", "level")
)

SENIOR_KINDS: frozenset[str] = frozenset({"twelve_year", "complete_middle"})
"""Kinds of school with a senior section, whose shared facilities are split with it."""

_MIN_COLUMNS = frozenset(c for c in RESOURCE_COLUMNS if c.endswith("_min_area_m2"))
_MAX_COLUMNS = frozenset({"max_class_size"})


def combine(column: str) -> pl.Expr:
    """How a resource column adds up over several rows (teaching points into a school, segments
    into a school): minimum for "smallest room" columns, maximum for the largest class, otherwise
    the sum. A missing value anywhere makes the combination missing, never a silent zero."""
    col = pl.col(column)
    if column in _MIN_COLUMNS:
        combined = col.min()
    elif column in _MAX_COLUMNS:
        combined = col.max()
    else:
        combined = col.sum()
    return pl.when(col.null_count() > 0).then(None).otherwise(combined).alias(column)


def _with_schools(dataset: Dataset) -> pl.DataFrame:
    shared = [pl.col(c).alias(f"{c}__school") for c in SHARED_FACILITY_COLUMNS]
    schools = dataset.schools.select(
        "school_id",
        *SCHOOL_COLUMNS,
        *shared,
        pl.col("senior_students").alias("senior_students__school"),
    ).with_columns(
        pl.col("ownership").fill_null(SCHOOLS.column("ownership").default),
    )
    return dataset.segments.select("school_id", "level", *RESOURCE_COLUMNS).join(
        schools, on="school_id", how="left"
    )


def _apportion(frame: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    mode = standard.policy("apportionment")
    weights = standard.policy("apportionment_weights")
    if mode == "enrolment":
        weights = dict.fromkeys(weights, 1.0)
    level_weight = pl.col("level").replace_strict(weights, default=None, return_dtype=pl.Float64)
    weighted = (level_weight * pl.col("students")).alias("__weighted")
    frame = frame.with_columns(weighted)
    senior = pl.col("senior_students__school").fill_null(0) * weights.get("senior", 0.0)
    total = (pl.col("__weighted").sum().over("school_id") + senior).alias("__total")
    frame = frame.with_columns(total).with_columns(
        (pl.col("__weighted") / pl.col("__total")).alias("__share")
    )
    has_shared = pl.any_horizontal(
        [pl.col(f"{c}__school").is_not_null() for c in SHARED_FACILITY_COLUMNS]
    )
    if mode == "none":
        note = pl.when(has_shared).then(
            pl.lit("整校填报的共享设施按政策不分摊，未计入本学段（请分学段填报）")
        )
        return frame.with_columns(
            note.alias("apportion_note"), pl.lit(None, pl.String).alias("apportion_missing")
        )
    # A school with a senior section whose 高中在校生数 is empty cannot be split: counting it as
    # zero would hand the whole school's facilities to the compulsory segments.
    unsplittable = (
        has_shared
        & pl.col("kind").is_in(list(SENIOR_KINDS))
        & pl.col("senior_students__school").is_null()
    )
    frame = frame.with_columns(
        pl.when(unsplittable)
        .then(
            pl.format(
                "「{}」未填报高中在校生数，整校填报的共享设施无法在高中与义务教育学段之间分摊"
                "（没有高中学段的填 0）",
                pl.col("name"),
            )
        )
        .otherwise(None)
        .alias("apportion_missing")
    )
    apportioned = [
        pl.when(pl.col(f"{c}__school").is_not_null() & unsplittable)
        .then(None)
        .when(pl.col(f"{c}__school").is_not_null())
        .then(pl.col(f"{c}__school") * pl.col("__share"))
        .otherwise(pl.col(c))
        .alias(c)
        for c in SHARED_FACILITY_COLUMNS
    ]
    label = (
        "按加权在校生数（小学∶初中∶高中 = "
        + "∶".join(f"{w:g}" for w in weights.values())
        + "）分摊"
        if mode == "weighted"
        else "按在校生数分摊"
    )
    note = (
        pl.when(unsplittable)
        .then(pl.col("apportion_missing"))
        .when(has_shared)
        .then(
            pl.format(
                "整校填报的共享设施{}，本学段占 {}%",
                pl.lit(label),
                (pl.col("__share") * 100).round(2).cast(pl.String),
            )
        )
    )
    return frame.with_columns(*apportioned, note.alias("apportion_note"))


def _merge_teaching_points(frame: pl.DataFrame) -> pl.DataFrame:
    """Add each teaching point's students and resources to its central school's same segment."""
    is_point = pl.col("kind") == "teaching_point"
    parents = frame.filter(~is_point).select("school_id", "level", "name")
    points = frame.filter(is_point & pl.col("parent_id").is_not_null()).join(
        parents.rename({"school_id": "parent_id", "name": "parent_name"}),
        on=["parent_id", "level"],
        how="inner",
    )
    if points.is_empty():
        return frame.with_columns(pl.lit(None, pl.String).alias("merged_into"))
    merged_keys = points.select("school_id", "level", "parent_id", "parent_name")
    contributions = pl.concat(
        [
            frame.filter(~is_point).select("school_id", "level", *RESOURCE_COLUMNS),
            points.select(pl.col("parent_id").alias("school_id"), "level", *RESOURCE_COLUMNS),
        ]
    )
    totals = contributions.group_by("school_id", "level", maintain_order=True).agg(
        *[combine(c) for c in RESOURCE_COLUMNS],
        pl.len().alias("__parts"),
    )
    point_names = (
        points.group_by("parent_id", "level", maintain_order=True)
        .agg(pl.col("name").str.join("、").alias("__points"))
        .rename({"parent_id": "school_id"})
    )
    frame = (
        frame.join(
            totals, on=["school_id", "level"], how="left", suffix="__merged", maintain_order="left"
        )
        .with_columns(
            [
                pl.when(pl.col("__parts").is_not_null())
                .then(pl.col(f"{c}__merged"))
                .otherwise(pl.col(c))
                .alias(c)
                for c in RESOURCE_COLUMNS
            ]
        )
        .drop([f"{c}__merged" for c in RESOURCE_COLUMNS], "__parts")
        .join(point_names, on=["school_id", "level"], how="left", maintain_order="left")
        .join(
            merged_keys.rename({"parent_name": "merged_into"}).drop("parent_id"),
            on=["school_id", "level"],
            how="left",
            maintain_order="left",
        )
    )
    merged_note = pl.when(pl.col("__points").is_not_null()).then(
        pl.format("已并入教学点：{}", pl.col("__points"))
    )
    return frame.with_columns(
        pl.concat_str(
            [pl.col("apportion_note"), merged_note], separator="；", ignore_nulls=True
        ).alias("apportion_note")
    ).drop("__points")


def prepare_segments(dataset: Dataset, standard: Standard) -> pl.DataFrame:
    """Segment rows ready for the indicators, with `in_scope`, `scope_reason` and `notes`."""
    frame = _apportion(_with_schools(dataset), standard)
    merge = standard.policy("teaching_point_mode") == "merge"
    if merge:
        frame = _merge_teaching_points(frame)
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("merged_into"))

    excluded_kinds = list(standard.scope_rule["excluded_kinds"])
    min_students = standard.policy("teaching_point_min_students")
    # A teaching point whose enrolment is not reported stays in scope, so the missing number
    # surfaces as a missing verdict instead of silently dropping the school.
    school_students = (
        pl.when(pl.col("students").null_count().over("school_id") > 0)
        .then(None)
        .otherwise(pl.col("students").sum().over("school_id"))
    )
    kind_zh = pl.col("kind").replace_strict(
        dict(SCHOOLS.column("kind").enum), default=pl.col("kind")
    )
    reason = (
        pl.when(pl.col("kind").is_in(excluded_kinds))
        .then(pl.format("{}不纳入评估范围", kind_zh))
        .when(pl.col("merged_into").is_not_null())
        .then(pl.format("教学点已按政策并入中心校「{}」计算", pl.col("merged_into")))
        .when(
            pl.lit(not merge)
            & (pl.col("kind") == "teaching_point")
            & (school_students < min_students)
        )
        .then(
            pl.format(
                "教学点在校生 {} 人，少于 {} 人，不纳入评估范围",
                school_students,
                pl.lit(min_students),
            )
        )
        .when(pl.lit(bool(standard.policy("exclude_private"))) & (pl.col("ownership") == "private"))
        .then(pl.lit("民办学校按政策不纳入评估范围"))
        .otherwise(None)
    )
    return (
        frame.with_columns(reason.alias("scope_reason"))
        .with_columns(pl.col("scope_reason").is_null().alias("in_scope"))
        .rename({"apportion_note": "notes"})
        .drop([c for c in frame.columns if c.startswith("__") or c.endswith("__school")])
    )
