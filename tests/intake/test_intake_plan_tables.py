"""The optional plan tables 班级学生数 (classes), 县级教育经费 (finance), 建设项目 (projects) and
编制与招聘计划 (staffing) through the file intake: reading, cell-level errors, dates kept as ISO
text, writing, the county template's sheets, and import (replacement by owner, scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from intake_helpers import codes, only, write_dataset

from junheng.core.dataset import Dataset
from junheng.core.schema import PLAN_TABLES
from junheng.intake import read_dataset, write_csv_folder, write_xlsx
from junheng.intake.importer import Scope, import_sources, imported_part, validate_sources
from junheng.intake.templates import template_problems, write_county_template

# The base dataset of intake_helpers: S1 小学 and S2 初中 in 甲县, S3 九年一贯制 in 乙县.


def klass(school_id: str, year: str, grade: str, name: str, students: str) -> dict[str, str]:
    return {
        "school_id": school_id,
        "year": year,
        "grade": grade,
        "class_name": name,
        "students": students,
    }


CLASSES = [
    klass("S1", "2025", "1", "一（1）班", "45"),
    klass("S1", "2025", "1", "一（2）班", "46"),
    # Two unnamed classes of one grade are two classes, not a duplicate.
    klass("S1", "2025", "2", "", "52"),
    klass("S1", "2025", "2", "", "51"),
    klass("S3", "2025", "7", "1", "50"),
]

FINANCE = [
    {
        "county": "甲县",
        "year": "2024",
        "education_expenditure_yuan": "123,456,789.01",
        "students": "20000",
        "public_expenditure_yuan": "800000000",
        "land_revenue_yuan": "50000000",
        "land_revenue_education_yuan": "5000000",
        "training_funds_yuan": "1234567.5",
    },
    {
        "county": "甲县",
        "year": "2025",
        "education_expenditure_yuan": "130000000",
        "per_student_expenditure_yuan": "6500.5",
    },
    {"county": "乙县", "year": "2025", "education_expenditure_yuan": "90000000"},
]

PROJECT_COLUMNS = (
    "project_id",
    "county",
    "name",
    "kind",
    "school_id",
    "new_school_name",
    "township",
    "level",
    "places_primary",
    "sports_ground_area_m2",
    "music_rooms",
    "budget_yuan",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "status",
    "progress_pct",
)


def project(**cells: str) -> dict[str, str]:
    """A project row with every column of PROJECT_COLUMNS (blank unless given)."""
    return {c: cells.get(c, "") for c in PROJECT_COLUMNS}


def existing_project(**changes: str) -> dict[str, str]:
    """A valid repair of S1 (甲县, 小学) finished as planned; `changes` make it bad."""
    cells = {
        "project_id": "2026-09",
        "county": "甲县",
        "name": "一小维修",
        "kind": "维修",
        "school_id": "S1",
        "planned_start": "2026-07-01",
        "planned_finish": "2026-08-31",
    }
    return project(**{**cells, **changes})


PROJECTS = [
    project(
        project_id="2025-01",
        county="甲县",
        name="城东新区小学",
        kind="新建",
        new_school_name="城东小学",
        township="城关镇",
        places_primary="1080",
        budget_yuan="45000000",
        planned_start="2025年3月",
        planned_finish="2027/8/31",
        status="未开工",
    ),
    project(
        project_id="2025-02",
        county="甲县",
        name="一小运动场改造",
        kind="改扩建",
        school_id="S1",
        level="小学",
        sports_ground_area_m2="2400.5",
        planned_start="2025-03-01",
        planned_finish="2025-08",
        actual_start="2025年3月10日",
        actual_finish="2025-08-31 00:00:00",
        status="已完工",
        progress_pct="100",
    ),
    # The same project number in another county is another project.
    project(
        project_id="2025-01",
        county="乙县",
        name="三校音乐教室",
        kind="equipment",
        school_id="S3",
        music_rooms="1",
        # Finish in the month it starts: 2026年8月 is 31 August, not before the 31st.
        planned_start="2026-08-31",
        planned_finish="2026年8月",
        status="在建",
        progress_pct="37.5",
    ),
]

STAFFING_COLUMNS = (
    "school_id",
    "year",
    "level",
    "approved_posts",
    "hires",
    "hires_postgraduate",
    "hires_bachelor",
    "hires_pe",
    "hires_music",
    "hires_fine_art",
    "backbone_new",
    "leavers",
)


def staffing(**cells: str) -> dict[str, str]:
    return {c: cells.get(c, "") for c in STAFFING_COLUMNS}


STAFFING = [
    # At the line: 1 + 4 = 5 by degree and 1 + 1 + 1 = 3 ≤ 5 by subject.
    staffing(
        school_id="S1",
        year="2026",
        level="小学",
        approved_posts="40",
        hires="5",
        hires_postgraduate="1",
        hires_bachelor="4",
        hires_pe="1",
        hires_music="1",
        hires_fine_art="1",
        backbone_new="2",
        leavers="3",
    ),
    # At the line with a blank part: 2 + 2 = 4 by subject.
    staffing(school_id="S3", year="2026", level="初中", hires="4", hires_pe="2", hires_music="2"),
    staffing(school_id="S3", year="2027", level="junior", approved_posts="60"),
]


def plans(tmp_path: Path, name: str = "有", **changes: list[dict[str, str]]) -> Path:
    tables = {"classes": CLASSES, "finance": FINANCE, "projects": PROJECTS, "staffing": STAFFING}
    return write_dataset(tmp_path / name, **{**tables, **changes})


def test_the_four_tables_are_read_exactly_from_csv(tmp_path):
    result = read_dataset(plans(tmp_path))
    assert result.ok, result.text()
    assert result.errors == []
    data = result.dataset
    assert data.classes.rows() == [
        ("S1", 2025, 1, "一（1）班", 45),
        ("S1", 2025, 1, "一（2）班", 46),
        ("S1", 2025, 2, None, 52),
        ("S1", 2025, 2, None, 51),
        ("S3", 2025, 7, "1", 50),
    ]
    finance = data.finance.select(
        "county",
        "year",
        "education_expenditure_yuan",
        "students",
        "per_student_expenditure_yuan",
        "training_funds_yuan",
    )
    assert finance.rows() == [
        ("甲县", 2024, 123456789.01, 20000, None, 1234567.5),
        ("甲县", 2025, 130000000.0, None, 6500.5, None),
        ("乙县", 2025, 90000000.0, None, None, None),
    ]
    assert data.projects.schema["planned_finish"] == pl.String
    dates = data.projects.select(
        "project_id",
        "county",
        "kind",
        "level",
        "planned_start",
        "planned_finish",
        "actual_start",
        "actual_finish",
        "status",
        "progress_pct",
    )
    # Dates by month are the month's last day: 2025年3月 → 31 March, 2025-08 → 31 August.
    assert dates.rows() == [
        ("2025-01", "甲县", "new", None, "2025-03-31", "2027-08-31", None, None, "planned", None),
        (
            "2025-02",
            "甲县",
            "expand",
            "primary",
            "2025-03-01",
            "2025-08-31",
            "2025-03-10",
            "2025-08-31",
            "completed",
            100.0,
        ),
        (
            "2025-01",
            "乙县",
            "equipment",
            None,
            "2026-08-31",
            "2026-08-31",
            None,
            None,
            "building",
            37.5,
        ),
    ]
    assert data.projects.select("new_school_name", "township", "places_primary").rows()[0] == (
        "城东小学",
        "城关镇",
        1080,
    )
    assert data.staffing.rows() == [
        ("S1", 2026, "primary", 40, 5, 1, 4, 1, 1, 1, 2, 3),
        ("S3", 2026, "junior", None, 4, None, None, 2, 2, None, None, None),
        ("S3", 2027, "junior", 60, None, None, None, None, None, None, None, None),
    ]


def test_without_the_tables_the_dataset_has_them_empty(tmp_path):
    data = read_dataset(write_dataset(tmp_path / "无")).dataset
    for table in PLAN_TABLES:
        frame = getattr(data, table.name)
        assert frame.is_empty() and frame.columns == list(table.names)


def _workbook(tmp_path: Path) -> Path:
    """The base dataset as a Chinese workbook, with the plan sheets typed in by hand: headers in
    Chinese, a date cell as Excel stores it and a date written as text."""
    base = read_dataset(write_dataset(tmp_path / "基础")).dataset
    path = tmp_path / "全县.xlsx"
    write_xlsx(base, path, chinese_headers=True)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("建设项目")
    sheet.append(["项目编号", "县区", "项目名称", "项目类型", "学校标识码", "学段", "计划竣工"])
    sheet.append(["2025-02", "甲县", "一小运动场改造", "改扩建", "S1", "小学", "2025年8月"])
    sheet.append(
        ["2025-03", "甲县", "二中实验室", "设备购置", "S2", "初中", dt.datetime(2026, 8, 20)]
    )
    sheet = book.create_sheet("编制与招聘计划")
    sheet.append(["学校标识码", "年份（年）", "学段", "计划招聘专任教师（人）"])
    sheet.append(["S2", 2026, "初中", 3])
    sheet = book.create_sheet("班级学生数")
    sheet.append(["学校标识码", "年份（年）", "年级", "班级", "学生数（人）"])
    sheet.append(["S2", 2025, 7, "七（1）班", 48])
    sheet = book.create_sheet("县级教育经费")
    sheet.append(["县区", "年度（年）", "一般公共预算教育支出（元）"])
    sheet.append(["甲县", 2025, 130000000.25])
    book.save(path)
    return path


def test_the_four_sheets_are_read_exactly_from_a_workbook(tmp_path):
    result = read_dataset(_workbook(tmp_path))
    assert result.ok, result.text()
    data = result.dataset
    projects = data.projects.select("project_id", "kind", "school_id", "level", "planned_finish")
    assert projects.rows() == [
        ("2025-02", "expand", "S1", "primary", "2025-08-31"),
        ("2025-03", "equipment", "S2", "junior", "2026-08-20"),
    ]
    assert data.staffing.select("school_id", "year", "level", "hires").rows() == [
        ("S2", 2026, "junior", 3)
    ]
    assert data.classes.rows() == [("S2", 2025, 7, "七（1）班", 48)]
    assert data.finance.select("county", "year", "education_expenditure_yuan").rows() == [
        ("甲县", 2025, 130000000.25)
    ]


def test_a_bad_date_in_a_workbook_names_sheet_row_and_cell(tmp_path):
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["建设项目"]["G3"] = "明年暑假"
    book.save(path)
    result = read_dataset(path)
    assert result.dataset is None
    error = only(result, "bad-date")
    assert (error.sheet, error.row, error.column, error.cell) == ("建设项目", 3, "计划竣工", "G3")
    assert error.message == (
        "全县.xlsx 工作表「建设项目」第 3 行「计划竣工」列（单元格 G3）：值“明年暑假”不是日期，"
        "应为日期，如 2025-08-31 或 2025年8月（只写到月时按该月最后一天计）"
    )


# The good rows fill rows 2–6 of classes.csv, 2–4 of finance.csv, 2–4 of projects.csv and 2–4 of
# staffing.csv, so an added bad row is row 7, 5, 5 and 5.
BAD = [
    (
        "classes",
        klass("S1", "2025", "1", "一（1）班", "44"),
        "duplicate-class",
        7,
        "class_name",
        "S1 2025 年 1 年级 一（1）班",
        "学校、年份、年级和班级“S1 2025 年 1 年级 一（1）班”重复，应每个班只填一行"
        "（已在第 2 行出现）",
    ),
    (
        "classes",
        klass("S9", "2025", "1", "1", "40"),
        "unknown-school",
        7,
        "school_id",
        "S9",
        "学校标识码“S9”在学校表中不存在",
    ),
    (
        "classes",
        klass("S1", "2025", "10", "1", "40"),
        "above-maximum",
        7,
        "grade",
        "10",
        "1 到 9 之间的整数",
    ),
    (
        "finance",
        {"county": "甲县", "year": "2025", "education_expenditure_yuan": "1"},
        "duplicate-finance",
        5,
        "year",
        "甲县 2025 年",
        "县区和年度“甲县 2025 年”重复，应每县每年只填一行（已在第 3 行出现）",
    ),
    (
        "finance",
        {"county": "甲县", "year": "2023", "education_expenditure_yuan": "1.2亿"},
        "not-a-number",
        5,
        "education_expenditure_yuan",
        "1.2亿",
        "不是数值",
    ),
    (
        "projects",
        existing_project(planned_finish="明年暑假"),
        "bad-date",
        5,
        "planned_finish",
        "明年暑假",
        "值“明年暑假”不是日期，应为日期，如 2025-08-31 或 2025年8月",
    ),
    # Month 13 and 30 February are no dates.
    (
        "projects",
        existing_project(planned_finish="2026-13"),
        "bad-date",
        5,
        "planned_finish",
        "2026-13",
        "不是日期",
    ),
    (
        "projects",
        existing_project(actual_start="2026-02-30", planned_start=""),
        "bad-date",
        5,
        "actual_start",
        "2026-02-30",
        "不是日期",
    ),
    (
        "projects",
        existing_project(project_id="2025-02"),
        "duplicate-project",
        5,
        "project_id",
        "甲县 2025-02",
        "县区和项目编号“甲县 2025-02”重复，应每个项目只填一行，编号在县内唯一（已在第 3 行出现）",
    ),
    (
        "projects",
        existing_project(school_id="S9"),
        "unknown-school",
        5,
        "school_id",
        "S9",
        "学校标识码“S9”在学校表中不存在",
    ),
    (
        "projects",
        existing_project(school_id="S3"),
        "school-in-other-county",
        5,
        "school_id",
        "S3",
        "学校标识码“S3”属于另一个县区，应填写“甲县”的学校（该校在学校表中属于“乙县”）",
    ),
    (
        "projects",
        existing_project(school_id=""),
        "project-without-school",
        5,
        "school_id",
        "2026-09",
        "项目“2026-09”的学校信息不全，应填写学校标识码；新建学校尚无标识码的，填写新建学校名称",
    ),
    (
        "projects",
        existing_project(kind="新建", school_id="", new_school_name="城西小学"),
        "project-without-school",
        5,
        "township",
        "2026-09",
        "项目“2026-09”的学校信息不全，应填写新建学校所在乡镇",
    ),
    (
        "projects",
        existing_project(kind="新建学校"),
        "bad-enum",
        5,
        "kind",
        "新建学校",
        "新建（new）、改扩建（expand）、维修（repair）、设备购置（equipment）",
    ),
    (
        "projects",
        existing_project(status="完成"),
        "bad-enum",
        5,
        "status",
        "完成",
        "未开工（planned）、在建（building）、已完工（completed）",
    ),
    (
        "projects",
        existing_project(level="初中"),
        "level-not-allowed",
        5,
        "level",
        "初中",
        "学段“初中”与学校类型不符，应为与学校类型“小学”相符的学段：小学",
    ),
    # One day before the start: 2026-06-30 < 2026-07-01.
    (
        "projects",
        existing_project(planned_finish="2026-06-30"),
        "finish-before-start",
        5,
        "planned_finish",
        "2026-06-30",
        "竣工日期“2026-06-30”早于开工日期，应不早于计划开工日期 2026-07-01",
    ),
    # 2026年7月 is 31 July, before a start on 1 August.
    (
        "projects",
        existing_project(actual_start="2026-08-01", actual_finish="2026年7月", status="已完工"),
        "finish-before-start",
        5,
        "actual_finish",
        "2026年7月",
        "应不早于实际开工日期 2026-08-01",
    ),
    (
        "projects",
        existing_project(status="已完工"),
        "completed-without-finish",
        5,
        "actual_finish",
        "已完工",
        "项目状态为“已完工”但实际竣工日期为空，应填写实际竣工日期",
    ),
    (
        "projects",
        existing_project(planned_finish=""),
        "missing-value",
        5,
        "planned_finish",
        "",
        "值为空，应填写计划竣工日期（已竣工的可只填实际竣工）",
    ),
    # 2 + 4 = 6 postgraduates and bachelors among 5 hires.
    (
        "staffing",
        staffing(
            school_id="S1",
            year="2027",
            level="小学",
            hires="5",
            hires_postgraduate="2",
            hires_bachelor="4",
        ),
        "hires-exceed",
        5,
        "hires_postgraduate",
        "研究生学历 2 + 本科学历 4 = 6",
        "研究生学历 2 + 本科学历 4 = 6，超过了计划招聘专任教师数，应不大于计划招聘专任教师数 5",
    ),
    # 1 + 1 + 1 = 3 PE, music and art teachers among 2 hires (the degrees left blank).
    (
        "staffing",
        staffing(
            school_id="S1",
            year="2027",
            level="小学",
            hires="2",
            hires_pe="1",
            hires_music="1",
            hires_fine_art="1",
        ),
        "hires-exceed",
        5,
        "hires_pe",
        "体育教师 1 + 音乐教师 1 + 美术教师 1 = 3",
        "应不大于计划招聘专任教师数 2",
    ),
    # One part alone past the hires: 3 PE teachers among 2.
    (
        "staffing",
        staffing(school_id="S1", year="2027", level="小学", hires="2", hires_pe="3"),
        "hires-exceed",
        5,
        "hires_pe",
        "体育教师 3",
        "应不大于计划招聘专任教师数 2",
    ),
    (
        "staffing",
        staffing(school_id="S1", year="2026", level="primary", hires="1"),
        "duplicate-staffing",
        5,
        "level",
        "S1 2026 年 小学",
        "学校、年份和学段“S1 2026 年 小学”重复，应每校每年每学段只填一行（已在第 2 行出现）",
    ),
    (
        "staffing",
        staffing(school_id="S2", year="2026", level="小学"),
        "level-not-allowed",
        5,
        "level",
        "小学",
        "应为与学校类型“初中”相符的学段：初中",
    ),
    (
        "staffing",
        staffing(school_id="S2", year="2026", level="高中"),
        "bad-enum",
        5,
        "level",
        "高中",
        "小学（primary）、初中（junior）",
    ),
    (
        "staffing",
        staffing(school_id="S9", year="2026", level="初中"),
        "unknown-school",
        5,
        "school_id",
        "S9",
        "先在学校表中登记该学校",
    ),
]


@pytest.mark.parametrize(
    ("table", "row", "code", "at", "column", "value", "words"),
    BAD,
    ids=[f"{b[0]}-{b[2]}-{b[4]}-{i}" for i, b in enumerate(BAD)],
)
def test_a_bad_row_gives_one_chinese_error_at_its_cell_and_no_dataset(
    tmp_path, table, row, code, at, column, value, words
):
    good = {"classes": CLASSES, "finance": FINANCE, "projects": PROJECTS, "staffing": STAFFING}
    result = read_dataset(plans(tmp_path, "错", **{table: [*good[table], row]}))
    assert result.dataset is None
    error = only(result, code)
    assert (error.file, error.row, error.column, error.value) == (
        f"{table}.csv",
        at,
        column,
        value,
    )
    assert error.severity == "error"
    assert words in error.message, error.message
    assert codes(result) == [code]


def test_finish_on_its_start_day_and_completed_with_a_finish_are_accepted(tmp_path):
    rows = [
        *PROJECTS,
        # At the line: finish on the start day.
        existing_project(planned_finish="2026-07-01"),
        existing_project(
            project_id="2026-10",
            actual_start="2026-07-01",
            actual_finish="2026-07-01",
            status="已完工",
        ),
        # Not 新建: a school not yet registered needs only its name.
        existing_project(
            project_id="2026-11", kind="设备购置", school_id="", new_school_name="城东小学"
        ),
    ]
    result = read_dataset(plans(tmp_path, projects=rows))
    assert result.ok, result.text()
    assert result.dataset.projects.height == 6


def test_a_finance_county_without_schools_is_a_warning(tmp_path):
    rows = [*FINANCE, {"county": "丙县", "year": "2025"}]
    result = read_dataset(plans(tmp_path, finance=rows))
    assert result.ok
    error = only(result, "unknown-county")
    assert (error.file, error.row, error.column, error.severity) == (
        "finance.csv",
        5,
        "county",
        "warning",
    )


def _with_plans(tmp_path: Path) -> Dataset:
    return read_dataset(plans(tmp_path, "原")).dataset


@pytest.mark.parametrize("chinese", [False, True])
def test_round_trip_through_csv_and_xlsx_is_exact(tmp_path, chinese):
    original = _with_plans(tmp_path)
    folder = tmp_path / f"csv{chinese}"
    write_csv_folder(original, folder, chinese_headers=chinese)
    book = tmp_path / f"book{chinese}.xlsx"
    write_xlsx(original, book, chinese_headers=chinese)
    for source in (folder, book):
        again = read_dataset(source)
        assert again.ok, again.text()
        for table in PLAN_TABLES:
            assert getattr(again.dataset, table.name).equals(getattr(original, table.name)), (
                source,
                table.name,
            )
    names = {p.name for p in folder.iterdir()}
    assert {"classes.csv", "finance.csv", "projects.csv", "staffing.csv"} <= names
    # A dataset without them writes no plan file, and a folder that had them loses them.
    write_csv_folder(read_dataset(write_dataset(tmp_path / "无")).dataset, folder)
    assert not {"classes.csv", "finance.csv", "projects.csv", "staffing.csv"} & {
        p.name for p in folder.iterdir()
    }


def _template(tmp_path: Path) -> Path:
    schools = read_dataset(write_dataset(tmp_path / "名录")).dataset.schools
    return write_county_template(tmp_path / "模板.xlsx", schools, year="2026")


def _validation(sheet, cell: str):
    (found,) = [dv for dv in sheet.data_validations.dataValidation if cell in str(dv.sqref)]
    return found


def test_template_has_the_four_sheets_with_dropdowns_and_explanations(tmp_path):
    path = _template(tmp_path)
    book = openpyxl.load_workbook(path)
    for table in PLAN_TABLES:
        sheet = book[table.zh]
        assert [c.value for c in sheet[1]] == [c.header_zh for c in table.columns]
        guide = [
            row[1] for row in book["填报说明"].iter_rows(values_only=True) if row[0] == table.zh
        ]
        assert guide == [c.header_zh for c in table.columns]
    projects = book["建设项目"]
    # 项目类型 is column D, 学段 H, 计划竣工 U, 项目状态 X.
    assert _validation(projects, "D2").formula1 == '"新建,改扩建,维修,设备购置"'
    assert _validation(projects, "H2").formula1 == '"小学,初中"'
    assert _validation(projects, "X2").formula1 == '"未开工,在建,已完工"'
    date = _validation(projects, "U2")
    assert date.type is None and "2025年8月" in date.prompt
    assert projects["U1"].comment.text.startswith("必填。日期，如 2025-08-31 或 2025年8月")
    assert projects.column_dimensions["A"].number_format == "@"
    assert _validation(book["编制与招聘计划"], "C2").formula1 == '"小学,初中"'
    grade = _validation(book["班级学生数"], "C2")
    assert (grade.type, grade.formula1, grade.formula2) == ("whole", "1", "9")
    guide = book["填报说明"]
    rows = [
        r for r in guide.iter_rows(values_only=True) if r[0] == "建设项目" and r[1] == "计划竣工"
    ]
    assert rows[0][4] == "日期，如 2025-08-31 或 2025年8月"
    assert rows[0][5].startswith("计划竣工日期：8 月 31 日及以前竣工的")
    assert template_problems(path) == []
    # Templates made before the plan sheets existed keep their checksum.
    for table in PLAN_TABLES:
        del book[table.zh]
    book.save(tmp_path / "旧.xlsx")
    assert template_problems(tmp_path / "旧.xlsx") == []


def test_a_filled_template_sheet_is_read(tmp_path):
    path = _template(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["编制与招聘计划"]
    sheet.append(["S1", 2026, "小学", 40, 5, 1, 4])
    book.save(path)
    data = read_dataset(path).dataset
    assert data.staffing.select("school_id", "level", "hires", "hires_bachelor").rows() == [
        ("S1", "primary", 5, 4)
    ]


def _one_school(data: Dataset, school_id: str, path: Path) -> Path:
    keep = pl.col("school_id") == school_id
    write_xlsx(Dataset.build(data.schools.filter(keep), data.segments.filter(keep)), path)
    return path


def test_a_schools_workbook_without_plan_sheets_keeps_its_plan_rows(tmp_path):
    original = _with_plans(tmp_path)
    target = tmp_path / "数据集"
    write_csv_folder(original, target)
    result = import_sources([_one_school(original, "S1", tmp_path / "一校.xlsx")], target)
    assert result.ok, [e.message for e in result.errors]
    after = read_dataset(target).dataset
    for table in PLAN_TABLES:
        assert getattr(after, table.name).equals(getattr(original, table.name)), table.name


def test_files_giving_a_plan_table_replace_only_their_owners_rows(tmp_path):
    original = _with_plans(tmp_path)
    target = tmp_path / "数据集"
    write_csv_folder(original, target)
    # A workbook of S1 with S1's new classes and 甲县's new project list.
    s1 = pl.col("school_id") == "S1"
    classes = pl.DataFrame(
        {"school_id": ["S1"], "year": [2026], "grade": [1], "class_name": ["一（1）班"]}
    ).with_columns(pl.lit(40).alias("students"))
    projects = original.projects.filter(pl.col("county") == "甲县").head(1)
    part = Dataset.build(
        original.schools.filter(s1),
        original.segments.filter(s1),
        classes=classes,
        projects=projects,
    )
    write_xlsx(part, tmp_path / "一校.xlsx", chinese_headers=True)
    result = import_sources([tmp_path / "一校.xlsx"], target)
    assert result.ok, [e.message for e in result.errors]
    assert result.owners["classes"] == {"S1"} and result.owners["projects"] == {"甲县"}
    after = read_dataset(target).dataset
    # S1's four classes of 2025 are replaced by its one class of 2026 (the imported rows
    # first); S3's class is kept.
    assert after.classes.rows() == [("S1", 2026, 1, "一（1）班", 40), ("S3", 2025, 7, "1", 50)]
    # 甲县 keeps only 2025-01; 乙县's project is untouched.
    assert after.projects.select("county", "project_id").rows() == [
        ("甲县", "2025-01"),
        ("乙县", "2025-01"),
    ]
    assert after.finance.equals(original.finance)
    assert after.staffing.equals(original.staffing)

    # The web's part: every class of the schools covered (S1) and every project and finance
    # row of the counties covered (甲县, the county of S1).
    again = validate_sources([tmp_path / "一校.xlsx"], existing=original)
    loaded = imported_part(again)
    assert loaded.classes.rows() == [("S1", 2026, 1, "一（1）班", 40)]
    assert loaded.projects.select("county", "project_id").rows() == [("甲县", "2025-01")]
    assert loaded.finance.get_column("county").to_list() == ["甲县", "甲县"]
    assert loaded.staffing.get_column("school_id").to_list() == ["S1"]


def test_an_import_points_a_bad_plan_cell_at_its_sheet_and_cell(tmp_path):
    original = _with_plans(tmp_path)
    target = tmp_path / "数据集"
    write_csv_folder(original, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    book_path = tmp_path / "全县.xlsx"
    write_xlsx(original, book_path, chinese_headers=True)
    book = openpyxl.load_workbook(book_path)
    # Row 2 of 编制与招聘计划 is S1 2026: 5 hires, 1 + 4 by degree; 5 postgraduates makes 9.
    assert book["编制与招聘计划"]["F1"].value == "其中：研究生学历（人）"
    book["编制与招聘计划"]["F2"] = 5
    book.save(book_path)
    result = import_sources([book_path], target)
    assert not result.ok
    (error,) = result.blocking
    assert (error.code, error.file, error.sheet, error.row, error.cell, error.column) == (
        "hires-exceed",
        "全县.xlsx",
        "编制与招聘计划",
        2,
        "F2",
        "其中：研究生学历（人）",
    )
    assert "研究生学历 5 + 本科学历 4 = 9" in error.message
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_plan_rows_outside_the_import_scope_are_errors_at_their_cells(tmp_path):
    original = _with_plans(tmp_path)
    book_path = tmp_path / "两县.xlsx"
    write_xlsx(
        replace(original, county_facts=original.county_facts.clear()),
        book_path,
        chinese_headers=True,
    )
    scope = Scope(counties=frozenset({"甲县"}), county_expected="「甲县」")
    result = validate_sources([book_path], scope=scope)
    assert not result.ok
    found = {(e.sheet, e.cell, e.value) for e in result.blocking if e.code == "out-of-scope"}
    # 县级教育经费 row 4 and 建设项目 row 4 are 乙县's (the first such row of each sheet).
    assert ("县级教育经费", "A4", "乙县") in found
    assert ("建设项目", "B4", "乙县") in found


def test_a_plan_row_of_a_school_outside_the_scope_is_an_error_at_its_cell(tmp_path):
    original = _with_plans(tmp_path)
    path = tmp_path / "班级.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "班级学生数"
    sheet.append(["学校标识码", "年份（年）", "年级", "班级", "学生数（人）"])
    sheet.append(["S1", 2026, 1, "1", 40])
    sheet.append(["S3", 2026, 7, "1", 45])
    book.save(path)
    scope = Scope(schools=frozenset({"S1"}), school_expected="本校的标识码")
    result = validate_sources([path], existing=original, scope=scope)
    assert not result.ok
    (error,) = result.blocking
    assert (error.code, error.sheet, error.cell, error.value, error.column) == (
        "out-of-scope",
        "班级学生数",
        "A3",
        "S3",
        "学校标识码",
    )
