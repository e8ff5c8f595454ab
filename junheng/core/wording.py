"""How a standard and its policies read to a person: in Chinese, from the standard file.

A standard's id, a policy's key and a choice's key (`national-2017`, `teaching_point_mode`,
`separate`) are names for files and command lines; pages and reports print the standard's name and
the policies' names and choice labels instead. Every shell (reports, web pages, the survey and
rectification pages) words them through these functions, so one policy reads the same everywhere.
Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from junheng.core.standard import Policy, Standard

# The value the policy has in the standard, as opposed to a value given (a stored snapshot's).
CURRENT: Any = object()

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(value: float | int) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    if abs(value) < 1e-4 or abs(value) >= 1e15:
        # 1e-09 is programmer's notation; a reader of a report writes 1×10⁻⁹.
        mantissa, exponent = f"{value:e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return str(value)


def value_text(policy: Policy, value: Any = CURRENT) -> str:
    """A policy's value in words: a choice by its label, a flag as 是/否, no e-notation."""
    if value is CURRENT:
        value = policy.value
    if policy.type == "choice":
        return policy.choices.get(value, "未知取值")
    if policy.type == "bool":
        return "是" if value else "否"
    if policy.type == "decimals":
        return "完整精度" if value is None else f"保留 {value} 位小数"
    if policy.type == "weights":
        return " : ".join(_number(v) for v in dict(value).values())
    return _number(value) if isinstance(value, (int, float)) else str(value)


def policy_value_text(standard: Standard, key: str, value: Any = CURRENT) -> str:
    """The value of the standard's policy `key` in words (its current value unless one is given)."""
    return value_text(standard.policies[key], value)


def policy_text(standard: Standard, key: str, value: Any = CURRENT) -> str:
    """The policy's name and value as a person reads them: 教学点处理方式：并入所属中心校计算."""
    policy = standard.policies[key]
    return f"{policy.name}：{value_text(policy, value)}"


def standard_text(standard: Standard) -> str:
    """The standard by its name and version, e.g. 《县域义务教育…（国家标准）》（版本 2017.1）."""
    return f"《{standard.name}》（版本 {standard.version}）"


def comparison_rule_text(standard: Standard, policies: dict[str, Any] | None = None) -> str:
    """How verdicts are compared with their lines, from the standard's policies (or stored ones):
    exact at the line, and the CVs' precision with its rounding rule."""
    values = {key: p.value for key, p in standard.policies.items()} | dict(policies or {})
    tolerance = _number(values["numeric_tolerance"])
    text = (
        "各项指标按填报数据与标准值精确比较：恰好等于标准值的判为达标，差一分钱、0.01 平方米也判为"
        f"未达到；计算中只消除计算机二进制运算的舍入误差（不超过标准值的 {tolerance}）。"
    )
    decimals = values["comparison_decimals"]
    if decimals is None:
        return text + "差异系数按完整精度与限值比较。"
    rounding = value_text(standard.policies["comparison_rounding"], values["comparison_rounding"])
    return text + f"差异系数按{rounding}保留 {decimals} 位小数后与限值比较。"


def part_reason(key: str, part: Any, results: Any, names: Mapping[str, str] | None = None) -> str:
    """Why a part of the verdict is not met, in one line: Part R's own reasons, for the other
    parts their items that fail or lack data ("G3（不符合）、G5（缺数据）"); "" when it is met.
    With `names` (item id → a short name) each item is named: "G3 音乐美术专用教室（不符合）" —
    a bare id means nothing to a reader who does not know the standard by heart."""
    if part.passes:
        return ""
    if key == "R":
        return "；".join(part.reasons)
    names = names or {}
    return "、".join(
        f"{r.item}{' ' + names[r.item] if names.get(r.item) else ''}"
        f"（{'不符合' if r.passes is False else '缺数据'}）"
        for r in results
        if r.item.startswith(key) and r.passes is not True
    )
