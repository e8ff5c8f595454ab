"""The organisation table: rows merged into units, every bad cell named, nothing on error."""

from __future__ import annotations

import openpyxl

from junheng.rectification.organisation import organisation_from_rows, read_organisation

HEADER = ("单位类型", "单位名称", "职责", "姓名", "职务", "联系电话")


def _rows(*rows):
    return [("示范县优质均衡创建组织机构",), (), HEADER, *rows]


def test_rows_become_units_with_people():
    result = organisation_from_rows(
        _rows(
            ("领导小组", "县创建工作领导小组", "统筹推进创建工作", "赵一", "组长、县长", ""),
            ("领导小组", "县创建工作领导小组", "", "钱二", "副组长", "0731-1234567"),
            ("成员单位", "县财政局", "保障经费投入", "孙三", "局长", "13800000000"),
            ("乡镇", "城关镇", "", "", "", ""),
        ),
        "组织.xlsx",
        "Sheet1",
    )
    assert result.errors == []
    assert [(u.kind, u.name, u.duties, len(u.people)) for u in result.units] == [
        ("leading_group", "县创建工作领导小组", "统筹推进创建工作", 2),
        ("department", "县财政局", "保障经费投入", 1),
        ("town", "城关镇", "", 0),
    ]
    assert result.units[0].people[1].phone == "0731-1234567"


def test_every_bad_cell_is_named_and_nothing_returned():
    result = organisation_from_rows(
        _rows(
            ("成员单位", "县财政局", "保障经费投入", "孙三", "局长", "打电话"),
            ("委员会", "县编办", "", "", "", ""),
            ("成员单位", "", "", "周四", "", ""),
            ("乡镇", "县财政局", "", "", "", ""),
            ("成员单位", "县人社局", "", "", "副局长", ""),
        ),
        "组织.xlsx",
        "Sheet1",
    )
    assert result.units == []
    assert [e.message for e in result.errors] == [
        "组织.xlsx 工作表「Sheet1」第 4 行「联系电话」列（单元格 F4）：值“打电话”不是可选值，"
        "应为电话号码，如 0731-12345678 或 13800000000",
        "组织.xlsx 工作表「Sheet1」第 5 行「单位类型」列（单元格 A5）：值“委员会”不是可选值，"
        "应为领导小组、领导小组办公室、成员单位、乡镇 之一",
        "组织.xlsx 工作表「Sheet1」第 6 行「单位名称」列（单元格 B6）：值为空，应填写单位全称，"
        "如“县教育局”",
        "组织.xlsx 工作表「Sheet1」第 7 行「单位类型」列（单元格 A7）：值“乡镇”不是可选值，"
        "应为与第 4 行同一单位的类型一致（成员单位）",
        "组织.xlsx 工作表「Sheet1」第 8 行「姓名」列（单元格 D8）：值为空，"
        "应填写职务、电话所属人员的姓名",
    ]


def test_missing_column_and_empty_table():
    result = organisation_from_rows([("单位名称", "职责"), ("县财政局", "")], "a.xlsx", "S")
    assert [e.message for e in result.errors] == [
        "a.xlsx 工作表「S」第 1 行：缺少必填列「单位类型」，应在表头中加上这一列"
    ]
    result = organisation_from_rows([HEADER], "a.xlsx", "S")
    assert [e.code for e in result.errors] == ["empty-table"]


def test_read_from_a_workbook(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(("成员单位", "县教育局", "牵头学校建设", "吴五", "局长", 13800000001))
    path = tmp_path / "组织.xlsx"
    book.save(path)
    result = read_organisation(path)
    assert result.errors == []
    assert result.units[0].people[0].phone == "13800000001"
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    assert read_organisation(bad).errors[0].code == "unreadable-file"
