"""The ledger workbook: exact round trip, a county's own ledger read in, and a bad workbook
whose every bad cell is named (and nothing returned)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.rectification.ledger_xlsx import (
    HEADERS,
    LedgerRow,
    parse_date,
    read_ledger,
    rows_from_drafts,
    write_ledger,
)
from junheng.rectification.problems import ProblemDraft
from junheng.rectification.tasks import Status

ROWS = [
    LedgerRow(
        problem="P1学校（小学）R4 生均教学及辅助用房面积未达标：4.00，标准 4.5",
        lead_unit="县教体局",
        person="张三",
        deadline=dt.date(2026, 6, 30),
        status=Status.IN_PROGRESS,
        number=1,
        indicator="R4",
        school="P1学校",
        responsible_units=("县财政局", "县住建局"),
        leader="李副县长",
        measures="新建教学楼一栋\n2026 年 3 月开工",
        budget_wan=120.5,
        progress="已完成设计招标",
        problem_key="R4/primary/P1",
    ),
    LedgerRow(
        problem="食堂台账不全（督导检查 2026-03-02）",
        lead_unit="P2学校",
        person="王五",
        deadline=dt.date(2026, 4, 1),
        status=Status.CLOSED,
        number=2,
        budget_wan=0.0,
    ),
    LedgerRow(
        problem="G7 特殊教育学校生均公用经费不低于6000元：未达到要求",
        lead_unit="县财政局",
        person="赵六",
        deadline=dt.date(2026, 12, 31),
        status=Status.AWAITING_CHECK,
        number=3,
        indicator="G7",
        budget_wan=30.0,
        problem_key="G7",
    ),
]


def test_round_trip_is_exact(tmp_path):
    path = write_ledger(ROWS, tmp_path / "台账.xlsx", title="甲县整改台账")
    sheet = openpyxl.load_workbook(path)["整改台账"]
    assert sheet["A1"].value == "甲县整改台账"
    assert [c.value for c in sheet[2]] == list(HEADERS)
    assert (
        sheet["J3"].value == dt.datetime(2026, 6, 30) and sheet["F3"].value == "县财政局、县住建局"
    )
    result = read_ledger(path)
    assert result.errors == []
    assert result.rows == ROWS
    task = result.rows[0].task()
    assert task.data_backed and task.budget_wan == 120.5
    assert result.rows[1].task().data_backed is False


def test_a_countys_own_ledger_with_title_rows_and_other_headers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["甲县义务教育优质均衡发展问题整改台账"])
    sheet.append(["填报单位：甲县教体局"])
    sheet.append(["编号", "存在问题", "牵头单位", "责任单位", "责任人", "包保领导", "完成时间",
                  "整改状态", "备注"])  # fmt: skip
    sheet.append([1, "班额超标", "县教体局", "县财政局，县住建局；县编办", "张三", "李副县长",
                  "2026年6月底", "逾期", "备注不导入"])  # fmt: skip
    sheet.append([None] * 9)
    sheet.append([2, "运动场不足", "县教体局", None, "张三", None, dt.datetime(2026, 9, 1),
                  "未开始", None])  # fmt: skip
    sheet.append([3])  # pre-numbered empty line of the county's template
    path = tmp_path / "县里的台账.xlsx"
    book.save(path)
    result = read_ledger(path)
    assert result.errors == []
    first, second = result.rows
    assert first.deadline == dt.date(2026, 6, 30) and first.status == Status.IN_PROGRESS
    assert first.responsible_units == ("县财政局", "县住建局", "县编办")
    assert first.leader == "李副县长" and first.problem_key is None
    assert second.deadline == dt.date(2026, 9, 1) and second.status == Status.NOT_STARTED
    assert second.responsible_units == () and second.budget_wan is None


def test_a_bad_workbook_names_every_bad_cell_and_returns_nothing(tmp_path):
    path = write_ledger(ROWS, tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["整改台账"]
    sheet["J3"] = "年底前"  # 完成时限
    sheet["L4"] = "已完成"  # 状态
    sheet["G5"] = None  # 责任人
    sheet["K5"] = "30万元"  # 预算（万元）
    sheet["J5"] = "2026-02-30"
    book.save(path)
    result = read_ledger(path)
    assert result.rows == []
    assert [(e.code, e.row, e.column, e.cell, e.value) for e in result.errors] == [
        ("bad-date", 3, "完成时限", "J3", "年底前"),
        ("bad-enum", 4, "状态", "L4", "已完成"),
        ("missing-value", 5, "责任人", "G5", ""),
        ("bad-date", 5, "完成时限", "J5", "2026-02-30"),
        ("unit-in-value", 5, "预算（万元）", "K5", "30万元"),
    ]
    assert result.errors[0].message == (
        "台账.xlsx 工作表「整改台账」第 3 行「完成时限」列（单元格 J3）："
        "值“年底前”不是日期，应为日期，如 2026-06-30、2026年6月30日或 2026年6月"
    )
    assert result.errors[1].message.endswith(
        "值“已完成”不是可选值，应为未开始、进行中、待验收、已销号之一（“逾期”按进行中导入）"
    )
    assert result.errors[2].message == (
        "台账.xlsx 工作表「整改台账」第 5 行「责任人」列（单元格 G5）："
        "值为空，应填写责任人（整改台账的必填项）"
    )


def test_missing_required_column_and_unreadable_files(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["序号", "问题", "牵头单位", "完成时限", "进展"])
    book.active.append([1, "班额超标", "县教体局", "2026-06-30", ""])
    path = tmp_path / "缺列.xlsx"
    book.save(path)
    result = read_ledger(path)
    assert [(e.code, e.value, e.row) for e in result.errors] == [
        ("missing-column", "责任人", 1),
        ("missing-column", "状态", 1),
    ]
    assert result.rows == []
    fake = tmp_path / "坏.xlsx"
    fake.write_text("不是工作簿", encoding="utf-8")
    assert [e.code for e in read_ledger(fake).errors] == ["unreadable-file"]
    assert [e.code for e in read_ledger(tmp_path / "无.xlsx").errors] == ["path-not-found"]
    assert [e.code for e in read_ledger(tmp_path / "a.csv").errors] == ["path-not-found"]
    (tmp_path / "a.csv").write_text("x", encoding="utf-8")
    assert [e.code for e in read_ledger(tmp_path / "a.csv").errors] == ["unsupported-format"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-30", dt.date(2026, 6, 30)),
        ("2026/6/3", dt.date(2026, 6, 3)),
        ("2026.06.30", dt.date(2026, 6, 30)),
        ("2026年6月30日", dt.date(2026, 6, 30)),
        ("2026年2月", dt.date(2026, 2, 28)),
        ("2028年2月底", dt.date(2028, 2, 29)),
        (46203, dt.date(2026, 6, 30)),
        ("2026-13-01", None),
        ("尽快", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_problem_list_rows_carry_key_and_gap():
    draft = ProblemDraft(
        key="R4/primary/P1",
        kind="indicator",
        category="资源配置",
        item="R4",
        title="P1学校（小学）R4 生均教学及辅助用房面积未达标：4.00，标准 4.5",
        description="",
        school_name="P1学校",
        gap=250.0,
        gap_unit="㎡",
        gap_what="需新建教学及辅助用房",
    )
    missing = ProblemDraft("NA/G7", "missing", "数据缺失", "G7", "G7 无法判定：数据缺失", "")
    (row,) = rows_from_drafts([draft, missing])
    assert row.problem.endswith("；需新建教学及辅助用房 250 ㎡")
    assert (row.number, row.indicator, row.school, row.problem_key) == (
        1,
        "R4",
        "P1学校",
        draft.key,
    )
    assert row.status == Status.NOT_STARTED and row.deadline is None


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=12
)
_UNIT = _TEXT.filter(lambda t: not any(c in t for c in "、，,；;"))


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.builds(
            LedgerRow,
            problem=_TEXT,
            lead_unit=_TEXT,
            person=_TEXT,
            deadline=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
            status=st.sampled_from(list(Status)),
            number=st.none() | st.integers(0, 10**6),
            indicator=st.just("") | _TEXT,
            responsible_units=st.lists(_UNIT, max_size=3).map(tuple),
            budget_wan=st.none() | st.floats(0, 1e7, allow_nan=False, allow_infinity=False),
            measures=st.just("") | _TEXT.map(lambda t: "=" + t),
            problem_key=st.none() | _TEXT,
        ),
        max_size=4,
    )
)
def test_any_ledger_reads_back_exactly(tmp_path_factory, rows):
    path = write_ledger(rows, tmp_path_factory.mktemp("ledger") / "l.xlsx")
    result = read_ledger(path)
    assert result.errors == [] and result.rows == rows
