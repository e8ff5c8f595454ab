"""Real-world files: damaged, disguised and oversized files, title rows, hidden sheets, formulas,
units typed into number cells, and workbooks written by other programs.

Every rejection must be one structured error naming the file (and the sheet and cell when there
is one), never an exception.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import (
    base_county,
    base_schools,
    base_segments,
    codes,
    csv_text,
    only,
    segment,
    write_dataset,
)
from openpyxl.chart import BarChart, Reference
from xlsx_parts import Formula, xlsx_bytes

from junheng.core.schema import SCHOOLS, SEGMENTS
from junheng.intake import CATALOGUE, IntakeError, guard, read_dataset
from junheng.intake.reader import ReadResult

Rows = list[list[object]]


def _rows(dicts: list[dict[str, str]], chinese: bool = False) -> Rows:
    header = list(dict.fromkeys(k for d in dicts for k in d))
    if chinese:
        labels = {c.name: c.header_zh for c in (*SCHOOLS.columns, *SEGMENTS.columns)}
        labels |= {"fact": "指标项", "value": "值", "note": "说明"}
        shown: list[object] = [labels.get(k, k) for k in header]
    else:
        shown = list(header)
    return [shown, *[[d.get(k) for k in header] for d in dicts]]


def _sheets(chinese: bool = False) -> dict[str, Rows]:
    return {
        "学校": _rows(base_schools(), chinese),
        "学段": _rows(base_segments(), chinese),
        "县级指标": _rows(base_county(), chinese),
    }


def _save(path: Path, sheets: dict[str, Rows], hidden: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def _valid_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in _sheets().items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(buffer)
    return buffer.getvalue()


def limited(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    """Lower the intake limits of `limits.yaml` for one test."""
    patched = dataclasses.replace(guard.limits(), **changes)
    monkeypatch.setattr(guard, "limits", lambda: patched)


def _check(result: ReadResult) -> None:
    """The invariants of every result: structured, known codes, located, no internal error."""
    assert all(isinstance(e, IntakeError) for e in result.errors)
    assert all(e.code in CATALOGUE for e in result.errors)
    assert "internal-error" not in codes(result), result.text()
    for error in result.errors:
        assert error.message.startswith(error.file)
        assert error.fix
    assert (result.dataset is None) == bool(result.blocking)
    assert isinstance(result.frame(), pl.DataFrame)
    assert isinstance(result.text(), str)


# Files that are not what their name says ------------------------------------------------------


def test_empty_workbook_file(tmp_path: Path) -> None:
    (tmp_path / "数据.xlsx").write_bytes(b"")
    result = read_dataset(tmp_path / "数据.xlsx")
    error = only(result, "empty-file")
    assert codes(result) == ["empty-file"] and result.dataset is None
    assert error.message.startswith("数据.xlsx：文件是空的（0 字节）")


def test_empty_csv_file_in_a_folder(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "segments.csv").write_bytes(b"")
    error = only(read_dataset(folder), "empty-file")
    assert error.file == "segments.csv"


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize("name", ["数据.xls", "数据.xlsx", "数据.et"])
def test_legacy_xls_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(_OLE2 + "Workbook".encode("utf-16-le") + bytes(512))
    result = read_dataset(tmp_path / name)
    error = only(result, "legacy-xls")
    assert codes(result) == ["legacy-xls"]
    assert (
        error.message
        == f"{name}：这是旧版 .xls 文件，请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）"
    )


def test_ole2_file_with_another_name_is_recognised(tmp_path: Path) -> None:
    (tmp_path / "数据").write_bytes(_OLE2 + bytes(512))
    assert codes(read_dataset(tmp_path / "数据")) == ["legacy-xls"]


def test_password_protected_workbook(tmp_path: Path) -> None:
    directory = "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    (tmp_path / "加密.xlsx").write_bytes(_OLE2 + directory + bytes(512))
    error = only(read_dataset(tmp_path / "加密.xlsx"), "encrypted-workbook")
    assert error.message == "加密.xlsx：工作簿已加密（设置了打开密码），请在 Excel 中取消密码后另存"
    assert "密码" in error.fix


def test_text_file_renamed_to_xlsx(tmp_path: Path) -> None:
    (tmp_path / "学校.xlsx").write_text(csv_text(base_schools()), encoding="utf-8")
    error = only(read_dataset(tmp_path / "学校.xlsx"), "not-a-workbook")
    assert error.file == "学校.xlsx" and error.value == "文本文件"
    assert ".csv" in error.message and ".xlsx" in error.message


def test_web_page_saved_as_xls(tmp_path: Path) -> None:
    page = "<html><body><table><tr><td>学校标识码</td></tr></table></body></html>"
    (tmp_path / "导出.xls").write_text(page, encoding="gb18030")
    error = only(read_dataset(tmp_path / "导出.xls"), "not-a-workbook")
    assert error.message.startswith("导出.xls：这不是 Excel 工作簿，而是网页（HTML）文件")


def test_other_zip_file_named_xlsx(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    (tmp_path / "报告.xlsx").write_bytes(buffer.getvalue())
    assert only(read_dataset(tmp_path / "报告.xlsx"), "not-a-workbook").value == "Word 文档"


def test_workbook_named_xls_is_read(tmp_path: Path) -> None:
    (tmp_path / "数据.xls").write_bytes(_valid_bytes())
    result = read_dataset(tmp_path / "数据.xls")
    assert result.errors == [], result.text()


def test_workbook_saved_as_csv_in_a_folder(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "schools.csv").write_bytes(_valid_bytes())
    error = only(read_dataset(folder), "unreadable-file")
    assert error.file == "schools.csv" and "工作簿" in error.value


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limited(monkeypatch, max_file_mb=1)
    (tmp_path / "大.xlsx").write_bytes(_valid_bytes() + bytes(int(1.5 * 2**20)))
    error = only(read_dataset(tmp_path / "大.xlsx"), "file-too-large")
    assert error.message.startswith("大.xlsx：文件太大（1.5 MB），导入的文件不能超过 1 MB")
    folder = write_dataset(tmp_path / "data")
    (folder / "segments.csv").write_bytes(b"x" * (2**20 + 1))
    assert only(read_dataset(folder), "file-too-large").file == "segments.csv"


def test_zip_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 2**20))
    (tmp_path / "炸弹.xlsx").write_bytes(buffer.getvalue())
    result = read_dataset(tmp_path / "炸弹.xlsx")
    error = only(result, "suspicious-workbook")
    assert codes(result) == ["suspicious-workbook"]
    assert error.message.startswith("炸弹.xlsx：工作簿内容异常（解压后体积过大），可能已损坏")
    assert "sheet1.xml" in error.value


def test_workbook_too_large_once_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limited(monkeypatch, max_unpacked_mb=0)
    (tmp_path / "数据.xlsx").write_bytes(_valid_bytes())
    error = only(read_dataset(tmp_path / "数据.xlsx"), "suspicious-workbook")
    assert "上限为 0 MB" in error.value


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_workbook_is_unreadable(tmp_path: Path, keep: float) -> None:
    data = _valid_bytes()
    (tmp_path / "半截.xlsx").write_bytes(data[: int(len(data) * keep)])
    result = read_dataset(tmp_path / "半截.xlsx")
    assert codes(result) == ["unreadable-file"]
    assert result.errors[0].message.startswith("半截.xlsx：文件无法读取")


def test_damaged_sheet_names_the_sheet(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    (tmp_path / "坏.xlsx").write_bytes(buffer.getvalue())
    error = only(read_dataset(tmp_path / "坏.xlsx"), "unreadable-file")
    assert (error.file, error.sheet) == ("坏.xlsx", "学段")


# Title rows, unit rows and cell references ----------------------------------------------------


def _title_workbook(path: Path) -> Path:
    """Title (merged) and filler rows above the header, a units row under it: data from row 5."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in _sheets(chinese=True).items():
        sheet = workbook.create_sheet(title)
        sheet.append([f"示范县2026年义务教育学校基本情况统计表（{title}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        sheet.append(["填报单位：示范县教育局", None, None, "填报日期：2026年3月1日"])
        sheet.append(rows[0])
        if title == "学段":
            units = {c.header_zh: c.unit for c in SEGMENTS.columns}
            sheet.append([f"（{units[h]}）" if units.get(h) else None for h in rows[0]])
        else:
            sheet.append([])
        for row in rows[1:]:
            sheet.append(row)
    workbook.save(path)
    return path


def test_title_rows_above_the_header(tmp_path: Path) -> None:
    result = read_dataset(_title_workbook(tmp_path / "统计表.xlsx"))
    assert result.errors == [], result.text()
    english = read_dataset(write_dataset(tmp_path / "csv")).dataset
    assert result.dataset is not None and english is not None
    assert result.dataset.schools.equals(english.schools)
    assert result.dataset.segments.equals(english.segments)


def test_errors_under_a_title_row_give_sheet_rows_and_cells(tmp_path: Path) -> None:
    path = _title_workbook(tmp_path / "统计表.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["学段"]["C6"] = "很多"  # students of the second segment (sheet row 6)
    workbook["学段"]["Y3"] = "备注"  # an extra column in the header row
    workbook["学段"]["Y5"] = "新建"
    workbook["学校"]["A7"] = None  # school_id of the third school
    workbook.save(path)
    result = read_dataset(path)
    found = {(e.code, e.sheet, e.row, e.column, e.cell) for e in result.errors}
    assert ("not-an-integer", "学段", 6, "在校生数（人）", "C6") in found
    assert ("unknown-column", "学段", 3, "备注", "Y3") in found
    assert ("missing-value", "学校", 7, "学校标识码", "A7") in found
    error = only(result, "not-an-integer")
    assert error.message.startswith(
        "统计表.xlsx 工作表「学段」第 6 行「在校生数（人）」列（单元格 C6）："
    )


def test_header_errors_point_at_the_header_row(tmp_path: Path) -> None:
    sheets = _sheets(chinese=True)
    segments = sheets["学段"]
    segments[0][4] = "专任老师"  # teachers, misspelt
    segments[0].append("在校生数")  # the same column twice
    sheets["学段"] = [["学段情况表"], [], *segments]
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    missing = only(result, "missing-column")
    assert (missing.sheet, missing.row, missing.cell, missing.value) == (
        "学段",
        3,
        "A3",
        "专任教师数",
    )
    assert missing.location == "表.xlsx 工作表「学段」第 3 行"
    unknown = only(result, "unknown-column")
    assert (unknown.row, unknown.column, unknown.cell) == (3, "专任老师", "E3")
    twice = only(result, "duplicate-column")
    assert (twice.row, twice.column, twice.cell) == (3, "在校生数", "T3")


def test_rule_and_fact_errors_name_their_cells(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["学段"][2][4] = 99  # teachers of S2 (row 3): degree counts no longer add up
    sheets["县级指标"][1][2] = "也许"  # layout_plan_ok on row 2
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    degree = only(result, "degree-sum")
    assert (degree.row, degree.column, degree.cell) == (3, "teachers", "E3")
    fact = only(result, "bad-fact-value")
    assert (fact.sheet, fact.row, fact.cell) == ("县级指标", 2, "C2")


def test_csv_errors_have_no_cell(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["students"] = "x"
    error = only(read_dataset(write_dataset(tmp_path / "d", segments=segments)), "not-an-integer")
    assert (error.row, error.cell) == (2, None)
    assert "单元格" not in error.message


@pytest.mark.parametrize("trailing", ["", ",,,,"])
def test_title_line_above_a_csv_header(tmp_path: Path, trailing: str) -> None:
    folder = write_dataset(tmp_path / "data")
    segments = base_segments()
    segments[2]["classes"] = "十二"
    lines = csv_text(segments).splitlines()
    title = "示范县2026年义务教育学校学段情况统计表" + trailing
    (folder / "segments.csv").write_text("\n".join([title, *lines]) + "\n", encoding="utf-8-sig")
    error = only(read_dataset(folder), "not-an-integer")
    # Header on line 2, so the third segment is line 5.
    assert (error.file, error.row, error.value) == ("segments.csv", 5, "十二")


def test_header_with_more_unknown_than_known_columns(tmp_path: Path) -> None:
    sheets = _sheets(chinese=True)
    extras = ["校长", "电话", "地址", "邮编", "网址"]
    schools = [[*sheets["学校"][0], *extras]] + [[*r, *("-" * 5)] for r in sheets["学校"][1:]]
    sheets["学校"] = [["填报单位：示范县教育局", None, "填报日期：2026年3月"], *schools]
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    assert result.blocking == [], result.text()
    assert [(e.column, e.cell) for e in result.warnings] == [
        ("校长", "E2"),
        ("电话", "F2"),
        ("地址", "G2"),
        ("邮编", "H2"),
        ("网址", "I2"),
    ]


def test_column_number_row_under_the_header(tmp_path: Path) -> None:
    sheets = _sheets(chinese=True)
    width = len(sheets["学段"][0])
    sheets["学段"].insert(1, ["甲", "乙", *range(1, width - 1)])
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    assert result.errors == [], result.text()


def test_header_below_the_search_rows_is_no_header(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["县级指标"] = [[] for _ in range(10)] + sheets["县级指标"]
    error = only(read_dataset(_save(tmp_path / "表.xlsx", sheets)), "no-header")
    assert (error.sheet, error.row, error.cell) == ("县级指标", 1, "A1")


# Sheets that are not tables -------------------------------------------------------------------


def test_hidden_and_unknown_sheets(tmp_path: Path) -> None:
    sheets = {
        "填报说明": [["请按模板填写"]],
        **_sheets(),
        "_模板信息": [["version", "3"]],
        "辅助计算": [["x", "y"], [1, 2]],
    }
    path = _save(tmp_path / "表.xlsx", sheets, hidden=("学段", "_模板信息", "辅助计算"))
    result = read_dataset(path)
    assert result.errors == [], result.text()
    assert result.dataset is not None and result.dataset.segments.height == 4


def test_hidden_copy_of_a_table_is_named_in_the_duplicate_error(tmp_path: Path) -> None:
    sheets = {**_sheets(), "schools": _rows(base_schools())}
    path = _save(tmp_path / "表.xlsx", sheets, hidden=("schools",))
    error = only(read_dataset(path), "duplicate-table")
    assert "schools（隐藏）" in error.expected


def test_chart_sheet_named_like_a_table(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title in ("学校", "县级指标"):
        sheet = workbook.create_sheet(title)
        for row in _sheets()[title]:
            sheet.append(row)
    chart = BarChart()
    chart.add_data(Reference(workbook["学校"], min_col=1, min_row=1, max_row=3))
    workbook.create_chartsheet("学段").add_chart(chart)
    workbook.save(tmp_path / "表.xlsx")
    error = only(read_dataset(tmp_path / "表.xlsx"), "unreadable-file")
    assert (error.sheet, error.value) == ("学段", "图表工作表")


# Formulas ---------------------------------------------------------------------------------------


def test_formula_without_a_result(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["学段"][3][2] = "=B4*10"  # students of row 4, never calculated
    sheets["学段"][4][0] = '=VLOOKUP("S3",学校!A:A,1,0)'  # school_id of row 5
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    found = [(e.code, e.row, e.column, e.cell, e.value) for e in result.errors]
    assert found == [
        ("formula-not-computed", 4, "students", "C4", "=B4*10"),
        ("formula-not-computed", 5, "school_id", "A5", '=VLOOKUP("S3",学校!A:A,1,0)'),
    ]
    assert result.errors[0].message == (
        "表.xlsx 工作表「学段」第 4 行「students」列（单元格 C4）：单元格是公式但没有计算结果"
        "（=B4*10），请在 Excel/WPS 中打开、保存后再导入"
    )


def test_formulas_with_results_read_as_their_values(tmp_path: Path) -> None:
    sheets: dict[str, Rows] = {k: [list(r) for r in v] for k, v in _sheets().items()}
    sheets["学段"][1][2] = Formula("=100*5", 500)
    sheets["学段"][2][0] = Formula('="S"&"2"', "S2")
    sheets["学段"][3][18] = Formula('=IF(1,"","")', "")  # an empty text result is a result
    (tmp_path / "表.xlsx").write_bytes(xlsx_bytes(sheets))
    result = read_dataset(tmp_path / "表.xlsx")
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.segments.get_column("students").to_list() == [500] * 4
    assert result.dataset.segments.get_column("art_rooms").to_list() == [1, 1, None, 1]


@pytest.mark.parametrize("prefix", ["", "x"])
def test_formula_without_result_in_a_prefixed_or_shared_formula(
    tmp_path: Path, prefix: str
) -> None:
    sheets: dict[str, Rows] = {k: [list(r) for r in v] for k, v in _sheets().items()}
    sheets["学段"][2][3] = Formula("")  # the follower of a shared formula keeps no text
    (tmp_path / "表.xlsx").write_bytes(xlsx_bytes(sheets, prefix=prefix))
    error = only(read_dataset(tmp_path / "表.xlsx"), "formula-not-computed")
    assert (error.row, error.cell, error.value) == (3, "D3", "共享公式")


def test_formula_error_results(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["学段"][1][0] = "#N/A"  # a failed VLOOKUP for the school id
    sheets["学段"][2][13] = "#DIV/0!"
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    found = [(e.code, e.row, e.cell, e.value) for e in result.blocking]
    assert found == [("formula-error", 2, "A2", "#N/A"), ("formula-error", 3, "N3", "#DIV/0!")]
    assert "VLOOKUP" in result.errors[0].fix
    # The row with the failed lookup belongs to no school (S1 is then without segments).
    assert [(e.code, e.value) for e in result.warnings] == [("school-without-segments", "S1")]


def test_formula_error_in_a_csv_export(tmp_path: Path) -> None:
    county = base_county()
    county[1]["value"] = "#REF!"
    result = read_dataset(write_dataset(tmp_path / "d", county=county))
    assert [(e.code, e.file, e.row) for e in result.errors] == [("formula-error", "county.csv", 3)]


# Units typed into number cells ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("students", "35人", "只填数字 35；单位（人）已在表头中"),
        ("teaching_aux_area_m2", "1200平方米", "只填数字 1200；单位（㎡）已在表头中"),
        ("teaching_aux_area_m2", "1,200 ㎡", "只填数字 1200；单位（㎡）已在表头中"),
        ("multimedia_rooms", "12间", "只填数字 12；单位（间）已在表头中"),
        ("equipment_value_yuan", "¥3000元", "只填数字 3000；单位（元）已在表头中"),
        ("equipment_value_yuan", "￥3000", "只填数字 3000；单位（元）已在表头中"),
        (
            "equipment_value_yuan",
            "12.5万元",
            "只填以元为单位的数字 125000（12.5万元 = 125000 元）",
        ),
        ("classes", "12人", "只填数字，不带单位“人”；该列的单位是（个），请核对数值和所在的列"),
    ],
)
def test_unit_in_a_number_cell(tmp_path: Path, column: str, cell: str, expected: str) -> None:
    sheets = _sheets(chinese=True)
    index = list(base_segments()[0]).index(column)
    sheets["学段"][3][index] = cell
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    error = only(result, "unit-in-value")
    letter = "ABCDEFGHIJKLMNOPQRS"[index]
    assert (error.sheet, error.row, error.cell, error.value) == ("学段", 4, f"{letter}4", cell)
    assert error.expected == expected
    assert error.message.endswith(f"（单元格 {letter}4）：值“{cell}”带了单位，应{expected}")
    assert codes(result) == ["unit-in-value"]


def test_unit_in_a_csv_cell_and_a_county_fact(tmp_path: Path) -> None:
    segments = base_segments()
    segments[1]["sports_ground_area_m2"] = "5000平米"
    county = [*base_county(), {"county": "甲县", "fact": "教师平均工资收入", "value": "8万元"}]
    result = read_dataset(write_dataset(tmp_path / "d", segments=segments, county=county))
    found = [(e.file, e.row, e.expected) for e in result.errors if e.code == "unit-in-value"]
    assert found == [
        ("segments.csv", 3, "只填数字 5000；单位（㎡）已在表头中"),
        ("county.csv", 4, "只填以元为单位的数字 80000（8万元 = 80000 元）"),
    ]


# Tolerance ------------------------------------------------------------------------------------


def test_numbers_stored_as_text_and_loose_spellings(tmp_path: Path) -> None:
    sheets = _sheets(chinese=True)
    header = sheets["学段"][0]
    sheets["学段"][0] = [f"{h} " if i % 2 else f" {h}" for i, h in enumerate(header)]
    sheets["学段"][1][2] = " 500 "
    sheets["学段"][2][2] = "５００"
    sheets["学段"][3][2] = "500.0"
    sheets["学段"][1][14] = "1,000"  # sports_ground_area_m2
    sheets["学段"][4][3] = 12.0  # a float cell in an integer column
    sheets["学校"][1][0] = "S1 "
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    segments = result.dataset.segments
    assert segments.get_column("students").to_list() == [500] * 4
    assert segments.get_column("sports_ground_area_m2").to_list()[0] == 1000.0
    assert result.dataset.schools.get_column("school_id").to_list()[0] == "S1"


def test_extra_column_is_a_warning_naming_it(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["学校"][0].append("联系人")
    sheets["学校"][1].append("张老师")
    result = read_dataset(_save(tmp_path / "表.xlsx", sheets))
    warning = only(result, "unknown-column")
    assert (warning.severity, warning.column, warning.cell) == ("warning", "联系人", "E1")
    assert "联系人" in warning.message
    assert result.dataset is not None


@pytest.mark.parametrize(
    ("shared", "prefix", "refs"),
    [
        (True, "", True),
        (False, "", True),
        (False, "x", True),
        (True, "", False),
        (False, "x", False),
    ],
)
def test_workbooks_written_by_other_programs(
    tmp_path: Path, shared: bool, prefix: str, refs: bool
) -> None:
    sheets: dict[str, Rows] = {k: [list(r) for r in v] for k, v in _sheets(chinese=True).items()}
    for row in sheets["学段"][1:]:
        row[2] = int(str(row[2]))
        row[13] = 3000.5
    sheets["学段"][2][16] = None  # an empty cell in the middle of a row
    data = xlsx_bytes(sheets, shared_strings=shared, prefix=prefix, refs=refs)
    (tmp_path / "wps.xlsx").write_bytes(data)
    result = read_dataset(tmp_path / "wps.xlsx")
    assert result.errors == [], result.text()
    assert result.dataset is not None
    segments = result.dataset.segments
    assert segments.get_column("teaching_aux_area_m2").to_list() == [3000.5] * 4
    assert segments.get_column("multimedia_rooms").to_list() == [12, None, 12, 12]
    assert segments.get_column("art_rooms").to_list() == [1] * 4


def test_four_hundred_schools_are_read(tmp_path: Path) -> None:
    # the time it takes is measured by benchmarks/intake.py, never asserted in a test
    schools = [
        {"school_id": f"S{i}", "name": f"第{i}小学", "county": "甲县", "kind": "primary"}
        for i in range(400)
    ]
    segments = [segment(f"S{i}", "primary", students=str(i + 1)) for i in range(400)]
    sheets = {"学校": _rows(schools), "学段": _rows(segments), "县级指标": _rows(base_county())}
    path = _save(tmp_path / "县.xlsx", sheets)
    result = read_dataset(path)
    assert result.dataset is not None, result.text()
    assert result.dataset.segments.height == 400


# Fuzz ---------------------------------------------------------------------------------------

_VALID = _valid_bytes()
_MEMBERS = [i.filename for i in zipfile.ZipFile(io.BytesIO(_VALID)).infolist()]

_CELL_VALUE = (
    st.none()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1))
    | st.sampled_from(
        [
            "=1/0",
            "=SUM(A1:A3)",
            "=B2*2",
            "#DIV/0!",
            "#N/A",
            "1200平方米",
            "¥3000元",
            "x" * 40_000,
            "中" * 33_000,
            "",
            " ",
        ]
    )
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12)
)
_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["学校", "学段", "县级指标"]),
        st.integers(1, 6),
        st.integers(1, 22),
        _CELL_VALUE,
    ),
    max_size=6,
)
_CORRUPTION = st.one_of(
    st.just(("none",)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(
        st.just("flip"),
        st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=8),
    ),
    st.tuples(st.just("garbage"), st.sampled_from(_MEMBERS), st.binary(max_size=200)),
    st.tuples(st.just("drop"), st.sampled_from(_MEMBERS)),
)


def _edited(edits: list[tuple[str, int, int, object]]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(_VALID))
    for title, row, column, value in edits:
        workbook[title].cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _corrupted(data: bytes, corruption: tuple[Any, ...]) -> bytes:
    kind = corruption[0]
    if kind == "truncate":
        return data[: int(len(data) * corruption[1])]
    if kind == "flip":
        flipped = bytearray(data)
        for where, mask in corruption[1]:
            at = min(int(where * len(flipped)), len(flipped) - 1)
            flipped[at] ^= mask
        return bytes(flipped)
    if kind in ("garbage", "drop"):
        source = zipfile.ZipFile(io.BytesIO(data))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in source.infolist():
                if item.filename != corruption[1]:
                    archive.writestr(item.filename, source.read(item))
                elif kind == "garbage":
                    archive.writestr(item.filename, corruption[2])
        return buffer.getvalue()
    return data


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=_EDITS, corruption=_CORRUPTION)
def test_damaged_or_odd_workbooks_never_raise(
    edits: list[tuple[str, int, int, object]], corruption: tuple[Any, ...]
) -> None:
    data = _corrupted(_edited(edits), corruption)
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "数据.xlsx"
        path.write_bytes(data)
        result = read_dataset(path)
    _check(result)
    if corruption[0] == "none" and not edits:
        assert result.ok, result.text()
