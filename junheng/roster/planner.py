"""The rotation and recruitment planner (交流轮岗与教师补充): who rotates where, and which posts to
fill by school and subject, so that G11 is met and the teacher indicators R1–R3 of the weakest
schools rise most, within the limits a county sets. Pure apart from the solver it calls.

`planner_limits.py` holds the vocabulary and the limits (`planner.yaml`), `planner_model.py` the
MILP, its HiGHS call and the split into moves, `planner_wording.py` the Chinese reasons.

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
  the diagonal); `planner_model.pair_moves` splits them so, largest school first.
- G11: Σ o ≥ ⌈share × eligible⌉ and q·(backbone moved) ≥ p·(all moved) for the backbone share
  p/q (5·backbone ≥ rotated at 20 %); both shares are the standard's G11 thresholds. A county's
  `max_moves` caps Σ o (below the required number it is refused in Chinese before solving).
- Approved posts: teachers − out + in + hires ≤ max(approved posts, teachers now) per segment
  (a school already over its posts may not grow). Hires ≤ max_hires, per subject ≤ its cap.
- Objective: minimise Σ over segments and items of the whole teachers short of the standard's
  threshold after the plan (need = ⌈threshold × students ÷ factor⌉, computed exactly), plus
  `move_penalty` per move, `hire_penalty` per hire and `spread_weight` per teacher of distance
  between each segment's count and its share of the level's mean (students × the level's count
  per student before the plan): that distance summed is the student-weighted mean absolute
  deviation of the item's values × students ÷ 100, a linear cousin of the CV. The weakest
  schools hold the shortfall, so the plan lifts them first; a teacher short is one teacher
  wherever it is, so a small school is never ignored for a large one; and among the moves G11
  requires anyway the spread term prefers those from above the mean to below it (its weight is
  kept too small to pay for a move on its own). Maximising the minimum was not chosen: it moves
  nothing for the second-weakest school until the weakest is level with it.

The aggregated optimum equals the optimum over individual assignments (any assignment gives
counts meeting the constraints; any such counts split into moves), which the tests check by brute
force on tiny counties.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.formatting import fmt_plain
from junheng.core.standard import Item, Standard
from junheng.roster.planner_limits import (
    COUNT_COLUMNS,
    DEGREE_COLUMN,
    DEGREES,
    FEASIBLE,
    OPTIMAL,
    SEGMENT_COLUMNS,
    SUBJECT_COLUMN,
    SUBJECTS,
    TEACHER_COLUMNS,
    PlanError,
    PlanLimits,
    check_limits,
    default_limits,
    limits_from_mapping,
)
from junheng.roster.planner_model import (
    Built,
    Problem,
    build_model,
    explain_infeasible,
    pair_moves,
    pool_keys,
    precheck,
)
from junheng.roster.planner_wording import hire_reasons, move_reasons, plan_notes, summary_text

__all__ = [
    "COUNT_COLUMNS",
    "SUBJECTS",
    "PlanError",
    "PlanLimits",
    "RotationPlan",
    "apply_plan",
    "default_limits",
    "limits_from_mapping",
    "plan_objective",
    "plan_rotation",
    "planner_segments",
    "rotation_shares",
    "shift_counts",
    "teacher_shortfall",
]


PROVEN_GAP = 1e-6
"""A relative gap at most this is the solver's rounding, not room for a better plan: HiGHS stops
at an absolute gap of 1e-6 (`mip_abs_gap`) even when asked for 0, so such a plan is 最优."""


@dataclass(frozen=True)
class RotationPlan:
    """A plan and how good it is."""

    moves: pl.DataFrame
    """teacher_id, name, level, subject, subject_name (体育…), degree, backbone, from_school_id,
    from_school, to_school_id, to_school, reason (Chinese)."""
    hires: pl.DataFrame
    """school_id, school, level, subject, subject_name, hires, reason (Chinese)."""
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
    """The roster checked, with defaults for its optional columns and each teacher's `seg`."""
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
    # Teachers of segments the plan leaves out (special or private schools, see
    # `planner_segments`) neither move nor count; the plan's notes say how many.
    return frame.filter(pl.col("seg").is_not_null())


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
    types, profile_type = _teacher_types(gains, item_ids)
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
    precheck(segs, pool_eligible, limits, required, backbone_share, rotation_share)
    problem = Problem(segs, types, eligible, hire_gain, items, limits, required, backbone_share)
    built = build_model(problem, scope=limits.scope)
    solved = built.model.solve(
        limits.mip_gap, max(0.001, limits.time_limit_seconds - (time.perf_counter() - started))
    )
    if solved.state == "infeasible":
        raise PlanError(explain_infeasible(problem, rotation_share))
    if solved.state == "no_solution":
        raise PlanError(
            f"在 {fmt_plain(limits.time_limit_seconds)} 秒内没有找到可行方案；可延长求解时间后再试"
        )
    values, objective, gap = solved.values, solved.objective, solved.gap

    moves = _moves(segs, roster, built, values, limits.scope)
    hire_rows = [
        (s, subject, round(values[v])) for (s, subject), v in built.hire.items() if values[v] > 0.5
    ]
    hires = pl.DataFrame(
        hire_rows, schema={"seg": pl.UInt32, "subject": pl.String, "hires": pl.Int64}, orient="row"
    ).join(segs.select("seg", "school_id", "level", "name"), on="seg")
    after = teacher_shortfall(
        shift_counts(segs.select(_input_columns(segs)), roster, moves, hires, limits.hire_degree),
        standard,
        limits,
    )
    before = segs
    frame = _before_after(before, after, items)
    by_profile = {
        (level, degree, backbone, subject): dict(zip(item_ids, rest, strict=True))
        for level, degree, backbone, subject, *rest in gains.select(
            "level", "degree", "backbone", "subject", *item_ids
        ).iter_rows()
    }
    moves = move_reasons(moves, roster, frame, items, by_profile, rotation_share, backbone_share)
    hires = hire_reasons(hires, frame, items, hire_gain)
    shortfall_before = int(sum(frame[f"{i.id}_short_before"].sum() for i in items))
    shortfall_after = int(sum(frame[f"{i.id}_short_after"].sum() for i in items))
    backbone_moved = int(moves["backbone"].sum()) if moves.height else 0
    status = OPTIMAL if gap <= PROVEN_GAP else FEASIBLE
    seconds = time.perf_counter() - started
    summary = summary_text(
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
    notes = plan_notes(segs, limits, left_out=teachers.height - roster.height)
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


def _input_columns(segs: pl.DataFrame) -> list[str]:
    """The input columns of a prepared segments frame (without the planner's own)."""
    keep = ["seg", "school_id", "level", "name", "township", "students", "approved_posts"]
    return [c for c in (*keep, *COUNT_COLUMNS, "arts_teachers") if c in segs.columns]


def _teacher_types(
    gains: pl.DataFrame, item_ids: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Types (type, level, backbone 0/1, gain per item): profiles that count alike share one;
    and each profile's type (level, degree, backbone, subject → type)."""
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
    return types, profile_type


def _moves(
    segs: pl.DataFrame,
    roster: pl.DataFrame,
    built: Built,
    values: Sequence[float],
    scope: str,
) -> pl.DataFrame:
    """The solved counts as individual moves (teacher_id, to_school_id)."""
    keys = dict(zip(segs["seg"].to_list(), pool_keys(segs, scope), strict=True))
    flows: dict[tuple[Any, int], tuple[dict[int, int], dict[int, int]]] = defaultdict(
        lambda: ({}, {})
    )
    for side, columns in enumerate((built.out, built.into)):
        for (s, t), v in columns.items():
            if n := round(values[v]):
                flows[keys[s], t][side][s] = n
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
        for src, dst, n in sorted(pair_moves(outs, ins)):
            for _ in range(n):
                rows.append((queues[src, t].pop(0), school_of[dst]))
    return pl.DataFrame(
        rows, schema={"teacher_id": pl.String, "to_school_id": pl.String}, orient="row"
    )


def _before_after(before: pl.DataFrame, after: pl.DataFrame, items: Sequence[Item]) -> pl.DataFrame:
    """`RotationPlan.segments`: each measure before and after, side by side."""
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
