"""Plan checks benchmark: class sizes of every county beside the evaluation.

`junheng.core.plan_checks.plan_entries` runs inside every `evaluate()`; for a dataset with the
optional `classes` table it counts the classes per band, judges the dated targets and explains
G5 for every county. Run from the project root:

    .venv/bin/python benchmarks/plan_checks.py [--counties N] [--baseline-counties M]
        [--runs R] [--json]

The data is `junheng.demo.national_dataset(counties=N)` (default 3,000, about 200,000
segments) with one school year of classes made outside the timings: every segment's classes at
its average size (its students spread over its classes as evenly as whole children allow,
grades in turn), about 4 million class rows for 3,000 counties. Measured in the same run:

- `plan_entries` on that dataset (all counties at once: `class_sizes.class_sizes_entries`);
- the per-county loop it replaced: the tables split by county once, then
  `class_sizes_to_dict` on each county's own rows. It costs about the same for every county,
  so it is timed on the first M counties (default 100) and scaled by N / M (said as
  "scaled" in the output; not scaled when M ≥ N). Its results are checked equal to
  `plan_entries`' for those counties;
- the plain `evaluate()` of the same dataset without classes, the yardstick: the plan checks
  should cost well under 10 × the evaluation itself.

Times are the best of R runs (default 3) after a warm-up, evaluation and plan checks taking
turns in each run, wall and CPU (the machine may be shared; CPU time is steadier, though
Polars' threads add to it). The per-county loop runs once after its warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import polars as pl

from junheng.core.class_sizes import class_sizes_to_dict
from junheng.core.dataset import Dataset
from junheng.core.evaluate import evaluate
from junheng.core.plan_checks import plan_entries
from junheng.demo import national_dataset
from junheng.standards import load_standard

YEAR = 2025
TARGET_FACTOR = 10.0
"""Plan checks for all counties should take well under this many times the plain evaluation."""


def synthetic_classes(dataset: Dataset, year: int = YEAR) -> pl.DataFrame:
    """One row per class of `year`: each segment's students spread over its classes as evenly
    as whole children allow (the first `students % classes` classes one child larger), grades
    of its level in turn."""
    primary = pl.col("level") == "primary"
    return (
        dataset.segments.filter(pl.col("students").is_not_null() & pl.col("classes").is_not_null())
        .filter(pl.col("classes") > 0)
        .select("school_id", "level", "students", "classes", i=pl.int_ranges(0, pl.col("classes")))
        .explode("i")
        .select(
            "school_id",
            year=pl.lit(year),
            grade=pl.when(primary).then(1).otherwise(7)
            + pl.col("i") % pl.when(primary).then(6).otherwise(3),
            class_name=(pl.col("i") + 1).cast(pl.String),
            students=pl.col("students") // pl.col("classes")
            + (pl.col("i") < pl.col("students") % pl.col("classes")).cast(pl.Int64),
        )
    )


def _best(runs: int, **jobs: Callable[[], Any]) -> dict[str, tuple[float, float, Any]]:
    """Name → (best wall seconds, best CPU seconds, the last result) over `runs` after a
    warm-up. The jobs take turns in every run, so a busy moment of a shared machine falls on
    both sides of a ratio rather than on one."""
    out = {name: (float("inf"), float("inf"), job()) for name, job in jobs.items()}
    for _ in range(runs):
        for name, job in jobs.items():
            w, c = time.perf_counter(), time.process_time()
            result = job()
            wall, cpu = time.perf_counter() - w, time.process_time() - c
            out[name] = (min(out[name][0], wall), min(out[name][1], cpu), result)
    return out


def per_county_loop(
    dataset: Dataset, counties: list[str], standard: Any, year: int
) -> dict[str, dict[str, Any]]:
    """Class sizes county by county, as `plan_entries` did before: the class, segment and
    school tables split by county once, `class_sizes_to_dict` on each county's own rows."""
    county_of = dataset.schools.select("school_id", pl.col("county").alias("__county"))

    def split(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        joined = frame.join(county_of, on="school_id", how="inner")
        return {
            key[0]: part.drop("__county")
            for key, part in joined.partition_by("__county", as_dict=True).items()
        }

    classes, segments = split(dataset.classes), split(dataset.segments)
    schools = {k[0]: p for k, p in dataset.schools.partition_by("county", as_dict=True).items()}
    out = {}
    for county in counties:
        if county not in classes:
            continue
        own = replace(
            dataset,
            schools=schools[county],
            segments=segments.get(county, dataset.segments.clear()),
            classes=classes[county],
        )
        found = class_sizes_to_dict(own, county, year=year, standard=standard)
        if found is not None:
            out[county] = found
    return out


def measure(counties: int, baseline_counties: int, runs: int) -> dict[str, Any]:
    standard = load_standard()
    plain = national_dataset(counties=counties)
    dataset = replace(plain, classes=synthetic_classes(plain))
    subset = dataset.counties[: min(baseline_counties, counties)]
    timed = _best(
        runs,
        evaluate=lambda: evaluate(plain, standard),
        plan=lambda: plan_entries(dataset, standard),
    )
    eval_wall, eval_cpu, _ = timed["evaluate"]
    plan_wall, plan_cpu, entries = timed["plan"]
    # Once: it is the slow side, and a run of it is already many counties long.
    loop_wall, loop_cpu, looped = _best(
        1, loop=lambda: per_county_loop(dataset, subset, standard, YEAR)
    )["loop"]
    scale = counties / len(subset)
    expected = {c: entries[c]["class_sizes"] for c in subset if "class_sizes" in entries.get(c, {})}
    return {
        "counties": counties,
        "segments": dataset.segments.height,
        "class_rows": dataset.classes.height,
        "runs": runs,
        "evaluate": {"wall_s": eval_wall, "cpu_s": eval_cpu},
        "plan_entries": {"wall_s": plan_wall, "cpu_s": plan_cpu},
        "baseline": {
            "counties_measured": len(subset),
            "measured_wall_s": loop_wall,
            "measured_cpu_s": loop_cpu,
            "wall_s": loop_wall * scale,
            "cpu_s": loop_cpu * scale,
            "scaled": scale != 1,
        },
        "ratios": {
            "baseline_over_plan": loop_wall * scale / plan_wall,
            "plan_over_evaluate": plan_wall / eval_wall,
            "plan_over_evaluate_cpu": plan_cpu / eval_cpu,
        },
        "target": {"factor": TARGET_FACTOR, "met": plan_wall < TARGET_FACTOR * eval_wall},
        "cross_check": {
            "counties": len(subset),
            "entries": len(expected),
            "agrees": looped == expected and len(expected) == len(subset),
        },
    }


def report(result: dict[str, Any]) -> str:
    load = os.getloadavg()
    base = result["baseline"]
    ratios = result["ratios"]
    scaled = (
        f"   (measured on {base['counties_measured']} counties, {base['measured_wall_s']:.2f} s,"
        f" scaled ×{result['counties']}/{base['counties_measured']})"
        if base["scaled"]
        else ""
    )
    mark = {True: "ok", False: "MISSED"}
    lines = [
        f"Plan checks benchmark ({os.cpu_count()} CPUs, load {load[0]:.2f} / {load[1]:.2f};"
        f" best of {result['runs']} runs)",
        f"data: {result['counties']:,} counties, {result['segments']:,} segments,"
        f" {result['class_rows']:,} class rows of {YEAR}",
        f"plain evaluate() without classes   {result['evaluate']['wall_s']:8.2f} s wall"
        f"  {result['evaluate']['cpu_s']:8.2f} s CPU",
        f"plan_entries, all counties at once {result['plan_entries']['wall_s']:8.2f} s wall"
        f"  {result['plan_entries']['cpu_s']:8.2f} s CPU",
        f"per-county loop (baseline)         {base['wall_s']:8.2f} s wall"
        f"  {base['cpu_s']:8.2f} s CPU{scaled}",
        f"ratio baseline / plan_entries      {ratios['baseline_over_plan']:8.1f}×",
        f"ratio plan_entries / evaluate      {ratios['plan_over_evaluate']:8.2f}×"
        f"   (CPU {ratios['plan_over_evaluate_cpu']:.2f}×; target < {TARGET_FACTOR:.0f}×"
        f" {mark[result['target']['met']]})",
        f"per-county results equal on {result['cross_check']['counties']} counties:"
        f" {mark[result['cross_check']['agrees']]}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=3000, help="counties in the dataset")
    parser.add_argument(
        "--baseline-counties",
        type=int,
        default=100,
        help="counties the per-county loop is timed on (scaled to all)",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs (best is kept)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = measure(args.counties, args.baseline_counties, args.runs)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["cross_check"]["agrees"] else 1


if __name__ == "__main__":
    sys.exit(main())
