"""The teacher roster (教师名册) and its rotation history (交流轮岗记录) as tables.

Declared with the canonical schema's `Table`/`Column`, so the intake types their cells exactly as
it types the county workbook's. These tables are not part of the evaluation's `Dataset`: the
roster is read on its own and aggregated into the segment counts the engine reads.
"""

from __future__ import annotations

import polars as pl

from junheng.core.schema import LEVELS, Column, ColumnType, Table

_T, _I, _N, _E = ColumnType.TEXT, ColumnType.INT, ColumnType.NUMBER, ColumnType.ENUM

DEGREES: tuple[tuple[str, str], ...] = (
    ("postgraduate", "研究生"),
    ("bachelor", "本科"),
    ("associate", "专科"),
    ("below_associate", "高中及以下"),
)
BACKBONE_LEVELS: tuple[tuple[str, str], ...] = (
    ("none", "无"),
    ("county", "县级"),
    ("city", "市级"),
    ("province", "省级"),
    ("national", "国家级"),
)
YES_NO: tuple[tuple[str, str], ...] = (("yes", "是"), ("no", "否"))
GENDERS: tuple[tuple[str, str], ...] = (("male", "男"), ("female", "女"))
POST_TYPES: tuple[tuple[str, str], ...] = (("established", "在编"), ("contract", "聘用"))
STATUSES: tuple[tuple[str, str], ...] = (
    ("in_post", "在岗"),
    ("seconded", "借调"),
    ("sick_leave", "病假"),
    ("maternity_leave", "产假"),
    ("study_leave", "脱产进修"),
    ("unpaid_leave", "停薪留职"),
)

LEVELS_TAUGHT_SEPARATORS = "、,，/／;；和及 "
"""Between the levels of a teacher who teaches both (小学、初中)."""

ROSTER = Table(
    "teachers",
    "教师名册",
    (
        Column("school_id", "学校标识码", _T, description="教师现任教的学校"),
        Column("teacher_id", "教师编号", _T, description="县里给每位教师的编号，名册中不得重复"),
        Column("name", "姓名", _T),
        Column("id_number", "身份证号", _T, required=False, description="只有县级管理员能看到全号"),
        Column(
            "levels",
            "任教学段",
            _T,
            description="小学、初中，或两个学段都任教的写“小学、初中”",
        ),
        Column(
            "main_level",
            "主要任教学段",
            _E,
            required=False,
            enum=LEVELS,
            description="两个学段都任教的教师必填：课时较多的学段，教师只计入这个学段",
        ),
        Column(
            "subject", "任教学科", _T, description="主要任教学科，如语文、体育与健康、音乐、美术"
        ),
        Column("degree", "最高学历", _E, enum=DEGREES),
        Column(
            "backbone", "骨干教师级别", _E, required=False, enum=BACKBONE_LEVELS, default="none"
        ),
        Column("certificate", "教师资格证", _E, enum=YES_NO),
        Column("training_hours", "本周期培训学时", _N, unit="学时", minimum=0),
        Column("joined_year", "调入本校年份", _I, minimum=1900, description="到本校任教的年份"),
        Column(
            "career_start_year",
            "参加工作年份",
            _I,
            required=False,
            minimum=1900,
            description="空着时按调入本校年份计",
        ),
        Column("birth_date", "出生日期", _T, description="如 1980-05-17"),
        Column("gender", "性别", _E, enum=GENDERS),
        Column("post_type", "用工类型", _E, enum=POST_TYPES),
        Column("status", "在岗状态", _E, enum=STATUSES),
    ),
    description="每位教师一行",
)

ROTATIONS = Table(
    "rotations",
    "交流轮岗记录",
    (
        Column("teacher_id", "教师编号", _T),
        Column("from_school", "交流前学校", _T, description="学校标识码"),
        Column("to_school", "交流后学校", _T, description="学校标识码"),
        Column("start", "开始日期", _T),
        Column("end", "结束日期", _T, required=False, description="空着表示长期调动、没有约定期限"),
    ),
    required=False,
    description="每次交流一行",
)

ROSTER_TABLES: tuple[Table, ...] = (ROSTER, ROTATIONS)
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "teachers": ("birth_date",),
    "rotations": ("start", "end"),
}

TEACHER_SCHEMA: dict[str, type[pl.DataType]] = {
    "school_id": pl.String,
    "teacher_id": pl.String,
    "name": pl.String,
    "id_number": pl.String,
    "levels": pl.String,
    "level": pl.String,
    "subject": pl.String,
    "degree": pl.String,
    "backbone": pl.String,
    "certificate": pl.String,
    "training_hours": pl.Float64,
    "joined_year": pl.Int64,
    "career_start_year": pl.Int64,
    "birth_date": pl.Date,
    "gender": pl.String,
    "post_type": pl.String,
    "status": pl.String,
}
"""The teachers frame every roster function reads. `levels` is the levels taught, `primary`,
`junior` or `primary,junior`; `level` is the one level the teacher is counted in (the only
level taught, or for a teacher of both the 主要任教学段, the level of most hours), so a teacher is
counted once and the segment totals add up to the roster's head count."""

ROTATION_SCHEMA: dict[str, type[pl.DataType]] = {
    "teacher_id": pl.String,
    "from_school": pl.String,
    "to_school": pl.String,
    "start": pl.Date,
    "end": pl.Date,
}
"""The rotations frame; `end` is null for a move without an agreed end."""
BOTH_LEVELS = "primary,junior"
