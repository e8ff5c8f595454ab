"""Write a Dataset back to the canonical files: a folder of CSV files or one .xlsx workbook.

What is written reads back to equal frames (`read_dataset(write(d))` has the same tables as `d`):
columns the source did not have (`Dataset.missing_columns`) are left out rather than written empty,
and county and school facts go back to long form with one row per key and reported fact, including
facts reported with an empty value, so that "not reported" survives the round trip.

Writes are atomic: everything goes to a temporary file or folder next to the target first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import (
    BIRTHS,
    COUNTY,
    COUNTY_FACTS,
    GRADES,
    PLAN_TABLES,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS,
    SCHOOLS,
    SEGMENTS,
    SURVEY,
    TABLES,
    ColumnType,
    Fact,
    FactType,
    Table,
)

Cell = str | int | float | None


@dataclass(frozen=True)
class _Sheet:
    """One table ready to write: typed columns (wide tables) or rows of cells (long tables)."""

    table: Table
    headers: list[str]
    frame: pl.DataFrame | None = None
    rows: list[tuple[Cell, ...]] | None = None

    def excel_rows(self) -> Iterator[tuple[Cell, ...]]:
        if self.frame is not None:
            yield from self.frame.iter_rows()
        else:
            yield from self.rows or []

    def csv_frame(self) -> pl.DataFrame:
        if self.frame is not None:
            frame = self.frame.select(pl.all().cast(pl.String))
            return frame.rename(dict(zip(frame.columns, self.headers, strict=True)))
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.headers)
        return pl.DataFrame(
            {
                header: pl.Series(header, [_csv_text(v) for v in values], dtype=pl.String)
                for header, values in zip(self.headers, columns, strict=True)
            }
        )


def _csv_text(value: Cell) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        # repr is the shortest text that reads back to the same float.
        return repr(value)
    return str(value)


def _wide_sheet(
    table: Table, frame: pl.DataFrame, missing: Mapping[str, tuple[str, ...]], chinese: bool
) -> _Sheet:
    absent = set(missing.get(table.name, ()))
    schema_names = set(table.names)
    names = [c for c in frame.columns if c not in absent]
    exprs: list[pl.Expr] = []
    headers: list[str] = []
    for name in names:
        if name not in schema_names:
            exprs.append(pl.col(name).cast(pl.String))
            headers.append(name)
            continue
        column = table.column(name)
        expr = pl.col(name)
        if column.type == ColumnType.ENUM and chinese:
            expr = expr.replace(dict(column.enum))
        exprs.append(expr)
        headers.append(column.header_zh if chinese else column.name)
    return _Sheet(table, headers, frame=frame.select(exprs))


def _fact_cell(fact: Fact, value: object, chinese: bool) -> Cell:
    if value is None:
        return None
    if fact.type == FactType.BOOL:
        if chinese:
            return "是" if value else "否"
        return "yes" if value else "no"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if fact.type == FactType.LEVEL:
        return int(value)
    if fact.type in (FactType.NUMBER, FactType.RATIO):
        return float(value)
    return str(value)


def _long_sheet(
    table: Table,
    key: str,
    wide: pl.DataFrame,
    facts: tuple[Fact, ...],
    absent: set[str],
    notes: pl.DataFrame,
    chinese: bool,
) -> _Sheet:
    reported = {f.name for f in facts if f.name not in absent and f.name in wide.columns}
    note_of: dict[tuple[str, str], str] = {}
    for k, fact, note in notes.select(key, "fact", "note").iter_rows():
        if k is not None and fact is not None and note is not None:
            note_of[(k, fact)] = note
            reported.add(fact)
    keys: list[str] = [k for k in wide.get_column(key).to_list() if k is not None]
    # Notes may name a key with no value row (a note given with an empty value).
    known = set(keys)
    keys += [k for k in dict.fromkeys(k for k, _ in note_of) if k not in known]
    values = {row[key]: row for row in wide.iter_rows(named=True)}
    rows: list[tuple[Cell, ...]] = []
    for k in keys:
        row = values.get(k, {})
        for fact in facts:
            if fact.name not in reported:
                continue
            rows.append(
                (
                    k,
                    fact.zh if chinese else fact.name,
                    _fact_cell(fact, row.get(fact.name), chinese),
                    note_of.get((k, fact.name)),
                )
            )
    columns = [table.column(n) for n in (key, "fact", "value", "note")]
    headers = [c.header_zh if chinese else c.name for c in columns]
    return _Sheet(table, headers, rows=rows)


def _notes_for(notes: pl.DataFrame, key: str) -> pl.DataFrame:
    """County notes have no school_id; school notes have one."""
    empty = pl.DataFrame(schema={key: pl.String, "fact": pl.String, "note": pl.String})
    if notes.height == 0 or "fact" not in notes.columns or "note" not in notes.columns:
        return empty
    has_school = (
        pl.col("school_id").is_not_null() if "school_id" in notes.columns else pl.lit(False)
    )
    if key == "county":
        if "county" not in notes.columns:
            return empty
        return notes.filter(~has_school).select("county", "fact", "note")
    if "school_id" not in notes.columns:
        return empty
    return notes.filter(has_school).select("school_id", "fact", "note")


def _sheets(dataset: Dataset, chinese: bool) -> list[_Sheet]:
    missing = dataset.missing_columns
    sheets = [
        _wide_sheet(SCHOOLS, dataset.schools, missing, chinese),
        _wide_sheet(SEGMENTS, dataset.segments, missing, chinese),
        _long_sheet(
            COUNTY,
            "county",
            dataset.county_facts,
            COUNTY_FACTS,
            set(missing.get("county", ())),
            _notes_for(dataset.notes, "county"),
            chinese,
        ),
    ]
    school_notes = _notes_for(dataset.notes, "school_id")
    if "school_id" not in missing.get("school_facts", ()) or school_notes.height:
        sheets.append(
            _long_sheet(
                SCHOOL_FACTS,
                "school_id",
                dataset.school_facts,
                SCHOOL_FACT_DEFS,
                set(missing.get("school_facts", ())),
                school_notes,
                chinese,
            )
        )
    if set(SURVEY.names) - set(missing.get("survey", ())):
        sheets.append(_wide_sheet(SURVEY, dataset.survey, missing, chinese))
    if dataset.grades.height:
        # Optional: a dataset without grade enrolment is written exactly as before.
        sheets.append(_wide_sheet(GRADES, dataset.grades, missing, chinese))
    if dataset.births.height:
        sheets.append(_wide_sheet(BIRTHS, dataset.births, missing, chinese))
    for table in PLAN_TABLES:
        frame = getattr(dataset, table.name)
        if frame.height:
            sheets.append(_wide_sheet(table, frame, missing, chinese))
    return sheets


def _file_names(table: Table) -> set[str]:
    return {f"{table.name}.csv".lower(), f"{table.zh}.csv".lower()}


def write_csv_folder(dataset: Dataset, folder: Path, *, chinese_headers: bool = False) -> None:
    """Write the dataset as schools.csv, segments.csv, county.csv (+ school_facts.csv, survey.csv,
    grades.csv, births.csv and the plan tables classes.csv, finance.csv, projects.csv,
    staffing.csv when they have rows).

    Files are UTF-8 with BOM so Excel opens Chinese text correctly. With `chinese_headers`, headers,
    fact names, enumeration values and yes/no use the Chinese labels of the templates.

    A new folder appears at once (renamed from a temporary folder). An existing folder has each
    dataset file replaced atomically, and dataset files left over from an earlier write (including
    Chinese-named ones such as 学校.csv) are removed, so the folder then holds exactly this dataset.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        written: set[str] = set()
        for sheet in _sheets(dataset, chinese_headers):
            name = f"{sheet.table.name}.csv"
            sheet.csv_frame().write_csv(staging / name, include_bom=True)
            written.add(name)
        if not folder.exists():
            staging.rename(folder)
            return
        for name in sorted(written):
            os.replace(staging / name, folder / name)
        stale = set().union(*(_file_names(t) for t in TABLES))
        for entry in folder.iterdir():
            if entry.name.lower() in stale and entry.name not in written and entry.is_file():
                entry.unlink()
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_xlsx(dataset: Dataset, path: Path, *, chinese_headers: bool = False) -> None:
    """Write the dataset as one workbook, one sheet per table (named as the tables, or in Chinese).

    Numbers are written as numbers (every bit of a float kept) and identifiers as text, so Excel
    keeps leading zeros. `chinese_headers` works as for `write_csv_folder` and also names the
    sheets in Chinese.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    from junheng.reports.xlsx_cells import text_cell

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook(write_only=True)
    for sheet in _sheets(dataset, chinese_headers):
        worksheet = workbook.create_sheet(sheet.table.zh if chinese_headers else sheet.table.name)

        def cell(value: Cell, worksheet: Any = worksheet) -> object:
            if isinstance(value, str):
                # openpyxl stores text starting with "=" as a formula, which reads back empty.
                return text_cell(worksheet, value)
            if isinstance(value, float) and float(f"{value:.16g}") != value:
                # openpyxl writes numbers with 16 significant digits; a computed value such as
                # 1998.3000000000002 needs 17, so its exact text is written as a number cell.
                number = WriteOnlyCell(worksheet, value=repr(value))
                number.data_type = "n"
                return number
            return value

        worksheet.append([cell(h) for h in sheet.headers])
        for row in sheet.excel_rows():
            worksheet.append([cell(v) for v in row])
    with _atomic_path(path) as temporary:
        workbook.save(temporary)
