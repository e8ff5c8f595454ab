"""National-scale benchmark: `evaluate()` on 3,000 counties against a plain pandas baseline.

Run from the project root:

    .venv/bin/python benchmarks/national.py [--counties N] [--baseline-counties M] [--json]

What it does, in order:

1. Starts a fresh child process (this script with `--child`) that generates the national
   dataset, records its memory, then runs `evaluate()` once as a warm-up and three measured
   times. The child imports neither pandas nor the baseline, so its peak RSS (`ru_maxrss`) is
   interpreter + data + evaluation and nothing else.
2. In this process, generates the same dataset again (same arguments give the same data), runs
   the engine once for the cross-check, and runs the baseline — a straightforward pandas +
   Python-loop implementation of Part R, as a county analyst would write it — on the same data
   (all counties, or the first M counties with the time scaled linearly by segment count).
3. Cross-checks the baseline against the engine (R values, per-segment verdicts, CVs, shortfall
   amounts and their county totals) and prints a table, or JSON with `--json`.

The engine figure is the whole evaluation (Parts R, G, Q, S, vetoes, verdicts, reasons, gaps);
the baseline does Part R only, so the ratio understates the engine's advantage. MB means 2**20
bytes throughout; the 2 GB target is 2048 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.core.evaluate import Evaluation, evaluate
from junheng.core.schema import SHARED_FACILITY_COLUMNS
from junheng.core.standard import Standard
from junheng.demo import national_dataset
from junheng.standards import load_standard

if TYPE_CHECKING:
    import pandas as pd

TIME_TARGET_SECONDS = 2.0
MEMORY_TARGET_MB = 2048.0
TOLERANCE = 1e-9
"""Largest difference accepted between baseline and engine (relative above magnitude 1)."""

R_IDS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
SEGMENT_KEYS = ["county", "school_id", "level"]
BALANCE_KEYS = ["county", "level", "indicator"]
SHORTFALL_KEYS = ["county", "school_id", "level", "item"]
TOTAL_KEYS = ["county", "level", "item"]


# ---- memory helpers ------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _current_rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


# ---- the measured engine run (child process) -------------------------------------------------


def measure_engine(counties: int, runs: int) -> dict[str, Any]:
    """Generate the data, then time `evaluate()` (one warm-up, `runs` measured) in this process.

    Meant to run in a fresh process, so that the peak RSS belongs to this work alone.
    """
    rss_start = _current_rss_mb()
    started = time.perf_counter()
    dataset = national_dataset(counties=counties)
    generation = time.perf_counter() - started
    gc.collect()
    rss_data = _current_rss_mb()
    peak_data = _peak_rss_mb()
    standard = load_standard()

    # The previous result is released before the next run: otherwise two evaluations would be
    # alive at once and the peak would overstate what one evaluation needs.
    evaluation: Evaluation | None = evaluate(dataset, standard)
    del evaluation
    gc.collect()
    seconds: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        evaluation = evaluate(dataset, standard)
        seconds.append(time.perf_counter() - started)
        del evaluation
        gc.collect()
    return {
        "segments": dataset.segments.height,
        "schools": dataset.schools.height,
        "generation_seconds": generation,
        "seconds": seconds,
        "rss_start_mb": rss_start,
        "rss_after_data_mb": rss_data,
        "peak_after_data_mb": peak_data,
        "peak_mb": _peak_rss_mb(),
    }


def _run_child(counties: int, runs: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--counties",
        str(counties),
        "--runs",
        str(runs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"engine measurement failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the baseline: pandas + Python loops -----------------------------------------------------


@dataclass
class BaselineResult:
    segments: pd.DataFrame
    """In-scope segments: county, school_id, level, students, R1..R7, passes."""
    balance: pd.DataFrame
    """county, level, indicator, cv, limit, passes."""
    shortfalls: pd.DataFrame
    """county, school_id, level, item, value, threshold, shortfall."""
    totals: pd.DataFrame
    """county, level, item, total."""


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    # Column by column through NumPy: pyarrow (which `DataFrame.to_pandas` needs) is not a
    # dependency of the project.
    import pandas as pd

    return pd.DataFrame({name: frame.get_column(name).to_numpy() for name in frame.columns})


def _round_decimal(value: float, decimals: int, rule: str) -> float:
    """The standard's rounding rule on the decimal value (12 places), written independently of
    the engine with Python's decimal module."""
    if math.isnan(value):
        return value
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-12), rounding=ROUND_HALF_EVEN)
    mode = ROUND_HALF_UP if rule == "half_up" else ROUND_HALF_EVEN
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def _or_zero(value: float) -> float:
    return 0.0 if value is None or math.isnan(value) else value


def _is_missing(value: float) -> bool:
    return value is None or math.isnan(value)


def baseline_part_r(
    schools: pl.DataFrame, segments: pl.DataFrame, standard: Standard
) -> BaselineResult:
    """Part R the way a county analyst would write it with pandas and loops.

    Formulas are written out by hand (as in the standard file); every threshold, limit, weight
    and rule parameter is read from `standard`. Only the default scope and teaching-point
    policies are implemented, which is what the benchmark data needs.
    """
    import pandas as pd

    if standard.policy("teaching_point_mode") != "separate":
        raise ValueError("the baseline only treats teaching points as separate segments")
    mode = standard.policy("apportionment")
    if mode not in ("weighted", "enrolment"):
        raise ValueError(f"the baseline does not implement apportionment mode {mode!r}")

    sch = _to_pandas(schools)
    seg = _to_pandas(segments)

    # Shared facilities reported once on the school row go to its segments by weighted enrolment.
    shared = list(SHARED_FACILITY_COLUMNS)
    school_part = sch[["school_id", "county", "kind", "ownership", "senior_students", *shared]]
    school_part = school_part.rename(columns={c: f"{c}_school" for c in shared})
    df = seg.merge(school_part, on="school_id", how="left")
    weights = dict(standard.policy("apportionment_weights"))
    if mode == "enrolment":
        weights = dict.fromkeys(weights, 1.0)
    df["weighted"] = df["level"].map(weights) * df["students"]
    senior = df["senior_students"].fillna(0) * weights.get("senior", 0.0)
    df["share"] = df["weighted"] / (df.groupby("school_id")["weighted"].transform("sum") + senior)
    for column in shared:
        reported = df[f"{column}_school"].notna()
        df[column] = df[column].astype(float)
        df.loc[reported, column] = df.loc[reported, f"{column}_school"] * df.loc[reported, "share"]

    # Scope: no special or vocational schools, no small teaching points, private by policy.
    school_students = df.groupby("school_id")["students"].transform("sum")
    excluded = df["kind"].isin(list(standard.scope_rule["excluded_kinds"]))
    excluded |= (df["kind"] == "teaching_point") & (
        school_students < standard.policy("teaching_point_min_students")
    )
    if standard.policy("exclude_private"):
        excluded |= df["ownership"].fillna("public") == "private"
    df = df[~excluded]

    tolerance = standard.policy("numeric_tolerance")
    rule = standard.segment_rule
    allowed_misses = len(R_IDS) - rule.min_met
    items = {i: standard.items[i] for i in R_IDS}
    factor = {i: item.ratio.factor for i, item in items.items() if item.ratio is not None}
    whole = {i: item.shortfall.whole for i, item in items.items() if item.shortfall is not None}

    segment_rows: list[dict[str, Any]] = []
    shortfall_rows: list[dict[str, Any]] = []
    for row in df.itertuples(index=False):
        level = row.level
        if level == "primary":
            r1 = row.teachers_postgraduate + row.teachers_bachelor + row.teachers_associate
        else:
            r1 = row.teachers_postgraduate + row.teachers_bachelor
        numerators = {
            "R1": r1,
            "R2": row.backbone_teachers,
            "R3": row.pe_teachers
            + row.music_teachers
            + row.fine_art_teachers
            + _or_zero(row.arts_teachers),
            "R4": row.teaching_aux_area_m2,
            "R5": row.sports_ground_area_m2 + _or_zero(row.indoor_sports_area_m2),
            "R6": row.equipment_value_yuan,
            "R7": row.multimedia_rooms,
        }
        students = row.students
        record: dict[str, Any] = {
            "county": row.county,
            "school_id": row.school_id,
            "level": level,
            "students": students,
        }
        n_unmet = n_missing = n_below_floor = 0
        for item_id, numerator in numerators.items():
            threshold = items[item_id].threshold[level]
            if _is_missing(numerator) or _is_missing(students) or students <= 0:
                record[item_id] = math.nan
                n_missing += 1
                continue
            value = numerator / students * factor[item_id]
            record[item_id] = value
            # The standard's numeric tolerance makes a value exactly at the threshold pass.
            if value >= threshold * (1 - tolerance):
                continue
            n_unmet += 1
            if value < threshold * rule.floor_ratio * (1 - tolerance):
                n_below_floor += 1
            needed = threshold * students / factor[item_id] - numerator
            if whole[item_id]:
                needed = float(math.ceil(needed - tolerance * max(1.0, abs(needed))))
            shortfall_rows.append(
                {
                    "county": row.county,
                    "school_id": row.school_id,
                    "level": level,
                    "item": item_id,
                    "value": value,
                    "threshold": threshold,
                    "shortfall": needed,
                }
            )
        if n_below_floor > 0 or n_unmet > allowed_misses:
            record["passes"] = False
        elif n_missing > 0:
            record["passes"] = None
        else:
            record["passes"] = True
        segment_rows.append(record)
    values = pd.DataFrame(segment_rows)

    # Enrolment-weighted, population-form CV per county, level and indicator.
    long = values.melt(
        id_vars=["county", "level", "students"],
        value_vars=list(R_IDS),
        var_name="indicator",
        value_name="value",
    )

    def weighted_cv(group: pd.DataFrame) -> float:
        w = group["students"].astype(float)
        x = group["value"]
        total = w.sum()
        if x.isna().any() or total <= 0:
            return math.nan
        mean = (w * x).sum() / total
        if mean <= 0:
            return math.nan
        return math.sqrt(((w / total) * (x - mean) ** 2).sum()) / mean

    balance = (
        long.groupby(BALANCE_KEYS, sort=False)
        .apply(weighted_cv, include_groups=False)
        .reset_index(name="cv")
    )
    decimals = standard.policy("comparison_decimals")
    balance["limit"] = [
        standard.items[i].cv_limit[level]
        for level, i in zip(balance["level"], balance["indicator"], strict=True)
    ]
    compared = (
        balance["cv"].map(
            lambda cv: _round_decimal(cv, decimals, standard.policy("comparison_rounding"))
        )
        if decimals is not None
        else balance["cv"]
    )
    passes = compared <= balance["limit"] * (1 + tolerance)
    balance["passes"] = passes.astype(object).where(compared.notna(), None)

    shortfalls = pd.DataFrame(
        shortfall_rows,
        columns=[*SHORTFALL_KEYS, "value", "threshold", "shortfall"],
    )
    totals = (
        shortfalls.groupby(TOTAL_KEYS, sort=False)["shortfall"]
        .sum()
        .reset_index()
        .rename(columns={"shortfall": "total"})
    )
    return BaselineResult(values, balance, shortfalls, totals)


# ---- cross-check ---------------------------------------------------------------------------


def _from_pandas(frame: pd.DataFrame) -> pl.DataFrame:
    # NaN (pandas' missing number) becomes null so that it compares like the engine's nulls.
    polars = pl.DataFrame(frame.to_dict("list"), strict=False)
    floats = [c for c, t in polars.schema.items() if t.is_float()]
    return polars.with_columns(pl.col(floats).fill_nan(None))


def _compare(
    what: str,
    engine: pl.DataFrame,
    baseline: pl.DataFrame,
    keys: list[str],
    numbers: list[str],
    flags: list[str],
) -> list[str]:
    """Differences between two frames with the same keys: rows on one side only, numbers further
    apart than TOLERANCE (relative above magnitude 1), nulls on one side, flags not equal."""
    problems: list[str] = []
    only_engine = engine.join(baseline, on=keys, how="anti")
    only_baseline = baseline.join(engine, on=keys, how="anti")
    for side, rows in (("engine", only_engine), ("baseline", only_baseline)):
        if rows.height:
            sample = rows.select(keys).head(5).rows()
            problems.append(f"{what}: {rows.height} rows only in the {side}, e.g. {sample}")
    joined = engine.join(baseline, on=keys, how="inner", suffix="_base")
    for column in numbers:
        a, b = pl.col(column), pl.col(f"{column}_base")
        scale = pl.max_horizontal(pl.lit(1.0), a.abs(), b.abs())
        differs = ((a - b).abs() > TOLERANCE * scale).fill_null(False) | (
            a.is_null() != b.is_null()
        )
        bad = joined.filter(differs)
        if bad.height:
            sample = bad.select(*keys, column, f"{column}_base").head(5).rows()
            problems.append(f"{what} {column}: {bad.height} rows differ, e.g. {sample}")
    for column in flags:
        bad = joined.filter(~pl.col(column).eq_missing(pl.col(f"{column}_base")))
        if bad.height:
            sample = bad.select(*keys, column, f"{column}_base").head(5).rows()
            problems.append(f"{what} {column}: {bad.height} rows differ, e.g. {sample}")
    return problems


def cross_check(
    evaluation: Evaluation, baseline: BaselineResult, counties: list[str]
) -> dict[str, Any]:
    """Compare the baseline with the engine on `counties`; `agrees` with counts or differences."""
    mine = pl.col("county").is_in(counties)
    r_items = pl.col("item").is_in(list(R_IDS))
    engine_segments = evaluation.segments.filter(mine & pl.col("in_scope")).select(
        *SEGMENT_KEYS, *R_IDS, "passes"
    )
    engine_balance = evaluation.balance.filter(mine & (pl.col("n") > 0)).select(
        *BALANCE_KEYS, "cv", "passes"
    )
    engine_shortfalls = evaluation.gaps.filter(mine & r_items).select(*SHORTFALL_KEYS, "shortfall")
    engine_totals = evaluation.totals.filter(mine & r_items).select(*TOTAL_KEYS, "total")
    base_segments = _from_pandas(baseline.segments).select(*SEGMENT_KEYS, *R_IDS, "passes")
    base_balance = _from_pandas(baseline.balance).select(*BALANCE_KEYS, "cv", "passes")
    base_shortfalls = _from_pandas(baseline.shortfalls).select(*SHORTFALL_KEYS, "shortfall")
    base_totals = _from_pandas(baseline.totals).select(*TOTAL_KEYS, "total")
    # Pass flags may come back as an all-null column of another type when nothing is undecided.
    base_segments = base_segments.with_columns(pl.col("passes").cast(pl.Boolean))
    base_balance = base_balance.with_columns(pl.col("passes").cast(pl.Boolean))

    problems = [
        *_compare(
            "segments", engine_segments, base_segments, SEGMENT_KEYS, list(R_IDS), ["passes"]
        ),
        *_compare("CVs", engine_balance, base_balance, BALANCE_KEYS, ["cv"], ["passes"]),
        *_compare(
            "shortfalls", engine_shortfalls, base_shortfalls, SHORTFALL_KEYS, ["shortfall"], []
        ),
        *_compare("totals", engine_totals, base_totals, TOTAL_KEYS, ["total"], []),
    ]
    return {
        "agrees": not problems,
        "counties": len(counties),
        "segments": engine_segments.height,
        "cvs": engine_balance.height,
        "shortfalls": engine_shortfalls.height,
        "differences": problems,
    }


# ---- the benchmark -------------------------------------------------------------------------


def run_benchmark(counties: int, baseline_counties: int | None, runs: int) -> dict[str, Any]:
    """Everything the report shows, as plain numbers."""
    load_start = os.getloadavg()
    child = _run_child(counties, runs)

    started = time.perf_counter()
    dataset = national_dataset(counties=counties)
    generation = time.perf_counter() - started
    standard = load_standard()
    evaluation = evaluate(dataset, standard)

    subset = dataset.counties
    if baseline_counties is not None and baseline_counties < len(subset):
        subset = subset[:baseline_counties]
    schools = dataset.schools.filter(pl.col("county").is_in(subset))
    segments = dataset.segments.join(schools.select("school_id"), on="school_id", how="semi")
    # Imported before the clock starts: loading pandas is not part of the baseline's work.
    import pandas  # noqa: F401

    started = time.perf_counter()
    baseline = baseline_part_r(schools, segments, standard)
    baseline_seconds = time.perf_counter() - started
    scale = dataset.segments.height / segments.height
    check = cross_check(evaluation, baseline, subset)
    load_end = os.getloadavg()

    seconds = child["seconds"]
    best, median = min(seconds), statistics.median(seconds)
    baseline_full = baseline_seconds * scale
    return {
        "counties": counties,
        "segments": dataset.segments.height,
        "schools": dataset.schools.height,
        "cpus": os.cpu_count(),
        "load_average_start": list(load_start),
        "load_average_end": list(load_end),
        "generation_seconds": generation,
        "engine": {
            "runs": seconds,
            "best_seconds": best,
            "median_seconds": median,
            "segments_per_second": dataset.segments.height / best,
        },
        "memory": {
            "rss_start_mb": child["rss_start_mb"],
            "rss_after_data_mb": child["rss_after_data_mb"],
            "peak_after_data_mb": child["peak_after_data_mb"],
            "peak_mb": child["peak_mb"],
            "evaluation_increase_mb": child["peak_mb"] - child["rss_after_data_mb"],
        },
        "baseline": {
            "seconds": baseline_full,
            "measured_seconds": baseline_seconds,
            "measured_counties": len(subset),
            "measured_segments": segments.height,
            "extrapolated": len(subset) < len(dataset.counties),
        },
        "ratio_baseline_to_engine": baseline_full / best,
        "targets": {
            "under_2_seconds": best < TIME_TARGET_SECONDS,
            "under_2_gb": child["peak_mb"] < MEMORY_TARGET_MB,
        },
        "cross_check": check,
    }


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def format_report(result: dict[str, Any]) -> str:
    engine, memory, baseline = result["engine"], result["memory"], result["baseline"]
    check, targets = result["cross_check"], result["targets"]
    runs = ", ".join(f"{s:.3f}" for s in engine["runs"])
    n = len(engine["runs"])
    if baseline["extrapolated"]:
        how = (
            f"EXTRAPOLATED linearly from {baseline['measured_seconds']:.2f} s measured on the "
            f"first {baseline['measured_counties']:,} counties "
            f"({baseline['measured_segments']:,} segments)"
        )
    else:
        how = f"measured on all {baseline['measured_counties']:,} counties, one run"
    load_start = " / ".join(f"{x:.2f}" for x in result["load_average_start"])
    load_end = " / ".join(f"{x:.2f}" for x in result["load_average_end"])
    lines = [
        f"National benchmark: {result['counties']:,} counties, {result['segments']:,} segments, "
        f"{result['schools']:,} schools",
        f"Machine: {result['cpus']} CPUs; load average (1/5/15 min) {load_start} at start, "
        f"{load_end} at end",
        f"Data generation: {result['generation_seconds']:.2f} s (not part of the measurement)",
        "",
        f"{'':44}{'value':>14}   target",
        f"{f'Engine evaluate(), best of {n}':44}{engine['best_seconds']:>12.3f} s   "
        f"under 2 s  {_mark(targets['under_2_seconds'])}",
        f"{f'Engine evaluate(), median of {n}':44}{engine['median_seconds']:>12.3f} s",
        f"{'  runs after one warm-up (s)':44}{runs:>14}",
        f"{'Segments per second (best)':44}{engine['segments_per_second']:>14,.0f}",
        f"{'Peak memory, evaluation process':44}{memory['peak_mb']:>11,.0f} MB   "
        f"under 2 GB {_mark(targets['under_2_gb'])}",
        f"{'  RSS after generating the data':44}{memory['rss_after_data_mb']:>11,.0f} MB",
        f"{'  increase during evaluation':44}{memory['evaluation_increase_mb']:>11,.0f} MB",
        f"{'Baseline, pandas + loops (Part R only)':44}{baseline['seconds']:>12.2f} s   ({how})",
        f"{'Ratio baseline / engine (best)':44}{result['ratio_baseline_to_engine']:>13.1f}×",
        "",
        "The engine time covers the whole evaluation (Parts R, G, Q, S, vetoes, reasons, gaps);",
        "the baseline covers Part R only.",
        "",
    ]
    if check["agrees"]:
        lines.append(
            f"Cross-check on {check['counties']:,} counties ({check['segments']:,} segments, "
            f"{check['cvs']:,} CVs, {check['shortfalls']:,} shortfalls): results agree"
        )
    else:
        lines.append(f"Cross-check on {check['counties']:,} counties: RESULTS DIFFER")
        lines += [f"  {problem}" for problem in check["differences"]]
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counties", type=int, default=3000, help="counties (67 segments each)")
    parser.add_argument(
        "--baseline-counties",
        type=int,
        default=None,
        help="run the baseline on the first N counties only and scale its time linearly",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured engine runs")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.counties < 1 or args.runs < 1:
        parser.error("--counties and --runs must be at least 1")
    if args.baseline_counties is not None and args.baseline_counties < 1:
        parser.error("--baseline-counties must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the cross-check agrees, 1 when it does not."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(measure_engine(args.counties, args.runs)))
        return 0
    result = run_benchmark(args.counties, args.baseline_counties, args.runs)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0 if result["cross_check"]["agrees"] else 1


if __name__ == "__main__":
    sys.exit(main())
