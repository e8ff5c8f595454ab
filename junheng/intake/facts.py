"""Long fact tables (county.csv, school_facts.csv): fact names, typed values, wide form, notes."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from junheng.core.schema import FALSE_WORDS, LEVEL_NUMERALS, RATINGS, TRUE_WORDS, Fact, FactType
from junheng.intake.cells import (
    UNIT_VALUE,
    TypedTable,
    clean_token,
    formula_error,
    repeated_rows,
    to_int,
    to_number,
    unit_fix,
)
from junheng.intake.errors import ERROR, WARNING, Code, ErrorCollector
from junheng.intake.sources import ROW, name_key

NOTES_SCHEMA: dict[str, type[pl.DataType]] = {
    "county": pl.String,
    "fact": pl.String,
    "note": pl.String,
    "school_id": pl.String,
}
"""Dataset.notes as produced here: `school_id` is null for county facts, set for school facts."""

_BOOLS: dict[str, bool] = {
    **{name_key(w): True for w in TRUE_WORDS},
    **{name_key(w): False for w in FALSE_WORDS},
}
_LEVELS: dict[str, int] = {
    **{name_key(k).upper(): v for k, v in LEVEL_NUMERALS.items()},
    **{str(n): n for n in range(1, 5)},
}
_RATIO_EXPECTED = "0 到 1 之间的小数或百分数（如 0.93 或 93%）"
FACT_EXPECTED: dict[FactType, str] = {
    # what a fact of each type may be written as; also the column 填写方式 of docs/data-format.md
    FactType.BOOL: "是 或 否",
    FactType.NUMBER: "不小于 0 的数值",
    FactType.RATIO: _RATIO_EXPECTED,
    FactType.LEVEL: "1–4 或 Ⅰ–Ⅳ 的等级",
    FactType.RATING: "、".join(RATINGS) + " 之一",
}


def _fact_lookup(facts: tuple[Fact, ...]) -> dict[str, str]:
    return {**{name_key(f.name): f.name for f in facts}, **{name_key(f.zh): f.name for f in facts}}


def _fact_values(tok: pl.Expr) -> dict[FactType, pl.Expr]:
    """The value of a fact cell under each fact type (null where it does not parse)."""
    word = tok.str.to_lowercase().str.replace_all(r"\s", "")
    number = to_number(tok)
    is_percent = tok.str.ends_with("%")
    percent = to_number(tok.str.strip_suffix("%").str.strip_chars()) / 100
    # A plain number above 1 is ambiguous (93 may mean 93% or a typo), so it is refused; a
    # percentage is not, and may exceed 100% (a retention rate can, with pupils moving in).
    ratio = (
        pl.when(is_percent)
        .then(pl.when(percent >= 0).then(percent))
        .otherwise(pl.when((number >= 0) & (number <= 1)).then(number))
    )
    as_int = to_int(tok)
    level_word = tok.str.to_uppercase().str.strip_suffix("级").str.strip_chars()
    level = pl.coalesce(
        pl.when(as_int.is_between(1, 4)).then(as_int),
        level_word.replace_strict(_LEVELS, default=None, return_dtype=pl.Int64),
    )
    return {
        FactType.BOOL: word.replace_strict(_BOOLS, default=None, return_dtype=pl.Boolean),
        FactType.NUMBER: pl.when(number >= 0).then(number),
        FactType.RATIO: ratio,
        FactType.LEVEL: level,
        FactType.RATING: pl.when(tok.is_in(list(RATINGS))).then(tok),
    }


@dataclass
class FactTable:
    typed: TypedTable
    key: str
    frame: pl.DataFrame
    """Rows with a known fact: ROW, key, fact, note, one value column per fact type."""
    facts: tuple[Fact, ...]


def convert_facts(
    typed: TypedTable, key: str, facts: tuple[Fact, ...], out: ErrorCollector
) -> FactTable | None:
    """Resolve fact names, parse each value by its fact's type and report bad or repeated rows.

    Rows naming an unknown fact are reported as warnings and left out.
    """
    if not typed.has(key, "fact"):
        return None
    lookup = _fact_lookup(facts)
    kinds = {f.name: f.type.value for f in facts}
    names_zh = {f.name: f.zh for f in facts}
    units = {f.name: f.unit for f in facts}
    value_src = typed.sources.get("value")
    # A formula error result (#N/A) in the value is reported by convert_table already.
    tok = (
        pl.when(~formula_error(pl.col(value_src))).then(clean_token(value_src))
        if value_src
        else pl.lit(None, dtype=pl.String)
    )
    frame = typed.frame.with_columns(
        clean_token(typed.sources["fact"])
        .str.to_lowercase()
        .str.replace_all(r"\s", "")
        .replace_strict(lookup, default=None, return_dtype=pl.String)
        .alias("__fact__"),
        tok.alias("__value__"),
    )
    unknown = frame.filter(pl.col("fact").is_not_null() & pl.col("__fact__").is_null())
    out.add_rows(
        unknown,
        WARNING,
        lambda row: typed.error(
            Code.UNKNOWN_FACT,
            row,
            "fact",
            value=row["fact"],
            expected="该行已忽略；请使用模板中的指标项名称（英文名或中文名）",
        ),
        typed.rank,
    )
    known = frame.filter(pl.col("__fact__").is_not_null()).with_columns(
        pl.col("__fact__").replace_strict(kinds, return_dtype=pl.String).alias("__type__")
    )
    values = _fact_values(pl.col("__value__"))
    known = known.with_columns(v.alias(f"__v_{t.value}__") for t, v in values.items())
    chosen = pl.coalesce(
        pl.when(pl.col("__type__") == t.value).then(pl.col(f"__v_{t.value}__").cast(pl.String))
        for t in FactType
    )
    bad = known.filter(pl.col("__value__").is_not_null() & chosen.is_null())
    with_unit = (pl.col("__type__") == FactType.NUMBER.value) & pl.col("__value__").str.contains(
        UNIT_VALUE
    )
    out.add_rows(
        bad.filter(with_unit),
        ERROR,
        lambda row: typed.error(
            Code.UNIT_IN_VALUE,
            row,
            "value",
            value=typed.raw_value(row, "value"),
            expected=unit_fix(typed.raw_value(row, "value"), units[row["__fact__"]]),
        ),
        typed.rank,
    )
    out.add_rows(
        bad.filter(~with_unit),
        ERROR,
        lambda row: typed.error(
            Code.BAD_FACT_VALUE,
            row,
            "value",
            value=typed.raw_value(row, "value"),
            expected=f"「{names_zh[row['__fact__']]}」应填 "
            + FACT_EXPECTED[FactType(row["__type__"])],
        ),
        typed.rank,
    )
    out.add_rows(
        repeated_rows(known, [key, "__fact__"]),
        ERROR,
        lambda row: typed.error(
            Code.DUPLICATE_FACT,
            row,
            "fact",
            value=row["fact"],
            expected=f"每个{'县区' if key == 'county' else '学校'}每项只填一行"
            f"（已在第 {row['__first__']} 行出现）",
        ),
        typed.rank,
    )
    note = pl.col("note") if typed.has("note") else pl.lit(None, dtype=pl.String)
    known = known.select(
        ROW,
        key,
        pl.col("__fact__").alias("fact"),
        pl.col("__type__"),
        note.alias("note"),
        *(pl.col(f"__v_{t.value}__") for t in FactType),
    )
    return FactTable(typed, key, known, facts)


def wide_facts(facts: FactTable) -> pl.DataFrame:
    """One row per key (order of first appearance), one typed column per fact reported."""
    frame = facts.frame.filter(pl.col(facts.key).is_not_null())
    wide = frame.select(facts.key).unique(maintain_order=True)
    for fact_type in FactType:
        part = frame.filter(pl.col("__type__") == fact_type.value)
        if part.height == 0:
            continue
        pivot = part.pivot(
            on="fact", index=facts.key, values=f"__v_{fact_type.value}__", maintain_order=True
        )
        wide = wide.join(pivot, on=facts.key, how="left", maintain_order="left")
    return wide


def build_notes(
    county: FactTable | None, school: FactTable | None, schools: pl.DataFrame
) -> pl.DataFrame:
    """Notes in a canonical order (key order of the wide table, then schema fact order)."""
    parts = [pl.DataFrame(schema=NOTES_SCHEMA)]
    for facts in (county, school):
        if facts is None:
            continue
        order = {f.name: i for i, f in enumerate(facts.facts)}
        keyed = facts.frame.filter(pl.col(facts.key).is_not_null())
        key_order = keyed.select(facts.key).unique(maintain_order=True).with_row_index("__k__")
        noted = (
            keyed.filter(pl.col("note").is_not_null())
            .join(key_order, on=facts.key, how="left")
            .with_columns(
                pl.col("fact").replace_strict(order, return_dtype=pl.Int64).alias("__f__")
            )
            .sort("__k__", "__f__")
        )
        if facts.key == "county":
            part = noted.select(
                "county", "fact", "note", pl.lit(None, dtype=pl.String).alias("school_id")
            )
        else:
            ids = schools.select("school_id", "county").unique("school_id", keep="first")
            part = noted.join(ids, on="school_id", how="left", maintain_order="left").select(
                "county", "fact", "note", "school_id"
            )
        parts.append(part.cast(NOTES_SCHEMA))
    return pl.concat(parts)
