"""The rotation and recruitment planner (交流轮岗与教师补充): who rotates where, and which posts to
fill by school and subject, so that G11 is met and the teacher indicators R1–R3 of the weakest
schools rise most, within the limits a county sets. Pure apart from the solver it calls.

Solver: HiGHS through `highspy`. The model below is a mixed-integer *linear* programme with a
linear objective, which is what HiGHS solves (branch and bound on LP relaxations with a proven
optimality gap, reported back); the wheel is small (about 5 MB) with numpy as its only dependency.
CP-SAT (OR-Tools) is strong on assignment with many logical side constraints, but it would have to
scale the fractional thresholds and penalties to integers and brings a protobuf runtime several
times larger; nothing here needs its strengths.

Inputs (Polars frames, documented so the roster's reader and eligibility rules can feed them):

- `teachers`: one row per 专任教师 — `teacher_id` (text), `school_id`, `level` (primary/junior,
  the level taught), `subject` (pe/music/fine_art/other), `degree` (postgraduate/bachelor/
  associate/below_associate: the education column of the segment table the teacher is counted
  in), `backbone` (bool: 县级及以上骨干教师), `eligible` (bool: 符合交流条件); optional `name`
  and `years_at_school` (those longest at a school are proposed first).
- `segments`: one row per school and level, the segment table's columns — `school_id`, `level`,
  `students`, `teachers`, `teachers_postgraduate`, `teachers_bachelor`, `teachers_associate`,
  `teachers_below_associate`, `backbone_teachers`, `pe_teachers`, `music_teachers`,
  `fine_art_teachers`; optional `name`, `township` and `approved_posts` (核定编制, empty: no cap).
  `planner_segments(dataset)` builds it from a Dataset.

Model (all linear). Teachers of one segment who count alike are interchangeable for every
constraint and for the objective, so the decisions are counts per *type* — a level and what one
teacher adds to each item's numerator (computed by the standard's own formulas on a one-teacher
row, so a provincial R1 rule changes the model without code) and whether the teacher is backbone:

- o[s, τ] ∈ {0 … eligible of type τ at s}: teachers of type τ rotating out of segment s;
  i[s, τ] ≥ 0: rotating in; h[s, subject] ≥ 0: hires (subject group; a hire holds `hire_degree`).
- A *pool* is a level in the county, or a level in one township (`scope: township`). In every
  pool and type Σ o = Σ i = P, and o[s, τ] + i[s, τ] ≤ P: exactly the condition under which the
  counts split into individual moves none of which returns to its own school (transport without
  the diagonal); `_pair_moves` splits them so, largest school first.
- G11: Σ o ≥ ⌈share × eligible⌉ and q·(backbone moved) ≥ p·(all moved) for the backbone share
  p/q (5·backbone ≥ rotated at 20 %); both shares are the standard's G11 thresholds.
- Approved posts: teachers − out + in + hires ≤ max(approved posts, teachers now) per segment
  (a school already over its posts may not grow). Hires ≤ max_hires, per subject ≤ its cap.
- Objective: minimise Σ over segments and items of the whole teachers short of the standard's
  threshold after the plan (need = ⌈threshold × students ÷ factor⌉, computed exactly), plus
  `move_penalty` per move and `hire_penalty` per hire. The weakest schools hold the shortfall, so
  this lifts them first and lowers the spread (the CVs); a teacher short is one teacher wherever
  it is, so a small school is never ignored for a large one. Maximising the minimum was not
  chosen: it moves nothing for the second-weakest school until the weakest is level with it.

The aggregated optimum equals the optimum over individual assignments (any assignment gives
counts meeting the constraints; any such counts split into moves), which the tests check by brute
force on tiny counties.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.standard import Item, Standard

SUBJECTS: dict[str, str] = {"pe": "体育", "music": "音乐", "fine_art": "美术", "other": "其他学科"}
"""Subject groups of a teacher or a hire, with their Chinese names."""
SUBJECT_COLUMN: dict[str, str | None] = {
    "pe": "pe_teachers",
    "music": "music_teachers",
    "fine_art": "fine_art_teachers",
    "other": None,
}
DEGREES: dict[str, str] = {
    "postgraduate": "研究生",
    "bachelor": "本科",
    "associate": "专科",
    "below_associate": "高中及以下",
}
"""Highest education of a teacher, as the segment table's education columns."""
DEGREE_COLUMN: dict[str, str] = {d: f"teachers_{d}" for d in DEGREES}
COUNT_COLUMNS: tuple[str, ...] = (
    "teachers",
    *DEGREE_COLUMN.values(),
    "backbone_teachers",
    "pe_teachers",
    "music_teachers",
    "fine_art_teachers",
)
"""The segment counts a move or a hire changes."""
TEACHER_COLUMNS: dict[str, str] = {
    "teacher_id": "教师编号",
    "school_id": "学校标识码",
    "level": "学段",
    "subject": "学科",
    "degree": "最高学历",
    "backbone": "骨干教师",
    "eligible": "符合交流条件",
}
SEGMENT_COLUMNS: dict[str, str] = {
    "school_id": "学校标识码",
    "level": "学段",
    "students": "在校生数",
    "teachers": "专任教师数",
    "teachers_postgraduate": "研究生学历专任教师数",
    "teachers_bachelor": "本科学历专任教师数",
    "teachers_associate": "专科学历专任教师数",
    "teachers_below_associate": "高中及以下学历专任教师数",
    "backbone_teachers": "县级及以上骨干教师数",
    "pe_teachers": "体育专任教师数",
    "music_teachers": "音乐专任教师数",
    "fine_art_teachers": "美术专任教师数",
}
SCOPES: dict[str, str] = {"county": "全县范围内", "township": "同一乡镇内"}
OPTIMAL, FEASIBLE = "最优", "可行"

_INF = float("inf")


class PlanError(ValueError):
    """No plan can be made; the message says why in Chinese."""


@dataclass(frozen=True)
class PlanLimits:
    """What a county allows; defaults from `planner.yaml`."""

    items: tuple[str, ...]
    rotation_item: str
    share_check: str
    backbone_check: str
    scope: str
    max_hires: int
    hires_by_subject: Mapping[str, int]
    hire_degree: str
    move_penalty: float
    hire_penalty: float
    spread_weight: float
    mip_gap: float
    time_limit_seconds: float
    rotation_share: float | None = None
    """A county's own minimum share (None: the standard's G11)."""
    backbone_share: float | None = None


@dataclass(frozen=True)
class RotationPlan:
    """A plan and how good it is."""

    moves: pl.DataFrame
    """teacher_id, name, level, subject, degree, backbone, from_school_id, from_school,
    to_school_id, to_school, reason (Chinese)."""
    hires: pl.DataFrame
    """school_id, school, level, subject, hires, reason (Chinese)."""
    segments: pl.DataFrame
    """One row per segment: school_id, level, name, township, students, every count column as
    `<column>_before` and `<column>_after`, and per item `<item>_before`/`<item>_after` (value per
    the item's factor of students) and `<item>_short_before`/`<item>_short_after` (teachers)."""
    status: str
    """最优 (proven optimal) or 可行 (within `gap` of the optimum)."""
    gap: float
    seconds: float
    objective: float
    eligible: int
    required_moves: int
    backbone_moved: int
    shortfall_before: int
    shortfall_after: int
    summary: str
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------
# Limits


def limits_from_mapping(data: Mapping[str, Any], source: str = "planner.yaml") -> PlanLimits:
    """Limits from a mapping, strictly: unknown, missing or wrong keys raise `PlanError`."""
    if not isinstance(data, Mapping):
        raise PlanError(f"{source}：内容应为键值映射")
    known = {
        "items",
        "rotation",
        "scope",
        "max_hires",
        "hires_by_subject",
        "hire_degree",
        "move_penalty",
        "hire_penalty",
        "spread_weight",
        "mip_gap",
        "time_limit_seconds",
    }
    problems = [f"未知的字段“{k}”" for k in sorted(set(data) - known)]
    problems += [f"缺少字段“{k}”" for k in sorted(known - set(data))]
    if problems:
        raise PlanError(f"{source}：" + "；".join(problems))
    rotation = data["rotation"]
    if not isinstance(rotation, Mapping) or set(rotation) != {
        "item",
        "share_check",
        "backbone_check",
    }:
        raise PlanError(f"{source}：字段“rotation”应含 item、share_check、backbone_check")
    limits = PlanLimits(
        items=tuple(str(i) for i in data["items"]),
        rotation_item=str(rotation["item"]),
        share_check=str(rotation["share_check"]),
        backbone_check=str(rotation["backbone_check"]),
        scope=data["scope"],
        max_hires=data["max_hires"],
        hires_by_subject=dict(data["hires_by_subject"] or {}),
        hire_degree=data["hire_degree"],
        move_penalty=float(data["move_penalty"]),
        hire_penalty=float(data["hire_penalty"]),
        spread_weight=float(data["spread_weight"]),
        mip_gap=float(data["mip_gap"]),
        time_limit_seconds=float(data["time_limit_seconds"]),
    )
    check_limits(limits, source)
    return limits


def check_limits(limits: PlanLimits, source: str = "规划限制") -> None:
    """Raise `PlanError` in Chinese for a limit out of its range."""
    problems = []
    if limits.scope not in SCOPES:
        problems.append(f"交流范围应为 {'、'.join(SCOPES)} 之一，实际为 {limits.scope!r}")
    if not isinstance(limits.max_hires, int) or limits.max_hires < 0:
        problems.append(f"招聘总数应为不小于 0 的整数，实际为 {limits.max_hires!r}")
    for subject, cap in limits.hires_by_subject.items():
        if subject not in SUBJECTS:
            problems.append(f"分学科招聘上限中的学科应为 {'、'.join(SUBJECTS)} 之一")
        elif not isinstance(cap, int) or cap < 0:
            problems.append(f"{SUBJECTS[subject]}招聘上限应为不小于 0 的整数")
    if limits.hire_degree not in DEGREES:
        problems.append(f"新招聘教师学历应为 {'、'.join(DEGREES)} 之一")
    if min(limits.move_penalty, limits.hire_penalty, limits.spread_weight) < 0:
        problems.append("交流、招聘和校际差异的权重不能为负数")
    if not 0 <= limits.mip_gap < 1:
        problems.append("最优性差距应在 0 与 1 之间")
    if limits.time_limit_seconds <= 0:
        problems.append("求解时间上限应大于 0 秒")
    for share in (limits.rotation_share, limits.backbone_share):
        if share is not None and not 0 <= share <= 1:
            problems.append("交流比例应在 0 与 1 之间")
    if problems:
        raise PlanError(f"{source}：" + "；".join(problems))


@cache
def default_limits() -> PlanLimits:
    """The packaged `planner.yaml` (read once, like a module constant)."""
    import yaml

    path = Path(__file__).with_name("planner.yaml")
    return limits_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


# ---------------------------------------------------------------------------------------------
# The standard's pieces


def _exact(value: float | int) -> Fraction:
    # Thresholds are written with finite decimals; their repr is that decimal.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _items(standard: Standard, limits: PlanLimits) -> list[Item]:
    items = []
    for item_id in limits.items:
        item = standard.items.get(item_id)
        if item is None or item.ratio is None:
            raise PlanError(f"标准《{standard.name}》没有按比例计算的指标 {item_id}")
        if item.ratio.denominator.columns() != {"students"}:
            raise PlanError(f"指标 {item_id} 的分母不是在校生数，规划无法计算")
        items.append(item)
    return items


def rotation_shares(standard: Standard, limits: PlanLimits) -> tuple[Fraction, Fraction]:
    """The minimum share of eligible teachers to rotate and the backbone share of those rotated:
    the county's own, else the thresholds of the standard's rotation item (G11)."""
    item = standard.items.get(limits.rotation_item)
    checks = {c.key: c for c in item.checks} if item else {}
    shares = []
    for own, key in (
        (limits.rotation_share, limits.share_check),
        (limits.backbone_share, limits.backbone_check),
    ):
        if own is not None:
            shares.append(_exact(own))
            continue
        check = checks.get(key)
        if check is None or check.threshold.constant is None:
            raise PlanError(
                f"标准《{standard.name}》中没有找到交流轮岗的比例要求（{limits.rotation_item}）"
            )
        shares.append(_exact(check.threshold.constant))
    return shares[0], shares[1]


def _numerator(item: Item, level: str) -> pl.Expr:
    assert item.ratio is not None
    return item.ratio.numerator[level].to_polars().cast(pl.Float64)


def _profile_gains(items: Sequence[Item], levels: Sequence[str]) -> pl.DataFrame:
    """What one teacher of each profile adds to each item's numerator, by the standard's own
    formulas: numerator(the teacher's columns at 1) − numerator(all columns at 0)."""
    rows = [
        {"degree": d, "backbone": b, "subject": s}
        for d in DEGREES
        for b in (False, True)
        for s in SUBJECTS
    ]
    profiles = pl.DataFrame(rows)
    read = set().union(*(f.columns() for i in items for f in i.ratio.numerator.values()))
    cols = {}
    for column in sorted(read | set(COUNT_COLUMNS)):
        expr = pl.lit(0)
        if column == "teachers":
            expr = pl.lit(1)
        elif column == "backbone_teachers":
            expr = pl.col("backbone").cast(pl.Int64)
        elif column in DEGREE_COLUMN.values():
            expr = (pl.col("degree") == column.removeprefix("teachers_")).cast(pl.Int64)
        elif column in {c for c in SUBJECT_COLUMN.values() if c}:
            subject = next(s for s, c in SUBJECT_COLUMN.items() if c == column)
            expr = (pl.col("subject") == subject).cast(pl.Int64)
        cols[column] = expr.cast(pl.Int64)
    frames = []
    for level in levels:
        row = profiles.with_columns(**cols)
        zero = pl.DataFrame({c: [0] for c in cols})
        gains = {}
        for item in items:
            base = zero.select(_numerator(item, level)).item()
            gains[item.id] = row.select(_numerator(item, level) - base).to_series()
        frame = profiles.with_columns(level=pl.lit(level), **gains)
        for item in items:
            values = frame[item.id]
            if ((values - values.round()).abs() > 1e-9).any():
                raise PlanError(f"指标 {item.id} 的分子不是教师人数之和，规划无法计算")
            frame = frame.with_columns(pl.col(item.id).round().cast(pl.Int64))
        frames.append(frame)
    return pl.concat(frames)


# ---------------------------------------------------------------------------------------------
# Frames


def planner_segments(dataset: Dataset, approved_posts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The planner's segments from a Dataset: public, non-special schools' segments with name and
    township; `approved_posts` (school_id, level, approved_posts) when given."""
    schools = dataset.schools.select(
        "school_id",
        "name",
        pl.col("township") if "township" in dataset.schools.columns else pl.lit(None),
        "kind",
        pl.col("ownership").fill_null("public")
        if "ownership" in dataset.schools.columns
        else pl.lit("public").alias("ownership"),
    )
    frame = (
        dataset.segments.select(
            "school_id", "level", "students", *COUNT_COLUMNS, *_optional(dataset.segments)
        )
        .join(schools, on="school_id", how="left")
        .filter((pl.col("ownership") != "private") & (pl.col("kind") != "special"))
        .drop("kind", "ownership")
    )
    if approved_posts is not None:
        frame = frame.join(
            approved_posts.select("school_id", "level", "approved_posts"),
            on=["school_id", "level"],
            how="left",
        )
    else:
        frame = frame.with_columns(approved_posts=pl.lit(None, pl.Int64))
    return frame


def _optional(segments: pl.DataFrame) -> list[str]:
    return [c for c in ("arts_teachers",) if c in segments.columns]


def _missing(frame: pl.DataFrame, columns: Mapping[str, str], what: str) -> None:
    missing = [label for column, label in columns.items() if column not in frame.columns]
    if missing:
        raise PlanError(f"{what}缺少列：{'、'.join(missing)}")


def _segments_frame(segments: pl.DataFrame) -> pl.DataFrame:
    _missing(segments, SEGMENT_COLUMNS, "学段数据")
    frame = segments
    for column, dtype in (
        ("name", pl.String),
        ("township", pl.String),
        ("approved_posts", pl.Int64),
    ):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(column))
    duplicated = frame.filter(pl.struct("school_id", "level").is_duplicated())
    if duplicated.height:
        raise PlanError("学段数据中同一学校同一学段出现多行")
    return frame.with_columns(pl.col("name").fill_null("")).with_row_index("seg")


def _teachers_frame(teachers: pl.DataFrame, segments: pl.DataFrame) -> pl.DataFrame:
    _missing(teachers, TEACHER_COLUMNS, "教师名册")
    frame = teachers
    if "name" not in frame.columns:
        frame = frame.with_columns(name=pl.lit(""))
    if "years_at_school" not in frame.columns:
        frame = frame.with_columns(years_at_school=pl.lit(0))
    if frame["teacher_id"].is_duplicated().any():
        raise PlanError("教师名册中有重复的教师编号")
    for column, allowed in (("subject", SUBJECTS), ("degree", DEGREES)):
        bad = frame.filter(~pl.col(column).is_in(list(allowed)))
        if bad.height:
            raise PlanError(
                f"教师名册的“{TEACHER_COLUMNS[column]}”只能是"
                f"{'、'.join(allowed.values())}（共 {bad.height} 行不符）"
            )
    frame = frame.with_columns(
        pl.col("backbone").fill_null(False), pl.col("eligible").fill_null(False)
    ).join(segments.select("school_id", "level", "seg"), on=["school_id", "level"], how="left")
    orphans = frame.filter(pl.col("seg").is_null())
    if orphans.height:
        raise PlanError(
            f"教师名册中有 {orphans.height} 名教师所在学校和学段不在学段数据中，请先核对名册"
        )
    return frame


def shift_counts(
    segments: pl.DataFrame,
    teachers: pl.DataFrame,
    moves: pl.DataFrame,
    hires: pl.DataFrame,
    hire_degree: str,
) -> pl.DataFrame:
    """The segments with their counts after `moves` (teacher_id, to_school_id) and `hires`
    (school_id, level, subject, hires): each moved teacher leaves their segment and joins the
    same level of the receiving school; a hire adds a teacher of `hire_degree`."""
    moved = moves.select("teacher_id", "to_school_id").join(
        teachers.select("teacher_id", "school_id", "level", "subject", "degree", "backbone"),
        on="teacher_id",
    )
    hired = hires.select(
        "school_id",
        "level",
        "subject",
        pl.lit(hire_degree).alias("degree"),
        pl.lit(False).alias("backbone"),
        pl.col("hires").cast(pl.Int64).alias("n"),
    )
    signed = pl.concat(
        [
            moved.select(
                "school_id", "level", "subject", "degree", "backbone", pl.lit(-1).alias("n")
            ),
            moved.select(
                pl.col("to_school_id").alias("school_id"),
                "level",
                "subject",
                "degree",
                "backbone",
                pl.lit(1).alias("n"),
            ),
            hired,
        ],
        how="vertical_relaxed",
    )
    deltas = signed.group_by("school_id", "level").agg(
        pl.col("n").sum().alias("teachers"),
        *[
            pl.col("n").filter(pl.col("degree") == d).sum().alias(c)
            for d, c in DEGREE_COLUMN.items()
        ],
        pl.col("n").filter(pl.col("backbone")).sum().alias("backbone_teachers"),
        *[
            pl.col("n").filter(pl.col("subject") == s).sum().alias(c)
            for s, c in SUBJECT_COLUMN.items()
            if c
        ],
    )
    return (
        segments.join(deltas, on=["school_id", "level"], how="left", suffix="__d")
        .with_columns(pl.col(c) + pl.col(f"{c}__d").fill_null(0) for c in COUNT_COLUMNS)
        .drop(f"{c}__d" for c in COUNT_COLUMNS)
    )


def teacher_shortfall(
    segments: pl.DataFrame, standard: Standard, limits: PlanLimits | None = None
) -> pl.DataFrame:
    """Per segment and item: `<item>` the value, `<item>_count` the numerator (teachers),
    `<item>_need` the teachers the threshold asks (⌈threshold × students ÷ factor⌉, exact) and
    `<item>_short` the whole teachers missing (0 when students or the count are missing: nothing
    can be judged there)."""
    limits = limits or default_limits()
    items = _items(standard, limits)
    frame = segments
    for column in ("arts_teachers",):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Int64).alias(column))
    out = []
    for item in items:
        assert item.ratio is not None
        count = pl.lit(None, pl.Float64)
        need = pl.lit(None, pl.Int64)
        factor = _exact(item.ratio.factor)
        for level in item.ratio.numerator:
            threshold = _exact(item.threshold[level])
            count = pl.when(pl.col("level") == level).then(_numerator(item, level)).otherwise(count)
            # ⌈T·n/f⌉ in integers: T = a/b, f = c/d → ⌈a·d·n / (b·c)⌉.
            num, den = (threshold / factor).numerator, (threshold / factor).denominator
            need = (
                pl.when(pl.col("level") == level)
                .then((pl.col("students").cast(pl.Int64) * num + den - 1) // den)
                .otherwise(need)
            )
        out += [
            (count * float(item.ratio.factor) / pl.col("students")).alias(item.id),
            count.round().cast(pl.Int64).alias(f"{item.id}_count"),
            need.alias(f"{item.id}_need"),
        ]
    frame = frame.with_columns(out)
    return frame.with_columns(
        pl.when(pl.col("students") > 0)
        .then(pl.max_horizontal(pl.col(f"{i.id}_need") - pl.col(f"{i.id}_count"), pl.lit(0)))
        .otherwise(0)
        .fill_null(0)
        .cast(pl.Int64)
        .alias(f"{i.id}_short")
        for i in items
    )


# ---------------------------------------------------------------------------------------------
# The model


class _Model:
    """A sparse MILP built row by row, then handed to HiGHS at once."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        self.offset = 0.0

    def var(self, cost: float, lower: float, upper: float, integer: bool) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, index: list[int], value: list[float], lower: float, upper: float) -> None:
        if index:
            self.rows.append((index, value, lower, upper))
        elif lower > 1e-9 or upper < -1e-9:
            self.rows.append(([], [], lower, upper))

    def solve(self, gap: float, seconds: float) -> tuple[str, list[float], float, float]:
        import highspy
        import numpy as np

        if any(not idx and (lo > 0 or hi < 0) for idx, _, lo, hi in self.rows):
            return "infeasible", [], math.nan, math.nan
        rows = [r for r in self.rows if r[0]]
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.array(self.cost, dtype=float)
        lp.col_lower_ = np.array(self.lower, dtype=float)
        lp.col_upper_ = np.array([highspy.kHighsInf if u == _INF else u for u in self.upper])
        lp.row_lower_ = np.array([highspy.kHighsInf * -1 if r[2] == -_INF else r[2] for r in rows])
        lp.row_upper_ = np.array([highspy.kHighsInf if r[3] == _INF else r[3] for r in rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        starts = np.zeros(len(rows) + 1, dtype=np.int32)
        starts[1:] = np.cumsum([len(r[0]) for r in rows])
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = np.array([i for r in rows for i in r[0]], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([v for r in rows for v in r[1]], dtype=float)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in self.integer
        ]
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("mip_rel_gap", gap)
        solver.setOptionValue("time_limit", seconds)
        solver.setOptionValue("random_seed", 1)
        lp.offset_ = self.offset
        solver.passModel(lp)
        solver.run()
        status = solver.getModelStatus()
        info = solver.getInfo()
        kind = highspy.HighsModelStatus
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return "infeasible", [], math.nan, math.nan
        if info.primal_solution_status != 2:  # 2: a feasible solution is known
            return "no_solution", [], math.nan, math.nan
        values = list(solver.getSolution().col_value)
        reported = float(info.mip_gap) if any(self.integer) else 0.0
        return "solved", values, float(info.objective_function_value), max(0.0, reported)


@dataclass
class _Built:
    model: _Model
    out: dict[tuple[int, int], int]
    into: dict[tuple[int, int], int]
    hire: dict[tuple[int, str], int]


def _pool_keys(segs: pl.DataFrame, scope: str) -> list[tuple[Any, ...]]:
    keys = []
    for seg, level, township in segs.select("seg", "level", "township").iter_rows():
        if scope == "county":
            keys.append((level,))
        elif township is None or township == "":
            # No township: no school shares its pool, so it neither sends nor receives.
            keys.append((level, None, seg))
        else:
            keys.append((level, township))
    return keys


def _build(
    segs: pl.DataFrame,
    types: pl.DataFrame,
    eligible: Mapping[tuple[int, int], int],
    hire_gain: Mapping[tuple[str, str], tuple[int, ...]],
    items: Sequence[Item],
    limits: PlanLimits,
    required: int,
    backbone_share: Fraction,
    *,
    scope: str,
    with_backbone: bool = True,
    with_posts: bool = True,
) -> _Built:
    model = _Model()
    out: dict[tuple[int, int], int] = {}
    into: dict[tuple[int, int], int] = {}
    hire: dict[tuple[int, str], int] = {}
    type_rows = {t: row for t, *row in types.iter_rows()}  # type → level, backbone, gains…
    pools: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for seg, key in zip(segs["seg"].to_list(), _pool_keys(segs, scope), strict=True):
        pools[key].append(seg)
    by_type_seg: dict[int, dict[int, int]] = defaultdict(dict)
    for (seg, t), n in eligible.items():
        by_type_seg[t][seg] = n
    for members in pools.values():
        if len(members) < 2:
            continue
        level = segs["level"][members[0]]
        for t, (t_level, *_rest) in type_rows.items():
            if t_level != level:
                continue
            supply = {s: by_type_seg[t].get(s, 0) for s in members}
            total = sum(supply.values())
            if total == 0:
                continue
            flow = model.var(0.0, 0, total, False)
            for s in members:
                if supply[s]:
                    out[s, t] = model.var(limits.move_penalty, 0, supply[s], True)
                into[s, t] = model.var(0.0, 0, total, True)
            outs = [out[s, t] for s in members if (s, t) in out]
            model.row([*outs, flow], [1.0] * len(outs) + [-1.0], 0, 0)
            model.row([into[s, t] for s in members] + [flow], [1.0] * len(members) + [-1.0], 0, 0)
            for s in members:
                idx = [into[s, t], flow] + ([out[s, t]] if (s, t) in out else [])
                model.row(idx, [1.0, -1.0] + [1.0] * (len(idx) - 2), -_INF, 0)
    seg_rows = segs.rows(named=True)
    if limits.max_hires > 0:
        for row in seg_rows:
            for subject in SUBJECTS:
                cap = min(limits.max_hires, limits.hires_by_subject.get(subject, limits.max_hires))
                if cap > 0:
                    hire[row["seg"], subject] = model.var(limits.hire_penalty, 0, cap, True)
        model.row(list(hire.values()), [1.0] * len(hire), -_INF, limits.max_hires)
        for subject, cap in limits.hires_by_subject.items():
            idx = [v for (_, s), v in hire.items() if s == subject]
            model.row(idx, [1.0] * len(idx), -_INF, cap)
    all_out = list(out.items())
    model.row([v for _, v in all_out], [1.0] * len(all_out), required, _INF)
    if with_backbone:
        p, q = backbone_share.numerator, backbone_share.denominator
        model.row(
            [v for _, v in all_out],
            [float(q * type_rows[t][1] - p) for (_, t), v in all_out],
            0,
            _INF,
        )
    out_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    in_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (s, t), v in out.items():
        out_of[s].append((t, v))
    for (s, t), v in into.items():
        in_of[s].append((t, v))
    hires_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (s, subject), v in hire.items():
        hires_of[s].append((subject, v))
    for row in seg_rows:
        s = row["seg"]
        for k, item in enumerate(items):
            if row[f"{item.id}_count"] is None or not row["students"]:
                continue
            gap = row[f"{item.id}_need"] - row[f"{item.id}_count"]
            idx: list[int] = []
            val: list[float] = []
            loss = 0
            for t, v in out_of[s]:
                gain = type_rows[t][2 + k]
                if gain:
                    idx.append(v)
                    val.append(-gain)
                    loss += max(0, gain) * eligible[s, t]
            for t, v in in_of[s]:
                gain = type_rows[t][2 + k]
                if gain:
                    idx.append(v)
                    val.append(gain)
            for subject, v in hires_of[s]:
                gain = hire_gain[row["level"], subject][k]
                if gain:
                    idx.append(v)
                    val.append(gain)
            away = row[f"{item.id}_count"] - row[f"{item.id}_target"]
            if limits.spread_weight > 0 and not idx:
                model.offset += limits.spread_weight * abs(away)
            elif limits.spread_weight > 0:
                # |count after − the level's mean share of it|, in teachers (see the docstring).
                spread = model.var(limits.spread_weight, 0, _INF, False)
                model.row([spread, *idx], [1.0, *[-v for v in val]], away, _INF)
                model.row([spread, *idx], [1.0, *val], -away, _INF)
            if gap + loss <= 0:
                continue  # never short, whatever the plan does
            short = model.var(1.0, 0, _INF, False)
            model.row([short, *idx], [1.0, *val], gap, _INF)
        if with_posts and row["approved_posts"] is not None:
            room = max(0, row["approved_posts"] - row["teachers"])
            idx = [v for _, v in in_of[s]] + [v for _, v in hires_of[s]]
            idx_out = [v for _, v in out_of[s]]
            model.row(idx + idx_out, [1.0] * len(idx) + [-1.0] * len(idx_out), -_INF, room)
    return _Built(model, out, into, hire)


def _pair_moves(outs: dict[int, int], ins: dict[int, int]) -> list[tuple[int, int, int]]:
    """Split out- and in-counts of one pool and type into (from, to, count) with from ≠ to.

    Always take the school with the most remaining (out + in) and pair it with the largest other
    school on the other side. With o + i ≤ total for every school (the model's constraint) this
    never gets stuck: a school at the total is always the one served, and after each pairing the
    condition holds for the smaller total."""
    remaining = {s: outs.get(s, 0) + ins.get(s, 0) for s in set(outs) | set(ins)}
    rem_out = dict(outs)
    rem_in = dict(ins)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    heap = [(-n, s) for s, n in remaining.items() if n]
    heapq.heapify(heap)
    while heap:
        n, s = heapq.heappop(heap)
        if -n != remaining[s] or not remaining[s]:
            continue
        side_out = rem_out.get(s, 0) > 0
        partner = None
        skipped = []
        while heap:
            m, r = heapq.heappop(heap)
            if -m != remaining[r] or not remaining[r]:
                continue
            if r != s and (rem_in.get(r, 0) if side_out else rem_out.get(r, 0)) > 0:
                partner = r
                break
            skipped.append((m, r))
        if partner is None:
            raise PlanError("交流名单无法拆分到个人（内部错误）")
        src, dst = (s, partner) if side_out else (partner, s)
        pairs[src, dst] += 1
        rem_out[src] -= 1
        rem_in[dst] -= 1
        for x in (s, partner):
            remaining[x] -= 1
        for entry in skipped:
            heapq.heappush(heap, entry)
        for x in (s, partner):
            if remaining[x]:
                heapq.heappush(heap, (-remaining[x], x))
    return [(a, b, n) for (a, b), n in pairs.items()]


# ---------------------------------------------------------------------------------------------
# The planner


def _with_targets(segs: pl.DataFrame, items: Sequence[Item]) -> pl.DataFrame:
    """`<item>_target`: the segment's share of its level's count by students (the count at the
    level's mean value), over segments that can be judged."""
    judged = (pl.col("students") > 0).fill_null(False) & pl.col("level").is_not_null()
    return segs.with_columns(
        (
            pl.col("students")
            * pl.col(f"{i.id}_count").filter(judged).sum().over("level")
            / pl.col("students").filter(judged).sum().over("level")
        ).alias(f"{i.id}_target")
        for i in items
    )


def plan_objective(
    teachers: pl.DataFrame,
    segments: pl.DataFrame,
    standard: Standard,
    moves: pl.DataFrame,
    hires: pl.DataFrame,
    limits: PlanLimits | None = None,
) -> float:
    """The planner's objective for any plan (`moves`: teacher_id, to_school_id; `hires`:
    school_id, level, subject, hires), so other plans can be compared with its own: teachers
    short after the plan + move and hire costs + the spread term around the level means before."""
    limits = limits or default_limits()
    items = _items(standard, limits)
    before = _with_targets(teacher_shortfall(_segments_frame(segments), standard, limits), items)
    after = teacher_shortfall(
        shift_counts(before, teachers, moves, hires, limits.hire_degree), standard, limits
    )
    judged = (pl.col("students") > 0).fill_null(False)
    spread = sum(
        after.select(
            (pl.col(f"{i.id}_count") - pl.col(f"{i.id}_target")).abs().filter(judged).sum()
        ).item()
        for i in items
    )
    short = sum(int(after[f"{i.id}_short"].sum()) for i in items)
    hired = int(hires["hires"].sum()) if hires.height else 0
    return (
        short
        + limits.move_penalty * moves.height
        + limits.hire_penalty * hired
        + limits.spread_weight * spread
    )


def plan_rotation(
    teachers: pl.DataFrame,
    segments: pl.DataFrame,
    standard: Standard,
    limits: PlanLimits | None = None,
) -> RotationPlan:
    """The plan of least shortfall of the items below the standard's thresholds (plus small move
    and hire costs) meeting G11 and the limits; `PlanError` in Chinese when none exists."""
    started = time.perf_counter()
    limits = limits or default_limits()
    check_limits(limits)
    items = _items(standard, limits)
    rotation_share, backbone_share = rotation_shares(standard, limits)
    segs = _with_targets(teacher_shortfall(_segments_frame(segments), standard, limits), items)
    roster = _teachers_frame(teachers, segs)
    levels = sorted(set(segs["level"].to_list()))
    gains = _profile_gains(items, levels)
    item_ids = [i.id for i in items]
    types = (
        gains.select("level", "backbone", *item_ids)
        .unique()
        .sort("level", "backbone", *item_ids)
        .with_row_index("type")
        .select("type", "level", pl.col("backbone").cast(pl.Int64), *item_ids)
    )
    profile_type = gains.join(
        types.with_columns(pl.col("backbone").cast(pl.Boolean)),
        on=["level", "backbone", *item_ids],
    ).select("level", "degree", "backbone", "subject", "type")
    roster = roster.join(profile_type, on=["level", "degree", "backbone", "subject"], how="left")
    hire_gain = {
        (level, subject): tuple(row)
        for level, subject, *row in gains.filter(
            (pl.col("degree") == limits.hire_degree) & ~pl.col("backbone")
        )
        .select("level", "subject", *item_ids)
        .iter_rows()
    }
    pool_eligible = roster.filter(pl.col("eligible"))
    n_eligible = pool_eligible.height
    required = math.ceil(rotation_share * n_eligible)
    eligible = {
        (s, t): n for s, t, n in pool_eligible.group_by("seg", "type").len().iter_rows() if n
    }
    _precheck(segs, pool_eligible, limits, required, backbone_share, rotation_share)
    built = _build(
        segs,
        types,
        eligible,
        hire_gain,
        items,
        limits,
        required,
        backbone_share,
        scope=limits.scope,
    )
    state, values, objective, gap = built.model.solve(
        limits.mip_gap, max(0.001, limits.time_limit_seconds - (time.perf_counter() - started))
    )
    if state == "infeasible":
        raise PlanError(
            _explain_infeasible(
                segs,
                types,
                eligible,
                hire_gain,
                items,
                limits,
                required,
                backbone_share,
                rotation_share,
            )
        )
    if state == "no_solution":
        raise PlanError(
            f"在 {fmt_plain(limits.time_limit_seconds)} 秒内没有找到可行方案；可延长求解时间后再试"
        )

    def take(index: int) -> int:
        return round(values[index])

    moves = _moves(segs, roster, types, built, take, limits.scope)
    hire_rows = [(s, subject, take(v)) for (s, subject), v in built.hire.items() if take(v) > 0]
    hires = pl.DataFrame(
        hire_rows, schema={"seg": pl.UInt32, "subject": pl.String, "hires": pl.Int64}, orient="row"
    ).join(segs.select("seg", "school_id", "level", "name"), on="seg")
    after = teacher_shortfall(
        shift_counts(segs.select(segments_columns(segs)), roster, moves, hires, limits.hire_degree),
        standard,
        limits,
    )
    before = segs
    frame = _before_after(before, after, items)
    moves = _move_reasons(moves, roster, frame, items, standard, rotation_share, backbone_share)
    hires = _hire_reasons(hires, frame, items, hire_gain)
    shortfall_before = int(sum(frame[f"{i.id}_short_before"].sum() for i in items))
    shortfall_after = int(sum(frame[f"{i.id}_short_after"].sum() for i in items))
    backbone_moved = int(moves["backbone"].sum()) if moves.height else 0
    status = OPTIMAL if gap <= 1e-9 else FEASIBLE
    seconds = time.perf_counter() - started
    summary = _summary(
        n_eligible,
        required,
        moves.height,
        backbone_moved,
        int(hires["hires"].sum()) if hires.height else 0,
        shortfall_before,
        shortfall_after,
        items,
        status,
        gap,
        seconds,
    )
    notes = _notes(segs, limits)
    return RotationPlan(
        moves=moves,
        hires=hires,
        segments=frame,
        status=status,
        gap=gap,
        seconds=seconds,
        objective=objective,
        eligible=n_eligible,
        required_moves=required,
        backbone_moved=backbone_moved,
        shortfall_before=shortfall_before,
        shortfall_after=shortfall_after,
        summary=summary,
        notes=notes,
    )


def segments_columns(segs: pl.DataFrame) -> list[str]:
    """The input columns of a prepared segments frame (without the planner's own)."""
    keep = ["seg", "school_id", "level", "name", "township", "students", "approved_posts"]
    return [c for c in (*keep, *COUNT_COLUMNS, "arts_teachers") if c in segs.columns]


def _precheck(
    segs: pl.DataFrame,
    eligible: pl.DataFrame,
    limits: PlanLimits,
    required: int,
    backbone_share: Fraction,
    rotation_share: Fraction,
) -> None:
    keys = dict(zip(segs["seg"].to_list(), _pool_keys(segs, limits.scope), strict=True))
    sizes: dict[tuple[Any, ...], int] = defaultdict(int)
    for key in keys.values():
        sizes[key] += 1
    shared = [s for s, key in keys.items() if sizes[key] > 1]
    movable = eligible.filter(pl.col("seg").is_in(shared))
    where = SCOPES[limits.scope]
    if movable.height < required:
        raise PlanError(
            f"符合交流条件的教师 {eligible.height} 人，按不低于 {_pct(rotation_share)} 至少应交流"
            f" {required} 人，但其中只有 {movable.height} 人在{where}有同学段的其他学校可去"
            + ("（未填乡镇的学校无法在乡镇内交流）" if limits.scope == "township" else "")
        )
    backbone = int(movable["backbone"].sum())
    least = math.ceil(backbone_share * required)
    if backbone < least:
        raise PlanError(
            f"至少应交流 {required} 人，其中骨干教师不低于 {_pct(backbone_share)}，即至少"
            f" {least} 人；但{where}可交流的符合条件骨干教师只有 {backbone} 人"
        )


def _explain_infeasible(
    segs: pl.DataFrame,
    types: pl.DataFrame,
    eligible: Mapping[tuple[int, int], int],
    hire_gain: Mapping[tuple[str, str], tuple[int, ...]],
    items: Sequence[Item],
    limits: PlanLimits,
    required: int,
    backbone_share: Fraction,
    rotation_share: Fraction,
) -> str:
    args = (segs, types, eligible, hire_gain, items, limits, required, backbone_share)
    head = f"按现有限制无法安排交流轮岗（至少 {required} 人）"

    def feasible(**kwargs: Any) -> bool:
        built = _build(*args, **{"scope": limits.scope, **kwargs})
        return built.model.solve(1.0, limits.time_limit_seconds)[0] == "solved"

    if feasible(with_posts=False):
        full = segs.filter(
            pl.col("approved_posts").is_not_null()
            & (pl.col("approved_posts") <= pl.col("teachers"))
        ).height
        return (
            f"{head}：有 {full} 个学校学段的专任教师已达到或超过核定编制，调入的教师没有编制可用；"
            "请核对核定编制，或让这些学校同时调出教师"
        )
    if feasible(with_backbone=False):
        return (
            f"{head}：骨干教师不低于交流人数的 {_pct(backbone_share)}，"
            "但可交流的骨干教师无法与其他教师同时安排"
        )
    if limits.scope == "township" and feasible(scope="county"):
        return f"{head}：限定在同一乡镇内交流时人数不够；放宽到全县范围内交流可以安排"
    return f"{head}：请核对符合交流条件的教师、核定编制和招聘限制"


def _pct(share: Fraction) -> str:
    return f"{float(share) * 100:g}%"


def _moves(
    segs: pl.DataFrame,
    roster: pl.DataFrame,
    types: pl.DataFrame,
    built: _Built,
    take: Any,
    scope: str,
) -> pl.DataFrame:
    keys = dict(zip(segs["seg"].to_list(), _pool_keys(segs, scope), strict=True))
    flows: dict[tuple[Any, int], tuple[dict[int, int], dict[int, int]]] = defaultdict(
        lambda: ({}, {})
    )
    for (s, t), v in built.out.items():
        if take(v):
            flows[keys[s], t][0][s] = take(v)
    for (s, t), v in built.into.items():
        if take(v):
            flows[keys[s], t][1][s] = take(v)
    # Longest at a school first, then by number: the order a bureau would propose.
    queues: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s, t, tid in (
        roster.filter(pl.col("eligible"))
        .sort(["years_at_school", "teacher_id"], descending=[True, False])
        .select("seg", "type", "teacher_id")
        .iter_rows()
    ):
        queues[s, t].append(tid)
    school_of = dict(zip(segs["seg"].to_list(), segs["school_id"].to_list(), strict=True))
    rows = []
    for (_key, t), (outs, ins) in sorted(flows.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        for src, dst, n in sorted(_pair_moves(outs, ins)):
            for _ in range(n):
                rows.append((queues[src, t].pop(0), school_of[dst]))
    return pl.DataFrame(
        rows, schema={"teacher_id": pl.String, "to_school_id": pl.String}, orient="row"
    )


def _before_after(before: pl.DataFrame, after: pl.DataFrame, items: Sequence[Item]) -> pl.DataFrame:
    keys = ["school_id", "level"]
    measures = [*COUNT_COLUMNS, *[i.id for i in items], *[f"{i.id}_short" for i in items]]
    left = before.select(
        *keys,
        "name",
        "township",
        "students",
        *[pl.col(c).alias(f"{c}_before") for c in measures],
    )
    right = after.select(*keys, *[pl.col(c).alias(f"{c}_after") for c in measures])
    frame = left.join(right, on=keys, how="left")
    ordered = [*keys, "name", "township", "students"]
    for c in measures:
        ordered += [f"{c}_before", f"{c}_after"]
    return frame.select(ordered)


def _move_reasons(
    moves: pl.DataFrame,
    roster: pl.DataFrame,
    frame: pl.DataFrame,
    items: Sequence[Item],
    standard: Standard,
    rotation_share: Fraction,
    backbone_share: Fraction,
) -> pl.DataFrame:
    schema = {
        "teacher_id": pl.String,
        "name": pl.String,
        "level": pl.String,
        "subject": pl.String,
        "degree": pl.String,
        "backbone": pl.Boolean,
        "from_school_id": pl.String,
        "from_school": pl.String,
        "to_school_id": pl.String,
        "to_school": pl.String,
        "reason": pl.String,
    }
    if not moves.height:
        return pl.DataFrame(schema=schema)
    state = {(r["school_id"], r["level"]): r for r in frame.iter_rows(named=True)}
    gains = {
        (level, degree, backbone, subject): dict(zip([i.id for i in items], rest, strict=True))
        for level, degree, backbone, subject, *rest in _profile_gains(
            items, sorted(set(frame["level"].to_list()))
        )
        .select("level", "degree", "backbone", "subject", *[i.id for i in items])
        .iter_rows()
    }
    joined = moves.join(
        roster.select("teacher_id", "name", "level", "subject", "degree", "backbone", "school_id"),
        on="teacher_id",
    )
    rows = []
    for r in joined.iter_rows(named=True):
        src = state[r["school_id"], r["level"]]
        dst = state[r["to_school_id"], r["level"]]
        gain = gains[r["level"], r["degree"], r["backbone"], r["subject"]]
        lifts = [
            f"“{i.name}”为 {fmt_number(dst[f'{i.id}_before'])}，低于标准"
            f" {fmt_plain(i.threshold[r['level']])}"
            for i in items
            if gain[i.id] > 0 and dst[f"{i.id}_short_before"] > 0
        ]
        if lifts:
            reason = "调入学校" + "；".join(lifts) + "，调入可补足缺口"
        elif r["backbone"]:
            reason = (
                f"完成交流轮岗任务：骨干教师不低于交流人数的 {_pct(backbone_share)}，"
                "调入学校相关指标已达标"
            )
        else:
            reason = (
                f"完成交流轮岗任务：不低于符合交流条件教师的 {_pct(rotation_share)}，"
                "调入学校相关指标已达标"
            )
        hurt = [i.name for i in items if gain[i.id] > 0 and src[f"{i.id}_short_after"] > 0]
        reason += "；调出学校" + (
            "调出后“" + "”“".join(hurt) + "”仍低于标准" if hurt else "调出后相关指标仍达标"
        )
        rows.append(
            {
                "teacher_id": r["teacher_id"],
                "name": r["name"],
                "level": r["level"],
                "subject": r["subject"],
                "degree": r["degree"],
                "backbone": r["backbone"],
                "from_school_id": r["school_id"],
                "from_school": src["name"],
                "to_school_id": r["to_school_id"],
                "to_school": dst["name"],
                "reason": reason,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort("level", "from_school_id", "teacher_id")


def _hire_reasons(
    hires: pl.DataFrame,
    frame: pl.DataFrame,
    items: Sequence[Item],
    hire_gain: Mapping[tuple[str, str], tuple[int, ...]],
) -> pl.DataFrame:
    schema = {
        "school_id": pl.String,
        "school": pl.String,
        "level": pl.String,
        "subject": pl.String,
        "hires": pl.Int64,
        "reason": pl.String,
    }
    if not hires.height:
        return pl.DataFrame(schema=schema)
    state = {(r["school_id"], r["level"]): r for r in frame.iter_rows(named=True)}
    rows = []
    for r in hires.iter_rows(named=True):
        seg = state[r["school_id"], r["level"]]
        gain = hire_gain[r["level"], r["subject"]]
        lifts = [
            f"“{i.name}”为 {fmt_number(seg[f'{i.id}_before'])}，低于标准"
            f" {fmt_plain(i.threshold[r['level']])}"
            for k, i in enumerate(items)
            if gain[k] > 0 and seg[f"{i.id}_short_before"] > 0
        ]
        reason = (
            "；".join(lifts) + f"，招聘{SUBJECTS[r['subject']]}教师补足缺口"
            if lifts
            else f"招聘{SUBJECTS[r['subject']]}教师"
        )
        rows.append(
            {
                "school_id": r["school_id"],
                "school": r["name"],
                "level": r["level"],
                "subject": r["subject"],
                "hires": r["hires"],
                "reason": reason,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort("level", "school_id", "subject")


def _summary(
    eligible: int,
    required: int,
    moved: int,
    backbone: int,
    hired: int,
    before: int,
    after: int,
    items: Sequence[Item],
    status: str,
    gap: float,
    seconds: float,
) -> str:
    share = f"{backbone / moved * 100:.1f}%" if moved else "—"
    codes = "、".join(i.id for i in items)
    quality = (
        "已证明为最优方案"
        if status == OPTIMAL
        else f"可行方案，与最优方案的差距不超过 {gap * 100:.2f}%"
    )
    return (
        f"符合交流条件的教师 {eligible} 人，至少应交流 {required} 人；方案交流 {moved} 人"
        f"（其中骨干教师 {backbone} 人，占 {share}），招聘 {hired} 人。"
        f"{codes} 低于标准的教师缺口由 {before} 人次降到 {after} 人次。"
        f"{quality}，用时 {seconds:.2f} 秒。"
    )


def _notes(segs: pl.DataFrame, limits: PlanLimits) -> tuple[str, ...]:
    notes = []
    unjudged = segs.filter(~(pl.col("students") > 0)).height
    if unjudged:
        notes.append(f"{unjudged} 个学校学段没有在校生数，未计算缺口，仍可调入调出")
    if limits.scope == "township":
        alone = segs.filter(pl.col("township").is_null() | (pl.col("township") == "")).height
        if alone:
            notes.append(f"{alone} 个学校学段未填乡镇，不参加乡镇内交流")
    return tuple(notes)


def apply_plan(dataset: Dataset, plan: RotationPlan) -> Dataset:
    """The dataset with the plan's moves and hires applied to its segment counts, for the
    engine to evaluate again (`junheng.core.evaluate.evaluate`)."""
    deltas = plan.segments.select(
        "school_id",
        "level",
        *[(pl.col(f"{c}_after") - pl.col(f"{c}_before")).alias(f"{c}__d") for c in COUNT_COLUMNS],
    )
    segments = (
        dataset.segments.join(deltas, on=["school_id", "level"], how="left")
        .with_columns(
            (pl.col(c) + pl.col(f"{c}__d").fill_null(0)).cast(dataset.segments.schema[c])
            for c in COUNT_COLUMNS
        )
        .drop(f"{c}__d" for c in COUNT_COLUMNS)
    )
    return replace(dataset, segments=segments)
