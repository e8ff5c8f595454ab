"""Forecast benchmark: enrolment projection and forecast verdict against a plain pandas projection.

Run from the project root:

    .venv/bin/python benchmarks/forecast.py [--counties N] [--schools S] [--json]

Two sizes: one county of S schools (default 400, target under 5 s) and the national synthetic
dataset of N counties (default 3,000, about 200,000 segments; target under 30 s). Grade
enrolment for 2022–2026 is generated for every segment with `junheng.demo.demo_grades` (the
demo county's generator, vectorised), outside the timings. For each size it times

- the projection (`junheng.core.projection.project`: ratios, three scenarios, back-test),
- the forecast (`junheng.core.forecast.forecast`: the projection, the projected Dataset and
  `evaluate()` on it — the whole command without printing),
- a plain pandas implementation of the same projection (groupby quantiles, merges and a loop
  over the years), as an analyst would write it, on the same data in the same run;

prints the ratio pandas ÷ projection, and cross-checks the pandas result against the engine
(every school's projected students in every scenario).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.forecast import forecast
from junheng.core.projection import (
    CROSSING,
    ENTRY,
    SCENARIOS,
    WITHIN,
    ProjectionPolicy,
    default_policy,
    project,
)
from junheng.core.schema import GRADE_LEVELS
from junheng.demo import demo_grades, national_dataset
from junheng.standards import load_standard

COUNTY_TARGET_SECONDS = 5.0
NATIONAL_TARGET_SECONDS = 30.0
FIRST_YEAR, LAST_YEAR = 2022, 2026


def _with_grades(dataset: Dataset) -> Dataset:
    return replace(dataset, grades=demo_grades(dataset, FIRST_YEAR, LAST_YEAR, seed=7))


def county_dataset(schools: int) -> Dataset:
    """One county of about `schools` schools (national generator: nine-year schools have two
    segments, so segments = schools + schools // 19)."""
    segments = schools + schools // 19
    return _with_grades(national_dataset(counties=1, segments_per_county=segments))


# ---- the pandas baseline ---------------------------------------------------------------------


def to_pandas(frame: pl.DataFrame) -> Any:
    """A pandas frame of the same columns (without pyarrow, which the project does not need)."""
    import pandas as pd

    return pd.DataFrame(frame.to_dict(as_series=False))


def pandas_projection(grades: Any, schools: Any, target_year: int, policy: ProjectionPolicy) -> Any:
    """The projection in plain pandas from pandas frames of the grades table and of the schools'
    (school_id, county): county, school_id, level, low, median, high (rounded)."""
    import numpy as np
    import pandas as pd

    base_year = int(grades["year"].max())
    hist = grades[grades["year"] > base_year - policy.history_years].merge(schools, on="school_id")
    hist["students"] = hist["students"].astype(float)
    quantiles = policy.quantiles

    # Observed ratios: grade k → k + 1 a year later, and entrants against last year's.
    moves = hist[hist["grade"].isin(WITHIN)].assign(transition=lambda f: f["grade"])
    moves["to"] = moves["grade"] + 1
    entry = hist[hist["grade"] == 1].assign(transition=ENTRY, to=1)
    base = pd.concat([moves, entry])
    base = base.assign(year=base["year"] + 1, grade=base["to"]).rename(columns={"students": "base"})
    nxt = hist[["school_id", "year", "grade", "students"]].rename(columns={"students": "next"})
    obs = base.merge(nxt, on=["school_id", "year", "grade"])
    obs = obs[obs["base"] > 0]
    obs["ratio"] = obs["next"] / obs["base"]

    def stats(keys: list[str]) -> pd.DataFrame:
        grouped = obs.groupby(keys)["ratio"]
        out = grouped.size().rename("n").to_frame()
        for name, q in quantiles.items():
            out[name] = grouped.quantile(q)
        return out.reset_index()

    own = stats(["county", "school_id", "transition"])
    county = stats(["county", "transition"]).rename(
        columns={"n": "county_n", **{s: f"{s}_county" for s in SCENARIOS}}
    )
    at_base = hist[hist["year"] == base_year]
    wide = at_base.pivot_table(
        index=["county", "school_id"], columns="grade", values="students", aggfunc="sum"
    )
    wide = wide.reindex(columns=sorted(GRADE_LEVELS), fill_value=0.0).fillna(0.0)
    wide.columns = [f"g{k}" for k in wide.columns]
    wide = wide.reset_index()
    pairs = wide[["county", "school_id"]].merge(
        pd.DataFrame({"transition": [ENTRY, *WITHIN]}), how="cross"
    )
    ratios = pairs.merge(own, on=["county", "school_id", "transition"], how="left").merge(
        county, on=["county", "transition"], how="left"
    )
    use_own = ratios["n"].fillna(0) >= policy.min_school_observations
    for s in SCENARIOS:
        ratios[s] = np.where(
            use_own,
            ratios[s],
            np.where(ratios["county_n"].notna(), ratios[f"{s}_county"], policy.fallback_ratio),
        )

    totals = hist.groupby(["county", "year", "grade"])["students"].sum().reset_index()
    crossing_parts = []
    for k in CROSSING:
        before = totals[totals["grade"] == k].assign(year=lambda f: f["year"] + 1)
        after = totals[totals["grade"] == k + 1]
        merged = before.merge(after, on=["county", "year"], suffixes=("_b", "_a"))
        merged = merged[merged["students_b"] > 0]
        crossing_parts.append(
            merged.assign(ratio=merged["students_a"] / merged["students_b"])[["county", "ratio"]]
        )
    crossing = pd.concat(crossing_parts).groupby("county")["ratio"]
    cross = pd.DataFrame({s: crossing.quantile(q) for s, q in quantiles.items()}).reset_index()

    results = []
    for scenario in SCENARIOS:
        r = ratios.pivot_table(index="school_id", columns="transition", values=scenario)
        r.columns = [f"r{t}" for t in r.columns]
        state = wide.merge(r.reset_index(), on="school_id", how="left")
        state = state.merge(
            cross[["county", scenario]].rename(columns={scenario: "r_cross"}),
            on="county",
            how="left",
        )
        state["r_cross"] = state["r_cross"].fillna(policy.fallback_ratio)
        for k in CROSSING:
            county_next = state.groupby("county")[f"g{k + 1}"].transform("sum")
            state[f"share{k + 1}"] = (state[f"g{k + 1}"] / county_next).fillna(0.0)
        for _ in range(base_year + 1, target_year + 1):
            new = {1: state["g1"] * state[f"r{ENTRY}"]}
            for k in WITHIN:
                new[k + 1] = state[f"g{k}"] * state[f"r{k}"]
            for k in CROSSING:
                county_g = state.groupby("county")[f"g{k}"].transform("sum")
                new[k + 1] = county_g * state["r_cross"] * state[f"share{k + 1}"]
            for k, values in new.items():
                state[f"g{k}"] = values
        for level in ("primary", "junior"):
            cols = [f"g{k}" for k, of in GRADE_LEVELS.items() if of == level]
            base_cols = wide[cols].sum(axis=1)
            frame = state[["county", "school_id"]].copy()
            frame["level"] = level
            frame["scenario"] = scenario
            frame["value"] = np.floor(state[cols].sum(axis=1) + 0.5).astype("int64")
            frame["keep"] = (base_cols > 0).to_numpy()
            results.append(frame)
    long = pd.concat(results)
    out = long.pivot_table(
        index=["county", "school_id", "level"], columns="scenario", values="value"
    ).reset_index()
    keep = long.groupby(["county", "school_id", "level"])["keep"].any().reset_index()
    out = out.merge(keep, on=["county", "school_id", "level"])
    return out[out["keep"] | (out["high"] > 0)].drop(columns="keep")


# ---- measuring ----------------------------------------------------------------------------


def _timed(run: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def measure(name: str, dataset: Dataset, target_year: int, target: float) -> dict[str, Any]:
    policy = default_policy()
    standard = load_standard()
    project(dataset, target_year, policy=policy)  # warm-up: compiled expressions, caches
    projection, projection_seconds = _timed(lambda: project(dataset, target_year, policy=policy))
    result, forecast_seconds = _timed(
        lambda: forecast(dataset, target_year, standard=standard, policy=policy)
    )
    # Both start from frames in their own library; the conversion is not timed.
    grades = to_pandas(dataset.grades)
    schools = to_pandas(dataset.schools.select("school_id", "county"))
    baseline, pandas_seconds = _timed(
        lambda: pandas_projection(grades, schools, target_year, policy)
    )
    engine = projection.schools.select("school_id", "level", *SCENARIOS)
    other = pl.DataFrame(
        {c: baseline[c].tolist() for c in ("school_id", "level", *SCENARIOS)}
    ).with_columns(pl.col(s).cast(pl.Int64) for s in SCENARIOS)
    joined = engine.join(other, on=["school_id", "level"], how="full", suffix="_pandas")
    differing = joined.filter(
        pl.any_horizontal(pl.col(s).ne_missing(pl.col(f"{s}_pandas")) for s in SCENARIOS)
    )
    # Quantiles interpolate in a different order of operations in NumPy, so a school's total
    # can land on the other side of x.5 and round one pupil apart; more would be a real error.
    largest = differing.select(
        pl.max_horizontal(
            (pl.col(s) - pl.col(f"{s}_pandas")).abs().fill_null(10**9) for s in SCENARIOS
        ).max()
    ).item()
    return {
        "name": name,
        "counties": dataset.schools["county"].n_unique(),
        "schools": dataset.schools.height,
        "segments": dataset.segments.height,
        "grade_rows": dataset.grades.height,
        "projected_rows": projection.schools.height,
        "projection_seconds": projection_seconds,
        "forecast_seconds": forecast_seconds,
        "pandas_seconds": pandas_seconds,
        "ratio": pandas_seconds / projection_seconds,
        "target_seconds": target,
        "within_target": forecast_seconds < target,
        "cross_check": {
            "rows": joined.height,
            "differing": differing.height,
            "largest_difference": int(largest or 0),
            "agrees": (largest or 0) <= 1,
        },
        "county_verdicts_failing": sum(
            1 for v in result.evaluation.verdicts.values() if v.passes is False
        ),
    }


def format_report(results: list[dict[str, Any]], target_year: int) -> str:
    lines = [
        f"Forecast benchmark: grades {FIRST_YEAR}-{LAST_YEAR}, target year {target_year}",
        "",
        f"{'size':<34}{'schools':>9}{'grade rows':>12}{'projection':>12}{'forecast':>10}"
        f"{'pandas':>9}{'ratio':>8}  target",
    ]
    for r in results:
        ok = "ok" if r["within_target"] else "MISSED"
        lines.append(
            f"{r['name']:<34}{r['schools']:>9,}{r['grade_rows']:>12,}"
            f"{r['projection_seconds']:>11.2f}s{r['forecast_seconds']:>9.2f}s"
            f"{r['pandas_seconds']:>8.2f}s{r['ratio']:>7.1f}x  < {r['target_seconds']:g} s {ok}"
        )
    lines.append("")
    for r in results:
        check = r["cross_check"]
        verdict = "results agree" if check["agrees"] else "RESULTS DIFFER"
        lines.append(
            f"{r['name']}: pandas vs engine, {check['rows']:,} school levels x 3 scenarios: "
            f"{verdict} ({check['differing']} one pupil apart from rounding at x.5, "
            f"largest difference {check['largest_difference']})"
        )
    lines.append(
        "projection = ratios, three scenarios and the back-test; forecast = projection + "
        "projected dataset + evaluate(); ratio = pandas / projection."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=3000)
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--target-year", type=int, default=LAST_YEAR + 3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = [
        measure(
            f"one county, {args.schools} schools",
            county_dataset(args.schools),
            args.target_year,
            COUNTY_TARGET_SECONDS,
        ),
        measure(
            f"national, {args.counties:,} counties",
            _with_grades(national_dataset(counties=args.counties)),
            args.target_year,
            NATIONAL_TARGET_SECONDS,
        ),
    ]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_report(results, args.target_year))
    agree = all(r["cross_check"]["agrees"] for r in results)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
