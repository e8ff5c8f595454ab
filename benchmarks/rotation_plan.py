"""Rotation and recruitment plan benchmark: the HiGHS planner against a greedy heuristic.

Run from the project root:

    .venv/bin/python benchmarks/rotation_plan.py [--segments S] [--hires H] [--json]

A synthetic county from `junheng.demo.national_dataset(counties=1, segments_per_county=S)`
(S = 115 gives about 5,000 teachers, issue 19's county; at every third segment half the PE
teachers are counted under other subjects, so the county is short of them and hires count), whose
roster is made outside the timings from each segment's counts: one row per 专任教师 with the
segment's numbers of each education, backbone and 体育/音乐/美术 teachers, about a quarter
eligible for rotation, years at the school, and approved posts a few above the teachers in
post. Then, in the same run:

- the planner (`junheng.roster.planner.plan_rotation`: G11 from the standard, up to H hires;
  target: within 1 % of the optimum — the solver's proven MIP gap — in under 30 s);
- a greedy heuristic as a bureau would do it by hand: move the teacher whose move closes the most
  shortfall (net of the gap it opens at home) while any does, then the backbone and other moves
  G11 still asks, then hires where they close a gap; its objective measured by the planner's
  own `plan_objective`;

and prints both objectives and times with their ratios, and the CVs of R1–R3 by level before
and after each plan as the engine evaluates them (`apply_plan`, then `evaluate`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import replace
from typing import Any

import polars as pl

from junheng.core.evaluate import evaluate
from junheng.demo import national_dataset
from junheng.roster.planner import (
    COUNT_COLUMNS,
    SUBJECTS,
    RotationPlan,
    apply_plan,
    default_limits,
    plan_objective,
    plan_rotation,
    planner_segments,
    rotation_shares,
    shift_counts,
    teacher_shortfall,
)
from junheng.standards import load_standard

TARGET_SECONDS = 30.0
TARGET_GAP = 0.01
ITEMS = ("R1", "R2", "R3")
# The analyst's reading of who counts (教督〔2017〕6号 第五条), for the greedy baseline only.
R1_DEGREES = {
    "primary": {"postgraduate", "bachelor", "associate"},
    "junior": {"postgraduate", "bachelor"},
}


def short_of_pe(segments: int) -> Any:
    """A county short of PE teachers, so that moves alone cannot close R3 and hires count: at
    every third segment half the PE teachers are counted as teaching other subjects."""
    data = national_dataset(counties=1, segments_per_county=segments)
    return replace(
        data,
        segments=data.segments.with_row_index("__i")
        .with_columns(
            pe_teachers=pl.when(pl.col("__i") % 3 == 0)
            .then(pl.col("pe_teachers") // 2)
            .otherwise(pl.col("pe_teachers"))
        )
        .drop("__i"),
    )


def county(segments: int) -> tuple[Any, pl.DataFrame, pl.DataFrame]:
    """The dataset, the planner's segments (with approved posts) and a roster matching them."""
    data = short_of_pe(segments)
    frame = planner_segments(data).with_columns(
        approved_posts=pl.col("teachers") + pl.col("students") % 6
    )
    k = pl.col("k")
    pg, ba, asc = "teachers_postgraduate", "teachers_bachelor", "teachers_associate"
    arts_from = pl.col("teachers") - pl.col("pe_teachers")
    rows = (
        frame.with_row_index("sid")
        .with_columns(k=pl.int_ranges(0, pl.col("teachers")))
        .explode("k")
        .filter(k.is_not_null())
        .with_columns(r=(pl.col("sid") * 7919 + k * 104_729) % 1_000_003)
        .with_columns(
            degree=pl.when(k < pl.col(pg))
            .then(pl.lit("postgraduate"))
            .when(k < pl.col(pg) + pl.col(ba))
            .then(pl.lit("bachelor"))
            .when(k < pl.col(pg) + pl.col(ba) + pl.col(asc))
            .then(pl.lit("associate"))
            .otherwise(pl.lit("below_associate")),
            subject=pl.when(k >= arts_from)
            .then(pl.lit("pe"))
            .when(k >= arts_from - pl.col("music_teachers"))
            .then(pl.lit("music"))
            .when(k >= arts_from - pl.col("music_teachers") - pl.col("fine_art_teachers"))
            .then(pl.lit("fine_art"))
            .otherwise(pl.lit("other")),
            backbone=pl.col("r").rank("ordinal").over("sid") <= pl.col("backbone_teachers"),
            eligible=(pl.col("r") * 31) % 100 < 25,
            years_at_school=6 + pl.col("r") % 20,
            teacher_id=pl.format("教师{}-{}", "sid", "k"),
        )
    )
    teachers = rows.select(
        "teacher_id",
        "school_id",
        "level",
        "subject",
        "degree",
        "backbone",
        "eligible",
        "years_at_school",
    )
    return data, frame, teachers


def _gains(level: str, degree: str, backbone: bool, subject: str) -> tuple[int, int, int]:
    return (
        int(degree in R1_DEGREES[level]),
        int(backbone),
        int(subject in {"pe", "music", "fine_art"}),
    )


def greedy(teachers: pl.DataFrame, segments: pl.DataFrame, standard, limits) -> dict[str, Any]:
    """A plan by hand rules: the best single move while one helps, then G11, then hires."""
    share, backbone_share = rotation_shares(standard, limits)
    state = teacher_shortfall(segments, standard, limits)
    seg_rows = state.rows(named=True)
    key_of = {(r["school_id"], r["level"]): i for i, r in enumerate(seg_rows)}
    count = [[r[f"{k}_count"] for k in ITEMS] for r in seg_rows]
    need = [[r[f"{k}_need"] for k in ITEMS] for r in seg_rows]
    room = [
        math.inf if r["approved_posts"] is None else max(0, r["approved_posts"] - r["teachers"])
        for r in seg_rows
    ]
    level_of = [r["level"] for r in seg_rows]
    queues: dict[tuple[int, tuple], list[str]] = defaultdict(list)
    eligible = teachers.filter("eligible").sort(
        ["years_at_school", "teacher_id"], descending=[True, False]
    )
    for tid, school, level, subject, degree, backbone in eligible.select(
        "teacher_id", "school_id", "level", "subject", "degree", "backbone"
    ).iter_rows():
        kind = (_gains(level, degree, backbone, subject), backbone)
        queues[key_of[school, level], kind].append(tid)
    kinds = sorted({k for _, k in queues})

    def short(i: int, j: int) -> int:
        return max(0, need[i][j] - count[i][j])

    def gain_in(i: int, g: tuple) -> int:
        return sum(1 for j in range(3) if g[j] and short(i, j) > 0)

    def loss_out(i: int, g: tuple) -> int:
        return sum(1 for j in range(3) if g[j] and count[i][j] - 1 < need[i][j])

    moves: list[tuple[str, str]] = []
    backbone_moved = 0

    def best_move(kind_filter) -> tuple[int, int, int, tuple] | None:
        best = None
        for kind in kinds:
            if not kind_filter(kind):
                continue
            g = kind[0]
            sources = [i for (i, k), q in queues.items() if k == kind and q]
            for s in sources:
                out = loss_out(s, g)
                for d in range(len(seg_rows)):
                    if d == s or level_of[d] != level_of[s] or room[d] < 1:
                        continue
                    net = gain_in(d, g) - out
                    if best is None or net > best[0]:
                        best = (net, s, d, kind)
        return best

    def make(s: int, d: int, kind: tuple) -> None:
        nonlocal backbone_moved
        tid = queues[s, kind].pop(0)
        for j in range(3):
            count[s][j] -= kind[0][j]
            count[d][j] += kind[0][j]
        room[s] += 1
        room[d] -= 1
        backbone_moved += kind[1]
        moves.append((tid, seg_rows[d]["school_id"]))

    while (found := best_move(lambda _k: True)) and found[0] > 0:
        make(*found[1:])
    required = math.ceil(share * eligible.height)
    p, q = backbone_share.numerator, backbone_share.denominator
    while len(moves) < required or q * backbone_moved < p * len(moves):
        needs_backbone = q * backbone_moved < p * (len(moves) + 1)
        found = best_move(lambda k, nb=needs_backbone: k[1] or not nb)
        if found is None:
            raise RuntimeError("the greedy baseline found no move for G11")
        make(*found[1:])
    hires: dict[tuple[int, str], int] = defaultdict(int)
    hire_gain = {s: (1, 0, int(s != "other")) for s in SUBJECTS}  # hires hold 本科
    for _ in range(limits.max_hires):
        best = None
        for d in range(len(seg_rows)):
            if room[d] < 1:
                continue
            for subject, g in hire_gain.items():
                net = gain_in(d, g)
                if net > 0 and (best is None or net > best[0]):
                    best = (net, d, subject)
        if best is None:
            break
        _, d, subject = best
        for j in range(3):
            count[d][j] += hire_gain[subject][j]
        room[d] -= 1
        hires[d, subject] += 1
    return {
        "moves": pl.DataFrame(
            moves, schema={"teacher_id": pl.String, "to_school_id": pl.String}, orient="row"
        ),
        "hires": pl.DataFrame(
            [(seg_rows[d]["school_id"], seg_rows[d]["level"], s, n) for (d, s), n in hires.items()],
            schema={
                "school_id": pl.String,
                "level": pl.String,
                "subject": pl.String,
                "hires": pl.Int64,
            },
            orient="row",
        ),
        "backbone_moved": backbone_moved,
        "required": required,
    }


def _cvs(data, standard) -> dict[tuple[str, str], float]:
    balance = evaluate(data, standard).balance.filter(pl.col("indicator").is_in(ITEMS))
    return {(r["level"], r["indicator"]): r["cv"] for r in balance.iter_rows(named=True)}


def _shortfall(segments: pl.DataFrame, standard, limits) -> int:
    frame = teacher_shortfall(segments, standard, limits)
    return int(sum(frame[f"{k}_short"].sum() for k in ITEMS))


def measure(segments: int, max_hires: int) -> dict[str, Any]:
    standard = load_standard()
    data, frame, teachers = county(segments)
    limits = replace(default_limits(), max_hires=max_hires)

    started = time.perf_counter()
    plan: RotationPlan = plan_rotation(teachers, frame, standard, limits)
    plan_seconds = time.perf_counter() - started

    started = time.perf_counter()
    baseline = greedy(teachers, frame, standard, limits)
    greedy_seconds = time.perf_counter() - started
    greedy_objective = plan_objective(
        teachers, frame, standard, baseline["moves"], baseline["hires"], limits
    )
    planner_objective = plan_objective(teachers, frame, standard, plan.moves, plan.hires, limits)
    greedy_after = shift_counts(
        frame, teachers, baseline["moves"], baseline["hires"], limits.hire_degree
    )
    greedy_plan = replace(
        plan,
        segments=frame.select(
            "school_id",
            "level",
            *[pl.col(c).alias(f"{c}_before") for c in COUNT_COLUMNS],
        ).join(
            greedy_after.select(
                "school_id", "level", *[pl.col(c).alias(f"{c}_after") for c in COUNT_COLUMNS]
            ),
            on=["school_id", "level"],
        ),
    )
    before = _cvs(data, standard)
    after = _cvs(apply_plan(data, plan), standard)
    after_greedy = _cvs(apply_plan(data, greedy_plan), standard)
    moved = plan.moves.height
    return {
        "segments": frame.height,
        "teachers": teachers.height,
        "eligible": plan.eligible,
        "required_moves": plan.required_moves,
        "max_hires": max_hires,
        "planner": {
            "seconds": plan_seconds,
            "status": plan.status,
            "gap": plan.gap,
            "objective": plan.objective,
            "objective_measured": planner_objective,
            "moves": moved,
            "backbone_moved": plan.backbone_moved,
            "hires": int(plan.hires["hires"].sum()) if plan.hires.height else 0,
            "shortfall_before": plan.shortfall_before,
            "shortfall_after": plan.shortfall_after,
            "g11_met": moved >= plan.required_moves and 5 * plan.backbone_moved >= moved,
            "summary": plan.summary,
        },
        "greedy": {
            "seconds": greedy_seconds,
            "objective": greedy_objective,
            "moves": baseline["moves"].height,
            "backbone_moved": baseline["backbone_moved"],
            "hires": int(baseline["hires"]["hires"].sum()) if baseline["hires"].height else 0,
            "shortfall_after": _shortfall(greedy_after, standard, limits),
        },
        "objective_ratio_greedy_to_planner": greedy_objective / plan.objective
        if plan.objective
        else None,
        "time_ratio_planner_to_greedy": plan_seconds / greedy_seconds if greedy_seconds else None,
        "cvs": [
            {
                "level": level,
                "indicator": item,
                "before": before[level, item],
                "planner": after[level, item],
                "greedy": after_greedy[level, item],
            }
            for (level, item) in sorted(before)
        ],
        "within_target": plan.gap <= TARGET_GAP and plan_seconds < TARGET_SECONDS,
    }


def format_report(result: dict[str, Any]) -> str:
    p, g = result["planner"], result["greedy"]
    lines = [
        f"county: {result['segments']} segments, {result['teachers']:,} teachers, "
        f"{result['eligible']:,} eligible, at least {result['required_moves']} moves, "
        f"up to {result['max_hires']} hires",
        f"planner (HiGHS): {p['seconds']:.2f} s, {p['status']}, gap {p['gap'] * 100:.2f} %, "
        f"objective {p['objective']:.3f}; {p['moves']} moves ({p['backbone_moved']} backbone), "
        f"{p['hires']} hires; teachers short {p['shortfall_before']} → {p['shortfall_after']}",
        f"greedy baseline: {g['seconds']:.2f} s, objective {g['objective']:.3f}; "
        f"{g['moves']} moves ({g['backbone_moved']} backbone), {g['hires']} hires; "
        f"teachers short → {g['shortfall_after']}",
        f"ratio greedy ÷ planner objective: {result['objective_ratio_greedy_to_planner']:.2f}; "
        f"planner ÷ greedy time: {result['time_ratio_planner_to_greedy']:.2f}",
        "CV (before → planner | greedy):",
    ]
    for row in result["cvs"]:
        lines.append(
            f"  {row['level']:<8}{row['indicator']}: {row['before']:.4f} → "
            f"{row['planner']:.4f} | {row['greedy']:.4f}"
        )
    target = "within" if result["within_target"] else "OUTSIDE"
    lines.append(f"target (gap ≤ 1 %, under {TARGET_SECONDS:.0f} s): {target}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=115)
    parser.add_argument("--hires", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.segments, args.hires)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else format_report(result))
    return 0 if result["planner"]["g11_met"] and result["planner"]["gap"] <= TARGET_GAP else 1


if __name__ == "__main__":
    sys.exit(main())
