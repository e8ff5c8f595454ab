"""Building and equipment projects in the forecast: which count for a target year and what they
add to which segment. Pure.

A project counts for a target year when it comes into use (the school year of its 实际竣工, else
its 计划竣工: finished by 31 August it serves that autumn, `dates.school_year_of`) after the
latest data year and not after the target year. A project in use by the latest data year is
already in that year's figures; its status and progress are reported, not judged: a plan's
finish date is taken as the plan says.

What a counted project on a school adds (teaching and auxiliary m², sports m², rooms, equipment
value) goes where the school reports that facility:

- a facility the school reports once on its schools row (共享设施, `SHARED_FACILITY_COLUMNS`) is
  added to that row, so the evaluation apportions it between the segments by the standard's own
  rule like the rest of the facility, whatever level the project names (under the "不分摊"
  policy the schools row is not counted, so the project follows the segments below);
- otherwise, to the segment of the project's level; a project without a level on a school with
  two segments (九年一贯制 …) is split by the segments' projected students, exactly: m² to the
  0.01, yuan to the fen, rooms whole, by largest remainder (a school without students splits
  evenly).

A project for a new school (no 学校标识码) cannot be judged per school: it has no segment rows
yet. Its places count in its township (`places.py`), and it is listed as a new school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from junheng.core.dataset import Dataset, conform, table_schema
from junheng.core.dates import parse_plan_date, school_year_of
from junheng.core.schema import (
    LEVEL_ZH,
    LEVELS,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    PROJECTS,
    SEGMENTS,
    SHARED_FACILITY_COLUMNS,
    ColumnType,
)

ADDITIONS: tuple[str, ...] = (
    "teaching_aux_area_m2",
    "sports_ground_area_m2",
    "indoor_sports_area_m2",
    "multimedia_rooms",
    "music_rooms",
    "art_rooms",
    "equipment_value_yuan",
)
"""Project columns that add to the segment (or schools-row) column of the same name."""

PLACES: dict[str, str] = {"primary": "places_primary", "junior": "places_junior"}
"""Level → the project column of the places it adds."""

SCALE: dict[str, int] = {
    c: 1 if PROJECTS.column(c).type == ColumnType.INT else 100 for c in ADDITIONS
}
"""Whole units a column is split in: rooms whole, m² in hundredths, yuan in fen (the precision
of the figures as filled in), so a split adds up exactly to the project."""

NO_TOWNSHIP = "（未填乡镇）"
"""The township of a school or new school whose township is not given."""

_LEVEL_ORDER = {level: i for i, (level, _) in enumerate(LEVELS)}

SCHEDULE_COLUMNS: tuple[str, ...] = (
    "county",
    "project_id",
    "name",
    "kind",
    "school_id",
    "school",
    "township",
    "level",
    "finish",
    "finish_basis",
    "school_year",
    "status",
    "progress_pct",
    "target",
    "counted",
    "note",
    *PLACES.values(),
    *ADDITIONS,
)


def _dates(texts: pl.Series) -> tuple[dict[str, dt.date | None], set[str]]:
    """Each distinct text → its date, and the texts that are not dates."""
    parsed: dict[str, dt.date | None] = {}
    bad: set[str] = set()
    for text in texts.drop_nulls().unique().to_list():
        try:
            parsed[text] = parse_plan_date(text)
        except ValueError:
            parsed[text] = None
            bad.add(text)
    return parsed, bad


def project_schedule(dataset: Dataset, base_year: int, target_year: int) -> pl.DataFrame:
    """Every project with when it comes into use and whether it counts for `target_year`.

    Columns (`SCHEDULE_COLUMNS`): county, project_id, name, kind, school_id, school (the school's
    name, or the new school's), township (the school's, or the new school's), level, finish
    (date), finish_basis (实际竣工 / 计划竣工), school_year (first autumn in use), status,
    progress_pct, target ("school", "new_school" or null when not counted), counted, note (why,
    in Chinese), the places and the additions (missing as 0).
    """
    # Frames built in code may lack optional columns; read them as the schema has them.
    projects = conform(dataset.projects, table_schema(PROJECTS))
    finish_text = pl.coalesce("actual_finish", "planned_finish")
    texts = projects.select(finish_text.alias("t")).get_column("t")
    parsed, bad = _dates(texts)
    years = {t: school_year_of(d) for t, d in parsed.items() if d is not None}
    schools = dataset.schools.select(
        "school_id", pl.col("name").alias("__school"), pl.col("township").alias("__township")
    )
    levels = dataset.segments.group_by("school_id").agg(pl.col("level").alias("__levels"))
    frame = (
        projects.with_columns(finish_text.alias("__text"))
        .join(schools, on="school_id", how="left")
        .join(levels, on="school_id", how="left")
        .with_columns(
            pl.col("__text")
            .replace_strict(parsed, default=None, return_dtype=pl.Date)
            .alias("finish"),
            pl.col("__text")
            .replace_strict(years, default=None, return_dtype=pl.Int64)
            .alias("school_year"),
            pl.when(pl.col("actual_finish").is_not_null())
            .then(pl.lit("实际竣工"))
            .otherwise(pl.lit("计划竣工"))
            .alias("finish_basis"),
            pl.col("status").fill_null(PROJECTS.column("status").default),
            *(pl.col(c).fill_null(0) for c in (*PLACES.values(), *ADDITIONS)),
        )
    )
    year = pl.col("school_year")
    new_school = pl.col("school_id").is_null()
    known = pl.col("__school").is_not_null()
    has_level = pl.col("level").is_null() | pl.col("__levels").list.contains(pl.col("level"))
    has_segments = pl.col("__levels").list.len().fill_null(0) > 0
    level_zh = pl.col("level").replace_strict(LEVEL_ZH, default=pl.col("level"))
    township = pl.coalesce("__township", "township").fill_null(NO_TOWNSHIP)
    in_window = (year > base_year) & (year <= target_year)
    note = (
        pl.when(pl.col("__text").is_in(sorted(bad)))
        .then(pl.format("竣工日期「{}」无法识别，未计入", pl.col("__text")))
        .when(year.is_null())
        .then(pl.lit("没有竣工日期，未计入"))
        .when(year <= base_year)
        .then(pl.format("{}年秋季起已使用，已含在{}年现状数据中", year, pl.lit(base_year)))
        .when(year > target_year)
        .then(pl.format("{}年秋季起使用，晚于目标年，未计入", year))
        .when(new_school)
        .then(
            pl.format(
                "新建学校，{}年秋季起使用：新增学位计入{}，校舍和设备待学校有了学段数据后再逐校评估",
                year,
                township,
            )
        )
        .when(~known)
        .then(pl.format("学校标识码「{}」不在学校名录中，未计入", pl.col("school_id")))
        .when(~has_segments)
        .then(pl.lit("该校没有学段数据，未计入"))
        .when(~has_level)
        .then(pl.format("该校没有{}学段的数据，未计入", level_zh))
        .otherwise(pl.format("{}年秋季起使用，计入预测", year))
    )
    applies_to_school = known & has_segments & has_level.fill_null(False)
    target = (
        pl.when(in_window & new_school)
        .then(pl.lit("new_school"))
        .when(in_window & applies_to_school)
        .then(pl.lit("school"))
    )
    return (
        frame.with_columns(
            pl.coalesce("__school", "new_school_name").alias("school"),
            township.alias("township"),
            target.alias("target"),
            note.alias("note"),
        )
        .with_columns(pl.col("target").is_not_null().alias("counted"))
        .select(SCHEDULE_COLUMNS)
        .sort("county", "finish", "project_id", nulls_last=True, maintain_order=True)
    )


def _long(counted: pl.DataFrame) -> pl.DataFrame:
    """project_id, school_id, level, column, units: each positive addition in whole units."""
    frame = counted.select("project_id", "school_id", "level", *ADDITIONS).unpivot(
        index=["project_id", "school_id", "level"], variable_name="column", value_name="amount"
    )
    scale = pl.col("column").replace_strict(SCALE, return_dtype=pl.Int64)
    return frame.filter(pl.col("amount") > 0).select(
        "project_id",
        "school_id",
        "level",
        "column",
        (pl.col("amount") * scale).round(0).cast(pl.Int64).alias("units"),
    )


def _split(rows: pl.DataFrame, segments: pl.DataFrame) -> pl.DataFrame:
    """Rows without a level spread over their school's segments by students, by largest
    remainder in whole units: project_id, school_id, level, column, units."""
    weights = segments.select(
        "school_id", "level", pl.col("students").fill_null(0).cast(pl.Int64).alias("__w")
    )
    group = ["project_id", "column"]
    frame = rows.drop("level").join(weights, on="school_id", how="inner")
    # A school with no students splits evenly rather than not at all.
    frame = frame.with_columns(
        pl.when(pl.col("__w").sum().over(group) > 0).then(pl.col("__w")).otherwise(1).alias("__w")
    ).with_columns(pl.col("__w").sum().over(group).alias("__W"))
    frame = frame.with_columns(
        (pl.col("units") * pl.col("__w") // pl.col("__W")).alias("__floor"),
        (pl.col("units") * pl.col("__w") % pl.col("__W")).alias("__rest"),
        pl.col("level").replace_strict(_LEVEL_ORDER, default=None).alias("__o"),
    )
    frame = frame.with_columns(
        (pl.col("units") - pl.col("__floor").sum().over(group)).alias("__short")
    ).sort([*group, "__rest", "__o"], descending=[False, False, True, False])
    extra = (pl.int_range(pl.len()).over(group) < pl.col("__short")).cast(pl.Int64)
    return frame.select(
        "project_id", "school_id", "level", "column", (pl.col("__floor") + extra).alias("units")
    )


def _add(frame: pl.DataFrame, added: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """`frame` with `added` (keys, column, units) summed in: a value missing on a required column
    stays missing, on an optional column (室内体育用房 …) it starts from 0."""
    if added.is_empty():
        return frame
    wide = (
        added.group_by(*keys, "column")
        .agg(pl.col("units").sum())
        .pivot(on="column", index=keys, values="units")
    )
    present = [c for c in ADDITIONS if c in wide.columns]
    wide = wide.rename({c: f"__add_{c}" for c in present})
    columns = frame.columns
    joined = frame.join(wide, on=keys, how="left")
    optional = {c.name for c in SEGMENTS.columns if not c.required}
    exprs = []
    for c in present:
        add = pl.col(f"__add_{c}")
        value = (add / SCALE[c]) if SCALE[c] != 1 else add
        current = pl.col(c)
        if c in optional:
            current = pl.when(add.is_not_null()).then(current.fill_null(0)).otherwise(current)
        exprs.append(
            pl.when(add.is_null())
            .then(pl.col(c))
            .otherwise(current + value.cast(frame.schema[c]))
            .alias(c)
        )
    return joined.with_columns(exprs).select(columns)


def apply_projects(
    segments: pl.DataFrame,
    schools: pl.DataFrame,
    schedule: pl.DataFrame,
    *,
    whole_school: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Add the counted school projects of `schedule` (`project_schedule`) to `segments` and
    `schools`.

    `whole_school`: whether the evaluation apportions facilities reported on the schools row
    (the standard's apportionment policy is not "none"); if not, everything goes to segments.
    Returns the new segments, the new schools and where each project's additions went:
    project_id, school_id, level (null for the schools row), column, amount.
    """
    counted = schedule.filter(pl.col("target") == "school")
    rows = _long(counted)
    reported = (
        schools.select("school_id", *SHARED_FACILITY_COLUMNS)
        .unpivot(index="school_id", variable_name="column", value_name="__v")
        .filter(pl.col("__v").is_not_null())
        .select("school_id", "column", pl.lit(True).alias("__whole"))
    )
    rows = rows.join(reported, on=["school_id", "column"], how="left").with_columns(
        (pl.col("__whole").fill_null(False) & pl.lit(whole_school)).alias("__whole")
    )
    to_school = rows.filter(pl.col("__whole")).select(
        "project_id", "school_id", pl.lit(None, pl.String).alias("level"), "column", "units"
    )
    to_level = rows.filter(~pl.col("__whole") & pl.col("level").is_not_null())
    split = _split(rows.filter(~pl.col("__whole") & pl.col("level").is_null()), segments)
    to_segment = pl.concat(
        [to_level.select("project_id", "school_id", "level", "column", "units"), split]
    )
    new_segments = _add(segments, to_segment.drop("project_id"), ["school_id", "level"])
    new_schools = _add(schools, to_school.drop("project_id", "level"), ["school_id"])
    scale = pl.col("column").replace_strict(SCALE, return_dtype=pl.Int64)
    where = (
        pl.concat([to_segment, to_school])
        .with_columns((pl.col("units") / scale).alias("amount"))
        .drop("units")
        .sort("project_id", "school_id", "level", "column", nulls_last=True)
    )
    return new_segments, new_schools, where


def kind_zh(kind: str | None) -> str:
    """新建、改扩建 … for a project kind."""
    return dict(PROJECT_KINDS).get(kind or "", kind or "")


def status_zh(status: str | None) -> str:
    """未开工、在建、已完工 for a project status."""
    return dict(PROJECT_STATUSES).get(status or "", status or "")
