"""The roster as the evaluation's source: what taking the roster's figures (`with_roster`) would
change in a county's reported data, school by school and fact by fact. Pure.

Only what the roster covers changes: the nine teacher columns of the segments of schools that
have at least one teacher in the roster (a school missing from the roster keeps its reported
counts, since an incomplete roster says nothing about it), and the county facts G9, G11 and G12
whose rate the roster can compute. Students, classes, buildings and every other fact stay as
reported; segments the reported data lacks are not added (the reconciliation lists them).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import polars as pl

from junheng.core.dataset import Dataset
from junheng.roster.aggregate import TEACHER_COLUMNS, with_roster

SEGMENT_UPDATE_SCHEMA: dict[str, type[pl.DataType]] = {
    "school_id": pl.String,
    "level": pl.String,
    "column": pl.String,
    "reported": pl.Int64,
    "roster": pl.Int64,
}
FACT_UPDATE_SCHEMA: dict[str, type[pl.DataType]] = {
    "fact": pl.String,
    "reported": pl.Float64,
    "roster": pl.Float64,
}


@dataclass(frozen=True)
class SourceUpdate:
    """What the roster as the source changes (empty frames: nothing)."""

    segments: pl.DataFrame
    """SEGMENT_UPDATE_SCHEMA: every teacher column of a reported segment the roster changes."""
    facts: pl.DataFrame
    """FACT_UPDATE_SCHEMA: the county facts (G9, G11, G12) the roster changes."""
    uncovered: tuple[str, ...]
    """Schools of the reported data without a teacher in the roster (kept as reported)."""

    @property
    def schools(self) -> list[str]:
        """The schools whose segments change, sorted."""
        return sorted(set(self.segments.get_column("school_id").to_list()))


def source_update(
    dataset: Dataset,
    counts: pl.DataFrame,
    covered: Collection[str],
    *,
    county: str,
    rates: pl.DataFrame | None = None,
) -> SourceUpdate:
    """The changes `with_roster` makes to `dataset` for the schools in `covered` (school ids
    with at least one roster row) and, with `rates` (`county_rates`), to the county's facts."""
    covered = sorted(set(covered))
    key = ["school_id", "level"]
    reported = dataset.segments.filter(pl.col("school_id").is_in(covered))
    adopted = with_roster(
        replace(dataset, segments=reported),
        counts,
        county=county,
        rates=rates,
    )

    def long(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.select(*key, *(pl.col(c).cast(pl.Int64) for c in TEACHER_COLUMNS)).unpivot(
            index=key, variable_name="column", value_name=name
        )

    order = {c: i for i, c in enumerate(TEACHER_COLUMNS)}
    segments = (
        long(reported, "reported")
        .join(long(adopted.segments, "roster"), on=[*key, "column"])
        .filter(pl.col("reported").is_null() | (pl.col("reported") != pl.col("roster")))
        .with_columns(pl.col("column").replace_strict(order).alias("__order__"))
        .sort("school_id", "level", "__order__")
        .select(list(SEGMENT_UPDATE_SCHEMA))
        .cast(SEGMENT_UPDATE_SCHEMA)
    )
    facts = pl.DataFrame(schema=FACT_UPDATE_SCHEMA)
    if rates is not None:
        before = _facts_of(dataset, county)
        after = _facts_of(adopted, county)
        facts = pl.DataFrame(
            [
                (fact, before.get(fact), value)
                for fact in rates.get_column("fact").to_list()
                if (value := after.get(fact)) is not None and value != before.get(fact)
            ],
            schema=FACT_UPDATE_SCHEMA,
            orient="row",
        )
    listed = set(dataset.schools.get_column("school_id").to_list())
    uncovered = tuple(sorted(listed - set(covered)))
    return SourceUpdate(segments, facts, uncovered)


def _facts_of(dataset: Dataset, county: str) -> dict[str, float | None]:
    rows = dataset.county_facts.filter(pl.col("county") == county)
    if not rows.height:
        return {}
    return {k: v for k, v in rows.row(0, named=True).items() if k != "county"}
