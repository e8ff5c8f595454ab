"""Numbers as people read them, the same in reasons, tables and reports.

Fixed decimals, thousands separators for large quantities, percentages. Both a Python form (for
single values) and a Polars form (for whole columns of reasons) so the two never disagree.
"""

from __future__ import annotations

import math

import polars as pl


def fmt_number(value: float | int | None, decimals: int = 2, thousands: bool = False) -> str:
    """`1700` → "1700.00"; None → "—". Thousands separators when asked (m², yuan totals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(value) == 0 else text


def fmt_plain(value: float | int | None) -> str:
    """A threshold or constant without trailing zeros: 4.2, 2000, 0.85."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return f"{value:g}" if isinstance(value, float) else str(value)


def fmt_percent(value: float | None, decimals: int = 1) -> str:
    """0.973 → "97.3%"."""
    if value is None:
        return "—"
    return f"{value * 100:.{decimals}f}%"


def fixed(expr: pl.Expr, decimals: int = 2, thousands: bool = False) -> pl.Expr:
    """Polars column → text with exactly `decimals` decimals (null stays null)."""
    scale = 10**decimals
    scaled = (expr.cast(pl.Float64) * scale).round(0).cast(pl.Int64)
    magnitude = scaled.abs()
    integer = (magnitude // scale).cast(pl.String)
    if thousands:
        # group digits from the right: reverse, comma after every three, reverse back
        integer = (
            integer.str.reverse()
            .str.replace_all(r"(\d{3})", "$1,")
            .str.strip_chars_end(",")
            .str.reverse()
        )
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    if decimals == 0:
        return pl.concat_str([sign, integer])
    fraction = (magnitude % scale).cast(pl.String).str.zfill(decimals)
    return pl.concat_str([sign, integer, pl.lit("."), fraction])


def percent(expr: pl.Expr, decimals: int = 1) -> pl.Expr:
    """Polars column of fractions → "97.3%"."""
    return pl.concat_str([fixed(expr * 100, decimals), pl.lit("%")])
