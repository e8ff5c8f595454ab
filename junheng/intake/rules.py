"""Consistency rules between cells, rows and tables: schools and segments, and the optional
tables (grades, births and the plan tables classes, finance, projects, staffing and the
county's class-size targets)."""

from __future__ import annotations

from typing import Any

import polars as pl

from junheng.core.schema import (
    CLASS_TARGETS,
    KIND_LEVELS,
    LEVEL_ZH,
    PROJECTS,
    SCHOOLS,
    SHARED_FACILITY_COLUMNS,
    STAFFING,
)
from junheng.core.scope import SENIOR_KINDS
from junheng.intake.cells import TypedTable, clean_text, convert_dates, is_in, report_repeats
from junheng.intake.errors import ERROR, WARNING, Code, ErrorCollector
from junheng.intake.sources import ROW

NO_STUDENTS_ALLOWED_KINDS: frozenset[str] = frozenset({"special", "vocational", "teaching_point"})
"""School kinds whose segments may report zero students (they are outside the evaluation)."""
SEGMENTS_OPTIONAL_KINDS: frozenset[str] = frozenset({"special", "vocational"})
"""School kinds that may be listed without segment rows."""
SUBGROUP_TEACHER_COLUMNS: tuple[str, ...] = (
    "backbone_teachers",
    "pe_teachers",
    "music_teachers",
    "fine_art_teachers",
    "arts_teachers",
)
PROJECT_DATE_PAIRS: tuple[tuple[str, str], ...] = (
    ("planned_start", "planned_finish"),
    ("actual_start", "actual_finish"),
)
"""The date columns of a project as (start, finish) pairs; a finish may not precede its start."""
PROJECT_DATE_COLUMNS: tuple[str, ...] = tuple(c for pair in PROJECT_DATE_PAIRS for c in pair)
HIRES_BREAKDOWNS: tuple[tuple[str, ...], ...] = (
    ("hires_postgraduate", "hires_bachelor"),
    ("hires_pe", "hires_music", "hires_fine_art"),
)
"""Parts of the planned hires (by degree, by subject); each group's sum may not exceed them."""
DEGREE_COLUMNS: tuple[str, ...] = (
    "teachers_postgraduate",
    "teachers_bachelor",
    "teachers_associate",
    "teachers_below_associate",
)


def check_schools(schools: TypedTable, out: ErrorCollector) -> None:
    if not schools.has("school_id"):
        return
    frame = schools.frame
    report_repeats(
        schools,
        ["school_id"],
        Code.DUPLICATE_SCHOOL,
        "school_id",
        lambda row: row["school_id"],
        "每所学校只占一行（该标识码已在第 {first} 行出现）",
        out,
    )
    if schools.has("parent_id"):
        ids = frame.get_column("school_id").drop_nulls()
        orphans = frame.filter(pl.col("parent_id").is_not_null() & ~is_in("parent_id", ids))
        out.add_rows(
            orphans,
            ERROR,
            lambda row: schools.error(
                Code.UNKNOWN_PARENT,
                row,
                "parent_id",
                value=row["parent_id"],
                expected="填写学校表中已有的学校标识码",
            ),
            schools.rank,
        )


def _school_kinds(schools: TypedTable) -> pl.DataFrame:
    if not schools.has("school_id", "kind"):
        return pl.DataFrame(schema={"school_id": pl.String, "__kind__": pl.String})
    return (
        schools.frame.filter(pl.col("school_id").is_not_null())
        .unique("school_id", keep="first", maintain_order=True)
        .select("school_id", pl.col("kind").alias("__kind__"))
    )


def _allowed_levels(kind: str) -> str:
    kind_zh = SCHOOLS.column("kind").enum_zh(kind)
    levels = "、".join(LEVEL_ZH[level] for level in sorted(KIND_LEVELS.get(kind, ())))
    return f"为与学校类型“{kind_zh}”相符的学段：{levels}"


def _check_level_of_kind(table: TypedTable, frame: pl.DataFrame, out: ErrorCollector) -> None:
    """A row's level must be one a school of its kind teaches; `frame` is the table's frame with
    the school's kind joined as `__kind__` (null when unknown, which is reported elsewhere)."""
    allowed = pl.DataFrame(
        [(kind, level) for kind, levels in KIND_LEVELS.items() for level in sorted(levels)],
        schema={"__kind__": pl.String, "level": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("__allowed__"))
    checked = frame.filter(pl.col("__kind__").is_not_null() & pl.col("level").is_not_null()).join(
        allowed, on=["__kind__", "level"], how="left", maintain_order="left"
    )
    out.add_rows(
        checked.filter(pl.col("__allowed__").is_null()),
        ERROR,
        lambda row: table.error(
            Code.LEVEL_NOT_ALLOWED,
            row,
            "level",
            value=table.raw_value(row, "level"),
            expected=_allowed_levels(row["__kind__"]),
        ),
        table.rank,
    )


def _with_kinds(table: TypedTable, schools: TypedTable | None) -> pl.DataFrame:
    """`table`'s frame with the kind of the school each row names, as `__kind__`."""
    frame = table.frame
    if schools is None or not table.has("school_id"):
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("__kind__"))
    return frame.join(_school_kinds(schools), on="school_id", how="left", maintain_order="left")


def check_segments(segments: TypedTable, schools: TypedTable | None, out: ErrorCollector) -> None:
    frame = segments.frame
    rank = segments.rank
    if segments.has("school_id", "level"):
        report_repeats(
            segments,
            ["school_id", "level"],
            Code.DUPLICATE_SEGMENT,
            "level",
            lambda row: f"{row['school_id']} {segments.raw_value(row, 'level')}",
            "每校每学段只占一行（已在第 {first} 行出现）",
            out,
        )
    if schools is not None and schools.has("school_id") and segments.has("school_id"):
        ids = schools.frame.get_column("school_id").drop_nulls()
        unknown = frame.filter(pl.col("school_id").is_not_null() & ~is_in("school_id", ids))
        out.add_rows(
            unknown,
            ERROR,
            lambda row: segments.error(
                Code.UNKNOWN_SCHOOL,
                row,
                "school_id",
                value=row["school_id"],
                expected="先在学校表中登记该学校",
            ),
            rank,
        )
        frame = frame.join(
            _school_kinds(schools), on="school_id", how="left", maintain_order="left"
        )
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("__kind__"))

    if segments.has("level"):
        _check_level_of_kind(segments, frame, out)

    if segments.has("teachers", *DEGREE_COLUMNS):
        total = pl.sum_horizontal(*DEGREE_COLUMNS)
        bad = frame.filter(
            pl.all_horizontal(pl.col(c).is_not_null() for c in ("teachers", *DEGREE_COLUMNS))
            & (total != pl.col("teachers"))
        )
        out.add_rows(
            bad,
            ERROR,
            lambda row: segments.error(
                Code.DEGREE_SUM,
                row,
                "teachers",
                value=" + ".join(str(row[c]) for c in DEGREE_COLUMNS)
                + f" = {sum(row[c] for c in DEGREE_COLUMNS)}",
                expected=f"等于专任教师数 {row['teachers']}",
            ),
            rank,
        )

    if segments.has("teachers"):
        for name in SUBGROUP_TEACHER_COLUMNS:
            if not segments.has(name):
                continue
            out.add_rows(
                frame.filter(pl.col(name) > pl.col("teachers")),
                ERROR,
                lambda row, n=name: segments.error(
                    Code.TEACHERS_EXCEED,
                    row,
                    n,
                    value=segments.raw_value(row, n),
                    expected=f"不大于专任教师数 {row['teachers']}",
                ),
                rank,
            )

    if segments.has("students"):
        empty = frame.filter(
            (pl.col("students") == 0)
            & pl.col("__kind__").is_not_null()
            & ~pl.col("__kind__").is_in(sorted(NO_STUDENTS_ALLOWED_KINDS))
        )
        out.add_rows(
            empty,
            ERROR,
            lambda row: segments.error(
                Code.NO_STUDENTS,
                row,
                "students",
                value=segments.raw_value(row, "students"),
                expected="大于 0（特殊教育学校、职业学校和教学点除外）；如该学段已停办，请删除此行",
            ),
            rank,
        )


def check_schools_against_segments(
    schools: TypedTable, segments: TypedTable, out: ErrorCollector
) -> None:
    if not (schools.has("school_id") and segments.has("school_id")):
        return
    seg_ids = segments.frame.get_column("school_id").drop_nulls()
    lonely = schools.frame.filter(pl.col("school_id").is_not_null() & ~is_in("school_id", seg_ids))
    if schools.has("kind"):
        lonely = lonely.filter(
            ~pl.col("kind").is_in(sorted(SEGMENTS_OPTIONAL_KINDS)).fill_null(True)
        )
    out.add_rows(
        lonely,
        WARNING,
        lambda row: schools.error(
            Code.SCHOOL_WITHOUT_SEGMENTS,
            row,
            "school_id",
            value=row["school_id"],
            expected=f"该校不参与评估；如有在校生，请在学段表（{segments.raw.file}）中补充",
        ),
        schools.rank,
    )
    _check_senior_students(schools, out)
    for name in SHARED_FACILITY_COLUMNS:
        if not (schools.has(name) and segments.has(name)):
            continue
        segment_rows = (
            segments.frame.filter(pl.col(name).is_not_null() & pl.col("school_id").is_not_null())
            .group_by("school_id", maintain_order=True)
            .agg(pl.col(ROW).sort().alias("__segment_rows__"))
        )
        twice = schools.frame.filter(pl.col(name).is_not_null()).join(
            segment_rows, on="school_id", how="inner", maintain_order="left"
        )
        where = segments.raw.file + (
            f" 工作表「{segments.raw.sheet}」" if segments.raw.sheet else ""
        )
        out.add_rows(
            twice,
            ERROR,
            lambda row, n=name, where=where: schools.error(
                Code.SHARED_REPORTED_TWICE,
                row,
                n,
                value=schools.raw_value(row, n),
                expected="只在一处填报：整校填在学校表，或分学段填在学段表"
                f"（{where} 第 {'、'.join(map(str, row['__segment_rows__']))} 行也填了此项）",
            ),
            schools.rank,
        )


def check_known_schools(table: TypedTable, schools: TypedTable, out: ErrorCollector) -> None:
    """Rows of a school-keyed table (school facts) must name a school of the schools table."""
    if not (table.has("school_id") and schools.has("school_id")):
        return
    ids = schools.frame.get_column("school_id").drop_nulls()
    out.add_rows(
        table.frame.filter(pl.col("school_id").is_not_null() & ~is_in("school_id", ids)),
        ERROR,
        lambda row: table.error(
            Code.UNKNOWN_SCHOOL,
            row,
            "school_id",
            value=row["school_id"],
            expected="先在学校表中登记该学校",
        ),
        table.rank,
    )


def check_counties(table: TypedTable, schools: TypedTable, out: ErrorCollector) -> None:
    """Warn once per county named in `table` that has no school in the schools table."""
    if not (table.has("county") and schools.has("county")):
        return
    counties = schools.frame.get_column("county").drop_nulls()
    strangers = table.frame.filter(
        pl.col("county").is_not_null() & ~is_in("county", counties)
    ).unique("county", keep="first", maintain_order=True)
    out.add_rows(
        strangers,
        WARNING,
        lambda row: table.error(
            Code.UNKNOWN_COUNTY,
            row,
            "county",
            value=row["county"],
            expected="请核对县区名称是否与学校表一致（同一县区只提示一次）",
        ),
        table.rank,
    )


def check_survey(survey: TypedTable, out: ErrorCollector) -> None:
    if not survey.has("county", "group"):
        return
    report_repeats(
        survey,
        ["county", "group"],
        Code.DUPLICATE_SURVEY,
        "group",
        lambda row: f"{row['county']} {row['group']}",
        "每县每类调查对象只填一行（已在第 {first} 行出现）",
        out,
    )


def check_grades(grades: TypedTable, schools: TypedTable | None, out: ErrorCollector) -> None:
    """One row per school, year and grade, naming a school of the schools table. (Grade 1–9 and
    students ≥ 0 are column checks of the schema.)"""
    if schools is not None:
        check_known_schools(grades, schools, out)
    if not grades.has("school_id", "year", "grade"):
        return
    report_repeats(
        grades,
        ["school_id", "year", "grade"],
        Code.DUPLICATE_GRADE,
        "grade",
        lambda row: f"{row['school_id']} {row['year']} 年 {row['grade']} 年级",
        "每校每年每个年级只填一行（已在第 {first} 行出现）",
        out,
    )


def check_births(births: TypedTable, out: ErrorCollector) -> None:
    """One row per county and birth year."""
    if not births.has("county", "year"):
        return
    report_repeats(
        births,
        ["county", "year"],
        Code.DUPLICATE_BIRTHS,
        "year",
        lambda row: f"{row['county']} {row['year']} 年",
        "每县每年只填一行（已在第 {first} 行出现）",
        out,
    )


def _check_senior_students(schools: TypedTable, out: ErrorCollector) -> None:
    """A school with a senior section that reports shared facilities once for the whole school
    needs its 高中在校生数 to split them; the evaluation leaves such a split undecided. A blank
    cell of the template's column is an error; a source without the column only gets a warning."""
    shared = [c for c in SHARED_FACILITY_COLUMNS if schools.has(c)]
    if not (shared and schools.has("school_id", "kind")):
        return
    has_column = schools.has("senior_students")
    missing = pl.col("senior_students").is_null() if has_column else pl.lit(True)
    rows = schools.frame.filter(
        pl.col("kind").is_in(sorted(SENIOR_KINDS)).fill_null(False)
        & pl.any_horizontal([pl.col(c).is_not_null() for c in shared])
        & missing
    )
    severity = ERROR if has_column else WARNING
    expected = "高中在校生数为空，无法把共用设施分到高中和义务教育学段（没有高中学段的填 0）"
    out.add_rows(
        rows,
        severity,
        lambda row: schools.error(
            Code.MISSING_SENIOR_STUDENTS,
            row,
            "senior_students" if has_column else "school_id",
            value=row.get("name") or row["school_id"],
            expected=expected if has_column else "数据中没有“高中在校生数”一列，" + expected,
            severity=severity,
        ),
        schools.rank,
    )


def check_classes(classes: TypedTable, schools: TypedTable | None, out: ErrorCollector) -> None:
    """One row per school, year, grade and class name, naming a school of the schools table.
    Rows without a class name are not compared: a county may list a grade's classes unnamed."""
    if schools is not None:
        check_known_schools(classes, schools, out)
    if not classes.has("school_id", "year", "grade", "class_name"):
        return
    report_repeats(
        classes,
        ["school_id", "year", "grade", "class_name"],
        Code.DUPLICATE_CLASS,
        "class_name",
        lambda row: f"{row['school_id']} {row['year']} 年 {row['grade']} 年级 {row['class_name']}",
        "每个班只填一行（已在第 {first} 行出现）",
        out,
    )


def check_finance(finance: TypedTable, out: ErrorCollector) -> None:
    """One row per county and fiscal year."""
    if not finance.has("county", "year"):
        return
    report_repeats(
        finance,
        ["county", "year"],
        Code.DUPLICATE_FINANCE,
        "year",
        lambda row: f"{row['county']} {row['year']} 年",
        "每县每年只填一行（已在第 {first} 行出现）",
        out,
    )


_BOTH_LEVELS = "__both__"
"""A target row's level when it names none (both levels), so such rows are compared too."""


def check_class_targets(targets: TypedTable, out: ErrorCollector) -> None:
    """One row per county, target year, band and level (an empty level is one more level:
    both); a share of all classes below 100 % (100 % would allow every class)."""
    band, level = CLASS_TARGETS.column("band"), CLASS_TARGETS.column("level")
    if targets.has("county", "year", "band"):
        keyed = targets.frame.with_columns(
            (pl.col("level") if targets.has("level") else pl.lit(None, pl.String))
            .fill_null(_BOTH_LEVELS)
            .alias("__level__")
        )
        report_repeats(
            targets,
            ["county", "year", "band", "__level__"],
            Code.DUPLICATE_CLASS_TARGET,
            "band",
            lambda row: (
                f"{row['county']} {row['year']} 年 {band.enum_zh(row['band'])}"
                + (
                    "（小学和初中）"
                    if row["__level__"] == _BOTH_LEVELS
                    else f"（{level.enum_zh(row['__level__'])}）"
                )
            ),
            "每个目标只填一行（已在第 {first} 行出现）",
            out,
            frame=keyed,
        )
    share = CLASS_TARGETS.column("max_share")
    if targets.has("max_share") and share.maximum is not None:
        out.add_rows(
            # Above 100 is already `above-maximum`; exactly 100 passes that check.
            targets.frame.filter(pl.col("max_share") == share.maximum),
            ERROR,
            lambda row: targets.error(
                Code.TARGET_SHARE_WHOLE,
                row,
                "max_share",
                value=targets.raw_value(row, "max_share"),
                expected=f"小于 {share.maximum:g} 的百分数（如 5 表示 5%），没有比例要求的空着",
            ),
            targets.rank,
        )


def check_staffing(staffing: TypedTable, schools: TypedTable | None, out: ErrorCollector) -> None:
    """One row per school, year and level, at a school of the schools table whose kind teaches
    the level; each breakdown of the planned hires (by degree, by subject) within them."""
    if schools is not None:
        check_known_schools(staffing, schools, out)
    if staffing.has("school_id", "year", "level"):
        report_repeats(
            staffing,
            ["school_id", "year", "level"],
            Code.DUPLICATE_STAFFING,
            "level",
            lambda row: f"{row['school_id']} {row['year']} 年 {LEVEL_ZH[row['level']]}",
            "每校每年每学段只填一行（已在第 {first} 行出现）",
            out,
        )
    if staffing.has("level"):
        _check_level_of_kind(staffing, _with_kinds(staffing, schools), out)
    if not staffing.has("hires"):
        return
    for group in HIRES_BREAKDOWNS:
        parts = [c for c in group if staffing.has(c)]
        if not parts:
            continue
        # Parts are never negative, so parts given already exceeding the hires are wrong
        # whatever the blank ones hold.
        total = pl.sum_horizontal(pl.col(c).fill_null(0) for c in parts)
        over = staffing.frame.filter(
            pl.col("hires").is_not_null()
            & pl.any_horizontal(pl.col(c).is_not_null() for c in parts)
            & (total > pl.col("hires"))
        )
        out.add_rows(
            over,
            ERROR,
            lambda row, parts=parts: staffing.error(
                Code.HIRES_EXCEED,
                row,
                parts[0],
                value=_breakdown_text(row, parts),
                expected=f"不大于计划招聘专任教师数 {row['hires']}",
            ),
            staffing.rank,
        )


def _breakdown_text(row: dict[str, Any], parts: list[str]) -> str:
    """ "研究生学历 3 + 本科学历 5 = 8": the parts given and their sum."""
    given = [c for c in parts if row[c] is not None]
    terms = " + ".join(f"{STAFFING.column(c).zh.removeprefix('其中：')} {row[c]}" for c in given)
    return f"{terms} = {sum(row[c] for c in given)}" if len(given) > 1 else terms


def check_projects(projects: TypedTable, schools: TypedTable | None, out: ErrorCollector) -> None:
    """Building projects: dates read and kept as ISO text, one row per county and project id,
    the project's school named (an existing school of the same county, or a new school by name
    and, for 新建, township), the level one the school teaches, no finish before its start and a
    completed project with its actual finish."""
    convert_dates(projects, PROJECT_DATE_COLUMNS, out)
    if projects.has("county", "project_id"):
        report_repeats(
            projects,
            ["county", "project_id"],
            Code.DUPLICATE_PROJECT,
            "project_id",
            lambda row: f"{row['county']} {row['project_id']}",
            "每个项目只填一行，编号在县内唯一（已在第 {first} 行出现）",
            out,
        )
    if schools is not None and projects.has("school_id"):
        check_known_schools(projects, schools, out)
        _check_project_counties(projects, schools, out)
    _check_project_schools(projects, out)
    if projects.has("level"):
        _check_level_of_kind(projects, _with_kinds(projects, schools), out)
    _check_project_dates(projects, out)


def _check_project_counties(projects: TypedTable, schools: TypedTable, out: ErrorCollector) -> None:
    if not (projects.has("county") and schools.has("school_id", "county")):
        return
    counties = (
        schools.frame.filter(pl.col("school_id").is_not_null())
        .unique("school_id", keep="first", maintain_order=True)
        .select("school_id", pl.col("county").alias("__school_county__"))
    )
    elsewhere = projects.frame.join(
        counties, on="school_id", how="inner", maintain_order="left"
    ).filter(
        pl.col("county").is_not_null()
        & pl.col("__school_county__").is_not_null()
        & (pl.col("county") != pl.col("__school_county__"))
    )
    out.add_rows(
        elsewhere,
        ERROR,
        lambda row: projects.error(
            Code.SCHOOL_IN_OTHER_COUNTY,
            row,
            "school_id",
            value=row["school_id"],
            expected=f"填写“{row['county']}”的学校（该校在学校表中属于“{row['__school_county__']}”）",
        ),
        projects.rank,
    )


def _blank(projects: TypedTable, name: str) -> pl.Expr:
    """Whether a cell was left empty (a cell that failed to convert is not empty)."""
    if not projects.has(name):
        return pl.lit(True)
    return clean_text(projects.sources[name]).is_null()


def _check_project_schools(projects: TypedTable, out: ErrorCollector) -> None:
    """A project names its school by id, or a school not yet registered by its name; a new
    school (新建 without an id) also by its township. Other kinds without an id (say, equipment
    for a school being built) need only the name."""
    frame = projects.frame
    no_id = _blank(projects, "school_id")
    nameless = frame.filter(no_id & _blank(projects, "new_school_name"))
    out.add_rows(
        nameless,
        ERROR,
        lambda row: projects.error(
            Code.PROJECT_WITHOUT_SCHOOL,
            row,
            "school_id",
            value=row.get("project_id") or "",
            expected="填写学校标识码；新建学校尚无标识码的，填写新建学校名称"
            + ("和所在乡镇" if row.get("kind") == "new" else ""),
        ),
        projects.rank,
    )
    if not projects.has("kind"):
        return
    homeless = frame.filter(
        no_id
        & ~_blank(projects, "new_school_name")
        & (pl.col("kind") == "new").fill_null(False)
        & _blank(projects, "township")
    )
    out.add_rows(
        homeless,
        ERROR,
        lambda row: projects.error(
            Code.PROJECT_WITHOUT_SCHOOL,
            row,
            "township",
            value=row.get("project_id") or "",
            expected="填写新建学校所在乡镇",
        ),
        projects.rank,
    )


def _check_project_dates(projects: TypedTable, out: ErrorCollector) -> None:
    frame = projects.frame
    for start, finish in PROJECT_DATE_PAIRS:
        if not projects.has(start, finish):
            continue
        # ISO text orders as the dates do.
        early = frame.filter(pl.col(finish) < pl.col(start))
        out.add_rows(
            early,
            ERROR,
            lambda row, s=start, f=finish: projects.error(
                Code.FINISH_BEFORE_START,
                row,
                f,
                value=projects.raw_value(row, f),
                expected=f"不早于{PROJECTS.column(s).zh}日期 {row[s]}",
            ),
            projects.rank,
        )
    if projects.has("status"):
        at = "actual_finish" if projects.has("actual_finish") else "status"
        unfinished = frame.filter(
            (pl.col("status") == "completed").fill_null(False) & _blank(projects, "actual_finish")
        )
        out.add_rows(
            unfinished,
            ERROR,
            lambda row: projects.error(
                Code.COMPLETED_WITHOUT_FINISH,
                row,
                at,
                value=projects.raw_value(row, "status"),
                expected="填写实际竣工日期，如 2025-08-31 或 2025年8月",
            ),
            projects.rank,
        )
    # Without any finish date the project cannot be placed in a school year.
    undated = frame.filter(_blank(projects, "planned_finish") & _blank(projects, "actual_finish"))
    if projects.has("planned_finish"):
        out.add_rows(
            undated,
            ERROR,
            lambda row: projects.error(
                Code.MISSING_VALUE,
                row,
                "planned_finish",
                value="",
                expected="填写计划竣工日期（已竣工的可只填实际竣工）",
            ),
            projects.rank,
        )
