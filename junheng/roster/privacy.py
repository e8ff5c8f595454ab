"""National ID numbers (身份证号) as anything but the county admin's export may show them.

Every page, export and log line that shows a teacher goes through `mask_id` or
`masked_roster`: the first six characters (the place of registration) and the last four are
kept, so a person can tell two teachers apart, and the birth date in the middle is hidden.
"""

from __future__ import annotations

import re

import polars as pl

KEEP_HEAD = 6
KEEP_TAIL = 4
MASK = "*"
_ID_LIKE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
"""An 18-character ID number, or a 15-digit one of the first generation, inside any text."""


def mask_id(id_number: str | None) -> str:
    """110105198001011234 → 110105********1234; a number too short to keep both ends is hidden
    whole; blank gives ""."""
    if id_number is None:
        return ""
    text = id_number.strip()
    if len(text) <= KEEP_HEAD + KEEP_TAIL:
        return MASK * len(text)
    return text[:KEEP_HEAD] + MASK * (len(text) - KEEP_HEAD - KEEP_TAIL) + text[-KEEP_TAIL:]


def mask_expr(column: str = "id_number") -> pl.Expr:
    """`mask_id` as a Polars expression (same result, for whole frames)."""
    text = pl.col(column).str.strip_chars()
    length = text.str.len_chars()
    middle = pl.lit(MASK).repeat_by(length - KEEP_HEAD - KEEP_TAIL).list.join("")
    return (
        pl.when(text.is_null())
        .then(pl.lit(""))
        .when(length <= KEEP_HEAD + KEEP_TAIL)
        .then(pl.lit(MASK).repeat_by(length).list.join(""))
        .otherwise(text.str.slice(0, KEEP_HEAD) + middle + text.str.slice(-KEEP_TAIL))
        .alias(column)
    )


def masked_roster(teachers: pl.DataFrame) -> pl.DataFrame:
    """The roster with every ID number masked (a frame without the column is returned as is)."""
    if "id_number" not in teachers.columns:
        return teachers
    return teachers.with_columns(mask_expr("id_number"))


def scrub_ids(text: str) -> str:
    """`text` with every run that looks like an ID number masked (for messages and logs that
    may quote a cell)."""
    return _ID_LIKE.sub(lambda match: mask_id(match.group()), text)
