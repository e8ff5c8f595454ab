"""Typed tables: headers matched to the schema and cells converted, column by column.

Conversion is vectorised: each column is cast with Polars in non-strict mode and a cell failed when
its cleaned text is non-empty but the cast gave null. Error records are built only for such cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from junheng.core.dates import parse_plan_date
from junheng.core.schema import Column, ColumnType
from junheng.intake.errors import ERROR, Code, ErrorCollector, IntakeError
from junheng.intake.sources import (
    HEADER_SEARCH_ROWS,
    ROW,
    UNIT_WORDS,
    RawTable,
    match_header,
    name_key,
    source_column,
    source_index,
    table_rank,
)

IDENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("school_id", "name", "county", "kind"),
    "segments": ("school_id", "level"),
    "county": ("county", "fact"),
    "school_facts": ("school_id", "fact"),
    "survey": ("county", "group"),
    "grades": ("school_id", "year", "grade"),
    "births": ("county", "year"),
    "classes": ("school_id", "year", "grade"),
    "finance": ("county", "year"),
    "projects": ("project_id", "county", "name", "kind"),
    "staffing": ("school_id", "year", "level"),
    # A target without the document that sets it cannot be shown with its source.
    "class_targets": ("county", "year", "band", "source"),
}
"""Cells that identify a row; an empty one makes the row meaningless, so it is an error."""

_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"

FORMULA_ERROR_VALUES: tuple[str, ...] = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
)
"""Error results of Excel and WPS formulas, as a cell (or a CSV export of it) shows them."""

_UNIT_ALTERNATIVES = "|".join(re.escape(u) for u in UNIT_WORDS)
_NUMBER = r"[+-]?\d[\d,]*(?:\.\d+)?"
_MONEY = r"(?:¥|\$|rmb|人民币)"
UNIT_VALUE = (
    rf"(?i)^(?:{_MONEY}\s*({_NUMBER})\s*\(?({_UNIT_ALTERNATIVES})?\)?"
    rf"|({_NUMBER})\s*\(?({_UNIT_ALTERNATIVES})\)?)$"
)
"""A number written with a unit or a currency sign ("1200平方米", "¥3000元"), after NFKC folding;
the same pattern for Polars (Rust) and Python."""
_UNIT_VALUE = re.compile(UNIT_VALUE)
_SAME_UNIT: dict[str, frozenset[str]] = {
    "㎡": frozenset({"m2", "平方米", "平米", "平方", "sqm"}),
    "元": frozenset({"元", "块"}),
    "人": frozenset({"人", "名"}),
}
_SCALED_UNIT: dict[str, tuple[str, int]] = {
    "万元": ("元", 10_000),
    "千元": ("元", 1_000),
    "亿元": ("元", 100_000_000),
}


def unit_fix(value: str, unit: str) -> str:
    """What to write instead of `value`, a number with a unit, in a column measured in `unit`."""
    token = unicodedata.normalize("NFKC", value).strip()
    match = _UNIT_VALUE.match(token)
    if match is None:
        return "只填数字，不带单位"
    number = match.group(1) or match.group(3)
    word = (match.group(2) or match.group(4) or "").lower()
    if re.fullmatch(_THOUSANDS, number):
        number = number.replace(",", "")
    if not word or word == unit or word in _SAME_UNIT.get(unit, ()):
        if unit:
            return f"只填数字 {number}；单位（{unit}）已在表头中"
        return f"只填数字 {number}，不带单位和货币符号"
    scaled = _SCALED_UNIT.get(word)
    if scaled is not None and scaled[0] == unit and "," not in number:
        amount = format(Decimal(number) * scaled[1], "f")
        if "." in amount:
            amount = amount.rstrip("0").rstrip(".")
        return f"只填以{unit}为单位的数字 {amount}（{number}{word} = {amount} {unit}）"
    if unit:
        return f"只填数字，不带单位“{word}”；该列的单位是（{unit}），请核对数值和所在的列"
    return f"只填数字，不带单位“{word}”"


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
    if column.minimum is not None and column.maximum is not None:
        return f"{column.minimum:g} 到 {column.maximum:g} 之间的{kind}"
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
        return table_rank(self.raw.table)

    def has(self, *names: str) -> bool:
        return all(n in self.sources for n in names)

    def error(
        self, code: Code, row: dict[str, Any], column: str | None, **fields: Any
    ) -> IntakeError:
        header = self.headers.get(column, column) if column is not None else None
        src = self.sources.get(column) if column is not None else None
        if src is None:
            return self.raw.error(code, row=row[ROW], column=header, **fields)
        return self.raw.cell_error(code, row[ROW], source_index(src), column=header, **fields)

    def raw_value(self, row: dict[str, Any], column: str) -> str:
        value = row.get(self.sources[column])
        return "" if value is None else str(value).strip()

    def output(self) -> pl.DataFrame:
        """The table as the Dataset receives it: schema columns present, then extras as text."""
        return self.frame.select(
            *self.sources,
            *(clean_text(src).alias(header) for header, src in self.extras.items()),
        )


_WIDE_TABLES = frozenset(
    {
        "schools",
        "segments",
        "survey",
        "grades",
        "births",
        "classes",
        "finance",
        "projects",
        "staffing",
        "class_targets",
    }
)
"""Tables whose unknown columns are kept (long fact tables have no place for them)."""


def _map_headers(
    raw: RawTable, out: ErrorCollector
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    table, rank = raw.table, table_rank(raw.table)
    at = raw.header_row
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
                    raw.cell_error(
                        Code.UNKNOWN_COLUMN,
                        at,
                        i,
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
                raw.cell_error(
                    Code.UNKNOWN_COLUMN,
                    at,
                    i,
                    column=header,
                    value=header,
                    expected=kept if table.name in _WIDE_TABLES else ignored,
                ),
                rank,
            )
            extras.setdefault(header, src)
        elif name in sources:
            out.add(
                raw.cell_error(
                    Code.DUPLICATE_COLUMN,
                    at,
                    i,
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
            # The cell marks the header row; the column has no cell of its own.
            out.add(
                raw.cell_error(
                    Code.MISSING_COLUMN,
                    at,
                    0,
                    value=column.zh,
                    expected=f"在表头中增加「{column.header_zh}」或「{column.name}」列",
                ),
                rank,
            )
    return headers, sources, extras


def formula_error(value: pl.Expr) -> pl.Expr:
    """Whether a cell holds the error result of a formula (#N/A, #DIV/0!…)."""
    return value.str.strip_chars().is_in(FORMULA_ERROR_VALUES).fill_null(False)


@dataclass(frozen=True)
class _Check:
    column: str
    code: Code
    mask: pl.Expr
    expected: str | Callable[[dict[str, Any]], str]
    show_value: bool = True


def _report_uncomputed(typed: TypedTable, out: ErrorCollector) -> dict[str, list[int]]:
    """Report formula cells without a result in schema columns; their rows by column."""
    raw = typed.raw
    names = {source_index(src): name for name, src in typed.sources.items()}
    rows: dict[str, list[int]] = {}
    for row, index, formula in raw.uncomputed:
        name = names.get(index)
        if name is None:
            continue
        rows.setdefault(name, []).append(row)
        out.add(
            raw.cell_error(
                Code.FORMULA_NOT_COMPUTED,
                row,
                index,
                column=typed.headers[name],
                value=formula,
            ),
            typed.rank,
        )
    return rows


def convert_table(raw: RawTable, out: ErrorCollector) -> TypedTable:
    """Map headers, convert every schema column and report cells that do not convert."""
    table = raw.table
    if not any(raw.headers):
        out.add(
            raw.cell_error(
                Code.NO_HEADER,
                raw.header_row,
                0,
                expected=f"在前 {HEADER_SEARCH_ROWS} 行中的一行填写列名（英文列名或中文列名）",
            ),
            table_rank(table),
        )
        return TypedTable(raw, raw.frame, {}, {}, {})
    headers, sources, extras = _map_headers(raw, out)
    typed = TypedTable(raw, raw.frame, headers, sources, extras)
    if table.name in ("schools", "segments") and raw.frame.height == 0:
        out.add(raw.error(Code.EMPTY_TABLE, expected="至少填写一行数据"), typed.rank)
    uncomputed = _report_uncomputed(typed, out)

    columns = [table.column(name) for name in sources]
    tokens = {c.name: f"__token_{c.name}" for c in columns if c.type != ColumnType.TEXT}
    errors = {c.name: f"__error_{c.name}" for c in columns}
    # Tokens and formula-error flags are materialised once: the checks below read them often.
    frame = raw.frame.with_columns(
        *(clean_token(sources[name]).alias(token) for name, token in tokens.items()),
        *(formula_error(pl.col(sources[name])).alias(flag) for name, flag in errors.items()),
    )
    frame = frame.with_columns(
        (
            pl.when(~pl.col(errors[c.name])).then(clean_text(sources[c.name]))
            if c.type == ColumnType.TEXT
            else _typed(c, tokens[c.name])
        ).alias(c.name)
        for c in columns
    )
    checks: list[_Check] = []
    identity = IDENTITY_COLUMNS.get(table.name, ())
    for column in columns:
        name = column.name
        token = pl.col(tokens[name]) if name in tokens else clean_text(sources[name])
        is_error = pl.col(errors[name])
        checks.append(_Check(name, Code.FORMULA_ERROR, is_error, "改正公式或直接填写数值"))
        if name in tokens:
            failed = token.is_not_null() & pl.col(name).is_null() & ~is_error
            if column.type in (ColumnType.INT, ColumnType.NUMBER):
                with_unit = token.str.contains(UNIT_VALUE)
                checks.append(
                    _Check(
                        name,
                        Code.UNIT_IN_VALUE,
                        failed & with_unit,
                        lambda row, n=name, u=column.unit: unit_fix(typed.raw_value(row, n), u),
                    )
                )
                failed = failed & ~with_unit
            checks.append(_Check(name, _FAILED[column.type], failed, _expected(column)))
        if column.minimum is not None and name in tokens and column.type != ColumnType.ENUM:
            checks.append(
                _Check(name, Code.BELOW_MINIMUM, pl.col(name) < column.minimum, _expected(column))
            )
        if column.maximum is not None and name in tokens and column.type != ColumnType.ENUM:
            checks.append(
                _Check(name, Code.ABOVE_MAXIMUM, pl.col(name) > column.maximum, _expected(column))
            )
        if name in identity:
            empty = token.is_null()
            if name in uncomputed:
                # Already reported as a formula without a result.
                empty = empty & ~pl.col(ROW).is_in(uncomputed[name])
            checks.append(
                _Check(name, Code.MISSING_VALUE, empty, f"填写{column.zh}", show_value=False)
            )
    masks = [f"__check_{i}" for i in range(len(checks))]
    frame = frame.with_columns(
        check.mask.fill_null(False).alias(mask) for check, mask in zip(checks, masks, strict=True)
    )
    counts = frame.select(pl.col(m).sum() for m in masks).row(0) if masks else ()
    typed.frame = frame.drop(*tokens.values(), *errors.values(), *masks)
    for check, mask, count in zip(checks, masks, counts, strict=True):
        if not count:
            continue
        out.add_rows(
            frame.filter(pl.col(mask)),
            ERROR,
            lambda row, c=check: typed.error(
                c.code,
                row,
                c.column,
                value=typed.raw_value(row, c.column) if c.show_value else "",
                expected=c.expected(row) if callable(c.expected) else c.expected,
            ),
            typed.rank,
        )
    return typed


DATE_EXPECTED = "日期，如 2025-08-31 或 2025年8月（只写到月时按该月最后一天计）"


def convert_dates(typed: TypedTable, columns: Sequence[str], out: ErrorCollector) -> None:
    """Read the date cells of text `columns` as `parse_plan_date` does and keep them as ISO text
    (YYYY-MM-DD), so the core reads one spelling; a cell that is not a date is an error and
    becomes empty. Plan tables are small, so each distinct text is parsed once in Python."""
    present = [c for c in columns if typed.has(c)]
    if not present or typed.frame.height == 0:
        return
    texts = (
        typed.frame.select(pl.concat_list(present).alias("__texts__"))
        .get_column("__texts__")
        .explode()
        .drop_nulls()
        .unique()
        .to_list()
    )
    dates: dict[str, str] = {}
    for text in texts:
        try:
            date = parse_plan_date(text)
        except ValueError:
            continue
        if date is not None:
            dates[text] = date.isoformat()
    bad = sorted(set(texts) - set(dates))
    for name in present:
        out.add_rows(
            typed.frame.filter(pl.col(name).is_in(bad)),
            ERROR,
            lambda row, n=name: typed.error(
                Code.BAD_DATE, row, n, value=typed.raw_value(row, n), expected=DATE_EXPECTED
            ),
            typed.rank,
        )
    typed.frame = typed.frame.with_columns(
        pl.col(name).replace_strict(dates, default=None, return_dtype=pl.String) for name in present
    )


def repeated_rows(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows whose key repeats an earlier row, with that earlier row's number in `__first__`."""
    keyed = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    return keyed.with_columns(pl.col(ROW).first().over(keys).alias("__first__")).filter(
        pl.col(ROW) != pl.col("__first__")
    )


def report_repeats(
    typed: TypedTable,
    keys: list[str],
    code: Code,
    column: str,
    value: Callable[[dict[str, Any]], str],
    expected: str,
    out: ErrorCollector,
    *,
    frame: pl.DataFrame | None = None,
    rank: int | None = None,
) -> None:
    """An error at `column` for every row whose `keys` repeat an earlier row's (of `frame`, the
    table's own by default); `{first}` in `expected` becomes that earlier row's number."""
    out.add_rows(
        repeated_rows(typed.frame if frame is None else frame, keys),
        ERROR,
        lambda row: typed.error(
            code, row, column, value=value(row), expected=expected.format(first=row["__first__"])
        ),
        typed.rank if rank is None else rank,
    )


def is_in(column: str, values: pl.Series) -> pl.Expr:
    return pl.col(column).is_in(values.implode())
