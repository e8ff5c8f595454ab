"""Excel templates for collecting data, and the parts shared with the per-school form.

The county template (`write_county_template`) has one sheet per canonical table, headed exactly as
the reader expects (`Column.header_zh` in row 1), so a filled template is read by
`junheng.intake.reader.read_dataset` like any other workbook. Around that contract the template
helps the person filling it: a 填报说明 sheet explaining every field and where its number comes
from in the 教育事业统计 基层报表, drop-down lists and number checks in Excel, a locked header row,
frozen panes and readable column widths.

Every workbook made here carries a hidden sheet `_模板信息` (kind, version, a checksum of its
structure, school year, school id) so an importer can tell one of our templates from any other
workbook, and an outdated or altered template from a current one (`read_template_info`,
`expected_checksum`, `workbook_checksum`, `template_problems`).
"""

from __future__ import annotations

import hashlib
import math
import os
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.core.schema import (
    BIRTHS,
    CLASS_TARGETS,
    CLASSES,
    COUNTY,
    COUNTY_FACTS,
    FINANCE,
    GRADES,
    KIND_LEVELS,
    LEVELS,
    PLAN_TABLES,
    PROJECTS,
    RATINGS,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS,
    SCHOOLS,
    SEGMENTS,
    SHARED_FACILITY_COLUMNS,
    STAFFING,
    TABLES_BY_NAME,
    Column,
    ColumnType,
    Fact,
    FactType,
    Table,
)
from junheng.files import atomic_file
from junheng.intake import guard
from junheng.intake.errors import IntakeError
from junheng.intake.rules import PROJECT_DATE_COLUMNS
from junheng.intake.sources import cell_text
from junheng.reports.xlsx_cells import keep_texts, put

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from junheng.core.dataset import Dataset

TEMPLATE_VERSION = "2026.1"
"""Raised whenever the layout of a template changes, so older copies can be recognised."""

KIND_COUNTY = "county"
KIND_SCHOOL = "school"
KINDS_ZH: dict[str, str] = {KIND_COUNTY: "县级汇总填报模板", KIND_SCHOOL: "一校一册学校填报表"}

INFO_SHEET = "_模板信息"
GUIDE_SHEET = "填报说明"
COUNTY_TABLES: tuple[Table, ...] = (SCHOOLS, SEGMENTS, COUNTY, SCHOOL_FACTS)
"""Data sheets of the county template, in order; each sheet is named by the table's `zh`."""
OPTIONAL_COUNTY_TABLES: tuple[Table, ...] = (GRADES, BIRTHS, *PLAN_TABLES)
"""Sheets after those of `COUNTY_TABLES` that a county may fill or leave empty. They are not in the
structure checksum unless altered, so county templates made before a sheet was added stay
current (a county without the table works as before)."""

NO_SEGMENT_KINDS: frozenset[str] = frozenset({"special", "vocational"})
"""School kinds listed in the directory but not evaluated, so no data rows are prepared for them."""

IDENTITY_COLUMNS: tuple[str, ...] = (
    "school_id",
    "name",
    "county",
    "kind",
    "parent_id",
    "area_type",
    "ownership",
    "township",
)
"""Columns of the schools table that describe the school rather than this year's data."""

SCHOOL_DATA_COLUMNS: tuple[str, ...] = (*SHARED_FACILITY_COLUMNS, "senior_students")

_INFO_KEYS = {
    "kind": "模板类型",
    "version": "模板版本",
    "checksum": "结构校验码",
    "year": "学年",
    "school_id": "学校标识码",
}

# Colours: orange marks what must be filled, blue what may be, grey what is given.
REQUIRED_FILL = "F8CBAD"
OPTIONAL_FILL = "DDEBF7"
GIVEN_FILL = "EDEDED"
TITLE_FILL = "D9E1F2"

MAX_ROW = 1048576
"""Last row of a worksheet: validations and column formats cover rows the user adds later."""


class FormUnreadable(Exception):
    """The file cannot be opened as a workbook at all (missing, damaged, not .xlsx)."""


class FormRefused(FormUnreadable):
    """The workbook was refused by an intake limit (a zip bomb, too many rows); `error` is the
    intake error naming the file, which the importer lists as it is."""

    def __init__(self, error: IntakeError) -> None:
        super().__init__(error.message)
        self.error = error

    def __reduce__(self) -> tuple[type, tuple[IntakeError]]:
        # Forms are read in worker processes; the error must survive the way back.
        return (type(self), (self.error,))


@dataclass(frozen=True)
class TemplateInfo:
    """What the hidden `_模板信息` sheet of one of our workbooks says about it."""

    kind: str
    """`county` or `school`."""
    version: str
    checksum: str
    """Checksum of the structure the workbook was written with (see `expected_checksum`)."""
    year: str = ""
    school_id: str | None = None

    def is_current(self) -> bool:
        """Written by the current template version with the current structure."""
        return self.version == TEMPLATE_VERSION and self.checksum == expected_checksum(self.kind)


# ---------------------------------------------------------------------------------------------
# Field explanations (the 填报说明 sheet and the form's explanation column)
# ---------------------------------------------------------------------------------------------

_SHARED_ON_SCHOOL = (
    "九年一贯制、十二年一贯制学校和完全中学各学段共用、无法分开统计的设施，可在此整校填报，"
    "系统按评估标准中的学段折算系数分摊到各学段；在此填写后，学段数据中该校对应项须留空。"
    "单学段学校不填此项，在学段数据中填写。"
)
_SHARED_ON_SEGMENT = "一贯制学校已在学校表（学校信息）整校填报此项的，此处留空。"

_SCHOOL_SOURCES: dict[str, str] = {
    "school_id": "全国统一的 10 位学校标识码，以教育事业统计“学校（机构）基本情况”中的标识码为准；"
    "同一数据中不得重复。请按文本填写，保留开头的 0。",
    "name": "学校全称，与教育事业统计中的学校名称一致。",
    "county": "学校所在县（市、区）的名称或代码；全表写法保持一致，并与县级指标表一致。",
    "kind": "按教育事业统计中的学校类型选择。特殊教育学校、职业学校只列入名录，"
    "不参与义务教育学校的评估，无需填写学段数据。",
    "parent_id": "仅教学点填写：所属中心校（完小）的学校标识码；其他学校留空。",
    "area_type": "按国家统计局统计用区划和城乡划分代码：城区（111、112）、镇区（121、122、123）、"
    "乡村（210、220），与教育事业统计一致。",
    "ownership": "公办（教育部门和其他部门举办）或民办；不填视为公办。",
    "township": "学校所在乡镇（街道）名称，可不填。",
    "senior_students": "十二年一贯制学校、完全中学的高中在校生数，用于共用设施在高中与义务教育学段"
    "之间分摊；其他学校不填。",
    **dict.fromkeys(SHARED_FACILITY_COLUMNS, _SHARED_ON_SCHOOL),
}

_SEGMENT_SOURCES: dict[str, str] = {
    "school_id": "与学校表中的学校标识码一致。",
    "level": "小学或初中。九年一贯制、十二年一贯制学校每个学段各填一行；教学点只填小学。",
    "students": "教育事业统计基层报表中该学段的在校生数合计（学年初统计时点）。",
    "classes": "基层报表“教学班数、班额情况”中该学段的班数合计。",
    "max_class_size": "该学段人数最多的一个教学班的学生数（按班级名册），用于大班额检查。",
    "teachers": "基层报表“教职工数”中该学段的专任教师数，不含代课、兼任教师。",
    "teachers_postgraduate": "基层报表“专任教师学历”中研究生毕业（含博士、硕士）人数。",
    "teachers_bachelor": "基层报表“专任教师学历”中本科毕业人数。",
    "teachers_associate": "基层报表“专任教师学历”中专科毕业人数。",
    "teachers_below_associate": "基层报表“专任教师学历”中高中阶段毕业及以下人数。"
    "四项学历人数之和应等于专任教师数。",
    "backbone_teachers": "经县级及以上教育行政部门认定、仍在有效期内的骨干教师"
    "（含学科带头人、名师等），以认定文件为准；不超过专任教师数。",
    "pe_teachers": "基层报表“分课程专任教师数”中主要任教体育（与健康）课的专任教师数。",
    "music_teachers": "基层报表“分课程专任教师数”中主要任教音乐课的专任教师数。",
    "fine_art_teachers": "基层报表“分课程专任教师数”中主要任教美术课的专任教师数。",
    "arts_teachers": "开设艺术（综合）课程的学校填写该课程专任教师数；未开设的不填。",
    "teaching_aux_area_m2": "基层报表“校舍情况”中的教学及辅助用房面积（普通教室、专用教室、"
    "公共教学用房等），按学段分开统计。",
    "sports_ground_area_m2": "室外体育运动场地面积（田径场、球场等），即基层报表“办学条件”中"
    "体育运动场（馆）面积的室外部分。",
    "indoor_sports_area_m2": "室内体育用房（体育馆、风雨操场等）面积，与室外场地面积合计即"
    "体育运动场（馆）面积；没有的填 0。",
    "equipment_value_yuan": "基层报表“办学条件”中的教学仪器设备资产值。注意：统计报表以万元为单位，"
    "此处填元（万元 × 10000）。",
    "multimedia_rooms": "基层报表“办学条件”中的网络多媒体教室数。",
    "music_rooms": "按学校装备台账，达到配备标准的音乐专用教室间数。",
    "music_room_min_area_m2": "音乐专用教室中使用面积最小一间的面积，用于专用教室面积检查；"
    "没有音乐专用教室的不填。",
    "art_rooms": "按学校装备台账，达到配备标准的美术专用教室间数。",
    "art_room_min_area_m2": "美术专用教室中使用面积最小一间的面积，用于专用教室面积检查；"
    "没有美术专用教室的不填。",
}
for _name in SHARED_FACILITY_COLUMNS:
    _SEGMENT_SOURCES[_name] += _SHARED_ON_SEGMENT

_LONG_SOURCES: dict[str, str] = {
    "county": "县（市、区）名称，与学校表中的县区一致。",
    "school_id": "与学校表中的学校标识码一致。",
    "fact": "指标项名称，已按模板预先列出，请勿改动。",
    "value": "按该指标项的要求填写（见下方各指标项说明）；暂无数据的留空，不要填 0。",
    "note": "佐证材料或数据来源（文件名称、文号、统计口径等），可不填。",
}

_PROJECT_DATE_SOURCES: dict[str, str] = {
    "planned_start": "计划开工日期。只写到月时按该月最后一天计。",
    "planned_finish": "计划竣工日期：8 月 31 日及以前竣工的，新增的学位、校舍和设备计入"
    "当年秋季学期，之后竣工的计入下一学年。只写到月时按该月最后一天计。",
    "actual_start": "实际开工日期，未开工的空着。",
    "actual_finish": "实际竣工日期，未竣工的空着；项目状态为“已完工”的必须填写。",
}
"""What each date column of 建设项目 means (how to write a date is said once, by
`column_allowed`)."""

_FACT_SOURCES: dict[str, str] = {
    "layout_plan_ok": "G1。县级人民政府印发的义务教育学校布局规划；佐证文件写在“说明”。",
    "unified_standards_ok": "G2。县域内城乡学校建设、教师编制、生均公用经费、装备配置标准"
    "统一的文件。",
    "staffing_allocation_ok": "G10。县级教育部门统筹分配各校教职工编制和岗位数量的文件。",
    "small_school_funding_ok": "G6。财政拨款文件：不足 100 名学生的村小学和教学点按 100 名学生"
    "核定公用经费。",
    "special_ed_funds_per_student_yuan": "G7。特殊教育学校生均公用经费拨款标准（元/生·年）。",
    "teacher_avg_pay_yuan": "G8。县域义务教育学校教师年平均工资收入（元），人社、财政部门口径。",
    "civil_servant_avg_pay_yuan": "G8。当地公务员年平均工资收入（元），与教师工资同一口径。",
    "performance_pay_full": "G8。教师绩效工资总量是否按规定核定到位。",
    "training_360h_rate": "G9。完成 5 年 360 学时培训的教师占比，按教师培训管理系统统计。",
    "rotation_rate": "G11。上一学年交流轮岗教师数 ÷ 符合交流条件的教师数。",
    "rotation_backbone_share": "G11。交流轮岗教师中县级及以上骨干教师所占比例。",
    "certified_teacher_rate": "G12。持有教师资格证的专任教师占专任教师总数的比例。",
    "nearby_admission_rate_primary": "G13。城区和镇区公办小学就近划片入学的学生占比。",
    "nearby_admission_rate_junior": "G13。城区和镇区公办初中就近划片入学的学生占比。",
    "quota_allocation_rate": "G14。优质普通高中招生名额分配到县域内初中的比例。",
    "migrant_public_rate": "G15。符合条件的随迁子女在公办学校和政府购买学位就读的比例。",
    "left_behind_care_ok": "G15。农村留守儿童关爱体系是否健全。",
    "junior_retention_rate": "Q1。初中三年巩固率：毕业年级学生数 ÷ 三年前初一入学学生数。",
    "disabled_enrolment_rate": "Q2。残疾儿童少年入学率。",
    "ict_use_ok": "Q5。教师能熟练运用信息化手段组织教学，设施设备利用率达到较高水平。",
    "curriculum_ok": "Q7。按国家要求开齐开足课程，教学秩序规范。",
    "burden_ok": "Q8。学生无过重课业负担。",
    "monitoring_level_min": "Q9。国家义务教育质量监测报告中本县各相关科目学生学业水平的最低等级。",
    "monitoring_school_diff_rate": "Q9。国家义务教育质量监测报告中的校际差异率（小数）。",
    "recognition_rate": "S1。社会认可度调查结果；已在本系统内开展满意度调查的可不填。",
    "veto_exam_admission": "一票否决。存在以考试方式招生的，填“是”。",
    "veto_school_choice": "一票否决。存在违规择校行为的，填“是”。",
    "veto_key_classes": "一票否决。存在设置重点学校或重点班的，填“是”。",
    "veto_unfilled_posts": "一票否决。存在有编不补、长期聘用编外教师的，填“是”。",
    "veto_major_accident": "一票否决。发生重大安全责任事故或严重违纪违规事件的，填“是”。",
    "veto_falsification": "一票否决。存在弄虚作假行为的，填“是”。",
    "has_charter": "Q3。学校制定章程并按章程办学。",
    "digitised_ok": "Q3。学校管理与教学实现信息化。",
    "training_budget_share": "Q4。年度教师培训经费占年度公用经费预算总额的比例（不低于 5%）。",
    "moral_education_rating": "Q6。县级对学校德育工作、校园文化建设水平的评价等级。",
}

_FACT_ALLOWED: dict[FactType, str] = {
    FactType.BOOL: "从下拉列表选择：是、否",
    FactType.NUMBER: "不小于 0 的数值",
    FactType.RATIO: "0 到 1 之间的小数或百分数（如 0.93 或 93%）",
    FactType.LEVEL: "1 到 4 的整数（对应Ⅰ–Ⅳ级）",
    FactType.RATING: "从下拉列表选择：" + "、".join(RATINGS),
}


def column_source(table: str, column: str) -> str:
    """What a column means and where its number comes from (for guides and form notes)."""
    if table == SCHOOLS.name:
        return _SCHOOL_SOURCES.get(column, "")
    if table == SEGMENTS.name:
        return _SEGMENT_SOURCES.get(column, "")
    if table in (COUNTY.name, SCHOOL_FACTS.name):
        return _LONG_SOURCES.get(column, "")
    if table == PROJECTS.name and column in _PROJECT_DATE_SOURCES:
        return _PROJECT_DATE_SOURCES[column]
    # The optional tables are explained by the schema's descriptions; a key column without one
    # as in the long tables.
    described = TABLES_BY_NAME.get(table)
    if described is not None and column in described.names and described.column(column).description:
        return described.column(column).description
    return _LONG_SOURCES.get(column, "") if column in ("county", "school_id") else ""


def fact_source(fact: Fact) -> str:
    return _FACT_SOURCES.get(fact.name, "")


DATE_ALLOWED = "日期，如 2025-08-31 或 2025年8月"


def column_allowed(column: Column) -> str:
    """The values a column accepts, in words."""
    if column.name in PROJECT_DATE_COLUMNS:
        return DATE_ALLOWED
    if column.type == ColumnType.ENUM:
        return "从下拉列表选择：" + "、".join(zh for _, zh in column.enum)
    if column.type == ColumnType.INT and column.maximum is not None:
        return f"{column.minimum or 0:g} 到 {column.maximum:g} 的整数"
    if column.type == ColumnType.INT and column.minimum:
        return f"不小于 {column.minimum:g} 的整数"
    if column.type == ColumnType.INT:
        return "不小于 0 的整数" if column.minimum is not None else "整数"
    if column.type == ColumnType.NUMBER:
        return "不小于 0 的数值" if column.minimum is not None else "数值"
    return "文本"


def fact_allowed(fact: Fact) -> str:
    return _FACT_ALLOWED[fact.type]


# ---------------------------------------------------------------------------------------------
# Excel data validation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One Excel data validation; equal rules share one DataValidation object."""

    type: str
    formula1: str
    formula2: str | None = None
    operator: str | None = None
    prompt_title: str = ""
    prompt: str = ""
    error: str = ""
    number_format: str | None = None

    def validation(self, refs: Sequence[str]) -> Any:
        """The openpyxl DataValidation of this rule over cell ranges such as "C2:C9"."""
        from openpyxl.worksheet.datavalidation import DataValidation

        # Excel refuses titles over 32 characters and messages over 255. A rule without a type
        # only shows its prompt (any value is accepted).
        return DataValidation(
            sqref=" ".join(refs),
            type=self.type or None,
            formula1=self.formula1 or None,
            formula2=self.formula2,
            operator=self.operator,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=bool(self.prompt),
            errorStyle="stop",
            errorTitle="输入的值无效",
            error=self.error[:225],
            promptTitle=self.prompt_title[:32] or None,
            prompt=self.prompt[:255] or None,
        )


def _list_rule(title: str, options: Sequence[str]) -> Rule:
    words = "、".join(options)
    return Rule(
        "list",
        '"' + ",".join(options) + '"',
        prompt_title=title,
        prompt=f"请从下拉列表中选择：{words}",
        error=f"只能填写：{words}。请点击单元格右侧的箭头从列表中选择。",
    )


def _unit_text(unit: str) -> str:
    return f"（单位：{unit}）" if unit else ""


def column_rule(column: Column, title: str | None = None) -> Rule | None:
    """Validation of a schema column's cells; None for free text."""
    title = column.zh if title is None else title
    unit = _unit_text(column.unit)
    if column.name in PROJECT_DATE_COLUMNS:
        # Excel's date validation would refuse "2025年8月", which the reader accepts.
        return Rule(
            "",
            "",
            prompt_title=title,
            prompt=f"请填写{DATE_ALLOWED}；只写到月时按该月最后一天计。",
        )
    if column.type == ColumnType.ENUM:
        return _list_rule(title, [zh for _, zh in column.enum])
    if column.type in (ColumnType.INT, ColumnType.NUMBER):
        whole = column.type == ColumnType.INT
        kind = "整数" if whole else "数值"
        minimum = 0 if column.minimum is None else column.minimum
        if column.maximum is not None:
            return Rule(
                "whole" if whole else "decimal",
                f"{minimum:g}",
                f"{column.maximum:g}",
                operator="between",
                prompt_title=title,
                prompt=f"请填写 {minimum:g} 到 {column.maximum:g} 的{kind}{unit}。",
                error=f"应填写 {minimum:g} 到 {column.maximum:g} 的{kind}{unit}，不要带文字。",
                number_format="0" if whole else "General",
            )
        return Rule(
            "whole" if whole else "decimal",
            f"{minimum:g}",
            operator="greaterThanOrEqual",
            prompt_title=title,
            prompt=f"请填写不小于 {minimum:g} 的{kind}{unit}；没有的填 0，暂无数据的留空。",
            error=f"应填写不小于 {minimum:g} 的{kind}{unit}，不要带单位或文字。",
            number_format="0" if whole else "General",
        )
    return None


def fact_rule(fact: Fact, title: str = "值") -> Rule:
    """Validation of a fact's value cell."""
    unit = _unit_text(fact.unit)
    if fact.type == FactType.BOOL:
        return _list_rule(title, ["是", "否"])
    if fact.type == FactType.RATING:
        return _list_rule(title, list(RATINGS))
    if fact.type == FactType.LEVEL:
        return Rule(
            "whole",
            "1",
            "4",
            operator="between",
            prompt_title=title,
            prompt="请填写 1 到 4 的等级（Ⅰ级填 1，Ⅳ级填 4）。",
            error="等级应为 1 到 4 的整数（Ⅰ级填 1，Ⅳ级填 4）。",
        )
    if fact.type == FactType.RATIO:
        # Excel stores 93% as 0.93, so the cell accepts both spellings as a number from 0 to 1.
        return Rule(
            "decimal",
            "0",
            "1",
            operator="between",
            prompt_title=title,
            prompt="请填写比例：0 到 1 之间的小数或百分数，如 0.93 或 93%。",
            error="比例应为 0 到 1 之间的小数或百分数（如 0.93 或 93%），不要带文字。",
            number_format="0.00%",
        )
    return Rule(
        "decimal",
        "0",
        operator="greaterThanOrEqual",
        prompt_title=title,
        prompt=f"请填写不小于 0 的数值{unit}。",
        error=f"应填写不小于 0 的数值{unit}，不要带单位或文字。",
    )


def add_validations(ws: Worksheet, ranges: dict[Rule, list[str]]) -> None:
    """Attach one DataValidation per rule, covering all of that rule's cell ranges."""
    for rule, refs in ranges.items():
        if not refs:
            continue
        ws.add_data_validation(rule.validation(refs))


def row_runs(column: str, rows: Iterable[int]) -> list[str]:
    """Ranges of consecutive rows in one column: rows 2, 3, 4, 7 of C → C2:C4, C7."""
    ordered = sorted(set(rows))
    refs: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        start, end = ordered[i], ordered[j]
        refs.append(f"{column}{start}" if start == end else f"{column}{start}:{column}{end}")
        i = j + 1
    return refs


# ---------------------------------------------------------------------------------------------
# Cell values and styles
# ---------------------------------------------------------------------------------------------


def column_cell(column: Column, value: object) -> object:
    """A canonical value as it should appear in a template cell (Chinese labels for enums)."""
    if value is None:
        return None
    if column.type == ColumnType.ENUM:
        return column.enum_zh(str(value))
    if column.type == ColumnType.TEXT:
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if column.type == ColumnType.INT else float(value)
    return value


def fact_cell(fact: Fact, value: object) -> object:
    """A typed fact value as it should appear in a template cell (是/否 for yes/no items)."""
    if value is None:
        return None
    if fact.type == FactType.BOOL:
        return "是" if value else "否"
    if fact.type == FactType.LEVEL and isinstance(value, int | float):
        return int(value)
    if fact.type in (FactType.NUMBER, FactType.RATIO) and isinstance(value, int | float):
        return float(value)
    return str(value)


def text_width(text: object) -> int:
    """Display width of text in a column: CJK and full-width characters take two places."""
    width = 0
    for char in str(text or ""):
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# Cell styles by name. Setting fonts, fills and borders cell by cell makes openpyxl compare style
# objects for every cell (most of the writing time), and named styles slow down every later
# opening of the file; so each style is built once per workbook and its style array copied.
STYLE_HEADER_REQUIRED = "表头（必填）"
STYLE_HEADER_OPTIONAL = "表头（选填）"
STYLE_HEADER = "表头"
STYLE_TITLE = "模板标题"
STYLE_PARAGRAPH = "说明段落"
STYLE_GUIDE = "说明表格"
STYLE_GUIDE_REQUIRED = "说明表格（必填）"
STYLE_ENTRY = "填写"
STYLE_ENTRY_TEXT = "填写（文本）"
STYLE_PREPARED = "预填"
STYLE_GIVEN = "已给出"
STYLE_LABEL_REQUIRED = "项目（必填）"
STYLE_LABEL_OPTIONAL = "项目（选填）"
STYLE_EXPLANATION = "填写说明"
STYLE_SECTION = "分节标题"
STYLE_SECTION_NOTE = "分节说明"


def fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", start_color=colour, end_color=colour)


@cache
def _style_specs() -> dict[str, dict[str, Any]]:
    from openpyxl.styles import Alignment, Border, Font, Protection, Side

    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    locked = Protection(locked=True)
    unlocked = Protection(locked=False)
    centre = Alignment(vertical="center")
    wrapped = Alignment(vertical="center", wrap_text=True)
    heading = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top = Alignment(vertical="top", wrap_text=True)
    bold = Font(bold=True)
    specs: dict[str, dict[str, Any]] = {
        STYLE_HEADER_REQUIRED: {"font": bold, "fill": fill(REQUIRED_FILL)},
        STYLE_HEADER_OPTIONAL: {"font": bold, "fill": fill(OPTIONAL_FILL)},
        STYLE_HEADER: {"font": bold, "fill": fill(TITLE_FILL)},
    }
    for spec in specs.values():
        spec.update(alignment=heading, border=box, protection=locked)
    grey = fill(GIVEN_FILL)
    return specs | {
        STYLE_TITLE: {"font": Font(bold=True, size=14), "protection": locked},
        STYLE_PARAGRAPH: {"alignment": top, "protection": locked},
        STYLE_GUIDE: {"alignment": top, "border": box, "protection": locked},
        STYLE_GUIDE_REQUIRED: {
            "alignment": top,
            "border": box,
            "fill": fill(REQUIRED_FILL),
            "protection": locked,
        },
        STYLE_ENTRY: {"alignment": centre, "protection": unlocked},
        STYLE_ENTRY_TEXT: {"alignment": centre, "protection": unlocked, "number_format": "@"},
        STYLE_PREPARED: {
            "alignment": centre,
            "fill": grey,
            "protection": unlocked,
            "number_format": "@",
        },
        STYLE_GIVEN: {"alignment": centre, "fill": grey, "protection": locked},
        STYLE_LABEL_REQUIRED: {
            "alignment": wrapped,
            "fill": fill(REQUIRED_FILL),
            "font": bold,
            "protection": locked,
        },
        STYLE_LABEL_OPTIONAL: {
            "alignment": wrapped,
            "fill": fill(OPTIONAL_FILL),
            "protection": locked,
        },
        STYLE_EXPLANATION: {
            "alignment": wrapped,
            "font": Font(size=9, color="595959"),
            "protection": locked,
        },
        STYLE_SECTION: {
            "alignment": wrapped,
            "fill": fill(TITLE_FILL),
            "font": bold,
            "protection": locked,
        },
        STYLE_SECTION_NOTE: {"alignment": wrapped, "fill": fill(TITLE_FILL), "protection": locked},
    }


_PREPARED_STYLES: weakref.WeakKeyDictionary[Any, dict[tuple[str, str | None], Any]] = (
    weakref.WeakKeyDictionary()
)
"""Per workbook, the style array of each (style, number format) already built."""


def set_style(cell: Any, name: str, number_format: str | None = None) -> None:
    """Give a cell one of the styles above (optionally with another number format)."""
    prepared = _PREPARED_STYLES.setdefault(cell.parent.parent, {})
    key = (name, number_format)
    array = prepared.get(key)
    if array is not None:
        cell._style = copy(array)
        return
    for attribute, value in _style_specs()[name].items():
        setattr(cell, attribute, value)
    if number_format is not None:
        cell.number_format = number_format
    prepared[key] = copy(cell._style)


def header_height(texts: Sequence[tuple[str, float]]) -> float:
    """Row height (points) that shows wrapped header texts given (text, column width) pairs."""
    lines = max((math.ceil(text_width(t) / max(w - 1, 1)) for t, w in texts), default=1)
    return 15.0 * max(lines, 1) + 6


def protect(ws: Worksheet, *, rows: bool = True) -> None:
    """Protect locked cells (no password) but leave formatting to the user and, with `rows`,
    sorting, filtering and adding or removing rows (lists, not fixed forms)."""
    protection = ws.protection
    protection.sheet = True
    # In the protection record True means "prevented".
    protection.formatCells = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.insertRows = not rows
    protection.deleteRows = not rows
    protection.sort = not rows
    protection.autoFilter = not rows


def note(text: str) -> Any:
    from openpyxl.comments import Comment

    comment = Comment(text, "填报模板")
    comment.width = 260
    comment.height = max(80, 20 * math.ceil(text_width(text) / 36) + 20)
    return comment


# ---------------------------------------------------------------------------------------------
# Template information and checksums
# ---------------------------------------------------------------------------------------------


def structure_checksum(kind: str, version: str, sheets: Sequence[tuple[str, Sequence[str]]]) -> str:
    """First 16 hex characters of sha256 over kind, version and each sheet's name and header
    texts, with separators that cannot occur in a cell so that no two structures collide."""
    digest = hashlib.sha256()
    for part in (kind, version):
        digest.update(part.encode("utf-8") + b"\x1e")
    for name, texts in sheets:
        digest.update(name.encode("utf-8") + b"\x1d")
        for text in texts:
            digest.update(text.encode("utf-8") + b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def _county_structure() -> list[tuple[str, list[str]]]:
    return [(t.zh, [c.header_zh for c in t.columns]) for t in COUNTY_TABLES]


def expected_checksum(kind: str) -> str:
    """The checksum a current template of this kind (`county` or `school`) carries."""
    if kind == KIND_COUNTY:
        return structure_checksum(kind, TEMPLATE_VERSION, _county_structure())
    if kind == KIND_SCHOOL:
        from junheng.intake.school_form import form_structure

        return structure_checksum(kind, TEMPLATE_VERSION, form_structure())
    raise ValueError(f"未知的模板类型：{kind!r}")


def write_info_sheet(workbook: Workbook, info: TemplateInfo) -> None:
    """The hidden `_模板信息` sheet: one key/value row per field of `info`."""
    ws = workbook.create_sheet(INFO_SHEET)
    ws.append(["项目", "值", "说明"])
    ws.append([_INFO_KEYS["kind"], info.kind, KINDS_ZH.get(info.kind, "")])
    ws.append([_INFO_KEYS["version"], info.version, "模板版本，用于识别旧版模板"])
    ws.append([_INFO_KEYS["checksum"], info.checksum, "工作表名称和表头的校验码，请勿修改"])
    ws.append([_INFO_KEYS["year"], info.year, ""])
    if info.school_id is not None:
        ws.append([_INFO_KEYS["school_id"], info.school_id, ""])
    keep_texts(ws)
    for cell in ws["B"]:
        cell.number_format = "@"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 40
    ws.sheet_state = "hidden"
    protect(ws, rows=False)


def _open(source: Path | str | Workbook) -> tuple[Any, bool]:
    """The workbook and whether it was opened here (and must be closed here)."""
    if not isinstance(source, str | os.PathLike):
        return source, False
    path = Path(source)
    if not path.is_file():
        raise FormUnreadable(f"找不到文件“{path.name}”。")
    refused = guard.check_archive(path)
    if refused is not None:
        raise FormRefused(refused)
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True), True
    except Exception as exc:
        # openpyxl raises many unrelated types for damaged or foreign files; all mean the same.
        raise FormUnreadable(
            f"无法打开“{path.name}”：不是有效的 .xlsx 工作簿，或文件已损坏、被其他程序占用"
            f"（{type(exc).__name__}）。"
        ) from exc


def _close(workbook: Any, opened: bool) -> None:
    if opened and hasattr(workbook, "close"):
        workbook.close()


def info_from_workbook(workbook: Any) -> TemplateInfo | None:
    if INFO_SHEET not in workbook.sheetnames:
        return None
    values: dict[str, str] = {}
    for row in workbook[INFO_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
        if len(row) < 2 or row[0] is None:
            continue
        key = str(row[0]).strip()
        text = cell_text(row[1])
        values.setdefault(key, "" if text is None else text.strip())
    keys = _INFO_KEYS
    if not all(values.get(keys[k]) for k in ("kind", "version", "checksum")):
        return None
    return TemplateInfo(
        kind=values[keys["kind"]],
        version=values[keys["version"]],
        checksum=values[keys["checksum"]],
        year=values.get(keys["year"], ""),
        school_id=values.get(keys["school_id"]) or None,
    )


def read_template_info(source: Path | str | Workbook) -> TemplateInfo | None:
    """The `_模板信息` of a workbook (path or open openpyxl workbook); None when the workbook is
    not one of our templates. Raises `FormUnreadable` for a path that cannot be opened."""
    workbook, opened = _open(source)
    try:
        return info_from_workbook(workbook)
    finally:
        _close(workbook, opened)


def _texts(values: Iterable[object]) -> list[str]:
    texts = ["" if v is None else (cell_text(v) or "") for v in values]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def sheet_header(ws: Any) -> list[str]:
    """Texts of row 1, without trailing empty cells."""
    for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
        return _texts(row)
    return []


def workbook_checksum(source: Path | str | Workbook, kind: str | None = None) -> str | None:
    """The checksum of the structure the workbook has now (headers as they are in the file).

    Equal to `expected_checksum(kind)` for an unaltered current template. `kind` defaults to the
    one recorded in `_模板信息`; None when it is unknown or a data sheet is missing.
    """
    workbook, opened = _open(source)
    try:
        if kind is None:
            info = info_from_workbook(workbook)
            kind = info.kind if info is not None else None
        if kind == KIND_COUNTY:
            sheets: list[tuple[str, list[str]]] = []
            for table in COUNTY_TABLES:
                if table.zh not in workbook.sheetnames:
                    return None
                sheets.append((table.zh, sheet_header(workbook[table.zh])))
            for table in OPTIONAL_COUNTY_TABLES:
                if table.zh not in workbook.sheetnames:
                    continue
                header = sheet_header(workbook[table.zh])
                if header != [c.header_zh for c in table.columns]:
                    # An altered optional sheet changes the checksum like any other.
                    sheets.append((table.zh, header))
            return structure_checksum(kind, TEMPLATE_VERSION, sheets)
        if kind == KIND_SCHOOL:
            from junheng.intake.school_form import workbook_structure

            structure = workbook_structure(workbook)
            if structure is None:
                return None
            return structure_checksum(kind, TEMPLATE_VERSION, structure)
        return None
    finally:
        _close(workbook, opened)


def info_problems(info: TemplateInfo | None, kind: str) -> list[str]:
    """Chinese descriptions of what is wrong with a template's recorded information."""
    if info is None:
        return [
            f"该文件不是本系统生成的{KINDS_ZH[kind]}（缺少隐藏的“{INFO_SHEET}”工作表），"
            "请使用县教育局下发的模板填报。"
        ]
    if info.kind != kind:
        found = KINDS_ZH.get(info.kind, info.kind)
        return [f"该文件是{found}，不是{KINDS_ZH[kind]}。"]
    if info.version != TEMPLATE_VERSION:
        return [
            f"该文件使用的模板版本为 {info.version}，当前版本为 {TEMPLATE_VERSION}，"
            "请使用新版模板重新填报或由系统转换。"
        ]
    if info.checksum != expected_checksum(kind):
        return ["模板的结构校验码与当前版本不一致，模板可能被改动过，请使用县教育局下发的模板。"]
    return []


def template_problems(source: Path | str | Workbook, kind: str = KIND_COUNTY) -> list[str]:
    """Chinese descriptions of why a workbook is not a current, unaltered template of `kind`;
    empty when it is one. Raises `FormUnreadable` for a path that cannot be opened."""
    workbook, opened = _open(source)
    try:
        info = info_from_workbook(workbook)
        problems = info_problems(info, kind)
        if problems:
            return problems
        if workbook_checksum(workbook, kind) != expected_checksum(kind):
            problems.append(
                "工作表名称或表头（项目名称）被改动过，与模板不一致；请恢复原表头，"
                "或把数据复制到新模板中。"
            )
        return problems
    finally:
        _close(workbook, opened)


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------


def save_workbook(workbook: Workbook, path: Path) -> Path:
    """Save through a temporary file in the target folder, so a reader never sees half a file."""
    path = Path(path)
    with atomic_file(path) as tmp:
        workbook.save(tmp)
    return path


# ---------------------------------------------------------------------------------------------
# The guide sheet
# ---------------------------------------------------------------------------------------------

GuideRow = tuple[str, str, str, str, str, str]
"""(sheet, field, unit, required, allowed values, meaning and source)."""

_GUIDE_HEADERS = ("工作表", "字段（表头）", "单位", "是否必填", "填写要求", "含义与数据来源")
_GUIDE_WIDTHS = (12, 30, 8, 10, 30, 70)


def write_guide(
    ws: Worksheet, title: str, paragraphs: Sequence[str], rows: Sequence[GuideRow]
) -> None:
    """A readable guide: title, numbered instructions, then a table explaining every field."""
    last = len(_GUIDE_HEADERS)
    for i, width in enumerate(_GUIDE_WIDTHS, start=1):
        ws.column_dimensions[_letter(i)].width = width
    total = sum(_GUIDE_WIDTHS)
    set_style(put(ws, 1, 1, title), STYLE_TITLE)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 24
    row = 2
    for i, text in enumerate(paragraphs, start=1):
        cell = put(ws, row, 1, f"{i}. {text}")
        set_style(cell, STYLE_PARAGRAPH)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        ws.row_dimensions[row].height = 15.0 * math.ceil(text_width(cell.value) / (total - 4)) + 4
        row += 1
    row += 1
    for col, text in enumerate(_GUIDE_HEADERS, start=1):
        set_style(put(ws, row, col, text), STYLE_HEADER)
    header_row = row
    for values in rows:
        row += 1
        required = values[3].startswith("是")
        lines = 1
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            set_style(cell, STYLE_GUIDE_REQUIRED if required and col == 4 else STYLE_GUIDE)
            width = _GUIDE_WIDTHS[col - 1]
            lines = max(lines, math.ceil(text_width(value) / max(width - 1, 1)))
        ws.row_dimensions[row].height = 15.0 * lines + 3
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    protect(ws)


def required_text(required: bool) -> str:
    return "是" if required else "否"


def column_guide_rows(table: Table, sheet: str | None = None) -> list[GuideRow]:
    sheet = table.zh if sheet is None else sheet
    return [
        (
            sheet,
            c.header_zh,
            c.unit,
            required_text(c.required),
            column_allowed(c),
            column_source(table.name, c.name) or c.description,
        )
        for c in table.columns
    ]


def fact_guide_rows(facts: Sequence[Fact], sheet: str) -> list[GuideRow]:
    rows: list[GuideRow] = []
    for fact in facts:
        optional = fact.name == "recognition_rate"
        rows.append(
            (
                sheet,
                f"指标项：{fact.zh}",
                fact.unit or ("比例" if fact.type == FactType.RATIO else ""),
                "否（系统内已开展调查的不填）" if optional else "是（缺失则该项无法判定）",
                fact_allowed(fact),
                fact_source(fact),
            )
        )
    return rows


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# ---------------------------------------------------------------------------------------------
# The county template
# ---------------------------------------------------------------------------------------------

_COUNTY_PARAGRAPHS = (
    "本工作簿用于填报县域义务教育优质均衡发展评估所需数据，包含“学校”“学段”“县级指标”“学校指标”"
    "四张数据表，以及可选的“年级在校生”“出生人口”“班级学生数”“县级教育经费”“建设项目”"
    "“编制与招聘计划”表。请在对应工作表中填写，不要修改第 1 行表头，不要重命名或删除工作表。",
    "橙色表头为必填列，蓝色表头为选填列；把鼠标停在表头上可看到该列的说明。"
    "空白单元格表示“未填报”，不会当作 0 处理；确实为 0 的请填 0。",
    "带下拉箭头的单元格请从列表中选择；数值列只能填不小于 0 的数字，不要带单位或文字。"
    "学校标识码按文本填写，保留开头的 0。",
    "“学段”表每校每个学段一行：九年一贯制、十二年一贯制学校填小学、初中两行，教学点只填小学；"
    "特殊教育学校、职业学校不填学段数据。已按学校名录预先列出学校标识码和学段。",
    "一贯制学校各学段共用、无法分开统计的设施（教学及辅助用房、体育运动场地、教学仪器设备、"
    "网络多媒体教室）可在“学校”表整校填报，此时“学段”表中该校对应项留空；两处都填会被判为错误。",
    "“县级指标”“学校指标”为长表，每行一个指标项：只在“值”列填写，“说明”列可填写佐证材料或数据来源。"
    "是/否项从下拉列表选择；比例可填小数或百分数（如 0.93 或 93%）。",
    "“年级在校生”表可不填：填写近 3–5 年各校各年级的在校生数（每校每年每个年级一行，年级填 1–9，"
    "初中七至九年级填 7–9），系统据此预测目标年的在校生数；“出生人口”表也可不填，填写后一年级新生"
    "按年满 6 周岁（8 月 31 日为界）的儿童数推算。",
    "“班级学生数”“县级教育经费”“建设项目”“编制与招聘计划”是创建规划用的表，可不填："
    "班级学生数每个教学班一行；县级教育经费每县每个财政年度一行；建设项目每个项目一行，"
    "已有学校填学校标识码，新建学校尚无标识码的填新建学校名称和所在乡镇，日期写成 2025-08-31 "
    "或 2025年8月（只写到月时按该月最后一天计），已完工的项目须填实际竣工日期；"
    "编制与招聘计划每校每年每学段一行，其中各项人数之和不能超过计划招聘专任教师数。"
    "导入时这些表只替换文件中出现的学校或县区的原有数据。",
    "工作表已开启保护以防误改表头，未设密码；可以调整列宽、排序、筛选和插入、删除行。"
    "如确需改动表头，可在“审阅 → 撤销工作表保护”后操作，但改动后的模板可能无法导入。",
)


def _county_guide_rows() -> list[GuideRow]:
    rows: list[GuideRow] = []
    for table in (*COUNTY_TABLES, *OPTIONAL_COUNTY_TABLES):
        rows += column_guide_rows(table)
        if table is COUNTY:
            rows += fact_guide_rows(COUNTY_FACTS, table.zh)
        elif table is SCHOOL_FACTS:
            rows += fact_guide_rows(SCHOOL_FACT_DEFS, table.zh)
    return rows


_KINDS = SCHOOLS.column("kind").enum_lookup()


def form_levels(kind: str) -> tuple[str, ...]:
    """Levels a school of this kind (canonical or Chinese) reports, in canonical order; teaching
    points report primary only."""
    kind = _KINDS.get(kind.strip(), kind)
    if kind == "teaching_point":
        return ("primary",)
    allowed = KIND_LEVELS.get(kind, frozenset())
    return tuple(level for level, _ in LEVELS if level in allowed)


def _rows(frame: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dicts()


@dataclass(frozen=True)
class _CountyRows:
    schools: list[dict[str, Any]]
    segments: list[tuple[str, str]]
    county: list[tuple[str, str]]
    school_facts: list[tuple[str, str]]


def _county_rows(schools: pl.DataFrame | None, counties: list[str] | None) -> _CountyRows:
    school_rows = [r for r in _rows(schools) if r.get("school_id") is not None]
    segments: list[tuple[str, str]] = []
    facts: list[tuple[str, str]] = []
    for row in school_rows:
        kind = _KINDS.get(str(row.get("kind")).strip())
        if kind is None or kind in NO_SEGMENT_KINDS:
            continue
        sid = str(row["school_id"])
        segments += [(sid, level) for level in form_levels(str(kind))]
        facts += [(sid, fact.zh) for fact in SCHOOL_FACT_DEFS]
    if counties is None:
        counties = list(dict.fromkeys(str(r["county"]) for r in school_rows if r.get("county")))
    county = [(name, fact.zh) for name in counties for fact in COUNTY_FACTS]
    return _CountyRows(school_rows, segments, county, facts)


def _column_widths(table: Table, rows: Sequence[Sequence[object]]) -> list[float]:
    widths: list[float] = []
    for i, column in enumerate(table.columns):
        longest = max((text_width(r[i]) for r in rows if i < len(r)), default=0)
        wanted = max(text_width(column.header_zh) * 0.75, longest + 2, 10)
        if column.name in ("fact", "note"):
            wanted = max(wanted, 30)
        widths.append(min(wanted, 44))
    return widths


_FREEZE = {
    SCHOOLS.name: "C2",
    SEGMENTS.name: "C2",
    COUNTY.name: "C2",
    SCHOOL_FACTS.name: "C2",
    GRADES.name: "D2",
    BIRTHS.name: "C2",
    CLASSES.name: "E2",
    FINANCE.name: "C2",
    PROJECTS.name: "D2",
    STAFFING.name: "D2",
    CLASS_TARGETS.name: "D2",
}
"""Freeze below the header and after the columns that identify a row."""

_TEXT_COLUMNS = frozenset({"school_id", "parent_id", "county", "name", "township", "fact", "note"})


def _is_text(column: Column) -> bool:
    return column.name != "value" and (
        column.name in _TEXT_COLUMNS or column.type == ColumnType.TEXT
    )


_PREPARED: dict[str, tuple[str, ...]] = {
    SEGMENTS.name: ("school_id", "level"),
    COUNTY.name: ("county", "fact"),
    SCHOOL_FACTS.name: ("school_id", "fact"),
}
"""Row keys the template fills in for the user, shaded grey (still editable, e.g. to fix them)."""


def _data_sheet(
    ws: Worksheet,
    table: Table,
    rows: Sequence[Sequence[object]],
    value_rules: dict[int, Rule] | None = None,
) -> None:
    """Header, pre-filled rows, formats, validations and protection of one data sheet.

    `value_rules` gives the value cell's rule per data row for long fact sheets, where it depends
    on the fact of the row.
    """
    from openpyxl.styles import Protection

    widths = _column_widths(table, rows)
    rules: dict[Rule, list[str]] = {}
    last_row = max(len(rows) + 1, 2)
    for i, column in enumerate(table.columns, start=1):
        letter = _letter(i)
        cell = put(ws, 1, i, column.header_zh)
        set_style(cell, STYLE_HEADER_REQUIRED if column.required else STYLE_HEADER_OPTIONAL)
        explanation = column_source(table.name, column.name) or column.description
        cell.comment = note(
            f"{'必填' if column.required else '选填'}。{column_allowed(column)}。{explanation}"
        )
        dimension = ws.column_dimensions[letter]
        dimension.width = widths[i - 1]
        # The column style covers cells the user types into later: unlocked, and text for
        # identifiers so that Excel keeps leading zeros.
        dimension.protection = Protection(locked=False)
        if _is_text(column):
            dimension.number_format = "@"
        rule = column_rule(column) if column.name != "value" else None
        if rule is not None:
            rules.setdefault(rule, []).append(f"{letter}2:{letter}{MAX_ROW}")
    prepared = _PREPARED.get(table.name, ())
    styles = [
        STYLE_PREPARED if c.name in prepared else STYLE_ENTRY_TEXT if _is_text(c) else STYLE_ENTRY
        for c in table.columns
    ]
    for r, values in enumerate(rows, start=2):
        for i, value in enumerate(values, start=1):
            # Empty cells are left to the column style, which already leaves them open to input.
            if value is not None:
                set_style(put(ws, r, i, value), styles[i - 1])
    if value_rules:
        value_col = table.names.index("value") + 1
        letter = _letter(value_col)
        by_rule: dict[Rule, list[int]] = {}
        for r, rule in value_rules.items():
            by_rule.setdefault(rule, []).append(r)
            if rule.number_format:
                set_style(ws.cell(r, value_col), STYLE_ENTRY, rule.number_format)
        for rule, numbers in by_rule.items():
            rules.setdefault(rule, []).extend(row_runs(letter, numbers))
    add_validations(ws, rules)
    ws.row_dimensions[1].height = header_height(
        [(c.header_zh, widths[i]) for i, c in enumerate(table.columns)]
    )
    ws.freeze_panes = _FREEZE[table.name]
    ws.auto_filter.ref = f"A1:{_letter(len(table.columns))}{last_row}"
    ws.print_title_rows = "1:1"
    protect(ws)


def _schools_rows(rows: list[dict[str, Any]]) -> list[list[object]]:
    out: list[list[object]] = []
    for row in rows:
        values: list[object] = []
        for column in SCHOOLS.columns:
            # Only the directory is carried over; this year's figures start empty.
            value = row.get(column.name) if column.name in IDENTITY_COLUMNS else None
            values.append(column_cell(column, value))
        out.append(values)
    return out


def write_county_template(
    path: Path,
    schools: pl.DataFrame | None = None,
    counties: list[str] | None = None,
    year: str = "",
    previous: Dataset | None = None,
) -> Path:
    """Write the county data-collection workbook and return its path.

    Sheets: 填报说明, 学校, 学段, 县级指标, 学校指标, then the optional empty sheets
    年级在校生, 出生人口, 班级学生数, 县级教育经费, 建设项目, 编制与招聘计划 (all readable
    by `read_dataset` once filled) and the hidden `_模板信息`. With `schools`, the 学校 sheet
    lists the schools' directory columns (id, name, county, kind, central school, area type,
    ownership, township; this year's figures are left empty), 学段 has one row per school and
    level it reports
    (teaching points: primary only; none for special and vocational schools) and 学校指标 one
    row per such school and fact. 县级指标 has one row per county (`counties`, else the
    schools' counties) and fact. `previous` (last year's dataset) supplies the school directory
    when `schools` is not given; its values are never copied, the template being for this
    year's data.
    """
    import openpyxl

    if schools is None and previous is not None:
        schools = previous.schools
    plan = _county_rows(schools, counties)
    level_zh = dict(LEVELS)
    workbook = openpyxl.Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    year_text = f"（{year}学年）" if year else ""
    write_guide(
        guide,
        f"县域义务教育优质均衡发展评估 数据填报模板{year_text}",
        _COUNTY_PARAGRAPHS,
        _county_guide_rows(),
    )
    _data_sheet(workbook.create_sheet(SCHOOLS.zh), SCHOOLS, _schools_rows(plan.schools))
    segment_rows: list[list[object]] = [
        [sid, level_zh[level], *([None] * (len(SEGMENTS.columns) - 2))]
        for sid, level in plan.segments
    ]
    _data_sheet(workbook.create_sheet(SEGMENTS.zh), SEGMENTS, segment_rows)
    county_facts = {f.zh: f for f in COUNTY_FACTS}
    _data_sheet(
        workbook.create_sheet(COUNTY.zh),
        COUNTY,
        [[name, fact, None, None] for name, fact in plan.county],
        {r: fact_rule(county_facts[f]) for r, (_, f) in enumerate(plan.county, start=2)},
    )
    school_facts = {f.zh: f for f in SCHOOL_FACT_DEFS}
    _data_sheet(
        workbook.create_sheet(SCHOOL_FACTS.zh),
        SCHOOL_FACTS,
        [[sid, fact, None, None] for sid, fact in plan.school_facts],
        {r: fact_rule(school_facts[f]) for r, (_, f) in enumerate(plan.school_facts, start=2)},
    )
    _data_sheet(workbook.create_sheet(GRADES.zh), GRADES, [])
    _data_sheet(workbook.create_sheet(BIRTHS.zh), BIRTHS, [])
    for table in PLAN_TABLES:
        _data_sheet(workbook.create_sheet(table.zh), table, [])
    write_info_sheet(
        workbook,
        TemplateInfo(KIND_COUNTY, TEMPLATE_VERSION, expected_checksum(KIND_COUNTY), year),
    )
    workbook.active = 0
    return save_workbook(workbook, path)
