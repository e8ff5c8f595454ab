"""The survey rules (抽样、调查内容、质量检查) as a typed model, built strictly from a mapping.

Every threshold the sampling plan and the quality checks use comes from a rules file in
`junheng/survey/rules/`; this module only checks its shape. Unknown keys are refused (a misspelt
key would otherwise leave a default silently in force), and every error names file and field.
Numbers are kept as exact fractions so that 1.5‰ of 352,000 is 528, not 527.9999….
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from junheng.core.schema import AREA_TYPES, LEVELS, SCHOOL_KINDS

ALLOCATIONS = ("school", "area")
SCHOOL_BASES = ("students", "eligible_students", "teachers", "schools")
AREA_BASES = ("population",)
QUALITY_FLAGS = ("too_fast", "straight_lining")


class SurveyFileError(ValueError):
    """A survey rules or questionnaire file that is not well formed."""

    def __init__(self, origin: str, where: str, problem: str) -> None:
        self.origin = origin
        self.where = where
        self.problem = problem
        super().__init__(f"调查文件 {origin}：{where}：{problem}")


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    allocation: str
    """`school`: quotas per school by `basis`; `area`: quotas per area type by population."""
    basis: str
    weight: Fraction
    min_share: Fraction | None


@dataclass(frozen=True)
class Quality:
    min_seconds_per_question: Fraction
    straight_line_min_questions: int
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Distribution:
    """How access codes look and how often one address may use the public form."""

    code_length: int
    code_alphabet: str
    """Characters of a code: letters and digits that cannot be mistaken for one another."""
    max_batch: int
    """The most codes one batch (school × group) may be given at once."""
    rate_limit_requests: int
    rate_limit_seconds: int
    """At most `rate_limit_requests` requests to the public form per address in this window."""


@dataclass(frozen=True)
class SurveyRules:
    id: str
    name: str
    source: str
    description: str
    rate_per_mille: Fraction
    rate_source: str
    minimum_size: int
    minimum_below_population: int
    minimum_source: str
    excluded_kinds: tuple[str, ...]
    groups: dict[str, Group]
    grades: dict[str, tuple[int, ...]]
    student_min_grade: int
    topics: dict[str, str]
    quality: Quality
    distribution: Distribution
    origin: str

    def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)


class _Reader:
    """Field access that records where it is, so every error names file and field."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> SurveyFileError:
        return SurveyFileError(self.origin, where, problem)

    def mapping(
        self,
        data: Any,
        where: str,
        required: AbstractSet[str],
        optional: AbstractSet[str] = frozenset(),
    ) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(where, "应为键值映射")
        unknown = sorted(set(data) - required - set(optional), key=str)
        if unknown:
            raise self.fail(where, f"未知字段“{'、'.join(map(str, unknown))}”（是否拼写错误？）")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(where, f"缺少必填字段“{'、'.join(missing)}”")
        return data

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "应为非空文字")
        return value.strip()

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"应为不小于 {minimum} 的整数，实际为“{value}”")
        return value

    def fraction(self, value: Any, where: str, maximum: Fraction | None = None) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"应为数值，实际为“{value}”")
        # str() first: Fraction(0.1) would be the binary approximation, not one tenth
        exact = Fraction(str(value))
        if exact < 0 or (maximum is not None and exact > maximum):
            raise self.fail(where, f"超出允许范围：{value}")
        return exact

    def choice(self, value: Any, where: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(where, f"应为 {' / '.join(choices)} 之一，实际为“{value}”")
        return value


_LEVEL_KEYS = {key for key, _ in LEVELS}
_KIND_KEYS = tuple(key for key, _ in SCHOOL_KINDS)
AREA_KEYS = tuple(key for key, _ in AREA_TYPES)


def build_rules(data: Any, origin: str) -> SurveyRules:
    """Survey rules from a parsed rules file; raises SurveyFileError on any problem."""
    r = _Reader(origin)
    top = r.mapping(
        data,
        "顶层",
        {
            "id",
            "name",
            "source",
            "sampling",
            "groups",
            "grades",
            "topics",
            "quality",
            "distribution",
        },
        {"description"},
    )
    s = r.mapping(
        top["sampling"],
        "sampling",
        {
            "rate_per_mille",
            "rate_source",
            "minimum_size",
            "minimum_below_population",
            "minimum_source",
        },
        {"excluded_kinds"},
    )
    excluded = s.get("excluded_kinds") or []
    if not isinstance(excluded, list):
        raise r.fail("sampling.excluded_kinds", "应为学校类型列表")
    for i, kind in enumerate(excluded):
        r.choice(kind, f"sampling.excluded_kinds[{i}]", _KIND_KEYS)

    groups = _groups(r, top["groups"])
    grades = r.mapping(top["grades"], "grades", {"student_min_grade"}, _LEVEL_KEYS)
    levels: dict[str, tuple[int, ...]] = {}
    for level in sorted(_LEVEL_KEYS & set(grades)):
        values = grades[level]
        if not isinstance(values, list) or not values:
            raise r.fail(f"grades.{level}", "应为年级列表，如 [1, 2, 3, 4, 5, 6]")
        levels[level] = tuple(r.integer(g, f"grades.{level}", 1) for g in values)
    if set(levels) != _LEVEL_KEYS:
        raise r.fail("grades", f"应列出每个学段的年级：{'、'.join(sorted(_LEVEL_KEYS))}")

    topics = top["topics"]
    if not isinstance(topics, Mapping) or not topics:
        raise r.fail("topics", "应为“标识: 名称”映射")
    q = r.mapping(
        top["quality"],
        "quality",
        {"min_seconds_per_question", "straight_line_min_questions"},
        {"exclude"},
    )
    exclude = q.get("exclude") or []
    if not isinstance(exclude, list):
        raise r.fail("quality.exclude", "应为列表")
    return SurveyRules(
        id=r.text(top["id"], "id"),
        name=r.text(top["name"], "name"),
        source=r.text(top["source"], "source"),
        description=str(top.get("description") or ""),
        rate_per_mille=r.fraction(s["rate_per_mille"], "sampling.rate_per_mille", Fraction(1000)),
        rate_source=r.text(s["rate_source"], "sampling.rate_source"),
        minimum_size=r.integer(s["minimum_size"], "sampling.minimum_size"),
        minimum_below_population=r.integer(
            s["minimum_below_population"], "sampling.minimum_below_population"
        ),
        minimum_source=r.text(s["minimum_source"], "sampling.minimum_source"),
        excluded_kinds=tuple(excluded),
        groups=groups,
        grades=levels,
        student_min_grade=r.integer(grades["student_min_grade"], "grades.student_min_grade", 1),
        topics={r.text(k, "topics"): r.text(v, f"topics.{k}") for k, v in topics.items()},
        quality=Quality(
            min_seconds_per_question=r.fraction(
                q["min_seconds_per_question"], "quality.min_seconds_per_question"
            ),
            straight_line_min_questions=r.integer(
                q["straight_line_min_questions"], "quality.straight_line_min_questions", 2
            ),
            exclude=tuple(
                r.choice(f, f"quality.exclude[{i}]", QUALITY_FLAGS) for i, f in enumerate(exclude)
            ),
        ),
        distribution=_distribution(r, top["distribution"]),
        origin=origin,
    )


def _distribution(r: _Reader, data: Any) -> Distribution:
    d = r.mapping(
        data,
        "distribution",
        {"code_length", "code_alphabet", "max_batch", "rate_limit"},
    )
    alphabet = r.text(d["code_alphabet"], "distribution.code_alphabet")
    if len(set(alphabet)) != len(alphabet) or not alphabet.isalnum() or not alphabet.isascii():
        raise r.fail("distribution.code_alphabet", "应为互不重复的英文字母和数字")
    if alphabet.upper() != alphabet:
        raise r.fail("distribution.code_alphabet", "字母应为大写（输入时不区分大小写）")
    limit = r.mapping(d["rate_limit"], "distribution.rate_limit", {"requests", "seconds"})
    return Distribution(
        code_length=r.integer(d["code_length"], "distribution.code_length", 1),
        code_alphabet=alphabet,
        max_batch=r.integer(d["max_batch"], "distribution.max_batch", 1),
        rate_limit_requests=r.integer(limit["requests"], "distribution.rate_limit.requests", 1),
        rate_limit_seconds=r.integer(limit["seconds"], "distribution.rate_limit.seconds", 1),
    )


def _groups(r: _Reader, data: Any) -> dict[str, Group]:
    if not isinstance(data, Mapping) or not data:
        raise r.fail("groups", "应为调查对象映射")
    groups: dict[str, Group] = {}
    for key, spec in data.items():
        where = f"groups.{key}"
        g = r.mapping(spec, where, {"name", "allocation", "basis"}, {"weight", "min_share"})
        allocation = r.choice(g["allocation"], f"{where}.allocation", ALLOCATIONS)
        bases = SCHOOL_BASES if allocation == "school" else AREA_BASES
        if ("weight" in g) == ("min_share" in g):
            raise r.fail(
                where, "weight（按权重分配剩余样本）与 min_share（最低占比）须且只须填写一项"
            )
        groups[str(key)] = Group(
            key=str(key),
            name=r.text(g["name"], f"{where}.name"),
            allocation=allocation,
            basis=r.choice(g["basis"], f"{where}.basis", bases),
            weight=r.fraction(g.get("weight", 0), f"{where}.weight"),
            min_share=(
                r.fraction(g["min_share"], f"{where}.min_share", Fraction(1))
                if "min_share" in g
                else None
            ),
        )
    shares = sum((g.min_share or 0) for g in groups.values())
    if shares > 1:
        raise r.fail("groups", "各类调查对象的最低占比之和超过 1")
    if not any(g.weight > 0 for g in groups.values()) and shares < 1:
        raise r.fail("groups", "没有可分配剩余样本的调查对象（weight 均为 0）")
    names = [g.name for g in groups.values()]
    if len(set(names)) != len(names):
        raise r.fail("groups", "调查对象名称重复")
    return groups
