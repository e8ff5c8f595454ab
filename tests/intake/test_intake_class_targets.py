"""创建目标（班额） (class_targets) through the file intake: reading in Chinese or English,
cell-level errors, writing, the county template's sheet, and import replacing a county's rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from intake_helpers import codes, only, write_dataset

from junheng.core.dataset import Dataset
from junheng.core.schema import CLASS_TARGETS
from junheng.intake import read_dataset, write_csv_folder, write_xlsx
from junheng.intake.importer import Scope, import_sources, imported_part, validate_sources
from junheng.intake.templates import write_county_template

# The base dataset of intake_helpers: S1 小学 and S2 初中 in 甲县, S3 九年一贯制 in 乙县.

PLAN = "《甲县推进义务教育优质均衡发展实施方案》"


def target(**cells: str) -> dict[str, str]:
    row = {
        "county": "甲县",
        "year": "2025",
        "band": "56人以上大班额",
        "level": "",
        "max_classes": "",
        "max_share": "",
        "source": PLAN,
    }
    row.update(cells)
    return row


TARGETS = [
    target(),
    target(year="2026", band="超标准班额及以上", max_classes="0"),
    # The same band and year for one level is another target.
    target(year="2026", band="over_standard", level="初中", max_classes="2"),
    target(county="乙县", year="2024", band="super_large", max_share="2.5", source="《乙县方案》"),
]


def folder(tmp_path: Path, rows: list[dict[str, str]] = TARGETS, name: str = "有") -> Path:
    return write_dataset(tmp_path / name, class_targets=rows)


def test_targets_are_read_exactly_from_csv(tmp_path):
    result = read_dataset(folder(tmp_path))
    assert result.ok, result.text()
    assert result.errors == []
    assert result.dataset.class_targets.rows() == [
        ("甲县", 2025, "large", None, None, None, PLAN),
        ("甲县", 2026, "over_standard", None, 0, None, PLAN),
        ("甲县", 2026, "over_standard", "junior", 2, None, PLAN),
        ("乙县", 2024, "super_large", None, None, 2.5, "《乙县方案》"),
    ]


def test_a_workbook_sheet_with_chinese_headers_is_read(tmp_path):
    base = read_dataset(write_dataset(tmp_path / "基础")).dataset
    path = tmp_path / "全县.xlsx"
    write_xlsx(base, path, chinese_headers=True)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("创建目标（班额）")
    sheet.append(["县区", "目标年份（年）", "班额目标", "学段", "最多保留比例（%）", "目标依据"])
    sheet.append(["甲县", 2025, "66人以上超大班额", "小学", 5, PLAN])
    book.save(path)
    result = read_dataset(path)
    assert result.ok, result.text()
    assert result.dataset.class_targets.rows() == [
        ("甲县", 2025, "super_large", "primary", None, 5.0, PLAN)
    ]


BAD = [
    # A second row of 甲县 2025 56+ for both levels (row 2's target) is row 6.
    (
        target(),
        "duplicate-class-target",
        "band",
        "甲县 2025 年 56人以上大班额（小学和初中）",
        "已在第 2 行出现",
    ),
    (
        target(year="2026", band="超标准班额及以上", level="初中"),
        "duplicate-class-target",
        "band",
        "甲县 2026 年 超标准班额及以上（初中）",
        "已在第 4 行出现",
    ),
    # At the line: 100 % allows every class; just above it is past the column's maximum.
    (target(year="2027", max_share="100"), "target-share-whole", "max_share", "100", "小于 100"),
    (target(year="2027", max_share="100.01"), "above-maximum", "max_share", "100.01", "0 到 100"),
    (target(year="2027", max_classes="-1"), "below-minimum", "max_classes", "-1", "不小于 0"),
    (target(year="2027", band="大班额"), "bad-enum", "band", "大班额", "56人以上大班额"),
    (target(year="2027", source=""), "missing-value", "source", "", "目标依据"),
    (target(year="", band="large"), "missing-value", "year", "", "目标年份"),
]


@pytest.mark.parametrize(
    ("row", "code", "column", "value", "words"),
    BAD,
    ids=[f"{b[1]}-{b[2]}-{i}" for i, b in enumerate(BAD)],
)
def test_a_bad_row_gives_one_chinese_error_at_its_cell_and_no_dataset(
    tmp_path, row, code, column, value, words
):
    result = read_dataset(folder(tmp_path, [*TARGETS, row], "错"))
    assert result.dataset is None
    error = only(result, code)
    assert (error.file, error.row, error.column, error.value) == (
        "class_targets.csv",
        6,
        column,
        value,
    )
    assert error.severity == "error"
    assert words in error.message, error.message
    assert codes(result) == [code]


def test_just_below_a_whole_share_and_a_zero_count_are_accepted(tmp_path):
    rows = [*TARGETS, target(year="2027", max_share="99.99", max_classes="0")]
    result = read_dataset(folder(tmp_path, rows))
    assert result.ok, result.text()
    assert result.dataset.class_targets.row(4) == ("甲县", 2027, "large", None, 0, 99.99, PLAN)


def test_a_county_without_schools_is_a_warning(tmp_path):
    result = read_dataset(folder(tmp_path, [*TARGETS, target(county="丙县")]))
    assert result.ok
    error = only(result, "unknown-county")
    assert (error.file, error.row, error.column, error.severity) == (
        "class_targets.csv",
        6,
        "county",
        "warning",
    )


@pytest.mark.parametrize("chinese", [False, True])
def test_round_trip_through_csv_and_xlsx_is_exact(tmp_path, chinese):
    original = read_dataset(folder(tmp_path)).dataset
    out = tmp_path / f"csv{chinese}"
    write_csv_folder(original, out, chinese_headers=chinese)
    book = tmp_path / f"book{chinese}.xlsx"
    write_xlsx(original, book, chinese_headers=chinese)
    for source in (out, book):
        again = read_dataset(source)
        assert again.ok, again.text()
        assert again.dataset.class_targets.equals(original.class_targets), source
    assert "class_targets.csv" in {p.name for p in out.iterdir()}


def test_the_template_sheet_has_dropdowns_for_band_and_level(tmp_path):
    schools = read_dataset(write_dataset(tmp_path / "名录")).dataset.schools
    path = write_county_template(tmp_path / "模板.xlsx", schools, year="2026")
    sheet = openpyxl.load_workbook(path)["创建目标（班额）"]
    assert [c.value for c in sheet[1]] == [c.header_zh for c in CLASS_TARGETS.columns]
    dropdowns = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation
    }
    # 班额目标 is column C, 学段 D.
    assert dropdowns["C2"] == '"超标准班额及以上,56人以上大班额,66人以上超大班额"'
    assert dropdowns["D2"] == '"小学,初中"'
    sheet.append(["甲县", 2026, "超标准班额及以上", None, 0, None, PLAN])
    sheet.parent.save(path)
    data = read_dataset(path).dataset
    assert data.class_targets.rows() == [("甲县", 2026, "over_standard", None, 0, None, PLAN)]


def test_files_giving_targets_replace_only_their_countys_rows(tmp_path):
    original = read_dataset(folder(tmp_path, name="原")).dataset
    target_folder = tmp_path / "数据集"
    write_csv_folder(original, target_folder)

    # A workbook of S1 without the targets sheet keeps every county's targets.
    s1 = pl.col("school_id") == "S1"
    plain = Dataset.build(original.schools.filter(s1), original.segments.filter(s1))
    write_xlsx(plain, tmp_path / "一校.xlsx")
    result = import_sources([tmp_path / "一校.xlsx"], target_folder)
    assert result.ok, [e.message for e in result.errors]
    assert read_dataset(target_folder).dataset.class_targets.equals(original.class_targets)

    # A workbook giving 甲县's one new target replaces 甲县's three; 乙县's stays.
    new = original.class_targets.filter(pl.col("county") == "甲县").head(1)
    new = new.with_columns(pl.lit(2027).alias("year"))
    part = Dataset.build(
        original.schools.filter(s1), original.segments.filter(s1), class_targets=new
    )
    write_xlsx(part, tmp_path / "目标.xlsx", chinese_headers=True)
    result = import_sources([tmp_path / "目标.xlsx"], target_folder)
    assert result.ok, [e.message for e in result.errors]
    assert result.owners["class_targets"] == {"甲县"}
    after = read_dataset(target_folder).dataset
    assert after.class_targets.select("county", "year", "band").rows() == [
        ("甲县", 2027, "large"),
        ("乙县", 2024, "super_large"),
    ]

    # The web's part: every target of the counties covered (甲县, the county of S1).
    loaded = imported_part(validate_sources([tmp_path / "目标.xlsx"], existing=original))
    assert loaded.class_targets.select("county", "year").rows() == [("甲县", 2027)]


def test_a_target_of_a_county_outside_the_scope_is_an_error_at_its_cell(tmp_path):
    original = read_dataset(folder(tmp_path, name="原")).dataset
    s1 = pl.col("school_id") == "S1"
    part = Dataset.build(
        original.schools.filter(s1),
        original.segments.filter(s1),
        class_targets=original.class_targets,
    )
    write_xlsx(part, tmp_path / "目标.xlsx", chinese_headers=True)
    scope = Scope(counties=frozenset({"甲县"}), county_expected="「甲县」")
    result = validate_sources([tmp_path / "目标.xlsx"], scope=scope)
    assert not result.ok
    found = {(e.sheet, e.cell, e.value) for e in result.blocking if e.code == "out-of-scope"}
    # Row 5 of the sheet is 乙县's target.
    assert found == {("创建目标（班额）", "A5", "乙县")}
