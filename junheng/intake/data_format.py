"""The text of docs/data-format.md: every table, column and fact of the data contract in Chinese.

Generated from `junheng/core/schema.py` (names, labels, types, units, options, lower bounds) and
the intake's rules for writing fact values, so the document cannot drift from the code; a test
compares the file with this function's text.
"""

from __future__ import annotations

from junheng.core.class_sizes import default_rules, describe_target
from junheng.core.formatting import fmt_plain
from junheng.core.schema import (
    CLASS_TARGETS,
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

_SHARE_MAX = fmt_plain(CLASS_TARGETS.column("max_share").maximum or 0)

PLAN_RULES: tuple[str, ...] = (
    "- 日期列（建设项目的计划开工、计划竣工、实际开工、实际竣工）可写 2025-08-31、2025/8/31、"
    "2025年8月31日，或只写到月（2025年8月、2025-08，按该月最后一天计）；读入后一律存为 "
    "YYYY-MM-DD。",
    "- 班级学生数：每个教学班一行，学校须在学校表中；同一学校、年份、年级的班级名称不得重复，"
    "不写班级名称的行不比较。",
    "- 县级教育经费：每县每个财政年度一行。",
    "- 建设项目：项目编号在县内唯一；已有学校填学校标识码（须在学校表中且属于该县区），"
    "新建学校尚无标识码的填新建学校名称，类型为“新建”的还要填所在乡镇；学段只在学校类型"
    "包含该学段时填写；计划竣工不早于计划开工，实际竣工不早于实际开工；项目状态为“已完工”的"
    "须填实际竣工；计划竣工和实际竣工不能都空着。",
    "- 编制与招聘计划：每校每年每学段一行，学段须与学校类型相符；研究生、本科学历两项之和，"
    "体育、音乐、美术教师三项之和，都不能超过计划招聘专任教师数（空着的项不计）。",
    "- 创建目标（班额）：县区自定的目标，每县每个目标年份、班额目标、学段一行（学段空着表示"
    "小学和初中都适用）。“56人以上大班额”等班额目标包括更大的班额（超大班额也计入）；"
    "从目标年份的秋季学期起逐年判断。最多保留班数空着按 0 计（全部消除）；“基本消除”有比例"
    f"要求的填最多保留比例（小于 {_SHARE_MAX}，如 5 表示不超过当年总班数的 5%）。"
    "县区填写了目标的，按本县目标判断，不再使用国家的默认目标（"
    + "；".join(describe_target(target) for target in default_rules().targets)
    + "）；没有填写的县区仍按国家目标判断。",
    "- 导入时，年级在校生、班级学生数、编制与招聘计划按学校，出生人口、县级教育经费、建设项目、"
    "创建目标（班额）按县区替换：文件中给出了某张表的学校或县区，其原有各行全部换成文件中的行；"
    "没有给出该表的"
    "学校和县区保留原有数据（只导入学校表和学段表不会清空这些表）。",
)
"""The rules of the intake for the plan tables, as the document states them."""

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
        "评估用的数据是十二张表：学校、学段、县级指标（必需），学校指标、满意度调查、"
        "年级在校生、出生人口（可选），以及创建规划用的班级学生数、县级教育经费、建设项目、"
        "编制与招聘计划、创建目标（班额）（可选，见文末的填写规则）。"
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
        "## 创建规划表的填写规则",
        "",
        *PLAN_RULES,
        "",
        "本文件由 `junheng/intake/data_format.py` 根据 `junheng/core/schema.py` 生成"
        "（测试会检查它是否最新），修改数据约定后用以下命令重新生成：",
        "",
        REGENERATE,
    ]
    return "\n".join(lines) + "\n"
