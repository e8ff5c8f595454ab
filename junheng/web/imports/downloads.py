"""Templates to download: the county workbook and the per-school books (一校一册), written by
the same functions as `junheng template county` and `junheng template schools`, from the
registry and the county's data in the database."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import polars as pl

from junheng.core.dataset import Dataset, table_schema
from junheng.core.schema import SCHOOLS
from junheng.intake.school_form import form_file_name, write_school_workbook, write_school_workbooks
from junheng.intake.templates import write_county_template
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import dataset_for


def _directory(schools: list[School], county: County) -> pl.DataFrame:
    """The schools' registry entries as a Dataset schools frame (this year's figures empty)."""
    schema = table_schema(SCHOOLS)
    rows = [
        {
            "school_id": s.school_id,
            "name": s.name,
            "county": county.name,
            "kind": s.kind,
            "parent_id": s.parent.school_id if s.parent else None,
            "area_type": s.area_type or None,
            "ownership": s.ownership or None,
            "township": s.township or None,
        }
        for s in schools
    ]
    return pl.DataFrame({name: [row.get(name) for row in rows] for name in schema}, schema=schema)


def _registry(county: County) -> list[School]:
    return list(School.objects.filter(county=county).select_related("parent").order_by("school_id"))


def _year_data(county: County, year: str) -> tuple[Dataset | None, Dataset | None]:
    """This year's data (to pre-fill a book sent back for correction) and last year's."""
    current = None
    this_year = SchoolYear.objects.filter(label=year).first()
    if this_year is not None:
        dataset = dataset_for(county, this_year)
        current = dataset if dataset.schools.height else None
    earlier = (
        SchoolYear.objects.filter(label__lt=year, schoolyeardata__school__county=county)
        .order_by("-label")
        .first()
    )
    previous = dataset_for(county, earlier) if earlier is not None else None
    return current, previous


def county_template(county: County, year: str) -> tuple[str, bytes]:
    """The county workbook pre-filled with the county's schools: (file name, content)."""
    schools = _directory(_registry(county), county)
    with tempfile.TemporaryDirectory(prefix="junheng-template-") as tmp:
        path = write_county_template(
            Path(tmp) / "template.xlsx", schools, counties=[county.name], year=year
        )
        return f"{county.name}_{year}学年_全县填报模板.xlsx", path.read_bytes()


def school_book(school: School, year: str) -> tuple[str, bytes]:
    """One school's book with last year's values beside the inputs: (file name, content)."""
    county = school.county
    row = _directory([school], county).to_dicts()[0]
    current, previous = _year_data(county, year)
    with tempfile.TemporaryDirectory(prefix="junheng-book-") as tmp:
        path = write_school_workbook(
            Path(tmp) / "book.xlsx", row, year=year, current=current, previous=previous
        )
        return form_file_name(school.school_id, school.name), path.read_bytes()


def school_books(county: County, year: str) -> tuple[str, bytes]:
    """Every school's book of the county in one zip archive: (file name, content)."""
    schools = _directory(_registry(county), county)
    current, previous = _year_data(county, year)
    with tempfile.TemporaryDirectory(prefix="junheng-books-") as tmp:
        folder = Path(tmp) / "books"
        paths = write_school_workbooks(
            schools, folder, year=year, previous=previous, current=current
        )
        archive = Path(tmp) / "books.zip"
        # Workbooks are already compressed; storing them keeps 400 books quick to pack.
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
            for path in paths:
                out.write(path, path.name)
        return f"{county.name}_{year}学年_一校一册.zip", archive.read_bytes()
