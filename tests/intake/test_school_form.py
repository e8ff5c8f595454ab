"""The per-school form (一校一册): layout, locking, last year's values, reading a filled form back
with the cell of every value, and recognising forms that are not ours or were altered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.demo import demo_county
from junheng.intake.school_form import (
    FormUnreadable,
    SchoolForm,
    form_file_name,
    read_school_form,
    write_school_workbook,
    write_school_workbooks,
)
from junheng.intake.templates import (
    TEMPLATE_VERSION,
    expected_checksum,
    read_template_info,
    workbook_checksum,
    write_county_template,
)

YUCAI = "2152010011"  # 育才九年一贯制学校: shared facilities reported on the school row
LIUHE = "2152050002"  # 柳河镇九年一贯制学校: facilities per segment
TEACHING_POINT = "2152020006"  # 石桥镇张庄教学点
SHEETS = ["填报说明", "学校信息", "学段数据", "学校指标", "_模板信息"]


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return demo_county()


def school(demo: Dataset, school_id: str) -> dict[str, Any]:
    return demo.schools.filter(demo.schools["school_id"] == school_id).row(0, named=True)


@pytest.fixture(scope="module")
def blank(demo: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """育才's form for this year, with last year's values (the demo county) beside the inputs."""
    folder = tmp_path_factory.mktemp("forms")
    return write_school_workbook(
        folder / "育才.xlsx", school(demo, YUCAI), year="2025", previous=demo
    )


@pytest.fixture(scope="module")
def book(blank: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(blank)


def validation_at(ws, ref: str):
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, (ref, [str(dv.sqref) for dv in found])
    return found[0]


def test_sheets_and_headers(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    assert book["_模板信息"].sheet_state == "hidden"
    assert book.security.lockStructure
    assert [c.value for c in book["学校信息"][1]] == ["字段", "值", "上年", "填写说明"]
    assert [c.value for c in book["学段数据"][1]] == [
        "项目",
        "单位",
        "小学 本年",
        "小学 上年",
        "初中 本年",
        "初中 上年",
        "填写说明",
    ]
    assert [c.value for c in book["学校指标"][1]] == ["项目", "本年", "上年", "说明", "填写说明"]


def test_school_information(book: openpyxl.Workbook) -> None:
    ws = book["学校信息"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["学校标识码"][0] == YUCAI
    assert rows["学校名称"][0] == "育才九年一贯制学校"
    assert rows["学校类型"][0] == "九年一贯制"
    assert rows["城乡类型"][0] == "城区"
    assert rows["办学性质"][0] == "公办"
    assert ws["A10"].value == "整校共用设施（选填）"
    assert ws["B10"].value == "九年一贯制等学校共用设施可在此整校填报，填了此处则学段表中对应项留空"
    # Whole-school facilities: empty for this year, last year's beside them.
    assert (ws["A11"].value, ws["B11"].value, ws["C11"].value) == (
        "教学及辅助用房面积（㎡）",
        None,
        16986.3,
    )
    assert (ws["A15"].value, ws["C15"].value) == ("网络多媒体教室数（间）", 62)
    assert ws["A16"].value == "高中在校生数（人）"


def test_identity_locked_other_fields_open(book: openpyxl.Workbook) -> None:
    ws = book["学校信息"]
    assert ws.protection.sheet and ws.protection.password is None
    # A fixed form: columns may be widened, but rows are neither added nor sorted.
    assert not ws.protection.formatColumns
    assert ws.protection.insertRows and ws.protection.deleteRows and ws.protection.sort
    for ref in ("B2", "B3", "B4", "B5"):  # school_id, name, county, kind
        assert ws[ref].protection.locked, ref
    for ref in ("B6", "B7", "B8", "B9", "B11", "B16"):
        assert not ws[ref].protection.locked, ref
    assert ws["A7"].protection.locked and ws["C11"].protection.locked
    assert validation_at(ws, "B7").formula1 == '"城区,镇区,乡村"'
    assert validation_at(ws, "B8").formula1 == '"公办,民办"'
    assert validation_at(ws, "B15").type == "whole"
    assert ws.freeze_panes == "B2"


def test_segment_sheet_shows_last_year_beside_the_inputs(book: openpyxl.Workbook) -> None:
    ws = book["学段数据"]
    assert (ws["A2"].value, ws["B2"].value) == ("在校生数", "人")
    # Demo 育才: primary 1,120 students in 30 classes, junior 760 in 18.
    assert (ws["C2"].value, ws["D2"].value, ws["E2"].value, ws["F2"].value) == (
        None,
        1120,
        None,
        760,
    )
    assert (ws["A3"].value, ws["D3"].value, ws["F3"].value) == ("班级数", 30, 18)
    assert (ws["A21"].value, ws["D21"].value) == ("最小音乐专用教室面积", 115.9)
    assert ws.max_row == 23  # 22 fields below the header
    assert ws["G2"].value.startswith("必填。")
    assert ws["G4"].value.startswith("选填。")  # 最大班额
    assert ws.freeze_panes == "C2"


def test_segment_sheet_locking_and_validation(book: openpyxl.Workbook) -> None:
    ws = book["学段数据"]
    assert not ws["C2"].protection.locked and not ws["E2"].protection.locked
    assert ws["D2"].protection.locked and ws["F2"].protection.locked  # last year
    assert ws["A2"].protection.locked and ws["B2"].protection.locked and ws["G2"].protection.locked
    assert all(cell.protection.locked for cell in ws[1])
    students = validation_at(ws, "C2")
    assert validation_at(ws, "E2") is students
    assert (students.type, students.operator, students.formula1) == (
        "whole",
        "greaterThanOrEqual",
        "0",
    )
    assert students.showErrorMessage and "整数" in students.error
    area = validation_at(ws, "C15")
    assert ws["A15"].value == "教学及辅助用房面积"
    assert (area.type, area.formula1) == ("decimal", "0")
    assert not [dv for dv in ws.data_validations.dataValidation if "D2" in dv.sqref]


def test_school_items(book: openpyxl.Workbook, demo: Dataset) -> None:
    ws = book["学校指标"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [
        "学校制定章程",
        "学校管理与教学信息化",
        "教师培训经费占年度公用经费比例",
        "德育工作与校园文化建设评价",
    ]
    assert [r[1] for r in rows] == [None] * 4
    assert [r[2] for r in rows] == ["是", "是", 0.076, "优秀"]
    assert ws["C4"].number_format == "0.00%"
    assert validation_at(ws, "B2").formula1 == '"是,否"'
    share = validation_at(ws, "B4")
    assert (share.type, share.formula1, share.formula2) == ("decimal", "0", "1")
    assert validation_at(ws, "B5").formula1 == '"优秀,良好,合格,不合格"'
    assert not ws["B2"].protection.locked and not ws["D2"].protection.locked
    assert ws["C2"].protection.locked


def test_template_info_recognises_the_form(blank: Path) -> None:
    info = read_template_info(blank)
    assert info is not None
    assert (info.kind, info.version, info.year, info.school_id) == (
        "school",
        TEMPLATE_VERSION,
        "2025",
        YUCAI,
    )
    assert info.checksum == expected_checksum("school") and info.is_current()
    assert workbook_checksum(blank) == expected_checksum("school")


def test_blank_form_reads_identity_only(blank: Path) -> None:
    form = read_school_form(blank)
    assert form.problems == []
    assert form.rows["segments"] == [] and form.rows["school_facts"] == []
    assert form.rows["schools"][0]["school_id"] == YUCAI
    assert form.rows["schools"][0]["teaching_aux_area_m2"] is None


# ---------------------------------------------------------------------------------------------
# Reading a filled form
# ---------------------------------------------------------------------------------------------


def as_text(value: object) -> str | None:
    """How a clerk's number reads back: whole numbers without ".0", others exactly."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_form_filled_by_hand_reads_back(blank: Path, tmp_path: Path, demo: Dataset) -> None:
    book = openpyxl.load_workbook(blank)
    ws = book["学段数据"]
    ws["E2"] = 760  # 初中 在校生数
    ws["E3"] = 18
    ws["E15"] = 1234.5  # 初中 教学及辅助用房面积
    info = book["学校信息"]
    info["B11"] = 16986.3
    info["B7"] = "镇区"
    facts = book["学校指标"]
    facts["B4"] = 0.0525
    facts["D4"] = "2025 年预算"
    path = tmp_path / "填好.xlsx"
    book.save(path)

    form = read_school_form(path)
    assert form.problems == []
    assert form.info is not None and form.info.school_id == YUCAI
    assert form.sheets == {
        "schools": "学校信息",
        "segments": "学段数据",
        "school_facts": "学校指标",
    }
    # Only the junior column has values, so only a junior row is read.
    [junior] = form.rows["segments"]
    assert junior["school_id"] == YUCAI and junior["level"] == "junior"
    assert (junior["students"], junior["classes"], junior["teaching_aux_area_m2"]) == (
        "760",
        "18",
        "1234.5",
    )
    assert junior["max_class_size"] is None
    assert form.cells[("segments", 0, "students")] == "E2"
    assert form.cells[("segments", 0, "teaching_aux_area_m2")] == "E15"
    assert form.cells[("segments", 0, "max_class_size")] == "E4"
    assert form.cells[("segments", 0, "level")] == "E1"
    [school_row] = form.rows["schools"]
    assert school_row["area_type"] == "镇区" and school_row["teaching_aux_area_m2"] == "16986.3"
    assert form.cells[("schools", 0, "teaching_aux_area_m2")] == "B11"
    assert form.cells[("schools", 0, "area_type")] == "B7"
    assert form.rows["school_facts"] == [
        {
            "school_id": YUCAI,
            "fact": "training_budget_share",
            "value": "0.0525",
            "note": "2025 年预算",
        }
    ]
    assert form.cells[("school_facts", 0, "value")] == "B4"
    assert form.cells[("school_facts", 0, "note")] == "D4"
    assert form.labels[("segments", "students")] == "在校生数"
    assert form.labels[("schools", "teaching_aux_area_m2")] == "教学及辅助用房面积（㎡）"
    share = form.labels[("school_facts", "training_budget_share")]
    assert share == "教师培训经费占年度公用经费比例"


def test_prefilled_form_reads_back_to_the_schools_values(demo: Dataset, tmp_path: Path) -> None:
    """A form pre-filled from a dataset (sent back for correction) reads back to its values."""
    path = write_school_workbook(
        tmp_path / "柳河.xlsx", school(demo, LIUHE), year="2025", current=demo, previous=demo
    )
    form = read_school_form(path)
    assert form.problems == []
    segments = demo.segments.filter(demo.segments["school_id"] == LIUHE).to_dicts()
    assert [r["level"] for r in form.rows["segments"]] == ["primary", "junior"]
    for read, expected in zip(form.rows["segments"], segments, strict=True):
        assert read == {name: as_text(value) for name, value in expected.items()}
    # Hand-checked: junior 430 students, primary 2,712.1 m², junior ¥1,417,900 of equipment.
    assert form.rows["segments"][1]["students"] == "430"
    assert form.cells[("segments", 1, "students")] == "E2"
    assert form.rows["segments"][0]["teaching_aux_area_m2"] == "2712.1"
    assert form.cells[("segments", 0, "teaching_aux_area_m2")] == "C15"
    assert form.rows["segments"][1]["equipment_value_yuan"] == "1417900"
    assert form.cells[("segments", 1, "equipment_value_yuan")] == "E18"
    [row] = form.rows["schools"]
    assert row["kind"] == "九年一贯制" and row["area_type"] == "镇区" and row["ownership"] == "公办"
    assert row["teaching_aux_area_m2"] is None
    facts = demo.school_facts.filter(demo.school_facts["school_id"] == LIUHE).row(0, named=True)
    assert form.rows["school_facts"] == [
        {"school_id": LIUHE, "fact": "has_charter", "value": "是", "note": None},
        {"school_id": LIUHE, "fact": "digitised_ok", "value": "是", "note": None},
        {
            "school_id": LIUHE,
            "fact": "training_budget_share",
            "value": repr(facts["training_budget_share"]),
            "note": None,
        },
        {
            "school_id": LIUHE,
            "fact": "moral_education_rating",
            "value": facts["moral_education_rating"],
            "note": None,
        },
    ]


def test_teaching_point_has_primary_columns_only(demo: Dataset, tmp_path: Path) -> None:
    path = write_school_workbook(tmp_path / "教学点.xlsx", school(demo, TEACHING_POINT))
    ws = openpyxl.load_workbook(path)["学段数据"]
    assert [c.value for c in ws[1]] == ["项目", "单位", "小学 本年", "小学 上年", "填写说明"]
    assert read_template_info(path).school_id == TEACHING_POINT
    # One checksum fits forms with one or two level columns.
    assert workbook_checksum(path) == expected_checksum("school")
    book = openpyxl.load_workbook(path)
    book["学段数据"]["C2"] = 18
    book.save(path)
    form = read_school_form(path)
    assert [(r["level"], r["students"]) for r in form.rows["segments"]] == [("primary", "18")]
    assert form.cells[("segments", 0, "students")] == "C2"


# ---------------------------------------------------------------------------------------------
# Altered, foreign and unreadable files
# ---------------------------------------------------------------------------------------------


def test_changed_row_label(blank: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["学段数据"]["A2"] = "学生数"
    book["学段数据"]["E3"] = 18
    path = tmp_path / "改了项目名.xlsx"
    book.save(path)
    assert workbook_checksum(path) != expected_checksum("school")
    form = read_school_form(path)
    assert any("第 2 行" in p and "学生数" in p for p in form.problems)
    assert any("缺少“在校生数”" in p for p in form.problems)
    [junior] = form.rows["segments"]
    assert "students" not in junior and junior["classes"] == "18"


def test_changed_column_header(blank: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["学段数据"]["C1"] = "小学 今年"
    book["学段数据"]["C2"] = 1100
    path = tmp_path / "改了表头.xlsx"
    book.save(path)
    assert workbook_checksum(path) != expected_checksum("school")
    form = read_school_form(path)
    assert any("小学 今年" in p and "C1" in p for p in form.problems)
    assert form.rows["segments"] == []


def test_spacing_of_level_headers_does_not_matter_for_reading(blank: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["学段数据"]["C1"] = "小学本年"
    book["学段数据"]["C2"] = 1100
    path = tmp_path / "空格.xlsx"
    book.save(path)
    form = read_school_form(path)
    assert [r["students"] for r in form.rows["segments"]] == ["1100"]
    # The exact header is still part of the structure.
    assert workbook_checksum(path) != expected_checksum("school")


def test_random_workbook_is_not_a_form(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["学校标识码", "在校生数"])
    book.active.append(["S1", 500])
    path = tmp_path / "随便.xlsx"
    book.save(path)
    form = read_school_form(path)
    assert form.info is None
    assert "不是本系统生成的一校一册学校填报表" in form.problems[0]
    assert any("缺少工作表“学段数据”" in p for p in form.problems)
    assert form.rows == {"schools": [], "segments": [], "school_facts": []}
    assert read_template_info(path) is None


def test_county_template_is_not_a_school_form(tmp_path: Path, demo: Dataset) -> None:
    path = write_county_template(tmp_path / "县.xlsx", demo.schools)
    form = read_school_form(path)
    assert form.info is not None and form.info.kind == "county"
    assert form.problems[0] == "该文件是县级汇总填报模板，不是一校一册学校填报表。"


def test_outdated_form(blank: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["_模板信息"]["B3"] = "2025.1"
    book["学校信息"]["B2"] = "9999"  # edited behind the protection
    path = tmp_path / "旧.xlsx"
    book.save(path)
    form = read_school_form(path)
    assert "模板版本为 2025.1" in form.problems[0]
    assert any("9999" in p and YUCAI in p for p in form.problems)


def test_unreadable_files(tmp_path: Path) -> None:
    text = tmp_path / "假的.xlsx"
    text.write_bytes(b"not a zip file")
    with pytest.raises(FormUnreadable, match=r"无法打开“假的\.xlsx”"):
        read_school_form(text)
    with pytest.raises(FormUnreadable, match="找不到文件"):
        read_school_form(tmp_path / "没有.xlsx")


# ---------------------------------------------------------------------------------------------
# One form per school
# ---------------------------------------------------------------------------------------------


def test_one_form_per_school(demo: Dataset, tmp_path: Path) -> None:
    paths = write_school_workbooks(demo, tmp_path / "forms", year="2025", previous=demo)
    # 60 schools less the special school.
    assert len(paths) == 59
    assert paths[0].name == "2152010001_城关第一小学.xlsx"
    assert not [p for p in paths if p.name.startswith("2152010012")]
    assert sorted(p.name for p in (tmp_path / "forms").iterdir()) == sorted(p.name for p in paths)
    form: SchoolForm = read_school_form(paths[10])
    assert form.info is not None and form.info.school_id == YUCAI
    assert openpyxl.load_workbook(paths[10])["学段数据"]["D2"].value == 1120


def test_file_names_are_safe() -> None:
    assert form_file_name("S1", "A/B:C*学校?") == "S1_ABC学校.xlsx"
    assert form_file_name("S2", '"<>|') == "S2.xlsx"
    assert form_file_name(" 0042 ", "第一小学. ") == "0042_第一小学.xlsx"
    assert form_file_name("", "..") == "学校.xlsx"


def test_schools_frame_and_repeated_names(demo: Dataset, tmp_path: Path) -> None:
    frame = demo.schools.head(2).with_columns(school_id=pl.lit("2152010001"))
    paths = write_school_workbooks(frame, tmp_path)
    assert [p.name for p in paths] == [
        "2152010001_城关第一小学.xlsx",
        "2152010001_城关第二小学.xlsx",
    ]
    same = frame.with_columns(name=pl.lit("城关第一小学"))
    paths = write_school_workbooks(same, tmp_path / "again")
    assert [p.name for p in paths] == [
        "2152010001_城关第一小学.xlsx",
        "2152010001_城关第一小学_2.xlsx",
    ]
