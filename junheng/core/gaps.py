"""Gap quantities (差距测算): how much each failing school and the whole county is missing.

For a segment below a Part R threshold the shortfall is what reaching the threshold takes, in the
unit counties plan with: whole teachers, m², yuan, rooms. For G3 it is the missing music and art
rooms. County totals read like the lines of a county plan ("新建小学教学及辅助用房 N ㎡").
"""

from __future__ import annotations

import polars as pl

from junheng.core.checks import ItemFrames
from junheng.core.formatting import fixed
from junheng.core.resources import by_level
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Standard

GAP_SCHEMA: dict[str, type[pl.DataType]] = {
    "county": pl.String,
    "school_id": pl.String,
    "name": pl.String,
    "level": pl.String,
    "item": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "threshold": pl.Float64,
    "shortfall": pl.Float64,
    "floor_shortfall": pl.Float64,
    "unit": pl.String,
    "what": pl.String,
    "action": pl.String,
    "segment_passes": pl.Boolean,
}


def _whole(expr: pl.Expr, tolerance: float) -> pl.Expr:
    """Round a shortfall up to whole units, ignoring floating-point dust (3.0000000001 → 3)."""
    return (expr - tolerance * pl.max_horizontal(pl.lit(1.0), expr.abs())).ceil()


def segment_gaps(segments: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """One row per in-scope segment and Part R indicator below its threshold."""
    tolerance = standard.policy("numeric_tolerance")
    floor = standard.segment_rule.floor_ratio
    frames = []
    scoped = segments.filter(pl.col("in_scope"))
    for item in standard.ratio_items:
        assert item.ratio is not None and item.shortfall is not None
        threshold = by_level(dict(item.threshold), pl.Float64)
        num, den = pl.col(f"{item.id}_num"), pl.col(f"{item.id}_den")
        needed = threshold * den / item.ratio.factor - num
        needed_floor = threshold * floor * den / item.ratio.factor - num
        if item.shortfall.whole:
            needed, needed_floor = _whole(needed, tolerance), _whole(needed_floor, tolerance)
        frames.append(
            scoped.filter(pl.col(f"{item.id}_met") == False).select(  # noqa: E712
                "county",
                "school_id",
                "name",
                "level",
                pl.lit(item.id).alias("item"),
                pl.lit(item.name).alias("indicator"),
                pl.col(item.id).alias("value"),
                threshold.alias("threshold"),
                needed.alias("shortfall"),
                pl.max_horizontal(needed_floor, pl.lit(0.0)).alias("floor_shortfall"),
                pl.lit(item.shortfall.unit).alias("unit"),
                pl.lit(item.shortfall.what).alias("what"),
                pl.lit(item.shortfall.action).alias("action"),
                pl.col("passes").alias("segment_passes"),
            )
        )
    if not frames:
        return pl.DataFrame(schema=GAP_SCHEMA)
    return pl.concat(frames).cast(GAP_SCHEMA)  # type: ignore[arg-type]


def school_gaps(items: ItemFrames, standard: Standard) -> pl.DataFrame:
    """Rows for checks that carry a shortfall (G3: missing music and art rooms)."""
    tolerance = standard.policy("numeric_tolerance")
    frames = []
    for item_id, units in items.units.items():
        item = standard.items[item_id]
        for k, check in enumerate(item.checks):
            if check.shortfall is None:
                continue
            value, threshold = pl.col(f"v{k}").cast(pl.Float64), pl.col(f"t{k}").cast(pl.Float64)
            needed = threshold - value
            if check.shortfall.whole:
                needed = _whole(needed, tolerance)
            frames.append(
                units.filter(pl.col(f"ok{k}") == False)  # noqa: E712
                .filter(value.is_not_null() & threshold.is_not_null())
                .select(
                    "county",
                    "school_id",
                    "name",
                    (pl.col("level") if "level" in units.columns else pl.lit(None)).alias("level"),
                    pl.lit(item.id).alias("item"),
                    pl.lit(check.label).alias("indicator"),
                    value.alias("value"),
                    threshold.alias("threshold"),
                    needed.alias("shortfall"),
                    needed.alias("floor_shortfall"),
                    pl.lit(check.shortfall.unit).alias("unit"),
                    pl.lit(check.shortfall.what).alias("what"),
                    pl.lit(check.shortfall.action).alias("action"),
                    pl.lit(None, pl.Boolean).alias("segment_passes"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=GAP_SCHEMA)
    return pl.concat(frames).cast(GAP_SCHEMA)  # type: ignore[arg-type]


def gap_totals(gaps: pl.DataFrame) -> pl.DataFrame:
    """County totals by level and indicator, each with a plan sentence."""
    totals = (
        gaps.group_by("county", "level", "item", "what", "action", "unit", maintain_order=True)
        .agg(
            pl.col("shortfall").sum().alias("total"),
            pl.col("floor_shortfall").sum().alias("floor_total"),
            pl.col("school_id").n_unique().alias("schools"),
        )
        .sort("county", "item", "level", nulls_last=True)
    )
    level = pl.col("level").replace_strict(LEVEL_ZH, default="")
    whole = pl.col("total") == pl.col("total").round(0)
    amount = (
        pl.when(whole)
        .then(fixed(pl.col("total"), 0, thousands=True))
        .otherwise(fixed(pl.col("total"), 2, thousands=True))
    )
    sentence = pl.format(
        "{}{}{} {} {}（涉及 {} 所学校）",
        pl.col("action"),
        level,
        pl.col("what"),
        amount,
        pl.col("unit"),
        pl.col("schools"),
    )
    return totals.with_columns(sentence.alias("sentence"))
