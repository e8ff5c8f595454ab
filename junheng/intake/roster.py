"""Reading a teacher roster (教师名册) with its rotation history from an .xlsx or CSV files.

The workbook has a sheet 教师名册 (or `teachers`) and optionally 交流轮岗记录 (`rotations`); a
workbook with a single sheet is read as the roster. A folder holds teachers.csv (教师名册.csv)
and optionally rotations.csv; a single CSV file is the roster alone. Cells are typed by the same
`convert_table` as the county workbook, so every problem is a catalogue error at its cell; the
roster's own checks (levels taught, duplicate teacher numbers, unknown schools and teachers,
rotations that end before they start) follow. Nothing is returned when any error was found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from junheng.core.schema import LEVELS, TABLES, Table
from junheng.intake import sources
from junheng.intake.cells import (
    TypedTable,
    clean_text,
    convert_dates,
    convert_table,
    is_in,
    report_repeats,
)
from junheng.intake.errors import ERROR, Code, ErrorCollector, IntakeError
from junheng.intake.sources import ROW, name_key
from junheng.roster.privacy import mask_id, masked_roster, scrub_ids
from junheng.roster.schema import (
    BOTH_LEVELS,
    DATE_COLUMNS,
    LEVELS_TAUGHT_SEPARATORS,
    ROSTER,
    ROSTER_TABLES,
    ROTATION_SCHEMA,
    ROTATIONS,
    TEACHER_SCHEMA,
)

MAX_ERRORS = 1000
"""Per severity, how many problems are listed before the rest are only counted."""
LEVELS_EXPECTED = "小学、初中，两个学段都任教的写“小学、初中”"


@dataclass(frozen=True)
class RosterResult:
    """The roster's frames (None when any error was found) and every problem found."""

    teachers: pl.DataFrame | None
    """TEACHER_SCHEMA columns, one row per teacher."""
    rotations: pl.DataFrame | None
    """ROTATION_SCHEMA columns (empty when the file has no rotation history)."""
    errors: list[IntakeError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.teachers is not None


def _rank(table: Table) -> int:
    return len(TABLES) + ROSTER_TABLES.index(table)


_LOOKUP = {name_key(spelling): t for t in ROSTER_TABLES for spelling in (t.name, t.zh)}


def _workbook_tables(path: Path, out: ErrorCollector) -> dict[str, sources.RawTable]:
    with sources.open_workbook(path, out) as opened:
        if opened is None:
            return {}
        workbook, archive = opened
        found: dict[str, list[str]] = {}
        for name in workbook.sheetnames:
            table = _LOOKUP.get(name_key(name))
            if table is not None:
                found.setdefault(table.name, []).append(name)
        if not found and len(workbook.sheetnames) == 1:
            found[ROSTER.name] = list(workbook.sheetnames)
        raws: dict[str, sources.RawTable] = {}
        for table in ROSTER_TABLES:
            names = found.get(table.name, [])
            if len(names) > 1:
                out.add(
                    IntakeError(
                        Code.DUPLICATE_TABLE,
                        path.name,
                        value=table.zh,
                        expected=f"只保留一个工作表（当前有：{'、'.join(names)}）",
                    ),
                    _rank(table),
                )
            elif names:
                raw = sources.read_sheet(workbook, archive, table, path.name, names[0], out)
                if raw is not None:
                    raws[table.name] = raw
        return raws


def _csv_tables(path: Path, out: ErrorCollector) -> dict[str, sources.RawTable]:
    if path.is_file():
        raw = sources.read_csv(path, ROSTER, out)
        return {} if raw is None else {ROSTER.name: raw}
    raws: dict[str, sources.RawTable] = {}
    for entry in sorted(path.iterdir()):
        table = _LOOKUP.get(name_key(entry.stem))
        if entry.suffix.lower() == ".csv" and table is not None and table.name not in raws:
            raw = sources.read_csv(entry, table, out)
            if raw is not None:
                raws[table.name] = raw
    return raws


def _raw_tables(path: Path, out: ErrorCollector) -> dict[str, sources.RawTable]:
    if not path.exists():
        out.add(
            IntakeError(
                Code.PATH_NOT_FOUND,
                path.name or str(path),
                expected="教师名册 .xlsx 工作簿、CSV 文件或包含 CSV 文件的文件夹",
            )
        )
        return {}
    if path.is_dir() or path.suffix.lower() == ".csv":
        raws = _csv_tables(path, out)
    else:
        raws = _workbook_tables(path, out)
    if ROSTER.name not in raws and not out.has_errors:
        out.add(
            IntakeError(
                Code.MISSING_TABLE,
                path.name,
                value=ROSTER.zh,
                expected=f"名为“{ROSTER.zh}”的工作表（或 {ROSTER.name}.csv）",
            ),
            _rank(ROSTER),
        )
    return raws


def _cell_error(
    typed: TypedTable, code: Code, row: dict, column: str, **fields: str
) -> IntakeError:
    if column in typed.sources:
        return typed.error(code, row, column, **fields)
    # The column is absent from the file: name it in Chinese, at the row.
    zh = typed.raw.table.column(column).zh
    return typed.raw.error(code, row=row[ROW], column=zh, **fields)


def _report(
    typed: TypedTable,
    out: ErrorCollector,
    rows: pl.DataFrame,
    code: Code,
    column: str,
    expected: str,
    *,
    show: bool = True,
) -> None:
    out.add_rows(
        rows,
        ERROR,
        lambda row: _cell_error(
            typed,
            code,
            row,
            column,
            value=typed.raw_value(row, column) if show and column in typed.sources else "",
            expected=expected,
        ),
        _rank(typed.raw.table),
    )


def _required_values(typed: TypedTable, out: ErrorCollector) -> None:
    """An empty cell in a column every row must fill (convert_table reports bad values only)."""
    for column in typed.raw.table.columns:
        if not column.required or column.name not in typed.sources:
            continue
        empty = typed.frame.filter(clean_text(typed.sources[column.name]).is_null())
        _report(typed, out, empty, Code.MISSING_VALUE, column.name, f"填写{column.zh}", show=False)


def _parse_levels(text: str) -> str | None:
    """Canonical levels taught ("primary", "junior" or BOTH_LEVELS) of a cell, None if invalid."""
    lookup = {**{zh: en for en, zh in LEVELS}, **{en: en for en, _ in LEVELS}}
    parts = [text]
    for separator in LEVELS_TAUGHT_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    found = {lookup.get(name_key(p)) for p in parts if p.strip()}
    if not found or None in found:
        return None
    return BOTH_LEVELS if len(found) == 2 else found.pop()


def _levels(typed: TypedTable, out: ErrorCollector) -> None:
    """`levels` made canonical and `level` (the counted level) set; bad cells reported."""
    frame = typed.frame
    texts = frame.get_column("levels").drop_nulls().unique().to_list()
    parsed = {t: _parse_levels(t) for t in texts}
    valid = {t: p for t, p in parsed.items() if p is not None}
    bad = frame.filter(pl.col("levels").is_in([t for t, p in parsed.items() if p is None]))
    _report(typed, out, bad, Code.BAD_ENUM, "levels", LEVELS_EXPECTED)
    main = pl.col("main_level") if "main_level" in frame.columns else pl.lit(None, pl.String)
    levels = pl.col("levels").replace_strict(valid, default=None, return_dtype=pl.String)
    frame = frame.with_columns(levels.alias("levels"), main.alias("main_level"))
    both = pl.col("levels") == BOTH_LEVELS
    unmarked = frame.filter(both & pl.col("main_level").is_null())
    _report(
        typed,
        out,
        unmarked,
        Code.MISSING_VALUE,
        "main_level",
        "填写主要任教学段（小学或初中，课时较多的学段）：两个学段都任教的教师只计入这个学段",
        show=False,
    )
    stray = frame.filter(
        pl.col("levels").is_not_null()
        & ~both
        & pl.col("main_level").is_not_null()
        & (pl.col("main_level") != pl.col("levels"))
    )
    _report(typed, out, stray, Code.BAD_ENUM, "main_level", "所任教的学段，或空着")
    typed.frame = frame.with_columns(
        pl.when(both).then(pl.col("main_level")).otherwise(pl.col("levels")).alias("level")
    )


def _known_schools(
    typed: TypedTable, columns: tuple[str, ...], known: Collection[str], out: ErrorCollector
) -> None:
    ids = pl.Series(sorted(known), dtype=pl.String)
    for column in columns:
        if column in typed.sources:
            unknown = typed.frame.filter(pl.col(column).is_not_null() & ~is_in(column, ids))
            _report(
                typed, out, unknown, Code.UNKNOWN_SCHOOL, column, "为本县学校名录中的学校标识码"
            )


MASKED_ID_EXPECTED = (
    "完整的身份证号：下载的当前名册隐去了身份证号中间 8 位（含“*”），不能直接改后导入，"
    "否则会覆盖完整号码；请填写完整号码，或使用县级管理员导出的含完整身份证号的名册"
)


def _masked_ids(typed: TypedTable, out: ErrorCollector) -> None:
    """An ID number with “*” is a masked one sent back; importing it would overwrite the
    county's full number."""
    if not typed.has("id_number"):
        return
    masked = typed.frame.filter(pl.col("id_number").str.contains("*", literal=True))
    _report(typed, out, masked, Code.NOT_AN_INTEGER, "id_number", MASKED_ID_EXPECTED)


YEAR_COLUMNS: tuple[str, ...] = ("joined_year", "career_start_year")
"""Year columns of the roster that cannot lie after the roster's school year."""


def _future_years(typed: TypedTable, year: int, out: ErrorCollector) -> None:
    """A year of joining (the school or service) after the roster's school year: the teacher is
    not there yet in that year."""
    for column in YEAR_COLUMNS:
        if not typed.has(column):
            continue
        late = typed.frame.filter(pl.col(column).cast(pl.Int64, strict=False) > year)
        _report(
            typed,
            out,
            late,
            Code.ABOVE_MAXIMUM,
            column,
            f"不晚于 {year} 年的年份（名册是 {year} 学年的；尚未到岗的教师到岗后再列入名册）",
        )


def _check_teachers(
    typed: TypedTable, known: Collection[str] | None, year: int | None, out: ErrorCollector
) -> None:
    _levels(typed, out)
    _masked_ids(typed, out)
    if year is not None:
        _future_years(typed, year, out)
    report_repeats(
        typed,
        ["teacher_id"],
        Code.DUPLICATE_TEACHER,
        "teacher_id",
        lambda row: row["teacher_id"],
        "每位教师只占一行（与第 {first} 行重复）",
        out,
        rank=_rank(ROSTER),
    )
    if known is not None:
        _known_schools(typed, ("school_id",), known, out)


def _check_rotations(
    typed: TypedTable,
    teacher_ids: pl.Series,
    known: Collection[str] | None,
    out: ErrorCollector,
) -> None:
    frame = typed.frame
    if typed.has("teacher_id"):
        strangers = frame.filter(
            pl.col("teacher_id").is_not_null() & ~is_in("teacher_id", teacher_ids)
        )
        _report(typed, out, strangers, Code.UNKNOWN_TEACHER, "teacher_id", "为教师名册中的教师编号")
    if known is not None:
        _known_schools(typed, ("from_school", "to_school"), known, out)
    if typed.has("from_school", "to_school"):
        same = frame.filter(pl.col("from_school") == pl.col("to_school"))
        _report(typed, out, same, Code.BAD_ROTATION, "to_school", "与交流前学校不同的学校")
    if typed.has("start", "end"):
        early = frame.filter(pl.col("end") < pl.col("start"))
        _report(typed, out, early, Code.BAD_ROTATION, "end", "不早于开始日期的日期")


def _frame(typed: TypedTable, schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    present = typed.frame.columns

    def column(name: str, dtype: type[pl.DataType]) -> pl.Expr:
        if name not in present:
            return pl.lit(None, dtype)
        if dtype == pl.Date:
            # convert_dates left ISO text (YYYY-MM-DD).
            return pl.col(name).str.to_date("%Y-%m-%d")
        return pl.col(name).cast(dtype)

    return typed.frame.select(column(n, d).alias(n) for n, d in schema.items())


def _without_ids(errors: list[IntakeError], teachers: TypedTable | None) -> list[IntakeError]:
    """Errors safe to show to anyone: a value in the ID number column is masked, and so is any
    ID-like number quoted elsewhere (a number pasted into the wrong column)."""
    header = teachers.headers.get("id_number") if teachers is not None else None
    safe = []
    for error in errors:
        value = mask_id(error.value) if header and error.column == header else error.value
        safe.append(
            dataclasses.replace(error, value=scrub_ids(value), expected=scrub_ids(error.expected))
        )
    return safe


def read_roster(
    path: Path | str,
    known_schools: Collection[str] | None = None,
    *,
    year: int | None = None,
    max_errors: int = MAX_ERRORS,
) -> RosterResult:
    """Read and check a roster; `known_schools` (school ids), when given, must hold every
    school named, and with `year` (the school year it is the roster of, by its autumn) no year
    of joining may be later. An ID number with “*” (a masked one) is refused. Frames are
    returned only when no error was found (all or nothing)."""
    path = Path(path)
    out = ErrorCollector(max_errors)
    raws = _raw_tables(path, out)
    typed = {name: convert_table(raw, out) for name, raw in raws.items()}
    for name, table in typed.items():
        _required_values(table, out)
        convert_dates(table, DATE_COLUMNS[name], out)
    teachers = typed.get(ROSTER.name)
    rotations = typed.get(ROTATIONS.name)
    if teachers is not None and teachers.has("levels", "teacher_id"):
        _check_teachers(teachers, known_schools, year, out)
    if rotations is not None and teachers is not None and teachers.has("teacher_id"):
        ids = teachers.frame.get_column("teacher_id").drop_nulls()
        _check_rotations(rotations, ids, known_schools, out)
    errors = _without_ids(out.result(path.name), teachers)
    if out.has_errors or teachers is None:
        return RosterResult(None, None, errors)
    frame = _frame(teachers, TEACHER_SCHEMA).with_columns(pl.col("backbone").fill_null("none"))
    history = (
        _frame(rotations, ROTATION_SCHEMA)
        if rotations is not None
        else pl.DataFrame(schema=ROTATION_SCHEMA)
    )
    return RosterResult(frame, history, errors)


def _cell_values(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The frame's columns of `table` as people write them: enums in Chinese, levels taught as
    小学、初中, dates as ISO text, whole numbers without a decimal point."""
    level_zh = dict(LEVELS)
    both = "、".join(level_zh[level] for level in BOTH_LEVELS.split(","))
    if table is ROSTER:
        # The counted level is written as 主要任教学段 only for a teacher of both levels.
        main = pl.when(pl.col("levels") == BOTH_LEVELS).then(pl.col("level"))
        frame = frame.with_columns(main.alias("main_level"))
    exprs = []
    for column in table.columns:
        value = pl.col(column.name)
        if column.enum:
            value = value.replace_strict(dict(column.enum), default=value)
        elif column.name == "levels":
            value = value.replace_strict({**level_zh, BOTH_LEVELS: both}, default=value)
        elif frame.schema[column.name] == pl.Date:
            value = value.dt.to_string("%Y-%m-%d")
        exprs.append(value.alias(column.name))
    return frame.select(exprs)


def write_roster_xlsx(
    path: Path | str,
    teachers: pl.DataFrame,
    rotations: pl.DataFrame | None = None,
    *,
    full_ids: bool = False,
) -> Path:
    """Write the roster as a workbook `read_roster` reads back (sheets 教师名册 and
    交流轮岗记录, Chinese headers and values). ID numbers are masked unless `full_ids`, which
    only the county admin's export may set."""
    import openpyxl

    path = Path(path)
    shown = teachers if full_ids else masked_roster(teachers)
    book = openpyxl.Workbook(write_only=True)
    for table, frame in ((ROSTER, shown), (ROTATIONS, rotations)):
        if frame is None:
            continue
        sheet = book.create_sheet(table.zh)
        sheet.append([column.zh for column in table.columns])
        for row in _cell_values(frame, table).iter_rows():
            sheet.append(list(row))
    book.save(path)
    return path
