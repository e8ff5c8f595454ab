"""The model of an indicator system (a "standard") and its strict construction from plain data.

A standard file is parsed into plain mappings elsewhere (no IO here); `build_standard` checks every
key, type and formula and raises `StandardError` naming the file, the item and the field, because a
misplaced block in a rules file must never silently change a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from junheng.core.expressions import ExpressionError, Formula, parse
from junheng.core.schema import (
    COUNTY_FACTS,
    LEVELS,
    SCHOOL_FACT_DEFS,
    SCHOOL_KINDS,
    SCHOOLS,
    SEGMENTS,
)

LEVEL_NAMES: tuple[str, ...] = tuple(level for level, _ in LEVELS)
KIND_NAMES: tuple[str, ...] = tuple(kind for kind, _ in SCHOOL_KINDS)
SCOPES: tuple[str, ...] = ("segment", "school", "county")
OPERATORS: dict[str, str] = {
    ">=": "≥",
    ">": ">",
    "<=": "≤",
    "<": "<",
    "==": "=",
    "in": "属于",
}
POLICY_TYPES: tuple[str, ...] = ("bool", "int", "float", "choice", "weights", "decimals")

# Names a formula may read, by the scope it is evaluated in.
_SEGMENT_NAMES = frozenset(SEGMENTS.names) | frozenset(SCHOOLS.names)
_SCHOOL_NAMES = (
    frozenset(SEGMENTS.names) | frozenset(SCHOOLS.names) | {f.name for f in SCHOOL_FACT_DEFS}
)
_COUNTY_NAMES = frozenset(f.name for f in COUNTY_FACTS)
SCOPE_NAMES: dict[str, frozenset[str]] = {
    "segment": _SEGMENT_NAMES,
    "school": _SCHOOL_NAMES,
    "county": _COUNTY_NAMES,
}


class StandardError(ValueError):
    """A standard file that is not well formed; the message names file, item and field."""

    def __init__(self, origin: str, where: str, problem: str) -> None:
        self.origin = origin
        self.where = where
        self.problem = problem
        super().__init__(f"标准文件 {origin}：{where}：{problem}")


@dataclass(frozen=True)
class Policy:
    key: str
    name: str
    type: str
    value: Any
    description: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)

    def describe_value(self) -> str:
        """The value as a person reads it."""
        if self.type == "choice":
            return f"{self.value}（{self.choices.get(self.value, '')}）"
        if self.type == "bool":
            return "是" if self.value else "否"
        if self.type == "decimals":
            return "完整精度" if self.value is None else f"保留 {self.value} 位小数"
        if self.type == "weights":
            return " : ".join(f"{v:g}" for v in self.value.values())
        return str(self.value)


@dataclass(frozen=True)
class Shortfall:
    what: str
    unit: str
    whole: bool
    action: str


@dataclass(frozen=True)
class Threshold:
    """A threshold: a constant, a formula, or constants chosen by the row's level or school kind."""

    constant: Any = None
    formula: Formula | None = None
    by: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    def for_key(self, key: str) -> Any:
        return self.values[key] if self.by else self.constant

    def describe(self) -> str:
        if self.formula is not None:
            return self.formula.source
        if self.by:
            return "，".join(f"{k} {v}" for k, v in self.values.items())
        return str(self.constant)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    value: Formula
    op: str
    threshold: Threshold
    unit: str = ""
    percent: bool = False
    shortfall: Shortfall | None = None


@dataclass(frozen=True)
class Ratio:
    numerator: Mapping[str, Formula]
    numerator_name: Mapping[str, str]
    denominator: Formula
    denominator_name: str
    factor: float


@dataclass(frozen=True)
class Item:
    id: str
    part: str
    name: str
    source: str
    scope: str
    unit: str = ""
    description: str = ""
    judged: bool = False
    ratio: Ratio | None = None
    threshold: Mapping[str, float] = field(default_factory=dict)
    cv_limit: Mapping[str, float] = field(default_factory=dict)
    shortfall: Shortfall | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class SegmentRule:
    name: str
    source: str
    description: str
    min_met: int
    floor_ratio: float


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    version: str
    document: str
    description: str
    extends: str | None
    parts: Mapping[str, str]
    segment_rule: SegmentRule
    balance_rule: Mapping[str, str]
    scope_rule: Mapping[str, Any]
    policies: Mapping[str, Policy]
    items: Mapping[str, Item]
    origin: str = ""

    def policy(self, key: str) -> Any:
        return self.policies[key].value

    @property
    def ratio_items(self) -> list[Item]:
        return [i for i in self.items.values() if i.ratio is not None]

    def items_of(self, part: str) -> list[Item]:
        return [i for i in self.items.values() if i.part == part]

    def with_policies(self, overrides: Mapping[str, str]) -> Standard:
        """A copy with policy values replaced from text (as given on a command line)."""
        policies = dict(self.policies)
        for key, text in overrides.items():
            if key not in policies:
                known = "、".join(policies)
                raise StandardError(
                    self.origin, f"政策 {key}", f"没有这个政策；可用的政策：{known}"
                )
            policy = policies[key]
            value = _parse_policy_text(policy, text, self.origin)
            policies[key] = replace(policy, value=value)
        return replace(self, policies=policies)


def _parse_policy_text(policy: Policy, text: str, origin: str) -> Any:
    where = f"政策 {policy.key}"
    raw = text.strip()
    try:
        if policy.type == "bool":
            lowered = raw.lower()
            if lowered in {"true", "yes", "1", "是"}:
                return True
            if lowered in {"false", "no", "0", "否"}:
                return False
            raise ValueError
        if policy.type == "int":
            return int(raw)
        if policy.type == "float":
            return float(raw)
        if policy.type == "decimals":
            if raw.lower() in {"", "none", "null", "full", "完整"}:
                return None
            value = int(raw)
            if value < 0:
                raise ValueError
            return value
        if policy.type == "choice":
            if raw not in policy.choices:
                raise ValueError
            return raw
        if policy.type == "weights":
            parts = [float(p) for p in raw.replace("：", ":").split(":")]
            if len(parts) != len(policy.value) or any(p <= 0 for p in parts):
                raise ValueError
            return dict(zip(policy.value, parts, strict=True))
    except ValueError:
        pass
    expected = {
        "bool": "true 或 false",
        "int": "整数",
        "float": "数字",
        "decimals": "非负整数，或 full 表示完整精度",
        "choice": "、".join(policy.choices),
        "weights": "用冒号分隔的正数，如 1:1.1:1.32",
    }[policy.type]
    raise StandardError(origin, where, f"值“{text}”无效，应为{expected}")


# ---------------------------------------------------------------------------------------------
# Strict construction from a mapping


class _Reader:
    """Reads one mapping strictly: unknown keys, missing keys and wrong types raise."""

    def __init__(self, origin: str, where: str, data: Any, allowed: set[str]) -> None:
        self.origin = origin
        self.where = where
        if not isinstance(data, Mapping):
            raise StandardError(origin, where, f"应为键值映射，实际为 {type(data).__name__}")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise StandardError(
                origin,
                f"{where}.{unknown[0]}",
                f"未知字段“{unknown[0]}”；允许的字段：{'、'.join(sorted(allowed))}",
            )
        self.data = data

    def fail(self, key: str, problem: str) -> StandardError:
        return StandardError(self.origin, f"{self.where}.{key}", problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = ..., what: str = ""
    ) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "缺少必填字段")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind in (int, float):
            raise self.fail(key, f"应为{what or '数字'}，实际为 {value!r}")
        if not isinstance(value, kind):
            raise self.fail(key, f"应为{what or _type_zh(kind)}，实际为 {value!r}")
        return value

    def number(self, key: str, default: Any = ...) -> float:
        value = self.get(key, (int, float), default, "数字")
        if value is None or isinstance(value, bool):
            return value
        if not math.isfinite(float(value)):
            raise self.fail(key, "应为有限数字")
        return float(value)


def _type_zh(kind: type | tuple[type, ...]) -> str:
    names = {str: "文本", int: "整数", float: "数字", bool: "是/否（true/false）", dict: "映射"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return "或".join(names.get(k, k.__name__) for k in kinds)


def _formula(
    origin: str, where: str, source: Any, scope: str, params: Mapping[str, Any]
) -> Formula:
    if not isinstance(source, str):
        raise StandardError(origin, where, f"公式应为文本，实际为 {source!r}")
    try:
        formula = parse(source)
    except ExpressionError as exc:
        raise StandardError(origin, where, str(exc)) from None
    unknown = sorted(formula.columns(params) - SCOPE_NAMES[scope])
    if unknown:
        raise StandardError(
            origin, where, f"公式“{source}”使用了数据集中没有的字段“{unknown[0]}”（{scope} 层面）"
        )
    return formula


def _by_level(origin: str, where: str, data: Any) -> dict[str, float]:
    reader = _Reader(origin, where, data, set(LEVEL_NAMES))
    return {level: reader.number(level) for level in LEVEL_NAMES}


def _shortfall(origin: str, where: str, data: Any) -> Shortfall:
    r = _Reader(origin, where, data, {"what", "unit", "whole", "action"})
    return Shortfall(
        what=r.get("what", str),
        unit=r.get("unit", str),
        whole=r.get("whole", bool),
        action=r.get("action", str),
    )


def _threshold(
    origin: str, where: str, data: Any, scope: str, params: Mapping[str, Any]
) -> Threshold:
    if isinstance(data, (bool, int, float)):
        return Threshold(constant=data)
    if isinstance(data, str):
        if data in params:
            return Threshold(constant=params[data])
        return Threshold(formula=_formula(origin, where, data, scope, params))
    r = _Reader(origin, where, data, {"by", "values"})
    by = r.get("by", str)
    keys = {"level": LEVEL_NAMES, "kind": KIND_NAMES}.get(by)
    if keys is None:
        raise r.fail("by", f"应为 level（按学段）或 kind（按学校类型），实际为 {by!r}")
    if by == "level" and scope == "county":
        raise r.fail("by", "县级指标不能按学段取阈值")
    values = r.get("values", Mapping)
    vr = _Reader(origin, f"{where}.values", values, set(keys))
    return Threshold(by=by, values={k: vr.number(k) for k in keys if vr.has(k)})


def _check(
    origin: str, where: str, key: str, data: Any, scope: str, params: Mapping[str, Any]
) -> Check:
    r = _Reader(
        origin, where, data, {"label", "value", "op", "threshold", "unit", "percent", "shortfall"}
    )
    op = r.get("op", str)
    if op not in OPERATORS:
        raise r.fail("op", f"比较方式“{op}”无效；可用：{'、'.join(OPERATORS)}")
    if not r.has("threshold"):
        raise r.fail("threshold", "缺少必填字段")
    threshold = _threshold(origin, f"{where}.threshold", r.data["threshold"], scope, params)
    if op == "in" and not isinstance(threshold.constant, (list, tuple)):
        raise r.fail("threshold", "比较方式为 in 时，阈值应为列表（可写在 params 中）")
    return Check(
        key=key,
        label=r.get("label", str),
        value=_formula(origin, f"{where}.value", r.get("value", str), scope, params),
        op=op,
        threshold=threshold,
        unit=r.get("unit", str, ""),
        percent=r.get("percent", bool, False),
        shortfall=_shortfall(origin, f"{where}.shortfall", r.data["shortfall"])
        if r.has("shortfall")
        else None,
    )


def _ratio(origin: str, where: str, data: Any) -> Ratio:
    r = _Reader(
        origin,
        where,
        data,
        {"numerator", "numerator_name", "denominator", "denominator_name", "factor"},
    )

    def per_level(key: str) -> dict[str, Any]:
        value = r.get(key, (str, Mapping))
        if isinstance(value, str):
            return dict.fromkeys(LEVEL_NAMES, value)
        lr = _Reader(origin, f"{where}.{key}", value, set(LEVEL_NAMES))
        return {level: lr.get(level, str) for level in LEVEL_NAMES}

    numerator = {
        level: _formula(origin, f"{where}.numerator.{level}", source, "segment", {})
        for level, source in per_level("numerator").items()
    }
    factor = r.number("factor")
    if factor <= 0:
        raise r.fail("factor", "应为正数")
    return Ratio(
        numerator=numerator,
        numerator_name=per_level("numerator_name"),
        denominator=_formula(
            origin, f"{where}.denominator", r.get("denominator", str), "segment", {}
        ),
        denominator_name=r.get("denominator_name", str),
        factor=factor,
    )


_ITEM_KEYS = {
    "part",
    "name",
    "unit",
    "source",
    "description",
    "judged",
    "scope",
    "ratio",
    "threshold",
    "cv_limit",
    "shortfall",
    "params",
    "checks",
}


def _item(origin: str, item_id: str, data: Any, parts: Mapping[str, str]) -> Item:
    where = f"指标 {item_id}"
    r = _Reader(origin, where, data, _ITEM_KEYS)
    part = r.get("part", str)
    if part not in parts:
        raise r.fail("part", f"“{part}”不是本标准的组成部分；可用：{'、'.join(parts)}")
    params = dict(r.get("params", Mapping, {}))
    common = {
        "id": item_id,
        "part": part,
        "name": r.get("name", str),
        "source": r.get("source", str),
        "unit": r.get("unit", str, ""),
        "description": r.get("description", str, ""),
        "judged": r.get("judged", bool, False),
        "params": params,
    }
    if r.has("ratio"):
        for forbidden in ("checks", "params"):
            if r.has(forbidden):
                raise r.fail(forbidden, "按学段计算的比值指标（含 ratio）不能同时含有该字段")
        scope = r.get("scope", str, "segment")
        if scope != "segment":
            raise r.fail("scope", "比值指标只能按学段（segment）计算")
        return Item(
            **common,
            scope=scope,
            ratio=_ratio(origin, f"{where}.ratio", r.data["ratio"]),
            threshold=_by_level(origin, f"{where}.threshold", r.get("threshold", Mapping)),
            cv_limit=_by_level(origin, f"{where}.cv_limit", r.get("cv_limit", Mapping)),
            shortfall=_shortfall(origin, f"{where}.shortfall", r.get("shortfall", Mapping)),
        )
    for forbidden in ("threshold", "cv_limit", "shortfall"):
        if r.has(forbidden):
            raise r.fail(
                forbidden, "只有比值指标（含 ratio）可以有该字段；其他指标请写在 checks 中"
            )
    scope = r.get("scope", str)
    if scope not in SCOPES:
        raise r.fail("scope", f"应为 {'、'.join(SCOPES)} 之一，实际为 {scope!r}")
    checks_data = r.get("checks", Mapping)
    if not checks_data:
        raise r.fail("checks", "至少需要一项检查")
    checks = tuple(
        _check(origin, f"{where}.checks.{key}", str(key), value, scope, params)
        for key, value in checks_data.items()
    )
    return Item(**common, scope=scope, checks=checks)


def _policy(origin: str, key: str, data: Any) -> Policy:
    where = f"政策 {key}"
    r = _Reader(origin, where, data, {"name", "type", "value", "description", "choices"})
    kind = r.get("type", str)
    if kind not in POLICY_TYPES:
        raise r.fail("type", f"应为 {'、'.join(POLICY_TYPES)} 之一")
    if "value" not in r.data:
        raise r.fail("value", "缺少必填字段")
    value = r.data["value"]
    choices = dict(r.get("choices", Mapping, {}))
    checks = {
        "bool": lambda: isinstance(value, bool),
        "int": lambda: isinstance(value, int) and not isinstance(value, bool),
        "float": lambda: isinstance(value, (int, float)) and not isinstance(value, bool),
        "choice": lambda: isinstance(value, str) and value in choices,
        "weights": lambda: (
            isinstance(value, Mapping)
            and all(isinstance(v, (int, float)) and v > 0 for v in value.values())
        ),
        "decimals": lambda: (
            value is None or (isinstance(value, int) and not isinstance(value, bool))
        ),
    }
    valid = checks[kind]()
    if not valid:
        raise r.fail("value", f"值 {value!r} 与类型 {kind} 不符")
    if kind == "choice" and not choices:
        raise r.fail("choices", "选择型政策必须列出 choices")
    return Policy(
        key=key,
        name=r.get("name", str),
        type=kind,
        value=dict(value) if kind == "weights" else value,
        description=r.get("description", str, ""),
        choices=choices,
    )


REQUIRED_POLICIES: tuple[str, ...] = (
    "exclude_private",
    "teaching_point_min_students",
    "teaching_point_mode",
    "apportionment",
    "apportionment_weights",
    "comparison_decimals",
    "comparison_rounding",
    "survey_favourable_options",
    "numeric_tolerance",
)


def build_standard(data: Any, origin: str) -> Standard:
    """Build a Standard from a fully merged mapping; `origin` names the file in error messages."""
    top = _Reader(
        origin,
        "顶层",
        data,
        {
            "id",
            "name",
            "version",
            "document",
            "description",
            "extends",
            "parts",
            "rules",
            "policies",
            "items",
        },
    )
    parts = dict(top.get("parts", Mapping))
    rules = _Reader(origin, "rules", top.get("rules", Mapping), {"segment", "balance", "scope"})
    seg = _Reader(
        origin,
        "rules.segment",
        rules.get("segment", Mapping),
        {"name", "source", "description", "min_met", "floor_ratio"},
    )
    min_met = seg.get("min_met", int, what="整数")
    floor_ratio = seg.number("floor_ratio")
    if not 0 < floor_ratio <= 1:
        raise seg.fail("floor_ratio", "应在 0 到 1 之间")
    balance = _Reader(
        origin, "rules.balance", rules.get("balance", Mapping), {"name", "source", "description"}
    )
    scope = _Reader(
        origin,
        "rules.scope",
        rules.get("scope", Mapping),
        {"name", "source", "description", "excluded_kinds"},
    )
    excluded = scope.get("excluded_kinds", list)
    bad = [k for k in excluded if k not in KIND_NAMES]
    if bad:
        raise scope.fail("excluded_kinds", f"未知学校类型“{bad[0]}”；可用：{'、'.join(KIND_NAMES)}")
    policies = {str(k): _policy(origin, str(k), v) for k, v in top.get("policies", Mapping).items()}
    for key in REQUIRED_POLICIES:
        if key not in policies:
            raise StandardError(origin, f"policies.{key}", "缺少必需的政策")
    items = {str(k): _item(origin, str(k), v, parts) for k, v in top.get("items", Mapping).items()}
    ratio_count = sum(1 for i in items.values() if i.ratio is not None)
    if not 0 <= min_met <= ratio_count:
        raise seg.fail("min_met", f"应在 0 到 {ratio_count}（比值指标数）之间")
    return Standard(
        id=top.get("id", str),
        name=top.get("name", str),
        version=str(top.get("version", (str, int, float))),
        document=top.get("document", str, ""),
        description=top.get("description", str, ""),
        extends=top.get("extends", str, None),
        parts=parts,
        segment_rule=SegmentRule(
            name=seg.get("name", str),
            source=seg.get("source", str),
            description=seg.get("description", str, ""),
            min_met=min_met,
            floor_ratio=floor_ratio,
        ),
        balance_rule={k: str(v) for k, v in balance.data.items()},
        scope_rule={"excluded_kinds": tuple(excluded)}
        | {k: str(v) for k, v in scope.data.items() if k != "excluded_kinds"},
        policies=policies,
        items=items,
        origin=origin,
    )
