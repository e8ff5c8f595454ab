"""校际差异系数 (inter-school coefficient of variation), enrolment-weighted, population form.

For one county, level and indicator, over the in-scope segments i with enrolment P_i and value X_i
(P = Σ P_i): X̄ = Σ P_i·X_i / P, S = sqrt(Σ (P_i/P)·(X_i − X̄)²), CV = S / X̄. Never capped.
An unweighted CV is wrong for this standard. Any in-scope segment without a value makes the CV
missing (with the count in the reason), never a CV over fewer schools.
"""

from __future__ import annotations

import math

import polars as pl

from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Standard

KEYS = ["county", "level", "indicator"]


def weighted_cv(weights: list[float], values: list[float]) -> tuple[float, float, float]:
    """(mean, sd, cv) of one indicator — the reference formula, for single cases and tests."""
    total = sum(weights)
    mean = sum(w * x for w, x in zip(weights, values, strict=True)) / total
    variance = sum(w / total * (x - mean) ** 2 for w, x in zip(weights, values, strict=True))
    sd = math.sqrt(variance)
    return mean, sd, sd / mean


def _long(segments: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """One row per in-scope segment and indicator: county, level, indicator, P, X."""
    ids = [i.id for i in standard.ratio_items]
    base = segments.filter(pl.col("in_scope")).select(
        "county", "school_id", "name", "level", "students", *ids
    )
    return base.unpivot(
        index=["county", "school_id", "name", "level", "students"],
        on=ids,
        variable_name="indicator",
        value_name="value",
    ).with_columns(pl.col("students").cast(pl.Float64).alias("weight"))


def compute_balance(
    segments: pl.DataFrame, standard: Standard
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """CV per county, level and indicator, and each segment's share of the weighted variance.

    Returns (balance, contributions). `balance` has mean, sd, cv, limit, passes, reason;
    `contributions` has, per segment, its share of Σ (P_i/P)(X_i − X̄)² (shares sum to 1).
    """
    tolerance = standard.policy("numeric_tolerance")
    decimals = standard.policy("comparison_decimals")
    long = _long(segments, standard)
    grouped = long.group_by(KEYS, maintain_order=True).agg(
        pl.len().alias("n"),
        pl.col("value").null_count().alias("n_missing"),
        pl.col("weight").sum().alias("P"),
        ((pl.col("weight") * pl.col("value")).sum() / pl.col("weight").sum()).alias("mean"),
    )
    with_mean = long.join(grouped.select(*KEYS, "mean", "P"), on=KEYS, how="left")
    deviation = (pl.col("weight") / pl.col("P")) * (pl.col("value") - pl.col("mean")) ** 2
    with_mean = with_mean.with_columns(deviation.alias("variance_part"))
    variance = with_mean.group_by(KEYS, maintain_order=True).agg(
        pl.col("variance_part").sum().alias("variance")
    )
    limits = {i.id: dict(i.cv_limit) for i in standard.ratio_items}
    limit_rows = pl.DataFrame(
        [
            {"level": level, "indicator": item, "limit": limit}
            for item, by_level in limits.items()
            for level, limit in by_level.items()
        ]
    )
    balance = (
        grouped.join(variance, on=KEYS, how="left")
        .join(limit_rows, on=["level", "indicator"], how="left")
        .with_columns(pl.col("variance").sqrt().alias("sd"))
    )
    decidable = (pl.col("n_missing") == 0) & (pl.col("P") > 0) & (pl.col("mean") > 0)
    cv = pl.when(decidable).then(pl.col("sd") / pl.col("mean")).otherwise(None)
    balance = balance.with_columns(
        pl.when(decidable).then(pl.col("mean")).otherwise(None).alias("mean"),
        pl.when(decidable).then(pl.col("sd")).otherwise(None).alias("sd"),
        cv.alias("cv"),
    )
    compared = pl.col("cv").round(decimals) if decimals is not None else pl.col("cv")
    balance = balance.with_columns(
        compared.alias("cv_compared"),
        (compared <= pl.col("limit") * (1 + tolerance)).alias("passes"),
    )
    level_zh = pl.col("level").replace_strict(LEVEL_ZH, default=pl.col("level"))
    reason = (
        pl.when(pl.col("n_missing") > 0)
        .then(
            pl.format(
                "{}有 {} 所学校的 {} 无法计算，差异系数无法判定",
                level_zh,
                pl.col("n_missing"),
                pl.col("indicator"),
            )
        )
        .when(pl.col("mean").is_null())
        .then(pl.format("{} {} 平均值为 0，差异系数无意义", level_zh, pl.col("indicator")))
        .otherwise(
            pl.format(
                "{} {} 差异系数 {} {} {}",
                level_zh,
                pl.col("indicator"),
                pl.col("cv").round(6).cast(pl.String),
                pl.when(pl.col("passes")).then(pl.lit("≤")).otherwise(pl.lit(">")),
                pl.col("limit").cast(pl.String),
            )
        )
    )
    balance = balance.with_columns(reason.alias("reason")).select(
        *KEYS, "n", "n_missing", "P", "mean", "sd", "cv", "cv_compared", "limit", "passes", "reason"
    )
    contributions = (
        with_mean.join(variance, on=KEYS, how="left")
        .with_columns((pl.col("variance_part") / pl.col("variance")).alias("share"))
        .with_columns(
            pl.when(pl.col("value") >= pl.col("mean"))
            .then(pl.lit("高于均值"))
            .otherwise(pl.lit("低于均值"))
            .alias("direction")
        )
        .select(*KEYS, "school_id", "name", "students", "value", "mean", "share", "direction")
    )
    return balance, contributions


def top_contributors(
    balance: pl.DataFrame, contributions: pl.DataFrame, limit: int = 5
) -> pl.DataFrame:
    """For each CV over its limit, the segments contributing most to the weighted variance."""
    failing = balance.filter(pl.col("passes") == False).select(KEYS)  # noqa: E712
    return (
        contributions.join(failing, on=KEYS, how="semi")
        .sort([*KEYS, "share"], descending=[False, False, False, True])
        .group_by(KEYS, maintain_order=True)
        .head(limit)
    )
