"""校际差异系数 (inter-school coefficient of variation), enrolment-weighted, population form.

For one county, level and indicator, over the in-scope segments i with enrolment P_i and value X_i
(P = Σ P_i): X̄ = Σ P_i·X_i / P, S = sqrt(Σ (P_i/P)·(X_i − X̄)²), CV = S / X̄. Never capped.
An unweighted CV is wrong for this standard. Any in-scope segment without a value makes the CV
missing (with the count in the reason), never a CV over fewer schools.
"""

from __future__ import annotations

import math

import polars as pl

from junheng.core.formatting import fixed
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Standard
from junheng.core.wording import policy_value_text

KEYS = ["county", "level", "indicator"]


def weighted_cv(weights: list[float], values: list[float]) -> tuple[float, float, float]:
    """(mean, sd, cv) of one indicator — the reference formula, for single cases and tests."""
    total = sum(weights)
    mean = sum(w * x for w, x in zip(weights, values, strict=True)) / total
    variance = sum(w / total * (x - mean) ** 2 for w, x in zip(weights, values, strict=True))
    sd = math.sqrt(variance)
    return mean, sd, sd / mean


# Digits of a CV taken as its decimal value before rounding: binary floating point stores 0.505
# as 0.50499999999999999556 and 1.005 × 100 as 100.49999999999999; twelve decimals are far below
# any meaningful digit of a CV and far above that noise.
_DECIMAL_DIGITS = 12


def round_decimal(value: pl.Expr, decimals: int, rule: str) -> pl.Expr:
    """`value` (≥ 0) rounded to `decimals` places of its decimal value: `half_up` (四舍五入, as
    Excel's ROUND) or `half_even` (GB/T 8170: a dropped 5 with nothing after it goes to even)."""
    scale = 10.0**decimals
    scaled = (value * scale).round(max(_DECIMAL_DIGITS - decimals, 0))
    lower = scaled.floor()
    up = lower + 1
    if rule == "half_up":
        rounded = pl.when(scaled - lower >= 0.5).then(up).otherwise(lower)
    elif rule == "half_even":
        rounded = (
            pl.when(scaled - lower > 0.5)
            .then(up)
            .when((scaled - lower == 0.5) & (lower % 2 == 1))
            .then(up)
            .otherwise(lower)
        )
    else:
        raise ValueError(rule)
    return rounded / scale


def rounding_text(standard: Standard) -> str | None:
    """How CVs are rounded before comparison, in words; None when compared at full precision."""
    decimals = standard.policy("comparison_decimals")
    if decimals is None:
        return None
    return f"{policy_value_text(standard, 'comparison_rounding')}保留 {decimals} 位小数"


def _rounded_text(standard: Standard, decimals: int | None) -> pl.Expr:
    text = rounding_text(standard)
    if text is None:
        return pl.lit("")
    return pl.format(f"（按{text}为 {{}}）", fixed(pl.col("cv_compared"), decimals or 0))


def compute_balance(segments: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """CV per county, level and indicator: n, mean, sd, cv, limit, passes, reason.

    Computed on the wide segment frame (two grouped passes: means, then squared deviations), so
    a national run does not reshape 200,000 segments × 7 indicators into a long table.
    """
    tolerance = standard.policy("numeric_tolerance")
    decimals = standard.policy("comparison_decimals")
    ids = [i.id for i in standard.ratio_items]
    scoped = segments.filter(pl.col("in_scope")).with_columns(
        pl.col("students").cast(pl.Float64).alias("__w")
    )
    w = pl.col("__w")
    first = scoped.group_by("county", "level", maintain_order=True).agg(
        pl.len().alias("n"),
        w.sum().alias("P"),
        *[pl.col(i).null_count().alias(f"{i}__missing") for i in ids],
        *[((w * pl.col(i)).sum() / w.sum()).alias(f"{i}__mean") for i in ids],
    )
    second = (
        scoped.join(first, on=["county", "level"], how="left")
        .group_by("county", "level", maintain_order=True)
        .agg(
            *[
                ((w / pl.col("P")) * (pl.col(i) - pl.col(f"{i}__mean")) ** 2)
                .sum()
                .alias(f"{i}__var")
                for i in ids
            ]
        )
    )
    wide = first.join(second, on=["county", "level"], how="left")
    frames = [
        wide.select(
            "county",
            "level",
            pl.lit(i).alias("indicator"),
            "n",
            pl.col(f"{i}__missing").alias("n_missing"),
            "P",
            pl.col(f"{i}__mean").alias("mean"),
            pl.col(f"{i}__var").sqrt().alias("sd"),
        )
        for i in ids
    ]
    limits = pl.DataFrame(
        [
            {"level": level, "indicator": item.id, "limit": limit}
            for item in standard.ratio_items
            for level, limit in item.cv_limit.items()
        ]
    )
    balance = pl.concat(frames).join(limits, on=["level", "indicator"], how="left")
    decidable = (pl.col("n_missing") == 0) & (pl.col("P") > 0) & (pl.col("mean") > 0)
    balance = balance.with_columns(
        pl.when(decidable).then(pl.col("mean")).otherwise(None).alias("mean"),
        pl.when(decidable).then(pl.col("sd")).otherwise(None).alias("sd"),
        pl.when(decidable).then(pl.col("sd") / pl.col("mean")).otherwise(None).alias("cv"),
    )
    rounding = standard.policy("comparison_rounding") if decimals is not None else None
    compared = (
        round_decimal(pl.col("cv"), decimals, rounding) if decimals is not None else pl.col("cv")
    )
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
                "{} {} 差异系数 {}{} {} {}",
                level_zh,
                pl.col("indicator"),
                fixed(pl.col("cv"), 6),
                _rounded_text(standard, decimals),
                pl.when(pl.col("passes")).then(pl.lit("≤")).otherwise(pl.lit(">")),
                fixed(pl.col("limit"), 2),
            )
        )
    )
    # The rounding rule is named on every verdict that used it (null at full precision).
    rounding = pl.when(pl.col("cv").is_not_null()).then(pl.lit(rounding_text(standard)))
    return balance.with_columns(
        reason.alias("reason"), rounding.cast(pl.String).alias("rounding")
    ).select(
        *KEYS,
        "n",
        "n_missing",
        "P",
        "mean",
        "sd",
        "cv",
        "cv_compared",
        "limit",
        "passes",
        "reason",
        "rounding",
    )


def contributions(
    segments: pl.DataFrame, balance: pl.DataFrame, standard: Standard
) -> pl.DataFrame:
    """Each in-scope segment's share of its county's weighted variance Σ (P_i/P)(X_i − X̄)²,
    per level and indicator (shares of one CV sum to 1)."""
    ids = [i.id for i in standard.ratio_items]
    long = (
        segments.filter(pl.col("in_scope"))
        .select("county", "school_id", "name", "level", "students", *ids)
        .unpivot(
            index=["county", "school_id", "name", "level", "students"],
            on=ids,
            variable_name="indicator",
            value_name="value",
        )
    )
    return (
        long.join(balance.select(*KEYS, "P", "mean", "sd"), on=KEYS, how="inner")
        .with_columns(
            (
                (pl.col("students") / pl.col("P"))
                * (pl.col("value") - pl.col("mean")) ** 2
                / pl.col("sd") ** 2
            ).alias("share"),
            pl.when(pl.col("value") >= pl.col("mean"))
            .then(pl.lit("高于均值"))
            .otherwise(pl.lit("低于均值"))
            .alias("direction"),
        )
        .select(*KEYS, "school_id", "name", "students", "value", "mean", "share", "direction")
    )


def top_contributors(
    segments: pl.DataFrame, balance: pl.DataFrame, standard: Standard, limit: int = 5
) -> pl.DataFrame:
    """For each CV over its limit, the segments contributing most to the weighted variance."""
    failing = balance.filter(pl.col("passes") == False)  # noqa: E712
    shares = contributions(
        segments.join(failing.select("county").unique(), on="county", how="semi"), failing, standard
    )
    return (
        shares.sort([*KEYS, "share"], descending=[False, False, False, True])
        .group_by(KEYS, maintain_order=True)
        .head(limit)
    )
