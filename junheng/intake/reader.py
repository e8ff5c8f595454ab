"""Read the canonical Dataset from a folder of CSV files or one .xlsx workbook.

Reading never raises for bad input: every problem becomes an `IntakeError`, and the Dataset is only
built when there is no error (warnings allowed), because nothing may be evaluated from data known
to be wrong. The steps live in small modules: `sources` (raw text cells), `cells` (headers and
typed values), `rules` (consistency between rows and tables), `facts` (long fact tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import COUNTY_FACTS, PLAN_TABLES, SCHOOL_FACT_DEFS
from junheng.intake.cells import TypedTable, convert_table
from junheng.intake.errors import (
    ERROR,
    WARNING,
    Code,
    ErrorCollector,
    IntakeError,
    errors_to_frame,
    errors_to_text,
)
from junheng.intake.facts import build_notes, convert_facts, wide_facts
from junheng.intake.rules import (
    check_births,
    check_class_targets,
    check_classes,
    check_counties,
    check_finance,
    check_grades,
    check_known_schools,
    check_projects,
    check_schools,
    check_schools_against_segments,
    check_segments,
    check_staffing,
    check_survey,
)
from junheng.intake.sources import RawTable, read_raw_tables

MAX_ERRORS = 1000
"""Per severity, how many problems are listed before the rest are only counted."""


@dataclass(frozen=True)
class ReadResult:
    """The Dataset (None when any error was found) and every problem found, errors first."""

    dataset: Dataset | None
    errors: list[IntakeError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.dataset is not None

    @property
    def blocking(self) -> list[IntakeError]:
        """Problems with severity "error": any one of them prevents evaluation."""
        return [e for e in self.errors if e.severity == ERROR]

    @property
    def warnings(self) -> list[IntakeError]:
        return [e for e in self.errors if e.severity == WARNING]

    def frame(self) -> pl.DataFrame:
        return errors_to_frame(self.errors)

    def text(self) -> str:
        return errors_to_text(self.errors)


def read_dataset(path: Path, *, max_errors: int = MAX_ERRORS) -> ReadResult:
    """Read a dataset from a folder of CSV files or an .xlsx workbook.

    Never raises for bad input. `dataset` is None whenever any error (not warning) was found.
    """
    # Resolved so that "." still has a name to show in messages.
    path = Path(path).expanduser().resolve()
    out = ErrorCollector(max_errors)
    try:
        dataset = _read(path, out)
    except Exception as exc:
        # A defect here must not lose the user's report; it is recorded, and tests assert it never
        # occurs.
        out.add(
            IntakeError(
                Code.INTERNAL_ERROR,
                path.name,
                value=f"{type(exc).__name__}: {exc}",
                expected="请将该数据文件反馈给系统维护人员",
            )
        )
        dataset = None
    errors = out.result(path.name)
    return ReadResult(None if out.has_errors else dataset, errors)


def _read(path: Path, out: ErrorCollector) -> Dataset | None:
    return dataset_from_raw(read_raw_tables(path, out), out, str(path))


_PLAN_NAMES: tuple[str, ...] = tuple(table.name for table in PLAN_TABLES)


def dataset_from_raw(raws: dict[str, RawTable], out: ErrorCollector, source: str) -> Dataset | None:
    """Type, check and assemble raw string tables (from any source) into a Dataset.

    Returns None when a required table is absent or any error was collected.
    """
    typed = {name: convert_table(raw, out) for name, raw in raws.items()}
    schools = typed.get("schools")
    segments = typed.get("segments")
    county = typed.get("county")
    school_facts = typed.get("school_facts")
    survey = typed.get("survey")
    grades = typed.get("grades")
    births = typed.get("births")
    plans = {name: typed.get(name) for name in _PLAN_NAMES}

    if schools is not None:
        check_schools(schools, out)
    if segments is not None:
        check_segments(segments, schools, out)
    if schools is not None and segments is not None:
        check_schools_against_segments(schools, segments, out)
    county_long = school_long = None
    if county is not None:
        county_long = convert_facts(county, "county", COUNTY_FACTS, out)
    if school_facts is not None:
        school_long = convert_facts(school_facts, "school_id", SCHOOL_FACT_DEFS, out)
    if schools is not None:
        owned = (plans["finance"], plans["projects"], plans["class_targets"])
        for table in (county, survey, births, *owned):
            if table is not None:
                check_counties(table, schools, out)
        if school_facts is not None:
            check_known_schools(school_facts, schools, out)
    if survey is not None:
        check_survey(survey, out)
    if grades is not None:
        check_grades(grades, schools, out)
    if births is not None:
        check_births(births, out)
    _check_plans(plans, schools, out)

    if out.has_errors or schools is None or segments is None:
        return None
    schools_frame = schools.output()
    dataset = Dataset.build(
        schools=schools_frame,
        segments=segments.output(),
        county_facts=wide_facts(county_long) if county_long is not None else None,
        school_facts=wide_facts(school_long) if school_long is not None else None,
        survey=survey.output() if survey is not None else None,
        notes=build_notes(county_long, school_long, schools_frame),
        source=source,
        grades=grades.output() if grades is not None else None,
        births=births.output() if births is not None else None,
        **{name: table.output() for name, table in plans.items() if table is not None},
    )
    # Dataset.build conforms an absent table (None) to one all-null row, because selecting
    # literals from a frame without columns yields a row; an absent table has no rows.
    return replace(
        dataset,
        county_facts=dataset.county_facts
        if county_long is not None
        else dataset.county_facts.clear(),
        school_facts=dataset.school_facts
        if school_long is not None
        else dataset.school_facts.clear(),
        survey=dataset.survey if survey is not None else dataset.survey.clear(),
    )


def _check_plans(
    plans: dict[str, TypedTable | None], schools: TypedTable | None, out: ErrorCollector
) -> None:
    """The plan tables' own rules (their counties are checked with the other county tables)."""
    if plans["classes"] is not None:
        check_classes(plans["classes"], schools, out)
    if plans["finance"] is not None:
        check_finance(plans["finance"], out)
    if plans["projects"] is not None:
        # Also reads the project dates into ISO text, which the Dataset keeps.
        check_projects(plans["projects"], schools, out)
    if plans["staffing"] is not None:
        check_staffing(plans["staffing"], schools, out)
    if plans["class_targets"] is not None:
        check_class_targets(plans["class_targets"], out)
