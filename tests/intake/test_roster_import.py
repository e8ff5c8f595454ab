"""Reading a teacher roster: cell-level Chinese errors, all or nothing, workbook and CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl

from junheng.intake.roster import read_roster
from junheng.roster.schema import BOTH_LEVELS, ROTATION_SCHEMA, TEACHER_SCHEMA

HEADER = (
    "学校标识码,教师编号,姓名,身份证号,任教学段,主要任教学段,任教学科,最高学历,骨干教师级别,"
    "教师资格证,本周期培训学时,调入本校年份,出生日期,性别,用工类型,在岗状态"
)
GOOD = [
    "S1,T1,张三,11010519800101123X,小学,,语文,本科,县级,是,360,2019,1980-01-01,男,在编,在岗",
    "S1,T2,李四,,小学、初中,初中,体育与健康,研究生,,是,120,2020,1990/5/6,女,在编,在岗",
]
ROTATION_HEADER = "教师编号,交流前学校,交流后学校,开始日期,结束日期"


def _folder(tmp_path: Path, teachers: list[str], rotations: list[str] | None = None) -> Path:
    (tmp_path / "教师名册.csv").write_text("\n".join([HEADER, *teachers]) + "\n", "utf-8")
    if rotations is not None:
        text = "\n".join([ROTATION_HEADER, *rotations]) + "\n"
        (tmp_path / "交流轮岗记录.csv").write_text(text, "utf-8")
    return tmp_path


def _codes(result) -> list[tuple[str, int | None, str | None]]:
    return [(e.code, e.row, e.column) for e in result.errors]


def test_a_good_roster_reads_with_both_levels_counted_at_the_main_one(tmp_path: Path) -> None:
    path = _folder(tmp_path, GOOD, ["T1,S2,S1,2025-09-01,2028-07"])
    result = read_roster(path, {"S1", "S2"})
    assert result.ok and result.errors == []
    teachers = result.teachers
    assert teachers.schema == pl.Schema(TEACHER_SCHEMA)
    rows = {r["teacher_id"]: r for r in teachers.iter_rows(named=True)}
    assert (rows["T1"]["levels"], rows["T1"]["level"]) == ("primary", "primary")
    assert (rows["T2"]["levels"], rows["T2"]["level"]) == (BOTH_LEVELS, "junior")
    assert rows["T2"]["birth_date"] == dt.date(1990, 5, 6)
    assert rows["T2"]["backbone"] == "none"  # blank means none
    assert result.rotations.schema == pl.Schema(ROTATION_SCHEMA)
    # 2028-07: the month's last day.
    assert result.rotations.row(0) == ("T1", "S2", "S1", dt.date(2025, 9, 1), dt.date(2028, 7, 31))


def test_every_problem_is_an_error_at_its_cell_and_nothing_is_returned(tmp_path: Path) -> None:
    bad = [
        *GOOD,
        "S1,T2,王五,,高中,,音乐,大专,省,否,abc,2020,1990-13-01,女,在编,休假",
        "S9,T4,赵六,,小学、初中,,美术,专科,,是,10,2018,1985-02-03,男,聘用,病假",
        "S1,,孙七,,小学,,语文,本科,,是,10,2018,,男,在编,在岗",
    ]
    rotations = ["T9,S1,S1,2025-09-01,2024-07-01", "T1,S2,S7,2025-09-01,"]
    result = read_roster(_folder(tmp_path, bad, rotations), {"S1", "S2"})
    assert not result.ok and result.teachers is None and result.rotations is None
    found = set(_codes(result))
    assert {
        ("bad-enum", 4, "最高学历"),
        ("bad-enum", 4, "骨干教师级别"),
        ("not-a-number", 4, "本周期培训学时"),
        ("bad-enum", 4, "在岗状态"),
        ("bad-date", 4, "出生日期"),
        ("bad-enum", 4, "任教学段"),
        ("duplicate-teacher", 4, "教师编号"),
        ("missing-value", 5, "主要任教学段"),
        ("unknown-school", 5, "学校标识码"),
        ("missing-value", 6, "教师编号"),
        ("missing-value", 6, "出生日期"),
        ("unknown-teacher", 2, "教师编号"),
        ("bad-rotation", 2, "交流后学校"),
        ("bad-rotation", 2, "结束日期"),
        ("unknown-school", 3, "交流后学校"),
    } <= found
    duplicate = next(e for e in result.errors if e.code == "duplicate-teacher")
    assert duplicate.message == (
        "教师名册.csv 第 4 行「教师编号」列：教师编号“T2”重复，应每位教师只占一行（与第 3 行重复）"
    )
    assert next(e for e in result.errors if e.code == "unknown-teacher").file == "交流轮岗记录.csv"


def test_a_main_level_outside_the_levels_taught_is_an_error(tmp_path: Path) -> None:
    row = "S1,T3,周八,,小学,初中,语文,本科,,是,360,2019,1980-01-01,男,在编,在岗"
    result = read_roster(_folder(tmp_path, [row]))
    assert _codes(result) == [("bad-enum", 2, "主要任教学段")]


def test_known_schools_are_optional(tmp_path: Path) -> None:
    row = "S9,T3,周八,,初中,,语文,本科,,是,360,2019,1980-01-01,男,在编,在岗"
    assert read_roster(_folder(tmp_path, [row])).ok


def test_a_workbook_with_named_sheets_reads_like_the_csv_files(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "教师名册"
    sheet.append(["示范县教师名册（2026年）"])  # a title row above the header
    sheet.append(HEADER.split(","))
    for line in GOOD:
        cells: list[object] = line.split(",")
        cells[10] = float(cells[10])  # hours as Excel numbers
        cells[11] = int(cells[11])
        sheet.append(cells)
    sheet["M3"] = dt.datetime(1980, 1, 1)  # a date cell reads back as midnight
    rotations = book.create_sheet("交流轮岗记录")
    rotations.append(ROTATION_HEADER.split(","))
    rotations.append(["T1", "S2", "S1", dt.datetime(2025, 9, 1), None])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    result = read_roster(path, {"S1", "S2"})
    assert result.errors == []
    csv = read_roster(_folder(tmp_path, GOOD, ["T1,S2,S1,2025-09-01,"]), {"S1", "S2"})
    assert result.teachers.equals(csv.teachers)
    assert result.rotations.equals(csv.rotations)


def test_a_workbook_without_a_roster_sheet_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.create_sheet("其他")
    path = tmp_path / "名册.xlsx"
    book.save(path)
    result = read_roster(path)
    assert _codes(result) == [("missing-table", None, None)]


def test_the_demo_roster_round_trips_through_a_workbook(tmp_path: Path) -> None:
    from junheng.demo import demo_county
    from junheng.intake.roster import write_roster_xlsx
    from junheng.roster.demo import demo_roster

    dataset = demo_county()
    roster = demo_roster(dataset)
    path = write_roster_xlsx(
        tmp_path / "名册.xlsx", roster.teachers, roster.rotations, full_ids=True
    )
    known = set(dataset.schools.get_column("school_id"))
    result = read_roster(path, known)
    assert result.errors == []
    assert result.teachers.equals(roster.teachers)
    assert result.rotations.equals(roster.rotations)


def test_a_written_roster_masks_id_numbers_unless_asked(tmp_path: Path) -> None:
    from junheng.intake.roster import write_roster_xlsx
    from junheng.roster.demo import demo_roster

    teachers = demo_roster().teachers.head(50)
    path = write_roster_xlsx(tmp_path / "名册.xlsx", teachers)
    book = openpyxl.load_workbook(path, read_only=True)
    text = "\n".join(
        str(value) for row in book["教师名册"].iter_rows(values_only=True) for value in row
    )
    numbers = teachers.get_column("id_number").to_list()
    assert not [n for n in numbers if n in text]
    assert "********" in text


def test_errors_never_quote_a_full_id_number(tmp_path: Path) -> None:
    # A control character inside an ID number, and an ID pasted into the hours column.
    rows = [
        "S1,T1,张三,110105\x0119800101123X,小学,,语文,本科,,是,360,2019,1980-01-01,男,在编,在岗",
        "S1,T2,李四,,小学,,语文,本科,,是,11010519800101123X,2019,1980-01-01,男,在编,在岗",
    ]
    result = read_roster(_folder(tmp_path, rows))
    assert {e.code for e in result.errors} >= {"control-character", "not-a-number"}
    text = "\n".join(e.message for e in result.errors)
    assert "19800101" not in text
    assert "110105********123X" in text


def test_a_masked_id_number_is_a_cell_error(tmp_path: Path) -> None:
    # The current roster as downloaded: the ID number's middle 8 digits masked.
    masked = GOOD[0].replace("11010519800101123X", "110105********123X")
    path = tmp_path / "名册.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "教师名册"
    for line in (HEADER, masked, GOOD[1]):
        sheet.append(line.split(","))
    book.save(path)
    result = read_roster(path, {"S1"})
    assert not result.ok and result.teachers is None
    (error,) = result.errors
    assert (error.sheet, error.row, error.column, error.cell) == ("教师名册", 2, "身份证号", "D2")
    assert error.value == "110105********123X"
    assert error.expected.startswith("完整的身份证号：下载的当前名册隐去了身份证号中间 8 位")


def test_years_of_joining_after_the_roster_year_are_refused(tmp_path: Path) -> None:
    # The roster of school year 2026: joining in 2026 is allowed (at the line), 2027 is not.
    at_line = GOOD[0].replace(",2019,", ",2026,")
    late = GOOD[1].replace(",2020,", ",2027,")
    path = _folder(tmp_path, [at_line, late])
    result = read_roster(path, {"S1"}, year=2026)
    assert _codes(result) == [("above-maximum", 3, "调入本校年份")]
    assert "不晚于 2026 年的年份" in result.errors[0].expected
    assert read_roster(path, {"S1"}, year=2027).ok
    assert read_roster(path, {"S1"}).ok  # without a year nothing is judged


def test_a_career_start_after_the_roster_year_is_refused(tmp_path: Path) -> None:
    header = HEADER + ",参加工作年份"
    rows = [GOOD[0] + ",2026", GOOD[1] + ",2027"]
    (tmp_path / "教师名册.csv").write_text("\n".join([header, *rows]) + "\n", "utf-8")
    result = read_roster(tmp_path, {"S1"}, year=2026)
    assert _codes(result) == [("above-maximum", 3, "参加工作年份")]
