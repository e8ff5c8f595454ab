"""Gap quantities (差距测算): how much each failing school and the whole county is missing.

For a segment below a Part R threshold the shortfall is what reaching the threshold takes, in the
unit counties plan with: whole teachers, m², yuan, rooms. For G3 it is the missing music and art
rooms. County totals read like the lines of a county plan ("新建小学教学及辅助用房 N ㎡").
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from junheng.core.checks import ItemResult
from junheng.core.formatting import fmt_number
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


def school_gaps(items: dict[str, list[ItemResult]], standard: Standard) -> pl.DataFrame:
    """Rows for checks that carry a shortfall (G3: missing music and art rooms)."""
    tolerance = standard.policy("numeric_tolerance")
    rows: list[dict[str, Any]] = []
    for results in items.values():
        for result in results:
            item = standard.items[result.item]
            for check in item.checks:
                if check.shortfall is None:
                    continue
                for unit in result.failing:
                    value = unit["values"].get(check.key)
                    threshold = unit["thresholds"].get(check.key)
                    if value is None or threshold is None or value >= threshold:
                        continue
                    shortfall = float(threshold) - float(value)
                    if check.shortfall.whole:
                        shortfall = float(math.ceil(shortfall - tolerance))
                    rows.append(
                        {
                            "county": result.county,
                            "school_id": unit["school_id"],
                            "name": unit["name"],
                            "level": unit.get("level"),
                            "item": item.id,
                            "indicator": check.label,
                            "value": float(value),
                            "threshold": float(threshold),
                            "shortfall": shortfall,
                            "floor_shortfall": shortfall,
                            "unit": check.shortfall.unit,
                            "what": check.shortfall.what,
                            "action": check.shortfall.action,
                            "segment_passes": None,
                        }
                    )
    return pl.DataFrame(rows, schema=GAP_SCHEMA)


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
    sentences = [_sentence(row) for row in totals.iter_rows(named=True)]
    return totals.with_columns(pl.Series("sentence", sentences, dtype=pl.String))


def _sentence(row: dict[str, Any]) -> str:
    level = LEVEL_ZH.get(row["level"] or "", "")
    whole = float(row["total"]).is_integer()
    amount = fmt_number(row["total"], 0 if whole else 2, thousands=True)
    return f"{row['action']}{level}{row['what']} {amount} {row['unit']}（涉及 {row['schools']} 所学校）"
