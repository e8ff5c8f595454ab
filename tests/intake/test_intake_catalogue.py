"""The error catalogue: every code documented, used, tested; messages and tables render."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import junheng.intake
from junheng.intake import CATALOGUE, Code, IntakeError, errors_to_frame, errors_to_text
from junheng.intake.errors import catalogue_markdown

ROOT = Path(__file__).resolve().parents[2]
INTAKE = Path(junheng.intake.__file__).parent


def _code_references(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Code"
    }


def test_every_code_has_exactly_one_catalogue_entry() -> None:
    assert set(CATALOGUE) == {c.value for c in Code}
    for code, kind in CATALOGUE.items():
        assert kind.code == code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
        assert kind.title and kind.description and kind.template and kind.fix
        assert kind.severity in ("error", "warning")
        fields = {f for _, f, _, _ in string.Formatter().parse(kind.template) if f}
        assert fields <= {"value", "expected"}, code


def test_every_code_used_in_the_reader_is_in_the_catalogue_and_none_is_unused() -> None:
    used: set[str] = set()
    for path in INTAKE.glob("*.py"):
        used |= _code_references(path)
    members = {c.name for c in Code}
    assert used <= members, used - members
    assert members <= used, f"codes never produced: {members - used}"


def test_every_code_is_tested() -> None:
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in Path(__file__).parent.glob("test_*.py")
        if p.name != Path(__file__).name
    )
    untested = [c.value for c in Code if f'"{c.value}"' not in text]
    assert untested == []


def test_documentation_lists_every_code() -> None:
    doc = (ROOT / "docs" / "intake-errors.md").read_text(encoding="utf-8")
    assert doc == catalogue_markdown(), "regenerate docs/intake-errors.md (see its last line)"
    for code, kind in CATALOGUE.items():
        assert f"`{code}`" in doc and kind.title in doc


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        IntakeError("no-such-code", "schools.csv")


def test_message_and_location() -> None:
    cell = IntakeError(
        Code.NOT_AN_INTEGER,
        "segments.csv",
        row=5,
        column="在校生数",
        value="12a",
        expected="不小于 0 的整数",
    )
    assert (
        cell.message == "segments.csv 第 5 行「在校生数」列：值“12a”不是整数，应为不小于 0 的整数"
    )
    assert cell.severity == "error" and cell.code == "not-an-integer"
    in_sheet = IntakeError(
        "not-an-integer", "数据.xlsx", "学段", 5, "在校生数", "12a", "不小于 0 的整数"
    )
    assert in_sheet.location == "数据.xlsx 工作表「学段」第 5 行「在校生数」列"
    at_cell = IntakeError(
        "unit-in-value", "数据.xlsx", "学段", 7, "在校生数", "35人", "只填数字 35", cell="C7"
    )
    assert at_cell.message == (
        "数据.xlsx 工作表「学段」第 7 行「在校生数」列（单元格 C7）："
        "值“35人”带了单位，应只填数字 35"
    )
    header_row = IntakeError(
        Code.MISSING_COLUMN, "数据.xlsx", "学段", 3, value="学段", expected="x", cell="A3"
    )
    assert header_row.location == "数据.xlsx 工作表「学段」第 3 行"
    whole_file = IntakeError(Code.MISSING_TABLE, "data", value="学段", expected="提供 segments.csv")
    assert whole_file.message == "data：缺少「学段」表，应提供 segments.csv"
    assert IntakeError(Code.UNKNOWN_FACT, "county.csv").severity == "warning"


def test_long_values_are_shortened_in_the_message_only() -> None:
    error = IntakeError(Code.NOT_A_NUMBER, "a.csv", row=2, column="x", value="9" * 200)
    assert len(error.value) == 200
    assert "…" in error.message and len(error.message) < 120


def test_error_table_and_text() -> None:
    errors = [
        IntakeError(Code.BAD_ENUM, "schools.csv", row=3, column="kind", value="高中", expected="x"),
        IntakeError(Code.UNKNOWN_COLUMN, "schools.csv", row=1, column="备注", value="备注"),
    ]
    frame = errors_to_frame(errors)
    assert frame.height == 2
    assert frame.get_column("code").to_list() == ["bad-enum", "unknown-column"]
    assert frame.get_column("severity").to_list() == ["error", "warning"]
    assert frame.get_column("row").to_list() == [3, 1]
    assert errors_to_frame([]).columns == frame.columns
    assert frame.get_column("fix").to_list() == [e.fix for e in errors]
    assert frame.get_column("fix").to_list()[0] == CATALOGUE["bad-enum"].fix
    text = errors_to_text(errors)
    lines = text.splitlines()
    assert lines[0].split() == ["序号", "级别", "问题", "说明", "修改建议"]
    assert "错误" in lines[2] and "不在可选值中" in lines[2] and errors[0].message in lines[2]
    assert lines[2].endswith(errors[0].fix) and lines[3].endswith(errors[1].fix)
    assert lines[-1] == "共 1 个错误、1 个警告"
    assert errors_to_text([]) == "未发现问题"
