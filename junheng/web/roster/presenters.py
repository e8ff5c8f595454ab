"""Rows the roster templates print without further logic: the problem table, the summary by
school and level, the teacher list (ID numbers masked) and the reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from junheng.core.formatting import fmt_percent, fmt_plain
from junheng.core.schema import COUNTY_FACTS, LEVEL_ZH, SEGMENTS
from junheng.intake.errors import IntakeError
from junheng.roster.privacy import mask_id
from junheng.roster.rules import EligibilityRules
from junheng.roster.schema import BACKBONE_LEVELS, DEGREES, POST_TYPES, STATUSES, YES_NO
from junheng.web.imports.presenters import ProblemRow, error_rows
from junheng.web.roster.services import SUMMARY_COLUMNS

SHORT_LABELS: dict[str, str] = {
    "listed": "名册人数",
    "teachers": "专任教师",
    "teachers_postgraduate": "研究生",
    "teachers_bachelor": "本科",
    "teachers_associate": "专科",
    "teachers_below_associate": "高中及以下",
    "backbone_teachers": "骨干教师",
    "pe_teachers": "体育",
    "music_teachers": "音乐",
    "fine_art_teachers": "美术",
}
"""Headings of the summary; the full names are `SEGMENTS`' labels (shown as the title)."""
FULL_LABELS: dict[str, str] = {
    "listed": "名册中的全部人数，含借调、病假等不计入的教师",
    **{c.name: c.zh for c in SEGMENTS.columns if c.name in SHORT_LABELS},
}
_LEVELS_TAUGHT = {"primary": "小学", "junior": "初中", "primary,junior": "小学、初中"}


def problem_rows(errors: list[IntakeError]) -> list[ProblemRow]:
    """The import page's problem table (columns of 导入问题清单.xlsx), errors first."""
    return error_rows(errors)


@dataclass(frozen=True)
class SummaryRow:
    school: str
    level: str
    values: tuple[int, ...]
    total: bool = False


def summary_rows(summary: pl.DataFrame, names: dict[str, str]) -> list[SummaryRow]:
    """One row per school and level, then one per level and the county's total."""
    rows = [
        SummaryRow(
            names.get(r["school_id"], r["school_id"]),
            LEVEL_ZH.get(r["level"], r["level"]),
            tuple(r[c] for c in SUMMARY_COLUMNS),
        )
        for r in summary.iter_rows(named=True)
    ]
    by_level = summary.group_by("level").agg(pl.col(c).sum() for c in SUMMARY_COLUMNS)
    for level, zh in LEVEL_ZH.items():
        match = by_level.filter(pl.col("level") == level)
        if match.height:
            row = match.row(0, named=True)
            rows.append(SummaryRow("合计", zh, tuple(row[c] for c in SUMMARY_COLUMNS), True))
    if summary.height:
        totals = tuple(int(summary.get_column(c).sum()) for c in SUMMARY_COLUMNS)
        rows.append(SummaryRow("合计", "全部", totals, True))
    return rows


def summary_headings() -> list[tuple[str, str]]:
    return [(SHORT_LABELS[c], FULL_LABELS[c]) for c in SUMMARY_COLUMNS]


def teacher_row(teacher: Any) -> dict[str, str]:
    """A stored teacher as the list prints it: the ID number masked, values in Chinese."""
    return {
        "school": teacher.school.name,
        "teacher_id": teacher.teacher_id,
        "name": teacher.name,
        "id_number": mask_id(teacher.id_number) or "—",
        "levels": _LEVELS_TAUGHT.get(teacher.levels, teacher.levels),
        "level": LEVEL_ZH.get(teacher.level, teacher.level),
        "subject": teacher.subject,
        "degree": dict(DEGREES).get(teacher.degree, teacher.degree),
        "backbone": dict(BACKBONE_LEVELS).get(teacher.backbone, teacher.backbone),
        "certificate": dict(YES_NO).get(teacher.certificate, teacher.certificate),
        "training_hours": fmt_plain(teacher.training_hours),
        "joined_year": str(teacher.joined_year),
        "status": dict(STATUSES).get(teacher.status, teacher.status),
    }


TEACHER_HEADINGS: tuple[str, ...] = (
    "学校",
    "教师编号",
    "姓名",
    "身份证号",
    "任教学段",
    "任教学科",
    "最高学历",
    "骨干教师",
    "资格证",
    "本周期培训学时",
    "调入本校",
    "在岗状态",
)


@dataclass(frozen=True)
class DifferenceGroup:
    school: str
    rows: list[dict[str, str]]


def difference_groups(differences: pl.DataFrame) -> list[DifferenceGroup]:
    """Differences by school (in the order of `reconcile`), each row a level and column with
    reported, roster and their difference (roster − reported, signed)."""
    groups: dict[str, DifferenceGroup] = {}
    for r in differences.iter_rows(named=True):
        if r["reported"] is None and r["roster"] == 0:
            # A segment the school did not report lists every column; the empty ones say nothing.
            continue
        school = r["school"] or r["school_id"]
        group = groups.setdefault(r["school_id"], DifferenceGroup(school, []))
        reported = r["reported"]
        group.rows.append(
            {
                "level": LEVEL_ZH.get(r["level"], r["level"]),
                "column": r["column_zh"] or r["column"],
                "reported": "未填报" if reported is None else str(reported),
                "roster": str(r["roster"]),
                "difference": f"{r['difference']:+d}",
                "css": "warn" if reported is None else "fail",
            }
        )
    return list(groups.values())


def rate_rows(rates: pl.DataFrame) -> list[dict[str, str]]:
    """G9, G11 and G12 from the roster beside the county's reported facts."""
    rows = []
    for r in rates.iter_rows(named=True):
        rate, reported = r["rate"], r["reported"]
        if rate is None:
            verdict, css = "无法计算（分母为 0）", "undecided"
        elif r["met"]:
            verdict, css = "达到要求", "pass"
        else:
            verdict, css = "未达到要求", "fail"
        difference = "—"
        if rate is not None and reported is not None:
            points = (rate - reported) * 100
            shown = f"{points:+.2f}"
            difference = "相同" if shown in ("+0.00", "-0.00") else f"{shown} 个百分点"
        rows.append(
            {
                "item": r["item"],
                "name": r["name"],
                "counts": f"{r['numerator']} / {r['denominator']}",
                "roster": fmt_percent(rate),
                "reported": "未填报" if reported is None else fmt_percent(reported),
                "difference": difference,
                "target": f"≥ {fmt_percent(r['target'], 0)}",
                "verdict": verdict,
                "css": css,
            }
        )
    return rows


def adopt_preview(preview: Any) -> dict[str, Any]:
    """What 以名册为准更新 would change (an `adopt.Preview`), as the reconcile page prints it:
    per school the counts that change (reported → roster), the county facts, who refuses it."""
    names = preview.names
    schools = []
    for (school_id,), rows in preview.update.segments.group_by("school_id", maintain_order=True):
        changes = [
            f"{LEVEL_ZH.get(r['level'], r['level'])}{FULL_LABELS.get(r['column'], r['column'])} "
            f"{'未填' if r['reported'] is None else r['reported']} → {r['roster']}"
            for r in rows.iter_rows(named=True)
        ]
        schools.append({"school": names.get(school_id, school_id), "changes": "；".join(changes)})
    zh = {c.name: c.zh for c in COUNTY_FACTS}
    facts = [
        {
            "fact": zh.get(r["fact"], r["fact"]),
            # two decimals: the roster's 11.99 % and a reported 12 % must not both read 12.0 %
            "reported": "未填报" if r["reported"] is None else fmt_percent(r["reported"], 2),
            "roster": fmt_percent(r["roster"], 2),
        }
        for r in preview.update.facts.iter_rows(named=True)
    ]
    blocked = [f"{state}：{'、'.join(n)}" for state, n in preview.blocked.items()]
    return {
        "schools": schools,
        "facts": facts,
        "blocked": blocked,
        "uncovered": [names.get(s, s) for s in preview.update.uncovered],
        "nothing": not schools and not facts,
    }


def _labels(values: frozenset[str], choices: tuple[tuple[str, str], ...]) -> str:
    return "、".join(zh for key, zh in choices if key in values)


def eligibility_rows(rules: EligibilityRules) -> list[dict[str, str]]:
    """The eligibility rules a county's roster is judged by, each with the clause it rests on."""
    src = rules.sources
    ages = rules.retirement_age
    rows = [
        (
            "同校任教年限",
            f"在同一所学校任教满 {rules.min_years_at_school} 年",
            "min_years_at_school",
        ),
        ("交流对象", f"{_labels(rules.post_types, POST_TYPES)}教师", "post_types"),
        ("在岗状态", _labels(rules.statuses, STATUSES), "statuses"),
        ("法定退休年龄", f"男 {ages['male']} 周岁，女 {ages['female']} 周岁", "retirement_age"),
        (
            "临近退休",
            f"距法定退休年龄 {rules.years_before_retirement} 年以内的不列入",
            "years_before_retirement",
        ),
        (
            "新教师",
            f"参加工作不满 {rules.first_years_of_service} 年的不列入",
            "first_years_of_service",
        ),
        ("交流期限", f"一般不少于 {rules.min_rotation_years} 年", "min_years"),
        (
            "年交流比例",
            f"不低于符合交流条件教师的 {fmt_percent(rules.rotation_rate, 0)}",
            "rotation_rate",
        ),
        (
            "骨干教师比例",
            f"不低于交流轮岗教师的 {fmt_percent(rules.backbone_share, 0)}",
            "backbone_share",
        ),
    ]
    return [{"rule": r, "value": v, "source": src.get(k, "")} for r, v, k in rows]
