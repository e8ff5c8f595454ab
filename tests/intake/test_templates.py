"""The county data-collection template: layout, Excel checks, protection, template info, and a
filled template read back by the ordinary reader."""

from __future__ import annotations

import stat
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.core.schema import (
    COUNTY,
    COUNTY_FACTS,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS,
    SCHOOLS,
    SEGMENTS,
    ColumnType,
)
from junheng.demo import demo_county
from junheng.intake.reader import read_dataset
from junheng.intake.templates import (
    TEMPLATE_VERSION,
    FormUnreadable,
    TemplateInfo,
    expected_checksum,
    read_template_info,
    row_runs,
    template_problems,
    text_width,
    workbook_checksum,
    write_county_template,
)
from tests.filled_templates import fill_county_template

SHEETS = [
    "填报说明",
    "学校",
    "学段",
    "县级指标",
    "学校指标",
    "年级在校生",
    "出生人口",
    "班级学生数",
    "县级教育经费",
    "建设项目",
    "编制与招聘计划",
    "创建目标（班额）",
    "_模板信息",
]
NINE_YEAR = "2152010011"  # 育才九年一贯制学校, shared facilities on its school row
TEACHING_POINT = "2152020006"  # 石桥镇张庄教学点
SPECIAL = "2152010012"  # 示范县特殊教育学校


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return demo_county()


@pytest.fixture(scope="module")
def template(demo: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county")
    return write_county_template(folder / "示范县模板.xlsx", demo.schools, year="2025")


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def validation_at(ws, ref: str):
    """The one data validation covering a cell (fails when none or several do)."""
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, (ref, [str(dv.sqref) for dv in found])
    return found[0]


def column_letter(ws, header: str) -> str:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(header)


def test_sheets_in_order_with_the_info_sheet_hidden(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    assert [book[s].sheet_state for s in SHEETS] == ["visible"] * 12 + ["hidden"]


def test_headers_are_exactly_the_chinese_headers_the_reader_accepts(
    book: openpyxl.Workbook,
) -> None:
    for table in (SCHOOLS, SEGMENTS, COUNTY, SCHOOL_FACTS):
        assert [c.value for c in book[table.zh][1]] == [c.header_zh for c in table.columns]
    assert book["学段"]["P1"].value == "教学及辅助用房面积（㎡）"


def test_required_headers_are_marked_by_colour_and_note(book: openpyxl.Workbook) -> None:
    ws = book["学校"]
    required = ws["A1"]  # 学校标识码
    optional = ws["E1"]  # 所属中心校
    assert required.fill.fgColor.rgb.endswith("F8CBAD")
    assert optional.fill.fgColor.rgb.endswith("DDEBF7")
    assert required.comment.text.startswith("必填")
    assert optional.comment.text.startswith("选填")
    assert required.font.bold and required.alignment.wrap_text


def test_school_kind_column_has_the_chinese_dropdown(book: openpyxl.Workbook) -> None:
    ws = book["学校"]
    dv = validation_at(ws, "D2")
    assert dv.type == "list"
    kinds = "小学,初中,九年一贯制,十二年一贯制,完全中学,教学点,特殊教育学校,职业学校"
    assert dv.formula1 == f'"{kinds}"'
    assert dv.showErrorMessage and dv.error and dv.errorTitle
    # Rows the user adds later are covered too.
    assert validation_at(ws, "D5000") is dv
    assert validation_at(ws, "F2").formula1 == '"城区,镇区,乡村"'
    assert validation_at(ws, "G2").formula1 == '"公办,民办"'
    assert validation_at(book["学段"], "B2").formula1 == '"小学,初中"'


def test_int_columns_accept_whole_numbers_from_zero(book: openpyxl.Workbook) -> None:
    ws = book["学段"]
    int_columns = [c for c in SEGMENTS.columns if c.type == ColumnType.INT]
    assert len(int_columns) == 16
    for column in int_columns:
        letter = column_letter(ws, column.header_zh)
        dv = validation_at(ws, f"{letter}2")
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert dv.showErrorMessage and "整数" in dv.error
        assert dv.promptTitle == column.zh
    area = validation_at(ws, f"{column_letter(ws, '教学及辅助用房面积（㎡）')}2")
    assert (area.type, area.operator, area.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "㎡" in area.prompt


def test_fact_value_validation_follows_each_rows_fact(book: openpyxl.Workbook) -> None:
    ws = book["县级指标"]
    # Rows follow COUNTY_FACTS: row 2 布局规划 (yes/no), row 10 360 学时 (ratio),
    # row 24 质量监测等级 (level 1–4), row 6 特殊教育生均公用经费 (number).
    assert ws["B2"].value == "义务教育学校布局规划科学合理"
    assert validation_at(ws, "C2").formula1 == '"是,否"'
    ratio = validation_at(ws, "C10")
    assert ws["B10"].value == "教师5年360学时培训完成率"
    assert (ratio.type, ratio.formula1, ratio.formula2) == ("decimal", "0", "1")
    assert ws["C10"].number_format == "0.00%"
    level = validation_at(ws, "C24")
    assert (level.type, level.formula1, level.formula2) == ("whole", "1", "4")
    assert validation_at(ws, "C6").type == "decimal"
    # One validation per kind of fact (numbers also by unit, named in the prompt), not per row.
    kinds = {(f.type, f.unit) for f in COUNTY_FACTS}
    assert len(ws.data_validations.dataValidation) == len(kinds) == 5
    facts = book["学校指标"]
    assert facts["B5"].value == "德育工作与校园文化建设评价"
    assert validation_at(facts, "C5").formula1 == '"优秀,良好,合格,不合格"'
    assert len(facts.data_validations.dataValidation) == 3


def test_header_locked_and_data_cells_open(book: openpyxl.Workbook) -> None:
    for name in ("学校", "学段", "县级指标", "学校指标"):
        ws = book[name]
        protection = ws.protection
        assert protection.sheet and protection.password is None
        # False means "not prevented" in the sheet protection record.
        assert not protection.formatColumns and not protection.formatRows
        assert not protection.insertRows and not protection.sort and not protection.autoFilter
        assert all(cell.protection.locked for cell in ws[1])
        assert not ws["A2"].protection.locked  # a pre-filled cell
        # Cells the user types into later take the column's style.
        for letter in "ABCD":
            assert not ws.column_dimensions[letter].protection.locked
    assert book["学校"].column_dimensions["A"].number_format == "@"


def test_panes_frozen_below_header_and_after_identity(book: openpyxl.Workbook) -> None:
    for name in ("学校", "学段", "县级指标", "学校指标"):
        assert book[name].freeze_panes == "C2"


def test_column_widths_fit_chinese_text(book: openpyxl.Workbook) -> None:
    ws = book["学校"]
    longest = "大王庄乡九年一贯制学校"
    assert text_width(longest) == 22
    assert ws.column_dimensions["B"].width >= 22
    assert text_width("ab㎡（") == 1 + 1 + 2 + 2  # ㎡ is wide, （ full width


def test_prepared_rows(book: openpyxl.Workbook, demo: Dataset) -> None:
    segments = [(r[0], r[1]) for r in book["学段"].iter_rows(min_row=2, values_only=True)]
    assert (NINE_YEAR, "小学") in segments and (NINE_YEAR, "初中") in segments
    assert [level for sid, level in segments if sid == TEACHING_POINT] == ["小学"]
    assert not [sid for sid, _ in segments if sid == SPECIAL]
    # 65 demo segments less the special school's two.
    assert len(segments) == 63
    facts = list(book["学校指标"].iter_rows(min_row=2, values_only=True))
    assert len(facts) == 59 * 4
    assert facts[0] == ("2152010001", "学校制定章程", None, None)
    county = list(book["县级指标"].iter_rows(min_row=2, values_only=True))
    assert len(county) == 31
    assert county[-1] == ("示范县", "存在弄虚作假行为", None, None)
    schools = book["学校"]
    assert schools.max_row == 61
    row = [c.value for c in schools[12]]  # 育才九年一贯制学校, 11th school
    assert row[:4] == [NINE_YEAR, "育才九年一贯制学校", "示范县", "九年一贯制"]
    assert row[4:8] == [None, "城区", "公办", "城关镇"]
    # This year's figures start empty even though the directory carries last year's.
    assert row[8:] == [None] * 6


def test_guide_explains_every_field(book: openpyxl.Workbook) -> None:
    ws = book["填报说明"]
    fields = {(r[0], r[1]) for r in ws.iter_rows(values_only=True) if r[1] is not None}
    for table in (SCHOOLS, SEGMENTS, COUNTY, SCHOOL_FACTS):
        for column in table.columns:
            assert (table.zh, column.header_zh) in fields
    for fact in COUNTY_FACTS:
        assert ("县级指标", f"指标项：{fact.zh}") in fields
    for fact in SCHOOL_FACT_DEFS:
        assert ("学校指标", f"指标项：{fact.zh}") in fields
    rows = {(r[0], r[1]): r for r in ws.iter_rows(values_only=True) if r[1]}
    # Shared facilities are optional on the schools sheet, required per segment.
    assert rows[("学校", "教学仪器设备值（元）")][3] == "否"
    assert rows[("学段", "教学仪器设备值（元）")][3] == "是"
    assert "万元" in rows[("学段", "教学仪器设备值（元）")][5]
    students = rows[("学段", "在校生数（人）")]
    assert students[2:5] == ("人", "是", "不小于 0 的整数")
    assert "基层报表" in students[5]
    ratio = rows[("县级指标", "指标项：教师5年360学时培训完成率")]
    assert ratio[4] == "0 到 1 之间的小数或百分数（如 0.93 或 93%）"
    assert ws["A1"].value == "县域义务教育优质均衡发展评估 数据填报模板（2025学年）"


def test_template_info(template: Path, book: openpyxl.Workbook) -> None:
    info = read_template_info(template)
    assert info == TemplateInfo("county", TEMPLATE_VERSION, expected_checksum("county"), "2025")
    assert info.is_current()
    assert len(info.checksum) == 16 and int(info.checksum, 16) >= 0
    assert read_template_info(book) == info  # an open workbook works too
    assert expected_checksum("county") != expected_checksum("school")
    assert workbook_checksum(template) == expected_checksum("county")
    assert template_problems(template) == []


def test_altered_header_changes_the_checksum(template: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(template)
    book["学段"]["C1"].value = "学生数"
    altered = tmp_path / "改过.xlsx"
    book.save(altered)
    info = read_template_info(altered)
    assert info is not None and info.checksum == expected_checksum("county")
    assert workbook_checksum(altered) != expected_checksum("county")
    problems = template_problems(altered)
    assert len(problems) == 1 and "表头" in problems[0]


def test_outdated_template_is_recognised(template: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(template)
    book["_模板信息"]["B3"].value = "2025.1"
    old = tmp_path / "旧版.xlsx"
    book.save(old)
    info = read_template_info(old)
    assert info is not None and info.version == "2025.1" and not info.is_current()
    assert "2025.1" in template_problems(old)[0]


def test_foreign_workbooks(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "学校名称"
    foreign = tmp_path / "别的表.xlsx"
    book.save(foreign)
    assert read_template_info(foreign) is None
    assert "不是本系统生成" in template_problems(foreign)[0]
    not_excel = tmp_path / "假的.xlsx"
    not_excel.write_text("学校标识码,学校名称\n", encoding="utf-8")
    with pytest.raises(FormUnreadable, match="无法打开"):
        read_template_info(not_excel)
    with pytest.raises(FormUnreadable, match="找不到"):
        read_template_info(tmp_path / "没有.xlsx")


def test_written_atomically_with_readable_permissions(demo: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "模板.xlsx"
    target.write_bytes(b"old")
    assert write_county_template(target, demo.schools) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["模板.xlsx"]
    assert openpyxl.load_workbook(target).sheetnames == SHEETS


def test_template_without_a_school_list(tmp_path: Path, demo: Dataset) -> None:
    path = write_county_template(tmp_path / "空.xlsx", counties=["甲县", "乙县"])
    book = openpyxl.load_workbook(path)
    assert book["学校"].max_row == 1
    county = list(book["县级指标"].iter_rows(min_row=2, values_only=True))
    assert len(county) == 62 and county[31][0] == "乙县"
    # Last year's dataset gives the directory when no schools frame is passed.
    from_previous = write_county_template(tmp_path / "上年.xlsx", previous=demo)
    assert openpyxl.load_workbook(from_previous)["学校"].max_row == 61


def test_row_runs() -> None:
    assert row_runs("C", [2, 3, 4, 7, 9, 10]) == ["C2:C4", "C7", "C9:C10"]
    assert row_runs("C", []) == []


# ---------------------------------------------------------------------------------------------
# Round trip: fill the template as a county would, read it with the ordinary reader
# ---------------------------------------------------------------------------------------------


def by_key(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    return frame.sort(*keys)


def test_filled_template_reads_back_to_the_demo_county(
    template: Path, demo: Dataset, tmp_path: Path
) -> None:
    path = tmp_path / "已填.xlsx"
    path.write_bytes(template.read_bytes())
    fill_county_template(path, demo)
    result = read_dataset(path)
    assert result.ok, result.text()
    read = result.dataset
    assert read is not None
    assert read.schools.equals(demo.schools)
    assert by_key(read.segments, "school_id", "level").equals(
        by_key(demo.segments, "school_id", "level")
    )
    assert read.county_facts.equals(demo.county_facts)
    assert read.notes.equals(demo.notes)
    # Rows are prepared for every school in scope; schools without facts read as all-empty rows.
    reported = read.school_facts.filter(
        pl.any_horizontal(pl.all().exclude("school_id").is_not_null())
    )
    assert reported.equals(demo.school_facts)
    assert read.school_facts.height == 59


def test_empty_template_reads_without_errors(template: Path) -> None:
    """An unfilled template is structurally valid: headers and sheets are what the reader wants."""
    result = read_dataset(template)
    assert not [e for e in result.errors if e.code in ("missing-column", "unknown-column")]
