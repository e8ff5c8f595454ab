"""A sampling plan as tables (the reports' table model), for the terminal and for Excel alike,
so the printed plan and the workbook hold the same rows."""

from __future__ import annotations

from fractions import Fraction

from junheng.reports.tables import CENTER, INT, TEXT, Cell, Column, Note, Style, Table
from junheng.survey.sampling import AREA_ZH, SamplingPlan, grade_zh

ONE_DECIMAL = Style(num_format="0.0", align="right")


def plan_tables(plan: SamplingPlan) -> list[Table]:
    """样本构成, 各校配额, 城乡配额, 年级配额."""
    return [_summary(plan), _schools(plan), _areas(plan), _grades(plan)]


def _summary(plan: SamplingPlan) -> Table:
    table = Table(
        "样本构成",
        "社会认可度调查样本构成",
        [Column("项目", 16), Column("人数", 10), Column("计算", 80)],
    )
    table.rows.append([Cell("样本总量"), Cell(plan.total, INT), Cell(plan.total_explain)])
    for key, count in plan.groups.items():
        table.rows.append(
            [Cell(plan.group_name(key)), Cell(count, INT), Cell(plan.group_explain[key])]
        )
    for note in plan.notes:
        table.rows.append(Note(f"说明：{note}"))
    table.rows.append(Note(f"规则：{plan.rules.name}（{plan.rules.source}）"))
    return table


def _school_groups(plan: SamplingPlan) -> list[str]:
    return [k for k, g in plan.rules.groups.items() if g.allocation == "school"]


def _schools(plan: SamplingPlan) -> Table:
    groups = _school_groups(plan)
    min_grade = grade_zh(plan.rules.student_min_grade)
    table = Table(
        "各校配额",
        "各校调查配额",
        [
            Column("学校标识码", 14),
            Column("学校名称", 24),
            Column("城乡类型", 10),
            Column("在校生数", 10),
            Column(f"{min_grade}年级及以上\n在校生数", 12),
            *[Column(plan.group_name(k), 8) for k in groups],
            Column("合计", 8),
            Column("学生按年级", 40),
        ],
    )
    for s in plan.schools:
        table.rows.append(
            [
                Cell(s.school_id),
                Cell(s.name),
                Cell(AREA_ZH[s.area_type], CENTER),
                Cell(s.students, INT),
                _count(s.eligible_students),
                *[Cell(s.quotas[k], INT) for k in groups],
                Cell(s.total, INT),
                Cell("、".join(f"{grade_zh(g)}年级 {n}" for g, n in s.grades.items()), TEXT),
            ]
        )
    table.rows.append(
        [
            Cell("合计"),
            Cell(f"{len(plan.schools)} 所学校"),
            Cell(""),
            Cell(sum(s.students for s in plan.schools), INT),
            _count(sum(s.eligible_students for s in plan.schools)),
            *[Cell(plan.groups[k], INT) for k in groups],
            Cell(sum(plan.groups[k] for k in groups), INT),
            Cell("、".join(f"{grade_zh(g)}年级 {n}" for g, n in plan.grades.items())),
        ]
    )
    return table


def _areas(plan: SamplingPlan) -> Table:
    keys = list(plan.groups)
    table = Table(
        "城乡配额",
        "城区、镇区、乡村调查配额",
        [
            Column("城乡类型", 12),
            *[Column(plan.group_name(k), 8) for k in keys],
            Column("合计", 8),
        ],
    )
    for area, counts in plan.areas.items():
        table.rows.append(
            [
                Cell(AREA_ZH[area]),
                *[Cell(counts[k], INT) for k in keys],
                Cell(plan.area_total(area), INT),
            ]
        )
    table.rows.append(
        [Cell("合计"), *[Cell(plan.groups[k], INT) for k in keys], Cell(plan.total, INT)]
    )
    return table


def _grades(plan: SamplingPlan) -> Table:
    table = Table("年级配额", "学生按年级的调查配额", [Column("年级", 10), Column("学生人数", 10)])
    for grade, count in plan.grades.items():
        table.rows.append([Cell(f"{grade_zh(grade)}年级"), Cell(count, INT)])
    table.rows.append([Cell("合计"), Cell(sum(plan.grades.values()), INT)])
    return table


def _count(value: Fraction) -> Cell:
    # students per grade are estimated as equal shares when grade counts are not given
    if value.denominator == 1:
        return Cell(value.numerator, INT)
    return Cell(round(float(value), 1), ONE_DECIMAL)
