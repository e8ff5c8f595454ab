"""The optional grades (年级在校生) and births (出生人口) tables: reading, cell-level errors,
writing, template, import."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from intake_helpers import codes, only, write_dataset

from junheng.core.dataset import Dataset
from junheng.demo import demo_county
from junheng.intake import read_dataset, write_csv_folder, write_xlsx
from junheng.intake.importer import import_sources
from junheng.intake.templates import template_problems, write_county_template


def grade(school_id: str, year: str, number: str, students: str) -> dict[str, str]:
    return {"school_id": school_id, "year": year, "grade": number, "students": students}


GOOD = [
    grade("S1", "2024", "1", "80"),
    grade("S1", "2025", "1", "85"),
    grade("S1", "2025", "2", "79"),
    grade("S2", "2025", "7", "160"),
]


def test_grades_are_read_typed_and_optional(tmp_path):
    result = read_dataset(write_dataset(tmp_path / "有", grades=GOOD))
    assert result.ok, result.text()
    grades = result.dataset.grades
    assert grades.schema == {
        "school_id": pl.String,
        "year": pl.Int64,
        "grade": pl.Int64,
        "students": pl.Int64,
    }
    assert grades.rows() == [
        ("S1", 2024, 1, 80),
        ("S1", 2025, 1, 85),
        ("S1", 2025, 2, 79),
        ("S2", 2025, 7, 160),
    ]
    without = read_dataset(write_dataset(tmp_path / "无"))
    assert without.ok and without.dataset.grades.is_empty()


def test_chinese_headers_and_sheet_name(tmp_path):
    folder = write_dataset(tmp_path / "中文")
    rows = ["学校标识码,年份（年）,年级,在校生数（人）", "S1,2025,3,88"]
    (folder / "年级在校生.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = read_dataset(folder)
    assert result.ok, result.text()
    assert result.dataset.grades.rows() == [("S1", 2025, 3, 88)]


@pytest.mark.parametrize(
    ("row", "code", "column", "value", "words"),
    [
        # Grade 10 is past 九年级; grade 0 before 一年级.
        (grade("S1", "2025", "10", "80"), "above-maximum", "grade", "10", "1 到 9 之间的整数"),
        (grade("S1", "2025", "0", "80"), "below-minimum", "grade", "0", "1 到 9 之间的整数"),
        (grade("S1", "2025", "初一", "80"), "not-an-integer", "grade", "初一", "整数"),
        (grade("S1", "2025", "3", "-1"), "below-minimum", "students", "-1", "不小于 0 的整数"),
        (grade("S1", "2025", "3", "80.5"), "not-an-integer", "students", "80.5", "整数"),
        (grade("S9", "2025", "3", "80"), "unknown-school", "school_id", "S9", "学校表"),
        (grade("S1", "", "3", "80"), "missing-value", "year", "", "填写年份"),
    ],
)
def test_bad_cells_get_a_cell_level_chinese_error_and_no_dataset(
    tmp_path, row, code, column, value, words
):
    # GOOD occupies rows 2–5 of grades.csv, the bad row is row 6.
    result = read_dataset(write_dataset(tmp_path / "错", grades=[*GOOD, row]))
    assert result.dataset is None
    error = only(result, code)
    assert (error.file, error.row, error.column, error.value) == (
        "grades.csv",
        6,
        column,
        value,
    )
    assert words in error.message
    assert codes(result) == [code]


def test_one_row_per_school_year_and_grade(tmp_path):
    result = read_dataset(
        write_dataset(tmp_path / "重", grades=[*GOOD, grade("S1", "2025", "2", "70")])
    )
    assert result.dataset is None
    error = only(result, "duplicate-grade")
    assert error.row == 6 and error.column == "grade"
    assert error.message.endswith(
        "学校、年份和年级“S1 2025 年 2 年级”重复，应每校每年每个年级只填一行（已在第 4 行出现）"
    )


def test_grades_round_trip_through_csv_and_xlsx(tmp_path):
    demo = demo_county(with_grades=True)
    for chinese in (False, True):
        folder = tmp_path / f"csv{chinese}"
        write_csv_folder(demo, folder, chinese_headers=chinese)
        assert read_dataset(folder).dataset.grades.equals(demo.grades)
        book = tmp_path / f"book{chinese}.xlsx"
        write_xlsx(demo, book, chinese_headers=chinese)
        assert read_dataset(book).dataset.grades.equals(demo.grades)
    # A dataset without grades writes no grades file, and a folder that had one loses it.
    write_csv_folder(demo_county(), tmp_path / "csvFalse")
    assert not (tmp_path / "csvFalse" / "grades.csv").exists()


def _template(tmp_path: Path) -> Path:
    return write_county_template(tmp_path / "全县.xlsx", demo_county().schools, year="2026")


def test_template_has_a_validated_grades_sheet_and_older_templates_stay_current(tmp_path):
    path = _template(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["年级在校生"]
    assert [c.value for c in sheet[1]] == ["学校标识码", "年份（年）", "年级", "在校生数（人）"]
    (rule,) = [dv for dv in sheet.data_validations.dataValidation if "C2" in dv.sqref]
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
        "whole",
        "between",
        "1",
        "9",
    )
    guide = [
        row[1] for row in book["填报说明"].iter_rows(values_only=True) if row[0] == "年级在校生"
    ]
    assert guide == ["学校标识码", "年份（年）", "年级", "在校生数（人）"]
    assert template_problems(path) == []
    # A template made before the sheet existed has the same checksum and stays current.
    del book["年级在校生"]
    book.save(tmp_path / "旧.xlsx")
    assert template_problems(tmp_path / "旧.xlsx") == []
    # An altered grades header is an altered template.
    book = openpyxl.load_workbook(path)
    book["年级在校生"]["C1"] = "年级（一至九）"
    book.save(tmp_path / "改.xlsx")
    assert template_problems(tmp_path / "改.xlsx") != []


def test_import_with_a_bad_grade_cell_writes_nothing(tmp_path):
    target = tmp_path / "数据集"
    write_csv_folder(demo_county(with_grades=True), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    workbook = tmp_path / "全县.xlsx"
    write_xlsx(demo_county(with_grades=True), workbook, chinese_headers=True)
    book = openpyxl.load_workbook(workbook)
    book["年级在校生"]["C5"] = 12
    book.save(workbook)

    result = import_sources([workbook], target)
    assert not result.ok
    (error,) = result.blocking
    assert (error.code, error.file, error.sheet, error.cell) == (
        "above-maximum",
        "全县.xlsx",
        "年级在校生",
        "C5",
    )
    assert error.column == "年级" and "1 到 9" in error.message
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_importing_a_schools_data_without_grades_keeps_its_grade_history(tmp_path):
    demo = demo_county(with_grades=True)
    target = tmp_path / "数据集"
    write_csv_folder(demo, target)
    first = demo.schools["school_id"][0]
    keep = pl.col("school_id") == first
    part = Dataset.build(demo.schools.filter(keep), demo.segments.filter(keep))
    write_xlsx(part, tmp_path / "一校.xlsx")
    result = import_sources([tmp_path / "一校.xlsx"], target)
    assert result.ok, [e.message for e in result.blocking]
    after = read_dataset(target).dataset
    assert after.grades.filter(keep).equals(demo.grades.filter(keep))
    assert after.grades.height == demo.grades.height


def test_births_are_read_and_one_row_per_county_and_year(tmp_path):
    births = [
        {"county": "甲县", "year": "2019", "births": "1095"},
        {"county": "甲县", "year": "2018", "births": "730"},
    ]
    result = read_dataset(write_dataset(tmp_path / "有", births=births))
    assert result.ok, result.text()
    assert result.dataset.births.rows() == [("甲县", 2019, 1095), ("甲县", 2018, 730)]
    again = [*births, {"county": "甲县", "year": "2019", "births": "1000"}]
    result = read_dataset(write_dataset(tmp_path / "重", births=again))
    assert result.dataset is None
    error = only(result, "duplicate-births")
    assert (error.file, error.row, error.column) == ("births.csv", 4, "year")
    assert error.message.endswith(
        "县区和出生年份“甲县 2019 年”重复，应每县每年只填一行（已在第 2 行出现）"
    )
    negative = [{"county": "甲县", "year": "2019", "births": "-5"}]
    error = only(read_dataset(write_dataset(tmp_path / "负", births=negative)), "below-minimum")
    assert (error.row, error.column, error.value) == (2, "births", "-5")


def test_births_round_trip_and_template_sheet(tmp_path):
    births = pl.DataFrame({"county": ["示范县"] * 2, "year": [2019, 2020], "births": [3650, 3702]})
    demo = replace(demo_county(with_grades=True), births=births)
    write_csv_folder(demo, tmp_path / "csv", chinese_headers=True)
    assert read_dataset(tmp_path / "csv").dataset.births.equals(births)
    write_xlsx(demo, tmp_path / "book.xlsx")
    assert read_dataset(tmp_path / "book.xlsx").dataset.births.equals(births)
    sheet = openpyxl.load_workbook(_template(tmp_path))["出生人口"]
    assert [c.value for c in sheet[1]] == ["县区", "出生年份（年）", "出生人数（人）"]
