"""抽样方案: how many respondents of each group a county surveys, and where.

Pure functions. The sample size, the parents' share, the groups, the grades and the allocation
bases all come from the survey rules file; every quota is an integer obtained by the largest-
remainder method, so quotas add up exactly to the totals they split, and each carries the
sentence that explains it ("常住人口 352,000 × 1.5‰ = 528，低于 600，取 600").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import AREA_TYPES
from junheng.survey.rules import AREA_KEYS, Group, SurveyRules

AREA_ZH: dict[str, str] = {**dict(AREA_TYPES), "": "未填城乡类型"}
BASIS_ZH = {
    "students": "在校生数",
    "eligible_students": "{grade}年级及以上在校生数",
    "teachers": "专任教师数",
    "schools": "学校数（每校相同）",
    "population": "常住人口",
}
FRAME_COLUMNS = ("school_id", "name", "area_type", "level", "students", "teachers")


class SamplingError(ValueError):
    """A plan that cannot be made from the data given; the message says what is missing."""


def largest_remainder(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Split `total` in proportion to `weights` into integers that sum to `total`.

    Each part gets the integer part of its exact share; the units left go to the largest
    fractional parts, ties to the earlier entry (so a plan never depends on dictionary order
    other than the order the rows were given in).
    """
    weight_sum = sum(weights, Fraction(0))
    if total == 0:
        return [0] * len(weights)
    if weight_sum <= 0:
        raise SamplingError("没有可用于分配的数据（权重之和为 0）")
    exact = [Fraction(total) * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def fmt_exact(value: Fraction | int, decimals: int = 2) -> str:
    """An exact number as people read it: integers with separators, others to `decimals`."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    text = f"{float(value):,.{decimals}f}".rstrip("0").rstrip(".")
    return text


def _share(value: Fraction) -> str:
    return f"{fmt_exact(value * 100, 4)}%"


@dataclass(frozen=True)
class SchoolQuota:
    school_id: str
    name: str
    area_type: str
    """`urban`, `town`, `rural`, or "" when the school's row does not say."""
    students: int
    eligible_students: Fraction
    teachers: int
    quotas: dict[str, int]
    """Group key → respondents at this school (groups allocated to schools only)."""
    grades: dict[int, int]
    """Grade → student respondents at this school."""
    explain: dict[str, str]

    @property
    def total(self) -> int:
        return sum(self.quotas.values())


@dataclass(frozen=True)
class SamplingPlan:
    rules: SurveyRules
    population: int
    total: int
    total_explain: str
    groups: dict[str, int]
    group_explain: dict[str, str]
    schools: tuple[SchoolQuota, ...]
    areas: dict[str, dict[str, int]]
    """Area key (`urban`, `town`, `rural`, "") → group key → respondents."""
    area_explain: dict[str, dict[str, str]]
    grades: dict[int, int]
    notes: tuple[str, ...] = field(default=())

    def group_name(self, key: str) -> str:
        return self.rules.groups[key].name

    def area_total(self, area: str) -> int:
        return sum(self.areas[area].values())


def sampling_frame(dataset: Dataset, county: str, rules: SurveyRules) -> pl.DataFrame:
    """One row per school segment of `county` that the survey samples from (kinds the rules
    exclude, such as special-education schools, are left out)."""
    schools = dataset.schools.filter(
        (pl.col("county") == county) & ~pl.col("kind").is_in(list(rules.excluded_kinds))
    )
    if "area_type" not in schools.columns:
        schools = schools.with_columns(pl.lit(None, pl.String).alias("area_type"))
    frame = schools.select("school_id", "name", "area_type").join(
        dataset.segments.select("school_id", "level", "students", "teachers"),
        on="school_id",
        how="inner",
        maintain_order="left",
    )
    return frame.select(FRAME_COLUMNS)


def sampling_plan(
    population: int,
    frame: pl.DataFrame,
    rules: SurveyRules,
    *,
    area_population: Mapping[str, int] | None = None,
    grade_counts: pl.DataFrame | None = None,
) -> SamplingPlan:
    """The sampling plan of one county.

    `frame` has one row per school segment (columns `FRAME_COLUMNS`; `sampling_frame` builds it
    from a Dataset). `area_population` is the resident population by area type (`urban`,
    `town`, `rural`); without it, area-based groups are split by enrolment and a note says so.
    `grade_counts` (columns `school_id`, `grade`, `students`) gives enrolment per grade; a school
    without it is assumed to have the same number of students in each grade of its segments.
    """
    if population <= 0:
        raise SamplingError(f"常住人口应为正整数，实际为 {population}")
    notes: list[str] = []
    total, total_explain = _total(population, rules)
    groups, group_explain = _groups(total, rules)
    schools = _school_rows(frame, rules, grade_counts)
    if not schools:
        raise SamplingError("数据中没有可抽样的学校")

    school_groups = [g for g in rules.groups.values() if g.allocation == "school"]
    quotas: dict[str, dict[str, int]] = {s["school_id"]: {} for s in schools}
    explain: dict[str, dict[str, str]] = {s["school_id"]: {} for s in schools}
    for group in school_groups:
        weights = [_basis(s, group) for s in schools]
        if groups[group.key] and sum(weights) <= 0:
            raise SamplingError(
                f"无法分配“{group.name}”配额：各校的{_basis_zh(group, rules)}均为 0 或未填写"
            )
        parts = largest_remainder(groups[group.key], weights)
        weight_sum = sum(weights, Fraction(0))
        for s, w, n in zip(schools, weights, parts, strict=True):
            quotas[s["school_id"]][group.key] = n
            exact = Fraction(groups[group.key]) * w / weight_sum if weight_sum else Fraction(0)
            explain[s["school_id"]][group.key] = (
                f"{group.name} {groups[group.key]} 人按{_basis_zh(group, rules)}分配："
                f"{fmt_exact(w)} ÷ {fmt_exact(weight_sum)} × {groups[group.key]} = "
                f"{fmt_exact(exact)}，取 {n}"
            )
        if group.basis == "schools" and groups[group.key] > len(schools):
            notes.append(
                f"{group.name}配额 {groups[group.key]} 人多于学校数 {len(schools)} 所，"
                "部分学校需调查不止一人"
            )

    student_group = next((g.key for g in school_groups if g.basis == "eligible_students"), None)
    school_quotas: list[SchoolQuota] = []
    county_grades: dict[int, int] = {}
    for index, s in enumerate(schools):
        grades: dict[int, int] = {}
        if student_group is not None:
            keys = sorted(s["grades"])
            # Equal remainders go to a different grade at each school (the order is rotated),
            # so that over the county the lowest grades are not always the ones rounded up.
            if keys:
                shift = index % len(keys)
                keys = keys[shift:] + keys[:shift]
            parts = (
                largest_remainder(
                    quotas[s["school_id"]][student_group], [s["grades"][g] for g in keys]
                )
                if s["eligible"] > 0
                else [0] * len(keys)
            )
            grades = {g: n for g, n in sorted(zip(keys, parts, strict=True)) if n}
            for g, n in grades.items():
                county_grades[g] = county_grades.get(g, 0) + n
        school_quotas.append(
            SchoolQuota(
                school_id=s["school_id"],
                name=s["name"],
                area_type=s["area_type"],
                students=s["students"],
                eligible_students=s["eligible"],
                teachers=s["teachers"],
                quotas=quotas[s["school_id"]],
                grades=grades,
                explain=explain[s["school_id"]],
            )
        )

    areas, area_explain = _areas(groups, rules, school_quotas, schools, area_population, notes)
    return SamplingPlan(
        rules=rules,
        population=population,
        total=total,
        total_explain=total_explain,
        groups=groups,
        group_explain=group_explain,
        schools=tuple(school_quotas),
        areas=areas,
        area_explain=area_explain,
        grades=dict(sorted(county_grades.items())),
        notes=tuple(notes),
    )


def _total(population: int, rules: SurveyRules) -> tuple[int, str]:
    exact = Fraction(population) * rules.rate_per_mille / 1000
    size = math.ceil(exact)
    text = f"常住人口 {population:,} × {fmt_exact(rules.rate_per_mille)}‰ = {fmt_exact(exact, 4)}"
    if exact.denominator != 1:
        text += f"，向上取整为 {size:,}"
    if population < rules.minimum_below_population and size < rules.minimum_size:
        text += (
            f"，低于 {rules.minimum_size:,}，取 {rules.minimum_size:,}"
            f"（常住人口不足 {rules.minimum_below_population:,} 的县"
            f"不少于 {rules.minimum_size:,} 人）"
        )
        size = rules.minimum_size
    return size, text


def _groups(total: int, rules: SurveyRules) -> tuple[dict[str, int], dict[str, str]]:
    counts: dict[str, int] = {}
    explain: dict[str, str] = {}
    for g in rules.groups.values():
        if g.min_share is not None:
            exact = total * g.min_share
            counts[g.key] = math.ceil(exact)
            explain[g.key] = (
                f"{g.name}不少于样本的 {_share(g.min_share)}：{total:,} × {_share(g.min_share)}"
                f" = {fmt_exact(exact)}"
                + ("" if exact.denominator == 1 else f"，向上取整为 {counts[g.key]:,}")
            )
    rest = total - sum(counts.values())
    weighted = [g for g in rules.groups.values() if g.min_share is None]
    parts = largest_remainder(rest, [g.weight for g in weighted]) if weighted else []
    weight_sum = sum((g.weight for g in weighted), Fraction(0))
    equal = len({g.weight for g in weighted}) == 1
    names = "、".join(g.name for g in weighted)
    for g, n in zip(weighted, parts, strict=True):
        counts[g.key] = n
        exact = Fraction(rest) * g.weight / weight_sum
        if equal:
            text = (
                f"其余 {rest:,} 人由{names} {len(weighted)} 类对象平均分配："
                f"{rest:,} ÷ {len(weighted)}"
            )
        else:
            text = (
                f"其余 {rest:,} 人按权重分配："
                f"{rest:,} × {fmt_exact(g.weight)} ÷ {fmt_exact(weight_sum)}"
            )
        text += f" = {fmt_exact(exact)}"
        if exact.denominator != 1:
            text += f"，按最大余数法取 {n}"
        explain[g.key] = text
    ordered = {k: counts[k] for k in rules.groups}
    return ordered, {k: explain[k] for k in rules.groups}


def _school_rows(
    frame: pl.DataFrame, rules: SurveyRules, grade_counts: pl.DataFrame | None
) -> list[dict]:
    by_grade: dict[str, dict[int, int]] = {}
    if grade_counts is not None:
        for row in grade_counts.iter_rows(named=True):
            per = by_grade.setdefault(str(row["school_id"]), {})
            per[int(row["grade"])] = per.get(int(row["grade"]), 0) + int(row["students"] or 0)
    schools: dict[str, dict] = {}
    for row in frame.iter_rows(named=True):
        sid = str(row["school_id"])
        s = schools.setdefault(
            sid,
            {
                "school_id": sid,
                "name": row["name"],
                "area_type": row["area_type"] or "",
                "students": 0,
                "teachers": 0,
                "grades": {},
            },
        )
        students = int(row["students"] or 0)
        s["students"] += students
        s["teachers"] += int(row["teachers"] or 0)
        if sid in by_grade:
            continue
        level_grades = rules.grades[row["level"]]
        # Without grade counts a segment's students are taken as spread evenly over its grades.
        for g in level_grades:
            if g >= rules.student_min_grade:
                s["grades"][g] = s["grades"].get(g, Fraction(0)) + Fraction(
                    students, len(level_grades)
                )
    for sid, per in by_grade.items():
        if sid in schools:
            schools[sid]["grades"] = {
                g: Fraction(n) for g, n in per.items() if g >= rules.student_min_grade
            }
    for s in schools.values():
        s["eligible"] = sum(s["grades"].values(), Fraction(0))
    return list(schools.values())


def _basis(school: dict, group: Group) -> Fraction:
    if group.basis == "schools":
        return Fraction(1)
    if group.basis == "eligible_students":
        return school["eligible"]
    return Fraction(school[group.basis])


def _basis_zh(group: Group, rules: SurveyRules) -> str:
    return BASIS_ZH[group.basis].format(grade=grade_zh(rules.student_min_grade))


def grade_zh(grade: int) -> str:
    digits = "零一二三四五六七八九"
    return digits[grade] if grade < 10 else str(grade)


def _areas(
    groups: dict[str, int],
    rules: SurveyRules,
    school_quotas: list[SchoolQuota],
    schools: list[dict],
    area_population: Mapping[str, int] | None,
    notes: list[str],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]]]:
    present = [a for a in (*AREA_KEYS, "") if any(s.area_type == a for s in school_quotas)]
    if area_population is not None:
        unknown = sorted(set(area_population) - set(AREA_KEYS))
        if unknown:
            raise SamplingError(
                "城乡人口只能按 城区(urban)、镇区(town)、乡村(rural) 填写，"
                f"不认识：{'、'.join(unknown)}"
            )
        area_keys = [a for a in AREA_KEYS if a in area_population]
        area_weights = [Fraction(area_population[a]) for a in area_keys]
        basis = "常住人口"
        keys = list(dict.fromkeys([*area_keys, *present]))
    else:
        keys = present
        area_weights = [
            Fraction(sum(s["students"] for s in schools if s["area_type"] == a)) for a in keys
        ]
        area_keys = keys
        basis = "在校生数"
        if any(g.allocation == "area" for g in rules.groups.values()):
            notes.append(
                "未提供城区、镇区、乡村的常住人口，按各类地区的在校生数比例分配社会人员配额"
            )
    areas: dict[str, dict[str, int]] = {a: {} for a in keys}
    explain: dict[str, dict[str, str]] = {a: {} for a in keys}
    weight_sum = sum(area_weights, Fraction(0))
    for g in rules.groups.values():
        if g.allocation == "school":
            for a in keys:
                areas[a][g.key] = sum(s.quotas[g.key] for s in school_quotas if s.area_type == a)
                explain[a][g.key] = f"{AREA_ZH[a]}各校{g.name}配额之和"
            continue
        if groups[g.key] and weight_sum <= 0:
            raise SamplingError(f"无法按城乡分配“{g.name}”配额：各类地区的{basis}均为 0")
        parts = largest_remainder(groups[g.key], area_weights)
        for a in keys:
            areas[a][g.key] = 0
        for a, w, n in zip(area_keys, area_weights, parts, strict=True):
            areas[a][g.key] = n
            explain[a][g.key] = (
                f"{g.name} {groups[g.key]} 人按{basis}分配：{fmt_exact(w)} ÷ "
                f"{fmt_exact(weight_sum)} × {groups[g.key]} = "
                f"{fmt_exact(Fraction(groups[g.key]) * w / weight_sum)}，取 {n}"
            )
    return areas, explain


__all__ = [
    "SamplingError",
    "SamplingPlan",
    "SchoolQuota",
    "grade_zh",
    "largest_remainder",
    "sampling_frame",
    "sampling_plan",
]
