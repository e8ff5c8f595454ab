"""The in-memory Dataset: typed Polars tables following the canonical schema.

Every input path (CSV folder, Excel workbook, the demo generator, later the database) produces a
`Dataset`; the core reads nothing else. Tables always carry every schema column with its type; a
column the source did not have is all-null and listed in `missing_columns`, so the core can say
"column X was not reported" rather than "cell empty".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from junheng.core.schema import (
    BIRTHS,
    CLASS_TARGETS,
    CLASSES,
    COUNTY_FACTS,
    FINANCE,
    GRADES,
    PROJECTS,
    SCHOOL_FACT_DEFS,
    SCHOOLS,
    SEGMENTS,
    STAFFING,
    SURVEY,
    ColumnType,
    Fact,
    FactType,
    Table,
)

_POLARS_TYPES: dict[ColumnType, type[pl.DataType]] = {
    ColumnType.TEXT: pl.String,
    ColumnType.ENUM: pl.String,
    ColumnType.INT: pl.Int64,
    ColumnType.NUMBER: pl.Float64,
}

_FACT_TYPES: dict[FactType, type[pl.DataType]] = {
    FactType.BOOL: pl.Boolean,
    FactType.NUMBER: pl.Float64,
    FactType.RATIO: pl.Float64,
    FactType.LEVEL: pl.Int64,
    FactType.RATING: pl.String,
}


NOTES_SCHEMA: dict[str, type[pl.DataType]] = {
    "county": pl.String,
    "fact": pl.String,
    "note": pl.String,
    "school_id": pl.String,
}


def table_schema(table: Table) -> dict[str, type[pl.DataType]]:
    """Polars schema of a canonical table."""
    return {c.name: _POLARS_TYPES[c.type] for c in table.columns}


def facts_schema(key: str, facts: tuple[Fact, ...]) -> dict[str, type[pl.DataType]]:
    """Polars schema of a wide fact table: the key column, then one typed column per fact."""
    return {key: pl.String, **{f.name: _FACT_TYPES[f.type] for f in facts}}


def conform(frame: pl.DataFrame, schema: Mapping[str, type[pl.DataType]]) -> pl.DataFrame:
    """Add missing columns as nulls, cast to the schema's types and order columns as the schema.

    Columns not in the schema are kept after the schema's columns (extra data is never dropped).
    """
    if not frame.columns:
        return pl.DataFrame(schema=dict(schema))
    exprs = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    extra = [pl.col(c) for c in frame.columns if c not in schema]
    return frame.select(*exprs, *extra)


def _optional(frame: pl.DataFrame | None, table: Table) -> pl.DataFrame:
    """An optional table conformed to its schema; empty when not given."""
    if frame is None or not frame.columns:
        return pl.DataFrame(schema=table_schema(table))
    return conform(frame, table_schema(table))


@dataclass(frozen=True)
class Dataset:
    """One or many counties' data for one school year."""

    schools: pl.DataFrame
    segments: pl.DataFrame
    county_facts: pl.DataFrame
    """Wide: one row per county, one typed column per fact of `COUNTY_FACTS`."""
    school_facts: pl.DataFrame
    """Wide: one row per school that reported facts, one typed column per `SCHOOL_FACT_DEFS`."""
    survey: pl.DataFrame
    """Aggregated survey answers, one row per county and respondent group (may be empty)."""
    notes: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NOTES_SCHEMA))
    """Evidence notes given with facts: county, fact, note, and school_id for school facts."""
    grades: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=table_schema(GRADES)))
    """Students per school, year and grade over past years (optional; empty when not given). Only
    the enrolment projection reads it: the evaluation of the dataset's own year does not."""
    births: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=table_schema(BIRTHS)))
    """Births per county and year (optional; empty when not given), for the projection's
    entrants."""
    classes: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=table_schema(CLASSES))
    )
    """Students per teaching class (optional): class-size bands and their dated targets."""
    finance: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=table_schema(FINANCE))
    )
    """The county's education finance per fiscal year (optional): the funding checks."""
    projects: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=table_schema(PROJECTS))
    )
    """Building and equipment projects (optional): school places and what the forecast adds in
    each project's completion year."""
    staffing: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=table_schema(STAFFING))
    )
    """Approved posts and planned recruitment per school, year and level (optional)."""
    class_targets: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=table_schema(CLASS_TARGETS))
    )
    """A county's own dated class-size targets (optional): when given, they replace the
    national defaults of `core/class_sizes.yaml` for that county."""
    missing_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per table, the schema columns the source did not contain at all."""
    source: str = ""

    @staticmethod
    def build(
        schools: pl.DataFrame,
        segments: pl.DataFrame,
        county_facts: pl.DataFrame | None = None,
        school_facts: pl.DataFrame | None = None,
        survey: pl.DataFrame | None = None,
        notes: pl.DataFrame | None = None,
        source: str = "",
        grades: pl.DataFrame | None = None,
        births: pl.DataFrame | None = None,
        classes: pl.DataFrame | None = None,
        finance: pl.DataFrame | None = None,
        projects: pl.DataFrame | None = None,
        staffing: pl.DataFrame | None = None,
        class_targets: pl.DataFrame | None = None,
    ) -> Dataset:
        """Conform loosely built frames to the schema and record which columns were absent."""
        missing: dict[str, tuple[str, ...]] = {}
        frames: dict[str, pl.DataFrame] = {}
        inputs: list[tuple[str, pl.DataFrame | None, Mapping[str, type[pl.DataType]]]] = [
            ("schools", schools, table_schema(SCHOOLS)),
            ("segments", segments, table_schema(SEGMENTS)),
            ("county", county_facts, facts_schema("county", COUNTY_FACTS)),
            ("school_facts", school_facts, facts_schema("school_id", SCHOOL_FACT_DEFS)),
            ("survey", survey, table_schema(SURVEY)),
        ]
        for name, frame, schema in inputs:
            frame = frame if frame is not None else pl.DataFrame()
            missing[name] = tuple(c for c in schema if c not in frame.columns)
            frames[name] = conform(frame, schema)
        return Dataset(
            schools=frames["schools"],
            segments=frames["segments"],
            county_facts=frames["county"],
            school_facts=frames["school_facts"],
            survey=frames["survey"],
            notes=conform(notes, NOTES_SCHEMA)
            if notes is not None
            else pl.DataFrame(schema=NOTES_SCHEMA),
            grades=conform(grades, table_schema(GRADES))
            if grades is not None and grades.columns
            else pl.DataFrame(schema=table_schema(GRADES)),
            births=_optional(births, BIRTHS),
            classes=_optional(classes, CLASSES),
            finance=_optional(finance, FINANCE),
            projects=_optional(projects, PROJECTS),
            staffing=_optional(staffing, STAFFING),
            class_targets=_optional(class_targets, CLASS_TARGETS),
            missing_columns=missing,
            source=source,
        )

    @property
    def counties(self) -> list[str]:
        """County names in order of first appearance in the schools table."""
        return self.schools.get_column("county").unique(maintain_order=True).to_list()
