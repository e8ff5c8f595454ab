"""`junheng import`: merge county workbooks, per-school workbooks and CSV folders into one dataset.

Every source becomes raw string tables with canonical column names; all rows are validated
together by the same code as `read_dataset` (so one school's parent may be in another school's
workbook), and every problem is traced back to the workbook, sheet and cell it came from.
Schools in the imported files replace the same schools of the existing dataset; the rest is kept.
The result is written all at once (see `atomic.py`): an import either writes the whole merged
dataset or nothing. `validate_sources` is the same check over a dataset held elsewhere (the web
import's database), writing nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from openpyxl.utils import get_column_letter

from junheng.core.dataset import Dataset
from junheng.core.schema import LEVEL_ZH, PLAN_TABLES, TABLES_BY_NAME
from junheng.intake import atomic, guard
from junheng.intake.cells import match_header
from junheng.intake.errors import ERROR, WARNING, Code, ErrorCollector, IntakeError
from junheng.intake.reader import MAX_ERRORS, dataset_from_raw, read_dataset
from junheng.intake.sources import ROW, RawTable, read_raw_tables, source_column
from junheng.intake.writer import write_csv_folder

MERGED = "__merged__"
FORM_SHEET = "学段数据"
FORM_INFO_SHEET = "学校信息"
PARALLEL_FORMS = 40
"""From this many per-school workbooks on, they are read in parallel processes."""
_OFFSET = 10_000_000
_REFUSED_WHOLE = frozenset({Code.SUSPICIOUS_WORKBOOK, Code.FILE_TOO_LARGE, Code.TOO_MANY_ROWS})
"""Rows of the n-th source are numbered n × _OFFSET + their own row number while merged."""


@dataclass
class Origin:
    """Where one merged row came from."""

    file: str
    sheet: str | None
    row: int | None
    cells: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def row_of(self, column: str | None) -> int | None:
        """The row of `column`'s cell: in a per-school form a record runs down one column, so
        each value has a row of its own and the record's first row names only one of them."""
        return _row_of(self.cells.get(column or "")) or self.row


@dataclass(frozen=True)
class Scope:
    """Which rows an import may contain; rows outside it are errors naming their cells.

    The web import limits a county administrator to the county and a school user to the school;
    each `*_expected` text says what the cell should hold and why, for the message.
    """

    counties: frozenset[str] | None = None
    """County names allowed in the county columns (None: any)."""
    schools: frozenset[str] | None = None
    """School ids allowed (None: any not refused)."""
    refused_schools: Callable[[frozenset[str]], Collection[str]] | None = None
    """Given the school ids in the files, those that may not be imported (say, registered in
    another county); asked once per import, so a database can answer it in one query."""
    county_expected: str = ""
    school_expected: str = ""
    refused_expected: str = ""


@dataclass
class ImportResult:
    dataset: Dataset | None
    errors: list[IntakeError]
    sources: list[Path]
    written: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    imported_schools: frozenset[str] = frozenset()
    """School ids present in the imported files (their rows replace the existing ones)."""
    replaced_counties: frozenset[str] = frozenset()
    """Counties whose county facts and survey the imported files replace."""
    owners: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per table of `OWN_ROWS_TABLES` (grades, births, the plan tables), the schools or counties
    the imported files give rows for: those replace their existing rows of that table."""

    @property
    def blocking(self) -> list[IntakeError]:
        return [e for e in self.errors if e.severity == ERROR]

    @property
    def warnings(self) -> list[IntakeError]:
        return [e for e in self.errors if e.severity == WARNING]

    @property
    def ok(self) -> bool:
        return self.dataset is not None


class _Merger:
    """Collects canonical raw rows from every source, remembering each row's origin."""

    def __init__(self, out: ErrorCollector) -> None:
        self.out = out
        self.frames: dict[str, list[pl.DataFrame]] = {}
        self.origins: dict[int, tuple[str, Origin]] = {}
        self.sources = 0
        self.school_files: dict[str, str] = {}

    def _next_offset(self) -> int:
        offset = self.sources * _OFFSET
        self.sources += 1
        return offset

    def add_raw(
        self, raw: RawTable, replaced: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None
    ) -> None:
        """A table read from a CSV file or a sheet with a header row."""
        table = raw.table
        offset = self._next_offset()
        columns: dict[str, str] = {}
        labels: dict[str, str] = {}
        letters: dict[str, str] = {}
        for i, header in enumerate(raw.headers):
            name = match_header(header, table) if header else None
            if name is None:
                if header:
                    self.out.add(
                        raw.error(
                            Code.UNKNOWN_COLUMN,
                            row=1,
                            column=header,
                            value=header,
                            expected="该列已忽略；如本应是标准列，请按模板改正列名",
                        )
                    )
                continue
            if name in columns:
                continue  # reported when the table is typed
            columns[name] = source_column(i)
            labels[name] = header
            letters[name] = get_column_letter(i + 1)
        for column in table.columns:
            if column.required and column.name not in columns:
                self.out.add(
                    raw.error(
                        Code.MISSING_COLUMN,
                        row=1,
                        value=column.zh,
                        expected=f"在表头中增加「{column.header_zh}」或「{column.name}」列",
                    )
                )
        frame = raw.frame.select(
            *(pl.col(src).alias(name) for name, src in columns.items()),
            pl.col(ROW),
        )
        if replaced is not None:
            frame = replaced(table.name, frame)
        frame = frame.with_columns((pl.col(ROW) + offset).alias(ROW))
        for row in frame.get_column(ROW).to_list():
            real = row - offset
            self.origins[row] = (
                table.name,
                Origin(
                    raw.file,
                    raw.sheet,
                    real,
                    {name: f"{letters[name]}{real}" for name in columns} if raw.sheet else {},
                    labels,
                ),
            )
        self.frames.setdefault(table.name, []).append(frame)

    def add_form(self, form: Any, file: str) -> None:
        """A per-school workbook (一校一册), read by `school_form.read_school_form`."""
        gid = self._next_offset()
        for table_name, rows in form.rows.items():
            if not rows:
                continue
            numbered = []
            for index, row in enumerate(rows):
                gid += 1
                cells = {
                    column: ref
                    for (t, i, column), ref in form.cells.items()
                    if t == table_name and i == index
                }
                cell_row = _row_of(next(iter(cells.values()), None))
                labels = {
                    column: label for (t, column), label in form.labels.items() if t == table_name
                }
                self.origins[gid] = (
                    table_name,
                    Origin(file, form.sheets.get(table_name), cell_row, cells, labels),
                )
                row = self._without_control(row, file, form.sheets.get(table_name), cells, labels)
                numbered.append({**row, ROW: gid})
            frame = pl.DataFrame(numbered, infer_schema_length=None).with_columns(
                pl.col(ROW).cast(pl.Int64),
                *(pl.col(c).cast(pl.String) for c in numbered[0] if c != ROW),
            )
            self.frames.setdefault(table_name, []).append(frame)

    def _without_control(
        self,
        row: dict[str, Any],
        file: str,
        sheet: str | None,
        cells: dict[str, str],
        labels: dict[str, str],
    ) -> dict[str, Any]:
        """The row with control characters removed, each cell holding any reported (workbooks
        read by `read_raw_tables` are checked there)."""
        clean = dict(row)
        for column, value in row.items():
            if isinstance(value, str) and guard.has_control(value):
                cell = cells.get(column)
                self.out.add(
                    guard.control_error(
                        file, sheet, _row_of(cell), labels.get(column, column), cell, value
                    )
                )
                clean[column] = guard.strip_control(value)
        return clean

    def drop_duplicate_schools(self) -> None:
        """A school in two files is reported once, naming both, and the later copy is dropped
        (otherwise its segments would be reported as duplicates again)."""
        frames = self.frames.get("schools", [])
        seen: dict[str, tuple[str, int]] = {}
        dropped: set[tuple[int, str]] = set()
        for frame in frames:
            if "school_id" not in frame.columns:
                continue
            for school_id, gid in frame.select("school_id", ROW).iter_rows():
                key = (school_id or "").strip()
                if not key:
                    continue
                origin = self.origins[gid][1]
                if key in seen and seen[key][0] != origin.file:
                    first_file, first_row = seen[key]
                    self.out.add(
                        IntakeError(
                            Code.DUPLICATE_SCHOOL_FILES,
                            origin.file,
                            origin.sheet,
                            origin.row_of("school_id"),
                            origin.labels.get("school_id", "学校标识码"),
                            value=key,
                            expected=f"每所学校只在一个文件中填报（已在 {first_file} "
                            f"第 {first_row} 行出现）",
                            cell=origin.cells.get("school_id"),
                        )
                    )
                    dropped.add((gid // _OFFSET, key))
                else:
                    seen.setdefault(key, (origin.file, origin.row or 0))
        if not dropped:
            return
        for name in ("schools", "segments", "school_facts"):
            kept = []
            for frame in self.frames.get(name, []):
                if "school_id" not in frame.columns:
                    kept.append(frame)
                    continue
                source = pl.col(ROW) // _OFFSET
                mask = pl.lit(False)
                for src, key in dropped:
                    mask = mask | ((source == src) & (pl.col("school_id").str.strip_chars() == key))
                kept.append(frame.filter(~mask))
            self.frames[name] = kept

    def school_origin(self, table: str, row: dict[str, Any]) -> Origin | None:
        """Where the imported row of one school (and level) came from."""
        for frame in self.frames.get(table, []):
            if "school_id" not in frame.columns:
                continue
            condition = pl.col("school_id").str.strip_chars() == row["school_id"]
            if table == "segments" and "level" in frame.columns:
                levels = {row["level"], LEVEL_ZH.get(row["level"], row["level"])}
                condition = condition & pl.col("level").str.strip_chars().is_in(sorted(levels))
            hit = frame.filter(condition)
            if hit.height:
                found = self.origins.get(hit[ROW][0])
                return found[1] if found else None
        return None

    def raw_tables(self) -> dict[str, RawTable]:
        raws: dict[str, RawTable] = {}
        for name, frames in self.frames.items():
            table = TABLES_BY_NAME[name]
            merged = pl.concat(
                [f.with_columns(pl.exclude(ROW).cast(pl.String)) for f in frames],
                how="diagonal_relaxed",
            )
            present = [c.name for c in table.columns if c.name in merged.columns]
            frame = merged.select(
                *(pl.col(c).alias(source_column(i)) for i, c in enumerate(present)), pl.col(ROW)
            )
            raws[name] = RawTable(table, MERGED, None, present, frame)
        return raws


def _row_of(cell: str | None) -> int | None:
    if not cell:
        return None
    digits = re.sub(r"^[A-Z]+", "", cell)
    return int(digits) if digits.isdigit() else None


_ROW_TEXT = re.compile(r"第 (\d+) 行")


def _decode_rows(text: str, origins: dict[int, tuple[str, Origin]]) -> str:
    """Row numbers quoted inside a message refer to merged rows; say the file and row instead."""

    def swap(match: re.Match[str]) -> str:
        found = origins.get(int(match.group(1)))
        if found is None:
            return match.group(0)
        origin = found[1]
        return f"{origin.file} 第 {origin.row} 行"

    return _ROW_TEXT.sub(swap, text)


@cache
def plausibility_rules() -> list[dict[str, Any]]:
    """Year-over-year warning rules (plausibility.yaml)."""
    path = Path(__file__).with_name("plausibility.yaml")
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["rules"])


def _plausibility(
    merger: _Merger, dataset: Dataset, previous: Dataset, imported: set[str], out: ErrorCollector
) -> None:
    keys = {"segments": ["school_id", "level"], "schools": ["school_id"]}
    for rule in plausibility_rules():
        table, column, limit = rule["table"], rule["column"], float(rule["max_change"])
        now = getattr(dataset, table).filter(pl.col("school_id").is_in(sorted(imported)))
        before = getattr(previous, table).select(*keys[table], pl.col(column).alias("__before"))
        joined = now.join(before, on=keys[table], how="inner").filter(
            (pl.col("__before") > 0)
            & pl.col(column).is_not_null()
            & (((pl.col(column) - pl.col("__before")).abs() / pl.col("__before")) > limit)
        )
        for row in joined.iter_rows(named=True):
            origin = merger.school_origin(table, row)
            change = (row[column] - row["__before"]) / row["__before"]
            out.add(
                IntakeError(
                    Code.IMPLAUSIBLE_CHANGE,
                    origin.file if origin else "导入数据",
                    origin.sheet if origin else None,
                    origin.row_of(column) if origin else None,
                    (origin.labels.get(column) if origin else None) or column,
                    value=f"{row[column]:g}（上年 {row['__before']:g}，变化 {change:+.0%}）",
                    expected=f"变化不超过 {limit:.0%}；{rule['why']}",
                    cell=origin.cells.get(column) if origin else None,
                )
            )


OWN_ROWS_TABLES: dict[str, str] = {
    "grades": "school_id",
    "births": "county",
    "classes": "school_id",
    "finance": "county",
    "projects": "county",
    "staffing": "school_id",
    "class_targets": "county",
}
"""Tables kept over the years (history and plans), each with the column naming whose rows they
are: a school's or county's rows are replaced only by files that give that table for it, never
by its yearly workbook alone (a county workbook without a 建设项目 sheet keeps the projects)."""


def _owners(merger: _Merger) -> dict[str, frozenset[str]]:
    """Per table of `OWN_ROWS_TABLES`, the schools or counties the imported files give rows for."""
    owners: dict[str, frozenset[str]] = {}
    for name, column in OWN_ROWS_TABLES.items():
        owners[name] = frozenset(
            value.strip()
            for frame in merger.frames.get(name, [])
            if column in frame.columns
            for value in frame[column].drop_nulls().to_list()
            if value.strip()
        )
    return owners


def _existing_raws(
    existing: Dataset,
    imported_schools: set[str],
    replaced_counties: set[str],
    owners: dict[str, frozenset[str]] | None = None,
) -> dict[str, RawTable]:
    """The current dataset as raw tables, without the schools and counties being re-imported.

    The tables of `OWN_ROWS_TABLES` lose only the rows of the schools or counties that the files
    give that table for (`owners`)."""
    with tempfile.TemporaryDirectory(prefix="junheng-existing-") as tmp:
        write_csv_folder(existing, Path(tmp))
        out = ErrorCollector(MAX_ERRORS)
        raws = read_raw_tables(Path(tmp), out)
    kept: dict[str, RawTable] = {}
    for name, raw in raws.items():
        keys = {h: source_column(i) for i, h in enumerate(raw.headers)}
        frame = raw.frame
        owner = OWN_ROWS_TABLES.get(name)
        if owner is not None:
            replaced = sorted((owners or {}).get(name, ()))
            if owner in keys and replaced:
                frame = frame.filter(~pl.col(keys[owner]).is_in(replaced))
        else:
            if "school_id" in keys and imported_schools:
                frame = frame.filter(~pl.col(keys["school_id"]).is_in(sorted(imported_schools)))
            if name in ("county", "survey") and "county" in keys and replaced_counties:
                frame = frame.filter(~pl.col(keys["county"]).is_in(sorted(replaced_counties)))
        kept[name] = replace(raw, file="现有数据集", frame=frame)
    return kept


def _imported_keys(merger: _Merger) -> tuple[set[str], set[str]]:
    schools: set[str] = set()
    counties: set[str] = set()
    for frame in merger.frames.get("schools", []):
        if "school_id" in frame.columns:
            schools |= {s.strip() for s in frame["school_id"].drop_nulls().to_list()}
    for frame in merger.frames.get("county", []):
        if "county" in frame.columns:
            counties |= {c.strip() for c in frame["county"].drop_nulls().to_list()}
    return schools, counties


def _has_sheet(path: Path, sheet: str) -> bool:
    """Cheap test whether a workbook has a sheet, from its workbook part (no full load)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    if guard.check_archive(path) is not None:
        return False  # refused files are described by the reader
    try:
        with zipfile.ZipFile(path) as archive:
            listing = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f'name="{sheet}"' in listing


def is_school_form(path: Path) -> bool:
    """Whether `path` is a per-school workbook (一校一册) rather than a county workbook.

    Its 学校信息 sheet (no table of a county workbook has that name) is enough: a form whose
    学段数据 sheet was renamed or deleted is read as a form, whose reader names what is missing,
    instead of as a county workbook lacking every table.
    """
    return _has_sheet(path, FORM_SHEET) or _has_sheet(path, FORM_INFO_SHEET)


def _template_warnings(path: Path, kind: str, info: Any, out: ErrorCollector) -> None:
    """Warn about outdated or altered templates (the data may still be readable)."""
    from junheng.intake.templates import TEMPLATE_VERSION, template_problems

    if info is None:
        return
    if info.version != TEMPLATE_VERSION:
        out.add(
            IntakeError(
                Code.OUTDATED_TEMPLATE,
                path.name,
                value=info.version,
                expected=f"使用 {TEMPLATE_VERSION} 版模板（junheng template 生成）",
            )
        )
        return
    if kind == "county":
        for problem in template_problems(path, kind):
            out.add(IntakeError(Code.ALTERED_TEMPLATE, path.name, expected=problem))


def _read_form(path: Path) -> Any:
    from junheng.intake.school_form import read_school_form

    try:
        return read_school_form(path)
    except Exception as exc:  # a damaged file must become a message, never a traceback
        return exc


def _read_forms(paths: list[Path]) -> list[Any]:
    """Per-school workbooks are many and small: read them on every core."""
    if len(paths) < PARALLEL_FORMS:
        return [_read_form(p) for p in paths]
    workers = min(os.cpu_count() or 1, 8)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_form, paths, chunksize=max(1, len(paths) // (workers * 4))))


def _add_sources(paths: list[Path], merger: _Merger, out: ErrorCollector) -> None:
    from junheng.intake.templates import INFO_SHEET, read_template_info

    forms = [p for p in paths if is_school_form(p)]
    others = [p for p in paths if p not in forms]
    # A county workbook goes first so that its rows keep their own numbers while merged.
    for path in sorted(others, key=lambda p: p.is_dir()):
        if _has_sheet(path, INFO_SHEET):
            # unreadable files are described by read_raw_tables below
            with contextlib.suppress(Exception):
                _template_warnings(path, "county", read_template_info(path), out)
        # One source may hold only some tables (say, only 县级指标); whether a required table
        # is missing is decided for the merged import, not per file.
        local = ErrorCollector(out.limit)
        raws = read_raw_tables(path, local)
        for error in local.result(path.name):
            if error.code != Code.MISSING_TABLE or not raws:
                out.add(error)
        for raw in raws.values():
            merger.add_raw(raw)
    for path, form in zip(forms, _read_forms(forms), strict=True):
        if isinstance(form, Exception):
            refused = getattr(form, "error", None)
            if isinstance(refused, IntakeError):
                out.add(refused)
            else:
                out.add(IntakeError(Code.UNREADABLE_FILE, path.name, expected=str(form)))
            continue
        _template_warnings(path, "school", form.info, out)
        for problem in form.problems:
            out.add(IntakeError(Code.FORM_STRUCTURE, path.name, expected=problem))
        merger.add_form(form, path.name)


def _check_scope(merger: _Merger, scope: Scope, out: ErrorCollector) -> None:
    """Rows of the imported files naming a county or school outside `scope`."""
    reported: set[tuple[object, ...]] = set()
    refused: Collection[str] = ()
    if scope.refused_schools is not None:
        refused = set(scope.refused_schools(frozenset(_imported_keys(merger)[0])))

    def report(gid: int, column: str, value: str, expected: str, *group: object) -> None:
        """One error per `group` of rows (and file, column and value)."""
        origin = merger.origins[gid][1]
        key = (origin.file, column, value, *group)
        if key in reported:
            return
        reported.add(key)
        out.add(
            IntakeError(
                Code.OUT_OF_SCOPE,
                origin.file,
                origin.sheet,
                origin.row_of(column),
                origin.labels.get(column) or TABLES_BY_NAME["schools"].column(column).zh,
                value=value,
                expected=expected,
                cell=origin.cells.get(column),
            )
        )

    for name, frames in merger.frames.items():
        for frame in frames:
            if scope.counties is not None and "county" in frame.columns:
                for county, gid in frame.select("county", ROW).iter_rows():
                    key = (county or "").strip()
                    if key and key not in scope.counties:
                        # A school row is at fault on its own; a county's facts repeat the
                        # county on every row, so their sheet is named once.
                        group = gid if name == "schools" else merger.origins[gid][1].sheet
                        report(gid, "county", key, scope.county_expected, name, group)
            if "school_id" not in frame.columns:
                continue
            for school_id, gid in frame.select("school_id", ROW).iter_rows():
                key = (school_id or "").strip()
                if not key:
                    continue
                # A school's segments and facts repeat its id: one error per school and file.
                if scope.schools is not None and key not in scope.schools:
                    report(gid, "school_id", key, scope.school_expected)
                elif name == "schools" and key in refused:
                    report(gid, "school_id", key, scope.refused_expected)


Loader = Callable[[ErrorCollector], Dataset | None]


def _merge_and_check(
    files: Sequence[Path],
    existing: Loader,
    previous: Loader | None,
    scope: Scope | None,
    max_errors: int,
) -> ImportResult:
    """Merge the files over the existing dataset and validate everything together.

    The loaders are called at the point of the check where the CLI reads its folders, so their
    problems are listed in the same order whatever the data come from.
    """
    out = ErrorCollector(max_errors)
    merger = _Merger(out)
    sources = [Path(f) for f in files]
    _add_sources(sources, merger, out)
    merger.drop_duplicate_schools()
    if scope is not None:
        _check_scope(merger, scope, out)
    imported_schools, replaced_counties = _imported_keys(merger)

    owners = _owners(merger)
    base = existing(out)
    if base is not None:
        existing_raws = _existing_raws(base, imported_schools, replaced_counties, owners)
        for raw in existing_raws.values():
            merger.add_raw(raw)
    # A file refused whole (a bomb, a sheet past the row limit) is the likely holder of the
    # missing tables; its refusal says what to do, and "missing table" would only mislead.
    refused = any(e.code in _REFUSED_WHOLE for _, e in out.items)
    for name in ("schools", "segments"):
        if name not in merger.frames and not refused:
            table = TABLES_BY_NAME[name]
            out.add(
                IntakeError(
                    Code.MISSING_TABLE,
                    # The files are named, so a clerk sees which upload was not recognised.
                    "、".join(p.name for p in sources) or "导入数据",
                    value=table.zh,
                    expected=f"在导入的工作簿中提供“{table.zh}”工作表，或导入一校一册",
                )
            )
    if "county" not in merger.frames:
        if not refused:
            out.add(
                IntakeError(Code.NO_COUNTY_FACTS, "导入数据", expected="另行导入县级指标工作簿")
            )
        merger.frames["county"] = [
            pl.DataFrame(
                schema={"county": pl.String, "fact": pl.String, "value": pl.String, ROW: pl.Int64}
            )
        ]

    inner = ErrorCollector(max_errors)
    dataset = dataset_from_raw(merger.raw_tables(), inner, ", ".join(p.name for p in sources))
    for error in inner.result(MERGED):
        out.add(_locate(merger, error))
    if dataset is not None and previous is not None:
        before = previous(out)
        if before is not None:
            _plausibility(merger, dataset, before, imported_schools, out)
    errors = out.result("导入数据")
    blocked = any(e.severity == ERROR for e in errors)
    return ImportResult(
        None if blocked else dataset,
        errors,
        sources,
        counts={
            "schools": len(imported_schools),
            "files": len(sources),
        },
        imported_schools=frozenset(imported_schools),
        replaced_counties=frozenset(replaced_counties),
        owners=owners,
    )


def validate_sources(
    files: Sequence[Path],
    *,
    existing: Dataset | None = None,
    previous: Dataset | None = None,
    scope: Scope | None = None,
    max_errors: int = MAX_ERRORS,
) -> ImportResult:
    """Merge `files` over the `existing` dataset and validate, writing nothing.

    The same check as `import_sources`, for callers that keep the data elsewhere (the web
    import stores the result in the database): `previous` is last year's data for the
    year-over-year warnings, `scope` limits which counties and schools the files may hold.
    """
    return _merge_and_check(
        files,
        lambda out: existing,
        (lambda out: previous) if previous is not None else None,
        scope,
        max_errors,
    )


def imported_part(result: ImportResult) -> Dataset | None:
    """The rows of the validated dataset that came from the imported files.

    Loading this part replaces exactly what the files replace in the merged dataset: their
    schools (with segments and school facts) and, for counties whose county facts they hold,
    county facts and survey counts. The other schools stay as they are.

    The plan tables come whole per owner, as merged: classes and staffing for the imported
    schools and the schools the files give them for; finance and projects for the counties of
    the imported schools, the replaced counties and the counties the files give them for. A
    loader replaces those schools' or counties' rows of each table with these (rows the files
    did not touch come back as they were).
    """
    dataset = result.dataset
    if dataset is None:
        return None
    schools = pl.col("school_id").is_in(sorted(result.imported_schools))
    counties = pl.col("county").is_in(sorted(result.replaced_counties))
    return replace(
        dataset,
        schools=dataset.schools.filter(schools),
        segments=dataset.segments.filter(schools),
        school_facts=dataset.school_facts.filter(schools),
        county_facts=dataset.county_facts.filter(counties),
        survey=dataset.survey.filter(counties),
        grades=dataset.grades.filter(schools),
        # Births are few rows per county; the counties of the imported schools take theirs as
        # merged (unchanged ones reload as they were).
        births=dataset.births.filter(
            pl.col("county").is_in(
                dataset.schools.filter(schools).get_column("county").unique().implode()
            )
        ),
        notes=dataset.notes.filter(
            pl.when(pl.col("school_id").is_null()).then(counties).otherwise(schools)
        ),
        **_imported_plans(result, dataset),
    )


def _imported_plans(result: ImportResult, dataset: Dataset) -> dict[str, pl.DataFrame]:
    """The plan tables' part of `imported_part`: every row of the schools or counties covered."""
    schools = set(result.imported_schools)
    counties = set(result.replaced_counties) | set(
        dataset.schools.filter(pl.col("school_id").is_in(sorted(schools)))
        .get_column("county")
        .drop_nulls()
        .to_list()
    )
    parts: dict[str, pl.DataFrame] = {}
    for table in PLAN_TABLES:
        owner = OWN_ROWS_TABLES[table.name]
        covered = (schools if owner == "school_id" else counties) | result.owners.get(
            table.name, frozenset()
        )
        frame: pl.DataFrame = getattr(dataset, table.name)
        parts[table.name] = frame.filter(pl.col(owner).is_in(sorted(covered)))
    return parts


def import_sources(
    files: Sequence[Path],
    into: Path,
    *,
    previous: Path | None = None,
    write: bool = True,
    max_errors: int = MAX_ERRORS,
) -> ImportResult:
    """Merge `files` into the dataset folder `into` (created if absent); write only if no error."""

    def existing(out: ErrorCollector) -> Dataset | None:
        atomic.recover(into)
        if not into.exists():
            return None
        current = read_dataset(into)
        if not current.ok:
            out.add(
                IntakeError(
                    Code.UNREADABLE_FILE,
                    into.name,
                    value=f"{len(current.blocking)} 处错误",
                    expected="现有数据集应能通过校验；请先修正或更换导入目标文件夹",
                )
            )
        return current.dataset

    def last_year(out: ErrorCollector) -> Dataset | None:
        assert previous is not None
        before = read_dataset(previous)
        if before.ok and before.dataset is not None:
            return before.dataset
        out.add(
            IntakeError(
                Code.UNREADABLE_FILE,
                previous.name,
                value=f"{len(before.blocking)} 处错误",
                expected="上一学年数据应能通过校验；本次未做逐年比较",
                severity=WARNING,
            )
        )
        return None

    result = _merge_and_check(
        files, existing, last_year if previous is not None else None, None, max_errors
    )
    if write and result.dataset is not None:
        with atomic.locked(into):
            atomic.recover(into)
            staged = atomic.staging_folder(into)
            write_csv_folder(result.dataset, staged)
            atomic.replace_folder(staged, into)
        result.written = into
    return result


def _locate(merger: _Merger, error: IntakeError) -> IntakeError:
    """Point an error found on the merged tables at its workbook, sheet and cell."""
    if error.file != MERGED:
        return error
    expected = _decode_rows(error.expected, merger.origins)
    found = merger.origins.get(error.row) if error.row is not None else None
    if found is None:
        return replace(error, file="导入数据", row=None, expected=expected)
    table, origin = found
    column = error.column or ""
    names = TABLES_BY_NAME[table].names
    label = origin.labels.get(column) or (
        TABLES_BY_NAME[table].column(column).zh if column in names else error.column
    )
    return replace(
        error,
        file=origin.file,
        sheet=origin.sheet,
        row=origin.row_of(column),
        column=label,
        cell=origin.cells.get(column) or error.cell,
        expected=expected,
    )
