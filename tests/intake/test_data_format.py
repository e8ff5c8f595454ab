"""docs/data-format.md is the data contract as the code has it, in Chinese."""

from __future__ import annotations

from pathlib import Path

from junheng.core.schema import COUNTY_FACTS, SCHOOL_FACT_DEFS, TABLES
from junheng.intake.data_format import data_format_markdown

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "data-format.md"


def test_file_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == data_format_markdown(), (
        "regenerate docs/data-format.md (see its last line)"
    )


def test_every_table_column_and_fact_is_described() -> None:
    text = data_format_markdown()
    for table in TABLES:
        assert f"## {table.zh}（`{table.name}`）" in text
        for column in table.columns:
            assert f"| {column.zh} | `{column.name}` |" in text
    for fact in (*COUNTY_FACTS, *SCHOOL_FACT_DEFS):
        assert f"| {fact.zh} | `{fact.name}` |" in text


def test_hand_checked_rows() -> None:
    text = data_format_markdown()
    # an integer column with unit and lower bound, required
    assert "| 在校生数 | `students` | 整数 | 人 | 是 | 不小于 0 |" in text
    # an optional enumeration with its default written by its Chinese label
    assert (
        "| 办学性质 | `ownership` | 可选值 | — | 否 | 可填：公办（public）、民办（private）；"
        "不填时按“公办” |"
    ) in text
    # a ratio fact: how to write it comes from the intake's rule
    assert (
        "| 初中三年巩固率 | `junior_retention_rate` | 比例 | — | "
        "0 到 1 之间的小数或百分数（如 0.93 或 93%） |"
    ) in text
    assert "| 特殊教育学校生均公用经费 | `special_ed_funds_per_student_yuan` | 数值 | 元 |" in text
    # the optional tables are marked as such
    assert "| 学校指标 | `school_facts` | 可选 |" in text
    assert "| 学段 | `segments` | 必需 |" in text
