"""The staffing plan in the forecast: planned hires and leavers per school and level, and approved
posts (编制) against teachers in post. Pure.

The 编制与招聘计划 table gives per school, level and school year the hires (part of them broken
down by degree and subject), new backbone teachers and the teachers expected to retire or leave.
A forecast to a target year counts the rows of the school years after the latest data year up to
the target year, one year at a time:

- hires (at least the sum of each breakdown) add to 专任教师; the degree breakdown adds to
  研究生 and 本科, the rest of the hires to the column `staffing.yaml` names (专科:
  conservative for R1); the subject breakdown adds to 体育、音乐、美术; 新增骨干教师 adds to
  骨干教师;
- leavers take from 专任教师 and from the education columns in `staffing.yaml`'s order (lowest
  first), never below zero; the subject and backbone counts stay, since the plan does not say who
  leaves.

A segment value that is missing stays missing: a plan cannot complete data the school never gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset, conform, table_schema
from junheng.core.formatting import fmt_number
from junheng.core.schema import LEVEL_ZH, LEVELS, STAFFING

EDUCATION_COLUMNS: tuple[str, ...] = (
    "teachers_postgraduate",
    "teachers_bachelor",
    "teachers_associate",
    "teachers_below_associate",
)
"""The segment's teachers by education, which add up to 专任教师."""

PLAN_COUNTS: tuple[str, ...] = (
    "hires",
    "hires_postgraduate",
    "hires_bachelor",
    "hires_pe",
    "hires_music",
    "hires_fine_art",
    "backbone_new",
    "leavers",
)
"""The staffing table's yearly figures (approved posts are a level, not an addition)."""

ADDS_TO: dict[str, str] = {
    "hires_postgraduate": "teachers_postgraduate",
    "hires_bachelor": "teachers_bachelor",
    "hires_pe": "pe_teachers",
    "hires_music": "music_teachers",
    "hires_fine_art": "fine_art_teachers",
    "backbone_new": "backbone_teachers",
}
"""A breakdown figure of the plan → the segment column it adds to."""

_LEVEL_ORDER = {level: i for i, (level, _) in enumerate(LEVELS)}


class StaffingError(ValueError):
    """`staffing.yaml` is malformed; the message is Chinese and names the file and key."""


@dataclass(frozen=True)
class StaffingRules:
    """The choices of `staffing.yaml`."""

    unknown_degree_hires: str
    """The education column that hires of unstated degree join."""
    leaver_order: tuple[str, ...]
    """Education columns leavers are taken from, first to last."""


def rules_from_mapping(data: Mapping[str, Any], source: str = "staffing.yaml") -> StaffingRules:
    """Rules from a mapping, strictly: unknown, missing or wrong keys raise `StaffingError`
    naming the file and key."""
    if not isinstance(data, Mapping):
        raise StaffingError(f"{source}：内容应为键值映射")
    known = {"unknown_degree_hires", "leaver_order"}
    problems = [f"未知的字段“{k}”" for k in sorted(set(data) - known)]
    problems += [f"缺少字段“{k}”" for k in sorted(known - set(data))]
    if problems:
        raise StaffingError(f"{source}：" + "；".join(problems))
    columns = "、".join(EDUCATION_COLUMNS)
    unknown = data["unknown_degree_hires"]
    if unknown not in EDUCATION_COLUMNS:
        raise StaffingError(
            f"{source}：字段“unknown_degree_hires”应为 {columns} 之一，实际为 {unknown!r}"
        )
    order = data["leaver_order"]
    if (
        not isinstance(order, list)
        or sorted(map(str, order)) != sorted(EDUCATION_COLUMNS)
        or len(order) != len(EDUCATION_COLUMNS)
    ):
        raise StaffingError(
            f"{source}：字段“leaver_order”应把 {columns} 各列一次，实际为 {order!r}"
        )
    return StaffingRules(unknown_degree_hires=unknown, leaver_order=tuple(order))


@cache
def default_rules() -> StaffingRules:
    """The packaged `staffing.yaml` (read once, like a module constant)."""
    import yaml

    path = Path(__file__).with_name("staffing.yaml")
    return rules_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def planned_hires(dataset: Dataset, base_year: int, target_year: int) -> pl.DataFrame:
    """Every staffing row with a hire, a new backbone teacher or a leaver: county, school_id,
    school, level, year, the `PLAN_COUNTS` (missing as 0; hires at least the sum of each of
    its breakdowns), `known` (the school is in the data
    with that level), `counted` (known, and the row's school year is after `base_year` and not
    after `target_year`) and `note` (why it is or is not counted, in Chinese)."""
    staffing = conform(dataset.staffing, table_schema(STAFFING)).with_columns(
        pl.col(c).fill_null(0) for c in PLAN_COUNTS
    )
    staffing = staffing.filter(pl.sum_horizontal(PLAN_COUNTS) > 0).with_columns(
        # The breakdowns are parts of the hires, so the hires are at least each breakdown's sum
        # (a plan giving only 其中体育 2 人 hires 2).
        pl.max_horizontal(
            "hires",
            pl.col("hires_postgraduate") + pl.col("hires_bachelor"),
            pl.col("hires_pe") + pl.col("hires_music") + pl.col("hires_fine_art"),
        ).alias("hires")
    )
    present = dataset.segments.select("school_id", "level", pl.lit(True).alias("__present"))
    frame = (
        staffing.join(
            dataset.schools.select("school_id", "county", pl.col("name").alias("school")),
            on="school_id",
            how="left",
        )
        .join(present, on=["school_id", "level"], how="left")
        .with_columns(pl.col("__present").fill_null(False))
    )
    year = pl.col("year")
    level_zh = pl.col("level").replace_strict(LEVEL_ZH, default=pl.col("level"))
    in_window = (year > base_year) & (year <= target_year)
    note = (
        pl.when(pl.col("school").is_null())
        .then(pl.format("学校标识码「{}」不在学校名录中，未计入", pl.col("school_id")))
        .when(~pl.col("__present"))
        .then(pl.format("该校没有{}学段的数据，未计入", level_zh))
        .when(year <= base_year)
        .then(pl.format("{}年秋季的计划，已含在{}年现状数据中", year, pl.lit(base_year)))
        .when(year > target_year)
        .then(pl.format("{}年秋季的计划，晚于目标年，未计入", year))
        .otherwise(pl.format("{}年秋季到岗，计入预测", year))
    )
    known = pl.col("school").is_not_null() & pl.col("__present")
    counted = in_window & known
    return (
        frame.select(
            "county",
            "school_id",
            "school",
            "level",
            "year",
            *PLAN_COUNTS,
            known.alias("known"),
            counted.alias("counted"),
            note.alias("note"),
        )
        .with_columns(pl.col("level").replace_strict(_LEVEL_ORDER, default=None).alias("__o"))
        .sort("county", "year", "school_id", "__o", nulls_last=True, maintain_order=True)
        .drop("__o")
    )


def apply_staffing(
    segments: pl.DataFrame, hires: pl.DataFrame, rules: StaffingRules | None = None
) -> pl.DataFrame:
    """`segments` with the counted rows of `hires` (from `planned_hires`) applied year by year,
    so leavers of a year are taken from what that year's staff is."""
    rules = rules or default_rules()
    counted = hires.filter(pl.col("counted"))
    columns = segments.columns
    for year in sorted(set(counted.get_column("year").to_list())):
        step = (
            counted.filter(pl.col("year") == year)
            .group_by("school_id", "level")
            .agg(pl.col(c).sum().alias(f"__{c}") for c in PLAN_COUNTS)
        )
        frame = segments.join(step, on=["school_id", "level"], how="left").with_columns(
            pl.col(f"__{c}").fill_null(0) for c in PLAN_COUNTS
        )
        unstated = (
            pl.col("__hires") - pl.col("__hires_postgraduate") - pl.col("__hires_bachelor")
        ).clip(lower_bound=0)
        added = {plan: pl.col(column) + pl.col(f"__{plan}") for plan, column in ADDS_TO.items()}
        frame = frame.with_columns(
            *(expr.alias(ADDS_TO[plan]) for plan, expr in added.items()),
            (pl.col("teachers") + pl.col("__hires") - pl.col("__leavers"))
            .clip(lower_bound=0)
            .alias("teachers"),
        ).with_columns(
            (pl.col(rules.unknown_degree_hires) + unstated).alias(rules.unknown_degree_hires)
        )
        # Leavers from the first education column, the rest from the next, and so on.
        frame = frame.with_columns(pl.col("__leavers").alias("__left"))
        for column in rules.leaver_order:
            take = pl.min_horizontal(pl.col("__left"), pl.col(column).fill_null(0))
            frame = frame.with_columns(
                (pl.col(column) - take).alias(column), (pl.col("__left") - take).alias("__left")
            )
        segments = frame.select(columns)
    return segments


def _posts_at(staffing: pl.DataFrame, year: int) -> pl.DataFrame:
    """school_id, level, approved_posts: each one's latest approved posts up to `year` (a post
    count stands until a later row changes it)."""
    return (
        staffing.filter(pl.col("approved_posts").is_not_null() & (pl.col("year") <= year))
        .sort("year")
        .group_by("school_id", "level", maintain_order=True)
        .agg(pl.col("approved_posts").last())
    )


def posts_table(
    schools: pl.DataFrame,
    before: pl.DataFrame,
    after: pl.DataFrame,
    staffing: pl.DataFrame,
    base_year: int,
    target_year: int,
) -> pl.DataFrame:
    """Approved posts against full-time teachers in post, per school and level that has approved
    posts in `staffing`, for `base_year` (teachers of `before`) and `target_year` (of `after`).

    county, school_id, school, level, year, approved_posts, teachers, vacant (空编: posts above
    teachers), over (超编: teachers above posts), sentence. 在岗 counts 专任教师 only, the figure
    the data has; posts of a year are its latest row up to that year.
    """
    # Frames built in code may lack optional columns; read them as the schema has them.
    staffing = conform(staffing, table_schema(STAFFING))
    keys = staffing.filter(pl.col("approved_posts").is_not_null()).select("school_id", "level")
    keys = keys.unique(maintain_order=True)
    names = schools.select("school_id", "county", pl.col("name").alias("school"))
    frames = []
    for year, segments in ((base_year, before), (target_year, after)):
        frames.append(
            keys.join(_posts_at(staffing, year), on=["school_id", "level"], how="left")
            .join(
                segments.select("school_id", "level", "teachers"),
                on=["school_id", "level"],
                how="left",
            )
            .with_columns(pl.lit(year, pl.Int64).alias("year"))
        )
    frame = pl.concat(frames).join(names, on="school_id", how="left")
    posts, teachers = pl.col("approved_posts"), pl.col("teachers")
    frame = frame.with_columns(
        (posts - teachers).clip(lower_bound=0).alias("vacant"),
        (teachers - posts).clip(lower_bound=0).alias("over"),
    )
    rows = []
    for row in frame.iter_rows(named=True):
        rows.append(_posts_sentence(row))
    order = pl.col("level").replace_strict(_LEVEL_ORDER, default=None)
    return (
        frame.with_columns(pl.Series("sentence", rows, dtype=pl.String))
        .select(
            "county",
            "school_id",
            "school",
            "level",
            "year",
            "approved_posts",
            "teachers",
            "vacant",
            "over",
            "sentence",
        )
        .sort("county", "school_id", order, "year", nulls_last=True, maintain_order=True)
    )


def _posts_sentence(row: Mapping[str, Any]) -> str:
    head = (
        f"{row['school'] or row['school_id']}（{LEVEL_ZH.get(row['level'], row['level'])}）"
        f"{row['year']}年："
    )
    posts, teachers = row["approved_posts"], row["teachers"]
    if posts is None:
        return head + "尚无核定编制数"
    if teachers is None:
        return head + f"核定编制 {posts} 人，专任教师数缺失"
    said = f"核定编制 {posts} 人，在岗专任教师 {teachers} 人，"
    if row["vacant"]:
        return head + said + f"空编 {row['vacant']} 人"
    if row["over"]:
        return head + said + f"超编 {row['over']} 人"
    return head + said + "编制与在岗人数相等"


def hires_sentence(hires: pl.DataFrame) -> str:
    """The counted hires in one clause: "招聘计划 12 人（体育 2 人、音乐 1 人），新增骨干教师 3 人，
    预计退休及调出 4 人"; "" when nothing is counted."""
    counted = hires.filter(pl.col("counted"))
    if counted.is_empty():
        return ""
    totals = {c: int(counted.get_column(c).sum()) for c in PLAN_COUNTS}
    subjects = [
        f"{zh} {fmt_number(totals[c], 0)} 人"
        for c, zh in (("hires_pe", "体育"), ("hires_music", "音乐"), ("hires_fine_art", "美术"))
        if totals[c]
    ]
    parts = []
    if totals["hires"]:
        detail = f"（其中{'、'.join(subjects)}）" if subjects else ""
        parts.append(f"招聘计划 {totals['hires']} 人{detail}")
    if totals["backbone_new"]:
        parts.append(f"新增骨干教师 {totals['backbone_new']} 人")
    if totals["leavers"]:
        parts.append(f"预计退休及调出 {totals['leavers']} 人")
    return "，".join(parts)
