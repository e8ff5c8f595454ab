"""The roster's writes and reads: an import replaces a county's roster of a school year in one
transaction, and the stored rows come back as the frames `junheng.roster` reads
(TEACHER_SCHEMA, ROTATION_SCHEMA), so the web counts exactly what the core counts."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet

from junheng.intake.errors import ERROR, IntakeError
from junheng.intake.roster import read_roster, write_roster_xlsx
from junheng.roster.aggregate import TEACHER_COLUMNS, county_rates, reconcile, segment_counts
from junheng.roster.rules import (
    EligibilityRules,
    eligibility_files,
    eligibility_path,
    load_eligibility,
)
from junheng.roster.schema import ROTATION_SCHEMA, TEACHER_SCHEMA
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.roster.models import FullExport, RosterImport, RosterRules, Rotation, Teacher
from junheng.web.selectors import dataset_for

log = logging.getLogger("junheng.roster")

_TEACHER_FIELDS = tuple(TEACHER_SCHEMA)
"""Model fields in the frame's column order; `school_id` is read through the school."""
_ROTATION_FIELDS = tuple(ROTATION_SCHEMA)
_BATCH = 1000


def eligibility_file(county: County) -> str:
    """The file name of the eligibility rules the county chose (the national file by default)."""
    chosen = RosterRules.objects.filter(county=county).values_list("eligibility_file", flat=True)
    return eligibility_path(chosen.first()).name


def eligibility_for(county: County) -> EligibilityRules:
    """The eligibility rules the county's roster is judged by."""
    return load_eligibility(eligibility_path(eligibility_file(county)))


def choose_eligibility(county: County, file_name: str, user: AbstractBaseUser) -> None:
    """Store the county's choice of rules file (one of `eligibility_files()`)."""
    if file_name not in eligibility_files():
        raise ValueError(file_name)
    RosterRules.objects.update_or_create(
        county=county, defaults={"eligibility_file": file_name, "updated_by": user}
    )


def roster_year(year: SchoolYear) -> int:
    """The school year as the roster's functions take it (the autumn it begins)."""
    return int(year.label[:4])


@dataclass(frozen=True)
class ImportOutcome:
    """An accepted import (`record`) or the problems that kept the roster as it was."""

    record: RosterImport | None
    errors: list[IntakeError]


def import_roster(
    county: County,
    year: SchoolYear,
    path: Path,
    user: AbstractBaseUser | None,
    file_name: str,
) -> ImportOutcome:
    """Read `path` with `read_roster` against the county's schools and, when it has no error,
    replace the county's roster of the year with it (teachers and rotation history together, so
    nothing of the former roster is left). With any error nothing is written; a masked roster
    sent back (ID numbers with “*”) is such an error, so it never overwrites the full numbers."""
    schools = dict(School.objects.filter(county=county).values_list("school_id", "pk"))
    result = read_roster(path, known_schools=schools, year=roster_year(year))
    if not result.ok or result.teachers is None:
        return ImportOutcome(None, result.errors)
    teachers = result.teachers
    rotations = result.rotations if result.rotations is not None else pl.DataFrame()
    with transaction.atomic():
        Teacher.objects.filter(county=county, year=year).delete()
        Rotation.objects.filter(county=county, year=year).delete()
        Teacher.objects.bulk_create(
            (
                Teacher(county=county, year=year, **_teacher_fields(row, schools))
                for row in teachers.iter_rows(named=True)
            ),
            batch_size=_BATCH,
        )
        Rotation.objects.bulk_create(
            (Rotation(county=county, year=year, **row) for row in rotations.iter_rows(named=True)),
            batch_size=_BATCH,
        )
        record = RosterImport.objects.create(
            county=county,
            year=year,
            user=user if user is not None and user.is_authenticated else None,
            file_name=file_name[:200],
            teachers=teachers.height,
            rotations=rotations.height,
        )
    return ImportOutcome(record, [e for e in result.errors if e.severity != ERROR])


def _teacher_fields(row: dict, schools: dict[str, int]) -> dict:
    fields = {k: v for k, v in row.items() if k != "school_id"}
    fields["school_id"] = schools[row["school_id"]]
    fields["id_number"] = row["id_number"] or ""
    return fields


def latest_import(county: County, year: SchoolYear) -> RosterImport | None:
    return (
        RosterImport.objects.filter(county=county, year=year)
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )


def teacher_rows(county: County, year: SchoolYear, school: School | None = None) -> QuerySet:
    rows = Teacher.objects.filter(county=county, year=year)
    if school is not None:
        rows = rows.filter(school=school)
    return rows


def teachers_frame(county: County, year: SchoolYear, school: School | None = None) -> pl.DataFrame:
    """The stored roster (one school's teachers with `school`) as a TEACHER_SCHEMA frame."""
    fields = ["school__school_id" if f == "school_id" else f for f in _TEACHER_FIELDS]
    values = teacher_rows(county, year, school).order_by("school__school_id", "teacher_id")
    rows = list(values.values_list(*fields))
    frame = pl.DataFrame(rows, schema=TEACHER_SCHEMA, orient="row")
    # Blank is how the database keeps a missing ID number; the frame's null means the same.
    return frame.with_columns(
        pl.when(pl.col("id_number") == "")
        .then(None)
        .otherwise(pl.col("id_number"))
        .alias("id_number")
    )


def rotations_frame(county: County, year: SchoolYear) -> pl.DataFrame:
    rows = list(
        Rotation.objects.filter(county=county, year=year)
        .order_by("teacher_id", "start", "pk")
        .values_list(*_ROTATION_FIELDS)
    )
    return pl.DataFrame(rows, schema=ROTATION_SCHEMA, orient="row")


def search(rows: QuerySet, text: str) -> QuerySet:
    """Teachers whose name, number, subject or school contains `text`. ID numbers are not
    searched: a search that answers whether a typed number exists would reveal it whole."""
    text = text.strip()
    if not text:
        return rows
    return rows.filter(
        Q(name__contains=text)
        | Q(teacher_id__contains=text)
        | Q(subject__contains=text)
        | Q(school__name__contains=text)
    )


def workbook(teachers: pl.DataFrame, rotations: pl.DataFrame | None, *, full_ids: bool) -> bytes:
    """教师名册.xlsx bytes by `write_roster_xlsx`: masked unless `full_ids`."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_roster_xlsx(
            Path(folder) / "roster.xlsx", teachers, rotations, full_ids=full_ids
        )
        return path.read_bytes()


def empty_template() -> bytes:
    return workbook(
        pl.DataFrame(schema=TEACHER_SCHEMA), pl.DataFrame(schema=ROTATION_SCHEMA), full_ids=False
    )


def full_export(county: County, year: SchoolYear, user: AbstractBaseUser) -> bytes:
    """The roster with full ID numbers, recorded (`FullExport`) and logged with who and how many
    — never with a number. Only `accounts.scope.can_export_full_ids` users may be given it."""
    teachers = teachers_frame(county, year)
    content = workbook(teachers, rotations_frame(county, year), full_ids=True)
    FullExport.objects.create(county=county, year=year, user=user, teachers=teachers.height)
    log.info(
        "教师名册完整导出：%s %s 学年，%d 名教师，导出人 %s",
        county.name,
        year.label,
        teachers.height,
        user.get_username(),
    )
    return content


def full_exports(county: County, year: SchoolYear) -> QuerySet:
    return FullExport.objects.filter(county=county, year=year).select_related("user")


@dataclass(frozen=True)
class Reconciliation:
    """The stored roster against the county's reported data of the same year."""

    differences: pl.DataFrame
    """`aggregate.RECONCILE_SCHEMA`: where roster and reported counts differ."""
    rates: pl.DataFrame
    """`aggregate.RATES_SCHEMA` with `reported`, the county fact the rate stands for."""
    compared: int
    """Segments (school × level) in the reported data or the roster."""
    counts: pl.DataFrame
    """The roster's segment counts (`segment_counts`)."""


def reconciliation(
    county: County,
    year: SchoolYear,
    *,
    teachers: pl.DataFrame | None = None,
    rotations: pl.DataFrame | None = None,
) -> Reconciliation:
    """The stored roster (or `teachers` and `rotations` read from it already) against the
    county's reported data of the year."""
    teachers = teachers if teachers is not None else teachers_frame(county, year)
    rotations = rotations if rotations is not None else rotations_frame(county, year)
    number = roster_year(year)
    dataset = dataset_for(county, year)
    counts = segment_counts(teachers, number)
    differences = reconcile(counts, dataset)
    rates = county_rates(teachers, rotations, number, eligibility_for(county))
    facts = dataset.county_facts.filter(pl.col("county") == county.name)
    reported = {
        fact: (facts.get_column(fact).item() if fact in facts.columns and facts.height else None)
        for fact in rates.get_column("fact")
    }
    rates = rates.with_columns(
        pl.col("fact")
        .replace_strict(reported, default=None, return_dtype=pl.Float64)
        .alias("reported")
    )
    keys = ["school_id", "level"]
    compared = pl.concat([dataset.segments.select(keys), counts.select(keys)]).unique().height
    return Reconciliation(differences, rates, compared, counts)


SUMMARY_COLUMNS: tuple[str, ...] = ("listed", *TEACHER_COLUMNS)
"""`listed`: every roster row of the school and level; the rest count teachers in post only."""


def summary(teachers: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per school and level: roster rows (`listed`) and the counted columns of `segment_counts`
    (0 where nobody is counted), sorted by school and level."""
    keys = ["school_id", "level"]
    listed = teachers.group_by(keys).agg(pl.len().cast(pl.Int64).alias("listed"))
    counts = segment_counts(teachers, year)
    return (
        listed.join(counts, on=keys, how="left")
        .with_columns(pl.col(c).fill_null(0) for c in TEACHER_COLUMNS)
        .select(*keys, *SUMMARY_COLUMNS)
        .sort(keys)
    )
