"""Forecast benchmark: enrolment projection and forecast verdict against a plain pandas projection.

Run from the project root:

    .venv/bin/python benchmarks/forecast.py [--counties N] [--schools S] [--json]

Two sizes: one county of S schools (default 400, target under 5 s) and the national synthetic
dataset of N counties (default 3,000, about 200,000 segments; target under 30 s). Grade
enrolment for 2022–2026 is generated for every segment with `junheng.demo.demo_grades` (the
demo county's generator, vectorised), outside the timings. For each size it times

- the projection (`junheng.core.projection.project`: ratios, three scenarios, back-test),
- the forecast (`junheng.core.forecast.forecast`: the projection, the projected Dataset with the
  creation plan applied — a project on every tenth school and a staffing row on every segment,
  generated outside the timings — and `evaluate()` on it: the whole command without printing),
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

from junheng.core.dataset import Dataset, conform, table_schema
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
from junheng.core.schema import GRADE_LEVELS, PROJECTS, STAFFING
from junheng.demo import demo_grades, national_dataset
from junheng.standards import load_standard

COUNTY_TARGET_SECONDS = 5.0
NATIONAL_TARGET_SECONDS = 30.0
FIRST_YEAR, LAST_YEAR = 2022, 2026


def _with_grades(dataset: Dataset) -> Dataset:
    return _with_plans(replace(dataset, grades=demo_grades(dataset, FIRST_YEAR, LAST_YEAR, seed=7)))


def _with_plans(dataset: Dataset) -> Dataset:
    """A creation plan on every county, as a county's plan is shaped: every tenth school gets a
    project (600.00 m² of teaching rooms, 400.00 m² of sports ground, 80,000.00 yuan of
    equipment) finishing the summer after the data's last year, and every segment a staffing
    row for that autumn (one hire, a PE teacher, one backbone teacher, posts = teachers + 2)."""
    finish = f"{LAST_YEAR + 1}-08-31"
    schools = dataset.schools.with_row_index("__n").filter(pl.col("__n") % 10 == 0)
    projects = schools.select(
        pl.col("school_id").alias("project_id"),
        "county",
        pl.concat_str(pl.col("name"), pl.lit("改扩建工程")).alias("name"),
        pl.lit("expand").alias("kind"),
        "school_id",
        pl.lit(600.0).alias("teaching_aux_area_m2"),
        pl.lit(400.0).alias("sports_ground_area_m2"),
        pl.lit(80_000.0).alias("equipment_value_yuan"),
        pl.lit(finish).alias("planned_finish"),
        pl.lit("planned").alias("status"),
    )
    staffing = dataset.segments.select(
        "school_id",
        pl.lit(LAST_YEAR + 1).alias("year"),
        "level",
        (pl.col("teachers") + 2).alias("approved_posts"),
        pl.lit(1).alias("hires"),
        pl.lit(1).alias("hires_bachelor"),
        pl.lit(1).alias("hires_pe"),
        pl.lit(1).alias("backbone_new"),
    )
    return replace(
        dataset,
        projects=conform(projects, table_schema(PROJECTS)),
        staffing=conform(staffing, table_schema(STAFFING)),
    )


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
    (school_id, county, township): county, school_id, level, low, median, high (rounded)."""
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

    # Primary → junior by catchment: a township with grade k + 1 in the latest year keeps its
    # leavers; the others' (and those of schools without a township) are the county's pool,
    # split by shares of the county's grade k + 1. A receiving township's ratio is observed on
    # its own leavers plus its share of the pool; below the observations needed, the county's.
    by_township = policy.transition_by == "township"
    town = schools.set_index("school_id")["township"].str.strip().replace("", None)
    wide["placed"] = wide["school_id"].map(town).notna().to_numpy()
    wide["group"] = wide["county"] + "|" + wide["school_id"].map(town).fillna("").astype(str)
    hist["group"] = hist["county"] + "|" + hist["school_id"].map(town).fillna("").astype(str)
    catch: dict[int, Any] = {}
    for k in CROSSING:
        after_col = wide[f"g{k + 1}"]
        in_group = after_col.groupby(wide["group"]).transform("sum")
        keeps = (wide["placed"] & (in_group > 0)) if by_township else wide["placed"] & False
        wide[f"keeps{k + 1}"] = keeps.to_numpy()
        wide[f"within{k + 1}"] = (after_col / in_group).fillna(0.0)
        if not by_township:
            continue
        share = (after_col / after_col.groupby(wide["county"]).transform("sum")).fillna(0.0)
        groups = (
            wide.assign(keeps=keeps, share=share)
            .groupby("group")
            .agg(county=("county", "first"), keeps=("keeps", "first"), share=("share", "sum"))
            .reset_index()
        )
        rows = hist[hist["grade"].isin([k, k + 1])]
        counts = (
            rows.assign(
                leavers=rows["students"].where(rows["grade"] == k, 0.0),
                entered=rows["students"].where(rows["grade"] == k + 1, 0.0),
            )
            .groupby(["group", "county", "year"])[["leavers", "entered"]]
            .sum()
            .reset_index()
            .merge(groups[["group", "keeps"]], on="group", how="left")
        )
        counts["keeps"] = counts["keeps"].fillna(False).astype(bool)
        before = hist[hist["grade"] == k][["county", "year"]].drop_duplicates()
        after = hist[hist["grade"] == k + 1][["county", "year"]].drop_duplicates()
        pool = (
            counts[~counts["keeps"]].groupby(["county", "year"])["leavers"].sum().rename("pool")
        ).reset_index()
        own = counts[counts["keeps"]][["group", "year", "leavers"]].rename(
            columns={"leavers": "own"}
        )
        received = (
            groups[groups["share"] > 0]
            .merge(before, on="county")
            .merge(pool, on=["county", "year"], how="left")
            .merge(own, on=["group", "year"], how="left")
        )
        received["base"] = received["own"].fillna(0.0) + received["share"] * received[
            "pool"
        ].fillna(0.0)
        received["year"] = received["year"] + 1
        received = received[received["base"] > 0].merge(after, on=["county", "year"])
        received = received.merge(
            counts[["group", "year", "entered"]], on=["group", "year"], how="left"
        )
        received["ratio"] = received["entered"].fillna(0.0) / received["base"]
        grouped = received.groupby("group")["ratio"]
        table = grouped.size().rename("n").to_frame()
        for name, q in quantiles.items():
            table[name] = grouped.quantile(q)
        catch[k] = table.reset_index()

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
        if by_township:
            for k in CROSSING:
                table = catch[k][["group", "n", scenario]].rename(columns={scenario: "r_town"})
                state = state.merge(table, on="group", how="left")
                use = state["n"].fillna(0) >= policy.min_school_observations
                state["r_cross"] = np.where(use, state["r_town"], state["r_cross"])
                state = state.drop(columns=["n", "r_town"])
        for k in CROSSING:
            county_next = state.groupby("county")[f"g{k + 1}"].transform("sum")
            state[f"share{k + 1}"] = (state[f"g{k + 1}"] / county_next).fillna(0.0)
        for _ in range(base_year + 1, target_year + 1):
            new = {1: state["g1"] * state[f"r{ENTRY}"]}
            for k in WITHIN:
                new[k + 1] = state[f"g{k}"] * state[f"r{k}"]
            for k in CROSSING:
                keeps = state[f"keeps{k + 1}"]
                pooled = state[f"g{k}"].where(~keeps, 0.0)
                county_g = pooled.groupby(state["county"]).transform("sum")
                new[k + 1] = county_g * state["r_cross"] * state[f"share{k + 1}"]
                if by_township:
                    kept = state[f"g{k}"].where(keeps, 0.0).groupby(state["group"]).transform("sum")
                    new[k + 1] = kept * state["r_cross"] * state[f"within{k + 1}"] + new[k + 1]
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
    schools = to_pandas(dataset.schools.select("school_id", "county", "township"))
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
        "projects": dataset.projects.height,
        "projects_counted": int(result.projects.get_column("counted").sum()),
        "staffing_rows": dataset.staffing.height,
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
    for r in results:
        lines.append(
            f"{r['name']}: plan {r['projects']:,} projects ({r['projects_counted']:,} counted by "
            f"the target year), {r['staffing_rows']:,} staffing rows"
        )
    lines.append(
        "projection = ratios, three scenarios and the back-test; forecast = projection + "
        "projected dataset with the plan + evaluate(); ratio = pandas / projection."
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
