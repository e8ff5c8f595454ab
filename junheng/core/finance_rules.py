"""The checks of county education finance as data (`finance_checks.yaml`) and their strict loader.

A check compares one figure of the 县级教育经费 table either with the same figure a year earlier
(`non_decrease`) or with a factor times another figure of the same year (`at_least`). The
factor, the figures and the clause each check rests on are in the YAML file; a province's
variant is another file that `extends` it. Unknown, missing or mistyped fields are refused with
`FinanceRulesError` naming the file, the check and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from junheng.core.schema import FINANCE
from junheng.core.standard import StandardError
from junheng.standards import read_yaml

RULES_DIR = Path(__file__).parent
NATIONAL_FILE = "finance_checks.yaml"
KINDS: dict[str, str] = {"non_decrease": "逐年只增不减", "at_least": "不低于"}
FIGURES: dict[str, str] = {
    c.name: c.zh
    for c in FINANCE.columns
    if c.name not in ("county", "year", "students") and c.unit != "%"
}
"""The figures a check may read: the money columns of the finance table, by their Chinese name."""

FACTOR_COLUMNS: dict[str, str] = {c.name: c.zh for c in FINANCE.columns if c.unit == "%"}
"""Columns of the finance table a county fills with a line in per cent (the province's share),
which an `at_least` check may take its factor from (`factor_from`)."""

_TOP_KEYS = {"name", "numeric_tolerance", "checks"}
_VARIANT_KEYS = {"extends", "name", "numeric_tolerance", "checks"}
_CHECK_REQUIRED = {"name", "kind", "value", "shortfall", "source"}
_CHECK_KEYS = {
    "non_decrease": _CHECK_REQUIRED,
    "at_least": _CHECK_REQUIRED | {"base", "factor", "factor_name", "factor_from", "percent"},
}


_CJK_BREAK = re.compile(r"(?<=[^\x00-\x7f])[ \t]*\n[ \t]*(?=[^\x00-\x7f])")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


class FinanceRulesError(ValueError):
    """A finance rules file that is not well formed; the message names file, check and field."""

    def __init__(self, origin: str, where: str, problem: str) -> None:
        self.origin, self.where, self.problem = origin, where, problem
        super().__init__(f"教育经费检查文件 {origin}：{where}：{problem}")


@dataclass(frozen=True)
class FinanceCheck:
    id: str
    name: str
    kind: str
    value: str
    shortfall: str
    source: str
    base: str | None = None
    factor: float | None = None
    factor_name: str = ""
    percent: bool = False
    factor_from: str | None = None
    """A column of the finance table giving the factor in per cent for its year (the
    province's share a county states); when the row has it, it replaces `factor`."""

    @property
    def figures(self) -> tuple[str, ...]:
        """The figures the check reads (value, then base)."""
        return (self.value,) if self.base is None else (self.value, self.base)


@dataclass(frozen=True)
class FinanceRules:
    name: str
    origin: str
    numeric_tolerance: float
    checks: tuple[FinanceCheck, ...]

    def check(self, check_id: str) -> FinanceCheck | None:
        return next((c for c in self.checks if c.id == check_id), None)


def _read(path: Path) -> dict[str, Any]:
    try:
        return read_yaml(path)
    except StandardError as exc:
        raise FinanceRulesError(exc.origin, exc.where, exc.problem) from None


def _text(origin: str, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FinanceRulesError(origin, where, f"应为非空文字，实际为 {value!r}")
    return value.strip()


def _unfold(text: str) -> str:
    """A YAML block (`|-`) as one line: a line break between Chinese characters is dropped (the
    text has no space there), any other becomes one space."""
    return _LINE_BREAK.sub(" ", _CJK_BREAK.sub("", text.strip()))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figure(origin: str, where: str, value: Any) -> str:
    if value not in FIGURES:
        known = "、".join(FIGURES)
        raise FinanceRulesError(origin, where, f"没有这个经费数据“{value}”；可用的有：{known}")
    return value


def _check(origin: str, check_id: Any, data: Any) -> FinanceCheck:
    where = f"checks.{check_id}"
    if not isinstance(check_id, str) or not check_id:
        raise FinanceRulesError(origin, "checks", f"检查标识应为文字，实际为 {check_id!r}")
    if not isinstance(data, Mapping):
        raise FinanceRulesError(origin, where, "应为键值映射")
    kind = data.get("kind")
    if kind not in KINDS:
        raise FinanceRulesError(
            origin, f"{where}.kind", f"应为 {'、'.join(KINDS)} 之一，实际为 {kind!r}"
        )
    allowed = _CHECK_KEYS[kind]
    for key in data:
        if key not in allowed:
            raise FinanceRulesError(origin, f"{where}.{key}", "未知的字段（是否拼写错误？）")
    required = _CHECK_REQUIRED | ({"base", "factor"} if kind == "at_least" else set())
    for key in sorted(required - set(data)):
        raise FinanceRulesError(origin, f"{where}.{key}", "缺少必填字段")
    base = _figure(origin, f"{where}.base", data["base"]) if kind == "at_least" else None
    factor = data.get("factor")
    if factor is not None and (not _number(factor) or factor < 0):
        raise FinanceRulesError(
            origin, f"{where}.factor", f"应为不小于 0 的数或留空，实际为 {factor!r}"
        )
    factor_name = data.get("factor_name", "")
    # an unset factor is named in the verdict (未设定省定比例), so it needs a name
    if (factor is None and kind == "at_least") or factor_name:
        factor_name = _text(origin, f"{where}.factor_name", factor_name)
    factor_from = data.get("factor_from")
    if factor_from is not None and factor_from not in FACTOR_COLUMNS:
        known = "、".join(FACTOR_COLUMNS)
        raise FinanceRulesError(
            origin, f"{where}.factor_from", f"没有这个比例数据“{factor_from}”；可用的有：{known}"
        )
    percent = data.get("percent", False)
    if not isinstance(percent, bool):
        raise FinanceRulesError(
            origin, f"{where}.percent", f"应为 true 或 false，实际为 {percent!r}"
        )
    return FinanceCheck(
        id=check_id,
        name=_text(origin, f"{where}.name", data["name"]),
        kind=kind,
        value=_figure(origin, f"{where}.value", data["value"]),
        shortfall=_text(origin, f"{where}.shortfall", data["shortfall"]),
        source=_unfold(_text(origin, f"{where}.source", data["source"])),
        base=base,
        factor=None if factor is None else float(factor),
        factor_name=factor_name,
        percent=percent,
        factor_from=factor_from,
    )


def rules_from_mapping(data: Mapping[str, Any], origin: str = NATIONAL_FILE) -> FinanceRules:
    """Rules from a mapping (a file with `extends` already resolved), strictly."""
    if not isinstance(data, Mapping):
        raise FinanceRulesError(origin, "顶层", "文件内容应为键值映射")
    for key in data:
        if key not in _TOP_KEYS:
            raise FinanceRulesError(origin, str(key), "未知的字段（是否拼写错误？）")
    for key in sorted(_TOP_KEYS - set(data)):
        raise FinanceRulesError(origin, key, "缺少必填字段")
    tolerance = data["numeric_tolerance"]
    if not _number(tolerance) or not 0 <= tolerance < 1:
        raise FinanceRulesError(
            origin, "numeric_tolerance", f"应为不小于 0、小于 1 的数，实际为 {tolerance!r}"
        )
    checks = data["checks"]
    if not isinstance(checks, Mapping) or not checks:
        raise FinanceRulesError(origin, "checks", "应为至少一项检查的键值映射")
    return FinanceRules(
        name=_text(origin, "name", data["name"]),
        origin=origin,
        numeric_tolerance=float(tolerance),
        checks=tuple(_check(origin, cid, body) for cid, body in checks.items()),
    )


def _overlay(base: Mapping[str, Any], variant: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """The variant's fields over the base's, refusing a field the base does not have (a whole
    new check excepted), so a mistyped override cannot go unnoticed."""
    for key in variant:
        if key not in _VARIANT_KEYS:
            raise FinanceRulesError(origin, str(key), "未知的字段（是否拼写错误？）")
    merged = {k: v for k, v in base.items() if k != "extends"}
    merged.update({k: v for k, v in variant.items() if k not in ("extends", "checks")})
    checks = dict(base.get("checks") or {})
    overrides = variant.get("checks") or {}
    if not isinstance(overrides, Mapping):
        raise FinanceRulesError(origin, "checks", "应为键值映射")
    for cid, fields in overrides.items():
        if cid not in checks:
            checks[cid] = fields  # a whole new check, validated like any other
            continue
        if not isinstance(fields, Mapping):
            raise FinanceRulesError(origin, f"checks.{cid}", "应为键值映射")
        known = set(_CHECK_KEYS.get(checks[cid].get("kind"), _CHECK_REQUIRED))
        for key in fields:
            if key not in known:
                raise FinanceRulesError(
                    origin, f"checks.{cid}.{key}", "被继承的文件中没有该字段，无法覆盖"
                )
        checks[cid] = {**checks[cid], **fields}
    merged["checks"] = checks
    return merged


def _resolve(path: Path, seen: tuple[str, ...]) -> dict[str, Any]:
    data = _read(path)
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str) or not (path.parent / parent).is_file():
        raise FinanceRulesError(path.name, "extends", f"找不到被继承的文件“{parent}”")
    if parent in seen:
        raise FinanceRulesError(path.name, "extends", f"继承关系形成循环：{' → '.join(seen)}")
    return _overlay(_resolve(path.parent / parent, (*seen, parent)), data, path.name)


def load_finance_rules(path: Path | str | None = None) -> FinanceRules:
    """The rules of a file (a province's variant may extend a file beside it); the national
    `finance_checks.yaml` when no path is given. A bare file name is looked up beside it."""
    if path is None:
        return national_rules()
    path = Path(path)
    if not path.is_absolute() and not path.exists() and (RULES_DIR / path).is_file():
        path = RULES_DIR / path
    return rules_from_mapping(_resolve(path, (path.name,)), path.name)


@cache
def national_rules() -> FinanceRules:
    """The packaged national rules (read once, like a module constant)."""
    path = RULES_DIR / NATIONAL_FILE
    return rules_from_mapping(_resolve(path, (path.name,)), path.name)
