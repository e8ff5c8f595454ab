"""Typed tables: headers matched to the schema and cells converted, column by column.

Conversion is vectorised: each column is cast with Polars in non-strict mode and a cell failed when
its cleaned text is non-empty but the cast gave null. Error records are built only for such cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from junheng.core.schema import TABLES, Column, ColumnType, Table
from junheng.intake.errors import ERROR, Code, ErrorCollector, IntakeError
from junheng.intake.sources import ROW, RawTable, name_key, source_column

IDENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("school_id", "name", "county", "kind"),
    "segments": ("school_id", "level"),
    "county": ("county", "fact"),
    "school_facts": ("school_id", "fact"),
    "survey": ("county", "group"),
}
"""Cells that identify a row; an empty one makes the row meaningless, so it is an error."""

_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_UNIT_SUFFIX = re.compile(r"^(.+)\([^()]*\)$")


def _column_lookup(table: Table) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in table.columns:
        for spelling in (column.name, column.zh, column.header_zh):
            existing = lookup.setdefault(name_key(spelling), column.name)
            if existing != column.name:
                raise ValueError(f"ambiguous header {spelling!r} in table {table.name}")
    return lookup


_COLUMN_LOOKUPS: dict[str, dict[str, str]] = {t.name: _column_lookup(t) for t in TABLES}


def match_header(header: str, table: Table) -> str | None:
    """Canonical column name for a header as written, or None when it is not a schema column.

    Accepts the English name, the Chinese label, and the Chinese label followed by any unit in
    parentheses (full- or half-width), e.g. `教学及辅助用房面积(m2)`; case, width, spaces and a
    leading or trailing `*` do not matter.
    """
    lookup = _COLUMN_LOOKUPS[table.name]
    # Templates often mark required columns with an asterisk.
    key = name_key(header).strip("*")
    if key in lookup:
        return lookup[key]
    match = _UNIT_SUFFIX.match(key)
    if match and match.group(1) in lookup:
        return lookup[match.group(1)]
    return None


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_bytes() > 0).then(expr)


def clean_text(src: str) -> pl.Expr:
    return _blank_to_null(pl.col(src).str.strip_chars())


def clean_token(src: str) -> pl.Expr:
    """Cleaned cell for parsing: full-width characters folded (NFKC), spaces stripped."""
    return _blank_to_null(pl.col(src).str.normalize("NFKC").str.strip_chars())


def _without_separators(tok: pl.Expr) -> pl.Expr:
    # Commas are only accepted as thousands separators, so "1,2" is an error rather than 12.
    return (
        pl.when(tok.str.contains(",", literal=True))
        .then(
            pl.when(tok.str.contains(_THOUSANDS)).then(tok.str.replace_all(",", "", literal=True))
        )
        .otherwise(tok)
    )


def to_number(tok: pl.Expr) -> pl.Expr:
    value = _without_separators(tok).cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def to_int(tok: pl.Expr) -> pl.Expr:
    plain = _without_separators(tok)
    direct = plain.cast(pl.Int64, strict=False)
    value = plain.cast(pl.Float64, strict=False)
    whole = value.is_finite() & (value == value.round(0)) & (value.abs() < 2.0**53)
    return pl.when(direct.is_not_null()).then(direct).when(whole).then(value.cast(pl.Int64))


def _enum_lookup(column: Column) -> dict[str, str]:
    return {name_key(k): v for k, v in column.enum_lookup().items()}


def _to_enum(tok: pl.Expr, column: Column) -> pl.Expr:
    key = tok.str.to_lowercase().str.replace_all(r"\s", "")
    return key.replace_strict(_enum_lookup(column), default=None, return_dtype=pl.String)


_FAILED: dict[ColumnType, Code] = {
    ColumnType.INT: Code.NOT_AN_INTEGER,
    ColumnType.NUMBER: Code.NOT_A_NUMBER,
    ColumnType.ENUM: Code.BAD_ENUM,
}


def _typed(column: Column, token: str) -> pl.Expr:
    """Conversion of a non-text column from its token column (see `clean_token`)."""
    tok = pl.col(token)
    if column.type == ColumnType.INT:
        return to_int(tok)
    if column.type == ColumnType.NUMBER:
        return to_number(tok)
    return _to_enum(tok, column)


def _expected(column: Column) -> str:
    if column.type == ColumnType.ENUM:
        return "以下之一：" + "、".join(f"{zh}（{en}）" for en, zh in column.enum)
    kind = "整数" if column.type == ColumnType.INT else "数值"
    if column.minimum is not None:
        return f"不小于 {column.minimum:g} 的{kind}"
    return kind


@dataclass
class TypedTable:
    raw: RawTable
    frame: pl.DataFrame
    """ROW, the raw cells c0…, and every schema column the source has, typed."""
    headers: dict[str, str]
    """Canonical column → header as written."""
    sources: dict[str, str]
    """Canonical column → raw cell column (c0…)."""
    extras: dict[str, str]
    """Header as written → raw cell column, for columns outside the schema (kept as text)."""

    @property
    def rank(self) -> int:
        return TABLES.index(self.raw.table)

    def has(self, *names: str) -> bool:
        return all(n in self.sources for n in names)

    def error(
        self, code: Code, row: dict[str, Any], column: str | None, **fields: Any
    ) -> IntakeError:
        header = self.headers.get(column, column) if column is not None else None
        return self.raw.error(code, row=row[ROW], column=header, **fields)

    def raw_value(self, row: dict[str, Any], column: str) -> str:
        value = row.get(self.sources[column])
        return "" if value is None else str(value).strip()

    def output(self) -> pl.DataFrame:
        """The table as the Dataset receives it: schema columns present, then extras as text."""
        return self.frame.select(
            *self.sources,
            *(clean_text(src).alias(header) for header, src in self.extras.items()),
        )


_WIDE_TABLES = frozenset({"schools", "segments", "survey"})
"""Tables whose unknown columns are kept (long fact tables have no place for them)."""


def _map_headers(
    raw: RawTable, out: ErrorCollector
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    table, rank = raw.table, TABLES.index(raw.table)
    headers: dict[str, str] = {}
    sources: dict[str, str] = {}
    extras: dict[str, str] = {}
    kept = "该列原样保留、不参与评估；如本应是标准列，请按模板改正列名"
    ignored = "该列已忽略；如本应是标准列，请按模板改正列名"
    has_data = (
        raw.frame.select(
            (pl.col(source_column(i)).str.strip_chars().str.len_bytes() > 0).any()
            for i in range(len(raw.headers))
        ).row(0)
        if raw.frame.height and raw.headers
        else (False,) * len(raw.headers)
    )
    for i, header in enumerate(raw.headers):
        src = source_column(i)
        if not header:
            if has_data[i]:
                out.add(
                    raw.error(
                        Code.UNKNOWN_COLUMN,
                        row=1,
                        column=f"第 {i + 1} 列",
                        value="",
                        expected="该列没有列名，已忽略",
                    ),
                    rank,
                )
            continue
        name = match_header(header, table)
        if name is None:
            out.add(
                raw.error(
                    Code.UNKNOWN_COLUMN,
                    row=1,
                    column=header,
                    value=header,
                    expected=kept if table.name in _WIDE_TABLES else ignored,
                ),
                rank,
            )
            extras.setdefault(header, src)
        elif name in sources:
            out.add(
                raw.error(
                    Code.DUPLICATE_COLUMN,
                    row=1,
                    column=header,
                    value=headers[name],
                    expected="只保留其中一列",
                ),
                rank,
            )
        else:
            headers[name] = header
            sources[name] = src
    for column in table.columns:
        if column.required and column.name not in sources:
            out.add(
                raw.error(
                    Code.MISSING_COLUMN,
                    row=1,
                    value=column.zh,
                    expected=f"在表头中增加「{column.header_zh}」或「{column.name}」列",
                ),
                rank,
            )
    return headers, sources, extras


def convert_table(raw: RawTable, out: ErrorCollector) -> TypedTable:
    """Map headers, convert every schema column and report cells that do not convert."""
    table = raw.table
    if not any(raw.headers):
        out.add(
            raw.error(
                Code.NO_HEADER,
                row=1,
                expected="在第 1 行填写列名（英文列名或中文列名）",
            ),
            TABLES.index(table),
        )
        return TypedTable(raw, raw.frame, {}, {}, {})
    headers, sources, extras = _map_headers(raw, out)
    typed = TypedTable(raw, raw.frame, headers, sources, extras)
    if table.name in ("schools", "segments") and raw.frame.height == 0:
        out.add(raw.error(Code.EMPTY_TABLE, expected="至少填写一行数据"), typed.rank)

    columns = [table.column(name) for name in sources]
    tokens = {c.name: f"__token_{c.name}" for c in columns if c.type != ColumnType.TEXT}
    # Tokens are materialised once: every conversion below reads them several times.
    frame = raw.frame.with_columns(
        clean_token(sources[name]).alias(token) for name, token in tokens.items()
    )
    frame = frame.with_columns(
        (
            clean_text(sources[c.name]) if c.type == ColumnType.TEXT else _typed(c, tokens[c.name])
        ).alias(c.name)
        for c in columns
    )
    checks: list[tuple[str, Code, str, pl.Expr]] = []
    identity = IDENTITY_COLUMNS.get(table.name, ())
    for column in columns:
        name = column.name
        token = pl.col(tokens[name]) if name in tokens else pl.col(name)
        if name in tokens:
            checks.append(
                (
                    name,
                    _FAILED[column.type],
                    _expected(column),
                    token.is_not_null() & pl.col(name).is_null(),
                )
            )
        if column.minimum is not None and name in tokens and column.type != ColumnType.ENUM:
            checks.append(
                (name, Code.BELOW_MINIMUM, _expected(column), pl.col(name) < column.minimum)
            )
        if name in identity:
            checks.append((name, Code.MISSING_VALUE, f"填写{column.zh}", token.is_null()))
    masks = [f"__check_{i}" for i in range(len(checks))]
    frame = frame.with_columns(
        check[3].fill_null(False).alias(mask) for check, mask in zip(checks, masks, strict=True)
    )
    counts = frame.select(pl.col(m).sum() for m in masks).row(0) if masks else ()
    typed.frame = frame.drop(*tokens.values(), *masks)
    for (name, code, expected, _), mask, count in zip(checks, masks, counts, strict=True):
        if not count:
            continue
        value = code != Code.MISSING_VALUE
        out.add_rows(
            frame.filter(pl.col(mask)),
            ERROR,
            lambda row, n=name, c=code, e=expected, v=value: typed.error(
                c, row, n, value=typed.raw_value(row, n) if v else "", expected=e
            ),
            typed.rank,
        )
    return typed


def repeated_rows(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows whose key repeats an earlier row, with that earlier row's number in `__first__`."""
    keyed = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    return keyed.with_columns(pl.col(ROW).first().over(keys).alias("__first__")).filter(
        pl.col(ROW) != pl.col("__first__")
    )


def is_in(column: str, values: pl.Series) -> pl.Expr:
    return pl.col(column).is_in(values.implode())
