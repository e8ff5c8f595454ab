"""School places (学位) per township and county against projected enrolment: the 学位缺口. Pure.

Places of a level in a township in the target year = the latest year's classes of its schools ×
the standard's class-size limit of that level (the segment check on 最大班额, G5 in the national
standard: 45 primary, 50 junior — read from the standard, so a province's limit follows its
file) + the places of the projects counted for the target year (改扩建 on its schools and new
schools in the township, `projects.project_schedule`). Against it, the township's projected
students of the same schools; 学位缺口 = max(0, projected − places).

Classes count as rooms here: a class needs a classroom, and the data has no count of ordinary
classrooms. Schools of the kinds the standard leaves out of the evaluation (特殊教育学校,
职业学校) are left out here too; private schools count, their places are places. A township whose
classes or projected students are missing for one of its schools has no place count (never a
silent zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from junheng.core.class_sizes import class_limits
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.projects import NO_TOWNSHIP, PLACES
from junheng.core.schema import LEVEL_ZH, LEVELS, SCHOOLS
from junheng.core.standard import Standard

_LEVEL_ORDER = {level: i for i, (level, _) in enumerate(LEVELS)}


@dataclass(frozen=True)
class Places:
    """Places against projected students of one target year."""

    target_year: int
    class_limits: Mapping[str, float]
    townships: pl.DataFrame
    """county, township, level, classes, class_limit, capacity, project_places, places,
    projected, gap, sentence."""
    counties: pl.DataFrame
    """county, level, classes, capacity, project_places, places, projected, gap, township_gaps
    (sum of the townships' gaps), townships_short (townships with a gap), sentence."""
    new_schools: pl.DataFrame
    """county, project_id, school (the new school's name), township, school_year, and the places
    per level (places_primary, places_junior): new schools counted in the target year."""
    method: str

    def sentences(self, county: str) -> list[str]:
        """The county's sentences, county first, then its townships with a gap."""
        counties = self.counties.filter(pl.col("county") == county)
        short = self.townships.filter((pl.col("county") == county) & (pl.col("gap") > 0))
        return [*counties.get_column("sentence"), *short.get_column("sentence")]


def _sum_known(column: str) -> pl.Expr:
    """A sum that is missing when any part is missing."""
    return pl.when(pl.col(column).null_count() > 0).then(None).otherwise(pl.col(column).sum())


def _level(level: str) -> str:
    return LEVEL_ZH.get(level, level)


def _count(value: float | int | None) -> str:
    return fmt_number(value, 0, thousands=True)


def _place_clause(row: Mapping[str, Any]) -> str:
    parts = []
    if row["capacity"] is not None and row["classes"]:
        parts.append(
            f"现有 {_count(row['classes'])} 个班 × 每班 {fmt_plain(row['class_limit'])} 人"
            f" = {_count(row['capacity'])} 个"
        )
    if row["project_places"]:
        parts.append(f"建设项目新增 {_count(row['project_places'])} 个")
    return f"（{'，'.join(parts)}）" if parts else ""


def _verdict(row: Mapping[str, Any], target_year: int) -> str:
    projected, places = row["projected"], row["places"]
    head = f"{target_year}年预测在校生 {_count(projected)} 人"
    if projected is None:
        return f"{target_year}年预测在校生数缺失，无法比较学位"
    if places is None:
        why = "评估标准未规定该学段班额上限" if row["class_limit"] is None else "班级数缺失"
        return f"{head}，{why}，无法计算学位数"
    said = f"{head}，学位 {_count(places)} 个{_place_clause(row)}"
    if row["gap"]:
        return f"{said}，学位缺口 {_count(row['gap'])} 个"
    spare = places - projected
    return f"{said}，{'学位恰好够用' if spare == 0 else f'学位够用（富余 {_count(spare)} 个）'}"


def places_table(
    schools: pl.DataFrame,
    current: pl.DataFrame,
    projected: pl.DataFrame,
    schedule: pl.DataFrame,
    standard: Standard,
    target_year: int,
) -> Places:
    """Places and gaps per township and county for `target_year`.

    `current`: the latest year's segments (their classes); `projected`: the projected segments
    (their students); `schedule`: `projects.project_schedule` for `target_year`.
    """
    limits = class_limits(standard)
    excluded = list(standard.scope_rule.get("excluded_kinds", ()))
    counted_schools = schools.filter(~pl.col("kind").is_in(excluded)).select(
        "school_id", "county", pl.col("township").fill_null(NO_TOWNSHIP)
    )
    keys = ["county", "township", "level"]
    classes = (
        current.join(counted_schools, on="school_id", how="inner")
        .group_by(keys)
        .agg(_sum_known("classes").alias("classes"), pl.lit(True).alias("__seen"))
    )
    students = (
        projected.join(counted_schools, on="school_id", how="inner")
        .group_by(keys)
        .agg(_sum_known("students").alias("projected"), pl.lit(True).alias("__seen_p"))
    )
    counted = schedule.filter(
        (pl.col("target") == "new_school")
        | (
            (pl.col("target") == "school")
            & pl.col("school_id").is_in(counted_schools.get_column("school_id").implode())
        )
    )
    by_level = (
        counted.select("county", "township", *PLACES.values())
        .unpivot(
            index=["county", "township"],
            on=list(PLACES.values()),
            variable_name="level",
            value_name="project_places",
        )
        .with_columns(
            pl.col("level").replace_strict(
                {v: k for k, v in PLACES.items()}, return_dtype=pl.String
            )
        )
    )
    project_places = by_level.group_by(keys).agg(pl.col("project_places").sum())
    frame = (
        classes.join(students, on=keys, how="full", coalesce=True)
        .join(project_places, on=keys, how="full", coalesce=True)
        .with_columns(
            # No school of that level in the township: no classes and no students, not unknown.
            pl.when(pl.col("__seen").is_null())
            .then(0)
            .otherwise(pl.col("classes"))
            .alias("classes"),
            pl.when(pl.col("__seen_p").is_null())
            .then(0)
            .otherwise(pl.col("projected"))
            .alias("projected"),
            pl.col("project_places").fill_null(0),
            pl.col("level")
            .replace_strict(limits, default=None, return_dtype=pl.Float64)
            .alias("class_limit"),
        )
    )
    frame = frame.filter(
        (pl.col("classes") != 0)
        | (pl.col("projected") != 0)
        | (pl.col("project_places") != 0)
        | pl.col("classes").is_null()
        | pl.col("projected").is_null()
    )
    capacity = (pl.col("classes") * pl.col("class_limit")).round(0).cast(pl.Int64)
    frame = frame.with_columns(capacity.alias("capacity")).with_columns(
        (pl.col("capacity") + pl.col("project_places")).alias("places")
    )
    gap = (pl.col("projected") - pl.col("places")).clip(lower_bound=0).alias("gap")
    order = pl.col("level").replace_strict(_LEVEL_ORDER, default=None)
    townships = frame.with_columns(gap).sort("county", "township", order, maintain_order=True)
    townships = townships.with_columns(
        pl.Series(
            "sentence",
            [
                f"{r['township']}{_level(r['level'])}：{_verdict(r, target_year)}。"
                for r in townships.iter_rows(named=True)
            ],
            dtype=pl.String,
        )
    ).select(
        "county",
        "township",
        "level",
        "classes",
        "class_limit",
        "capacity",
        "project_places",
        "places",
        "projected",
        "gap",
        "sentence",
    )
    counties = (
        townships.group_by("county", "level")
        .agg(
            *(
                _sum_known(c).alias(c)
                for c in ("classes", "capacity", "project_places", "places", "projected")
            ),
            pl.col("class_limit").first(),
            pl.col("gap").sum().alias("township_gaps"),
            (pl.col("gap") > 0).sum().cast(pl.Int64).alias("townships_short"),
        )
        .with_columns(gap)
        .sort("county", order, maintain_order=True)
    )
    sentences = []
    for r in counties.iter_rows(named=True):
        text = (
            f"{r['county']}{LEVEL_ZH.get(r['level'], r['level'])}：全县{_verdict(r, target_year)}"
        )
        if r["township_gaps"] and not r["gap"]:
            text += (
                f"；全县合计够用，但 {r['townships_short']} 个乡镇有学位缺口，"
                f"共 {_count(r['township_gaps'])} 个"
            )
        sentences.append(text + "。")
    counties = counties.with_columns(pl.Series("sentence", sentences, dtype=pl.String)).select(
        "county",
        "level",
        "classes",
        "capacity",
        "project_places",
        "places",
        "projected",
        "gap",
        "township_gaps",
        "townships_short",
        "sentence",
    )
    new_schools = schedule.filter(pl.col("target") == "new_school").select(
        "county", "project_id", "school", "township", "school_year", *PLACES.values()
    )
    return Places(
        target_year=target_year,
        class_limits=limits,
        townships=townships,
        counties=counties,
        new_schools=new_schools,
        method=_method(limits, excluded),
    )


def _method(limits: Mapping[str, float], excluded: list[str]) -> str:
    kinds = dict(SCHOOLS.column("kind").enum)
    limit_text = (
        "评估标准规定的班额上限（"
        + "、".join(f"{LEVEL_ZH.get(k, k)} {fmt_plain(v)} 人" for k, v in limits.items())
        + "）"
        if limits
        else "评估标准规定的班额上限（该标准未规定，无法计算现有学位）"
    )
    left_out = (
        f"；不含{'、'.join(kinds.get(k, k) for k in excluded)}（与评估范围一致）"
        if excluded
        else ""
    )
    return (
        f"学位数 = 最近一年各校班级数 × {limit_text}"
        "＋ 目标年秋季前竣工的建设项目新增学位（含新建学校，计入所在乡镇）"
        f"{left_out}；预测在校生数超过学位数的部分为学位缺口。"
    )
