"""The text of docs/data-format.md: every table, column and fact of the data contract in Chinese.

Generated from `junheng/core/schema.py` (names, labels, types, units, options, lower bounds) and
the intake's rules for writing fact values, so the document cannot drift from the code; a test
compares the file with this function's text.
"""

from __future__ import annotations

from junheng.core.formatting import fmt_plain
from junheng.core.schema import (
    COUNTY_FACTS,
    FALSE_WORDS,
    SCHOOL_FACT_DEFS,
    TABLES,
    TRUE_WORDS,
    Column,
    ColumnType,
    Fact,
    FactType,
)
from junheng.intake.facts import FACT_EXPECTED

COLUMN_TYPE_ZH = {
    ColumnType.TEXT: "文本",
    ColumnType.INT: "整数",
    ColumnType.NUMBER: "数值",
    ColumnType.ENUM: "可选值",
}
FACT_TYPE_ZH = {
    FactType.BOOL: "是/否",
    FactType.NUMBER: "数值",
    FactType.RATIO: "比例",
    FactType.LEVEL: "等级",
    FactType.RATING: "评价",
}

REGENERATE = (
    "    python -c 'from junheng.intake.data_format import data_format_markdown as m; "
    'print(m(), end="")\' > docs/data-format.md'
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "—"


def _meaning(column: Column) -> str:
    parts = [column.description] if column.description else []
    if column.enum:
        parts.append("可填：" + "、".join(f"{zh}（{value}）" for value, zh in column.enum))
    if column.minimum is not None and column.maximum is not None:
        parts.append(f"{fmt_plain(column.minimum)} 到 {fmt_plain(column.maximum)}")
    elif column.minimum is not None:
        parts.append(f"不小于 {fmt_plain(column.minimum)}")
    if column.default is not None:
        parts.append(f"不填时按“{dict(column.enum).get(column.default, column.default)}”")
    return "；".join(parts)


def _words(words: frozenset[str], first: str) -> str:
    """The Chinese spellings of yes (or no), the word itself first, in a fixed order."""
    return "、".join(sorted((w for w in words if not w.isascii()), key=lambda w: (w != first, w)))


def _fact_rows(facts: tuple[Fact, ...]) -> list[str]:
    rows = ["| 指标项（中文） | 英文名 | 类型 | 单位 | 填写方式 |", "|---|---|---|---|---|"]
    for fact in facts:
        rows.append(
            f"| {fact.zh} | `{fact.name}` | {FACT_TYPE_ZH[fact.type]} | {_cell(fact.unit)} | "
            f"{FACT_EXPECTED[fact.type]} |"
        )
    return rows


def data_format_markdown() -> str:
    """The text of docs/data-format.md."""
    lines = [
        "# 数据格式",
        "",
        "评估用的数据是七张表：学校、学段、县级指标（必需），学校指标、满意度调查、"
        "年级在校生、出生人口（可选）。"
        "一个数据集可以是一个文件夹（每张表一个 CSV 文件，文件名用中文表名或英文表名，"
        "如 `学校.csv` 或 `schools.csv`），也可以是一个 .xlsx 工作簿（每张表一个工作表，"
        "工作表名同样用中文或英文表名）。一个数据集可以包含多个县区。",
        "",
        "- 表头用中文列名或英文列名均可，中文列名可带单位，如“教学及辅助用房面积（㎡）”；"
        "表头上方可以有标题行。",
        "- CSV 文件可用 UTF-8、带 BOM 的 UTF-8 或 GBK 编码。",
        "- 可选值填中文或英文均可（如学段填“小学”或 `primary`）。",
        "- 数值可带千位分隔符，不要带单位；没有数据时留空（必填列除外）。",
        "- 数据有错误时不评估，并逐条指出文件、行、列和应填写的内容，错误代码见 "
        "[数据导入错误代码](intake-errors.md)。",
        "",
        "| 表 | 英文表名 | 是否必需 | 内容 |",
        "|---|---|---|---|",
    ]
    for table in TABLES:
        required = "必需" if table.required else "可选"
        lines.append(f"| {table.zh} | `{table.name}` | {required} | {_cell(table.description)} |")
    for table in TABLES:
        lines += [
            "",
            f"## {table.zh}（`{table.name}`）",
            "",
            f"{table.description}。" if table.description else "",
            "",
            "| 列名（中文） | 英文列名 | 类型 | 单位 | 必填 | 说明 |",
            "|---|---|---|---|---|---|",
        ]
        for column in table.columns:
            lines.append(
                f"| {column.zh} | `{column.name}` | {COLUMN_TYPE_ZH[column.type]} | "
                f"{_cell(column.unit)} | {'是' if column.required else '否'} | "
                f"{_cell(_meaning(column))} |"
            )
    lines += [
        "",
        "## 县级指标项",
        "",
        "县级指标表每县每项一行：“指标项”列填下表中的中文名或英文名，“值”列按填写方式填写，"
        "“说明”列可填佐证材料或情况说明。是/否类的值可写 "
        + _words(TRUE_WORDS, "是")
        + "（是）或 "
        + _words(FALSE_WORDS, "否")
        + "（否）。",
        "",
        *_fact_rows(COUNTY_FACTS),
        "",
        "## 学校指标项",
        "",
        "学校指标表每校每项一行，写法与县级指标相同。",
        "",
        *_fact_rows(SCHOOL_FACT_DEFS),
        "",
        "本文件由 `junheng/intake/data_format.py` 根据 `junheng/core/schema.py` 生成"
        "（测试会检查它是否最新），修改数据约定后用以下命令重新生成：",
        "",
        REGENERATE,
    ]
    return "\n".join(lines) + "\n"
