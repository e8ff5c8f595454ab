"""Part R, 资源配置: the seven per-segment values and 每所学校资源配置达标规则 (6 项达标、其余≥85%).

For every segment row and every ratio item of the standard the frame gets:
`{id}_num`, `{id}_den` (the inputs, so a clerk can check "23 ÷ 512 × 100"), `{id}` (the value),
`{id}_met` (reaches the threshold), `{id}_floor_ok` (reaches `floor_ratio` of it) and
`{id}_missing` (which data is missing when the value cannot be computed).
"""

from __future__ import annotations

import polars as pl

from junheng.core.formatting import fixed, percent
from junheng.core.schema import SEGMENTS, SHARED_FACILITY_COLUMNS
from junheng.core.standard import Item, Standard

_ZH = {c.name: c.zh for c in SEGMENTS.columns}


def by_level(values: dict[str, object], dtype: pl.DataType | None = None) -> pl.Expr:
    """A per-level constant as a column, chosen by each row's `level`."""
    return pl.col("level").replace_strict(values, default=None, return_dtype=dtype)


def _numerator(item: Item) -> pl.Expr:
    assert item.ratio is not None
    formulas = item.ratio.numerator
    expr: pl.Expr | pl.When | pl.Then = pl
    for level, formula in formulas.items():
        expr = expr.when(pl.col("level") == level).then(formula.to_polars().cast(pl.Float64))
    return expr.otherwise(None)  # type: ignore[union-attr]


def _missing(item: Item) -> pl.Expr:
    """Chinese names of the inputs that are null on this row, joined by 、."""
    assert item.ratio is not None
    parts: list[pl.Expr] = []
    columns: dict[str, set[str]] = {}
    for level, formula in item.ratio.numerator.items():
        for name in sorted(formula.required_columns()):
            columns.setdefault(name, set()).add(level)
    for name in sorted(item.ratio.denominator.required_columns()):
        columns.setdefault(name, set()).update(item.ratio.numerator)
    for name, levels in columns.items():
        applies = pl.col("level").is_in(sorted(levels))
        label = pl.lit(_ZH.get(name, name))
        if name in SHARED_FACILITY_COLUMNS:
            # left empty by the apportionment (高中在校生数 missing): say so, not the area
            label = pl.coalesce(pl.col("apportion_missing"), label)
        parts.append(pl.when(applies & pl.col(name).is_null()).then(label))
    joined = pl.concat_str(parts, separator="、", ignore_nulls=True)
    return pl.when(joined != "").then(joined).otherwise(None)


def compute_values(segments: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """Add numerator, denominator, value, met, floor and missing columns for every ratio item."""
    tolerance = standard.policy("numeric_tolerance")
    floor = standard.segment_rule.floor_ratio
    exprs: list[pl.Expr] = []
    for item in standard.ratio_items:
        assert item.ratio is not None
        num = _numerator(item)
        den = item.ratio.denominator.to_polars().cast(pl.Float64)
        exprs += [num.alias(f"{item.id}_num"), den.alias(f"{item.id}_den")]
    frame = segments.with_columns(exprs)
    exprs = []
    for item in standard.ratio_items:
        assert item.ratio is not None
        num, den = pl.col(f"{item.id}_num"), pl.col(f"{item.id}_den")
        value = pl.when(den > 0).then(num / den * item.ratio.factor).otherwise(None)
        threshold = by_level(dict(item.threshold), pl.Float64)
        slack = 1 - tolerance
        exprs += [
            value.alias(item.id),
            (value >= threshold * slack).alias(f"{item.id}_met"),
            (value >= threshold * floor * slack).alias(f"{item.id}_floor_ok"),
            pl.when(den == 0)
            .then(pl.lit("在校生数为 0"))
            .otherwise(_missing(item))
            .alias(f"{item.id}_missing"),
        ]
    return frame.with_columns(exprs)


def _unmet_reason(item: Item, floor: float) -> pl.Expr:
    assert item.ratio is not None
    value, threshold = pl.col(item.id), by_level(dict(item.threshold), pl.Float64)
    share = value / threshold
    formula = pl.format(
        "{} ÷ {}{}",
        fixed(pl.col(f"{item.id}_num"), 2).str.replace(r"\.00$", ""),
        pl.col(f"{item.id}_den").cast(pl.Int64).cast(pl.String),
        pl.lit(f" × {item.ratio.factor:g}" if item.ratio.factor != 1 else ""),
    )
    threshold_text = by_level({k: f"{v:g}" for k, v in item.threshold.items()}, pl.String)
    tail = (
        pl.when(pl.col(f"{item.id}_floor_ok"))
        .then(pl.lit(f"，不低于 {floor * 100:g}%"))
        .otherwise(pl.lit(f"，低于 {floor * 100:g}%"))
    )
    return pl.format(
        "{} {} {}{}（= {}），未达到标准 {}{}，为标准的 {}{}",
        pl.lit(item.id),
        pl.lit(item.name),
        fixed(value, 2),
        pl.lit(item.unit),
        formula,
        threshold_text,
        pl.lit(item.unit),
        percent(share, 1),
        tail,
    )


def apply_segment_rule(frame: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """The per-segment verdict `passes` (true / false / null) with `reasons` (list of text)."""
    items = standard.ratio_items
    rule = standard.segment_rule
    allowed_misses = len(items) - rule.min_met
    met = [pl.col(f"{i.id}_met") for i in items]
    n_met = pl.sum_horizontal([m.fill_null(False).cast(pl.Int32) for m in met])
    n_unmet = pl.sum_horizontal([(~m).fill_null(False).cast(pl.Int32) for m in met])
    n_null = pl.sum_horizontal([m.is_null().cast(pl.Int32) for m in met])
    n_below_floor = pl.sum_horizontal(
        [(~pl.col(f"{i.id}_floor_ok")).fill_null(False).cast(pl.Int32) for i in items]
    )
    decided_fail = (n_below_floor > 0) | (n_unmet > allowed_misses)
    passes = (
        pl.when(~pl.col("in_scope"))
        .then(None)
        .when(decided_fail)
        .then(False)
        .when(n_null > 0)
        .then(None)
        .otherwise(True)
    )
    total = len(items)
    rule_text = f"至少 {rule.min_met} 项达标、其余不低于标准的 {rule.floor_ratio * 100:g}%"
    summary = (
        pl.when(~pl.col("in_scope"))
        .then(pl.format("不纳入评估：{}", pl.col("scope_reason")))
        .when(decided_fail)
        .then(pl.format(f"{total} 项指标中 {{}} 项达标，未达到“{rule_text}”的要求", n_met))
        .when(n_null > 0)
        .then(pl.format("{} 项指标因数据缺失无法计算，无法判定是否达标", n_null))
        .when(n_unmet > 0)
        .then(
            pl.format(
                f"{total} 项指标中 {{}} 项达标，其余不低于标准的 {rule.floor_ratio * 100:g}%，达标",
                n_met,
            )
        )
        .otherwise(pl.lit(f"{total} 项指标全部达标"))
    )
    frame = frame.with_columns(
        passes.alias("passes"), n_met.alias("n_met"), n_null.alias("n_missing")
    ).with_row_index("__row")
    # Reasons are formatted only where there is something to say (an indicator unmet or not
    # computable): a national run has 200,000 segments and most meet everything.
    parts = [
        frame.filter(~pl.col("in_scope") | (pl.col("n_met") < total)).select(
            "__row", pl.lit(0).alias("__order"), summary.alias("__text")
        )
    ]
    for order, item in enumerate(items, start=1):
        met_col = pl.col(f"{item.id}_met")
        parts.append(
            frame.filter(pl.col("in_scope") & met_col.is_null()).select(
                "__row",
                pl.lit(order).alias("__order"),
                pl.format(
                    "{} {} 无法计算：缺少{}",
                    pl.lit(item.id),
                    pl.lit(item.name),
                    pl.col(f"{item.id}_missing").fill_null("数据"),
                ).alias("__text"),
            )
        )
        parts.append(
            frame.filter(pl.col("in_scope") & ~met_col).select(
                "__row",
                pl.lit(order).alias("__order"),
                _unmet_reason(item, rule.floor_ratio).alias("__text"),
            )
        )
    texts = (
        pl.concat(parts)
        .sort("__row", "__order")
        .group_by("__row", maintain_order=True)
        .agg(pl.col("__text").alias("reasons"))
    )
    return (
        frame.join(texts, on="__row", how="left", maintain_order="left")
        .with_columns(
            pl.col("reasons").fill_null(pl.lit([f"{total} 项指标全部达标"], pl.List(pl.String)))
        )
        .drop("__row")
    )
