"""A sampling plan and survey results as tables (the reports' table model), for the terminal
and for Excel alike, so what is printed and the workbook hold the same rows."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from junheng.reports.tables import CENTER, INT, TEXT, Cell, Column, Note, Style, Table
from junheng.survey.questionnaire import SCALE_LABELS, SCALE_VALUES
from junheng.survey.sampling import AREA_ZH, SamplingPlan, grade_zh
from junheng.survey.scoring import POOLED, Rate, SurveyResult

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


PERCENT = Style(num_format="0.0%", align="right")


def result_tables(
    result: SurveyResult, school_names: Mapping[str, str] | None = None
) -> list[Table]:
    """认可度（按调查对象、学校、城乡）and 答卷质量 (the flagged responses and whether they were
    left out), for an Excel export of the survey results."""
    names = dict(school_names or {})
    labels = [SCALE_LABELS[v] for v in SCALE_VALUES]
    n = result.favourable_options
    named = f"（政策：{result.favourable_policy} = {n}）" if result.favourable_policy else ""
    policy = Note(f"认可 = 五级选项中最积极的 {n} 项{named}；认可度 = 认可答案数 ÷ 有效答案数")

    def rate_table(name: str, title: str, key: str, rates: Mapping[str, Rate]) -> Table:
        table = Table(
            name,
            title,
            [
                Column(key, 20),
                Column("有效答案", 10),
                Column("认可", 10),
                Column("认可度", 10),
                *[Column(label, 10) for label in labels],
            ],
        )
        for label, rate in rates.items():
            table.rows.append(
                [
                    Cell(label),
                    Cell(rate.valid, INT),
                    Cell(rate.favourable, INT),
                    Cell(rate.rate, PERCENT) if rate.rate is not None else Cell("无有效答案"),
                    *[Cell(n, INT) for n in rate.counts],
                ]
            )
        table.rows.append(policy)
        return table

    groups = rate_table(
        "按调查对象",
        "社会认可度（按调查对象）",
        "调查对象",
        {**result.by_group, POOLED: result.pooled},
    )
    schools = rate_table(
        "按学校",
        "社会认可度（按学校）",
        "学校",
        {names.get(k, k): r for k, r in result.by_school.items()},
    )
    areas = rate_table(
        "按城乡",
        "社会认可度（按城乡）",
        "城乡类型",
        {AREA_ZH[k]: r for k, r in result.by_area.items()},
    )
    quality = Table(
        "答卷质量",
        "答卷质量检查",
        [
            Column("答卷编号", 14),
            Column("调查对象", 10),
            Column("学校", 20),
            Column("用时（秒）", 10),
            Column("问题", 24),
            Column("处理", 10),
        ],
    )
    for scored in result.flagged:
        r = scored.response
        quality.rows.append(
            [
                Cell(r.id),
                Cell(result.group_names.get(r.group, r.group)),
                Cell(names.get(r.school_id or "", r.school_id or "")),
                Cell(r.seconds, INT) if r.seconds is not None else Cell("未记录"),
                Cell(scored.explain()),
                Cell("不计入" if scored.excluded else "计入", CENTER),
            ]
        )
    excluded = len(result.excluded)
    quality.rows.append(Note(f"共 {len(result.responses)} 份答卷，不计入 {excluded} 份"))
    return [groups, schools, areas, quality]
