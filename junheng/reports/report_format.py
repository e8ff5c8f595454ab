"""Numbers and words shared by the Word reports (自评报告, 一校一册): how a value, a CV, a gap
quantity or a check's value is printed so the reader's comparison agrees with the verdict, and
the Chinese names of kinds, areas and indicators.

Pure formatting of values the `Evaluation` computed; nothing here computes a verdict.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any

from junheng.core.checks import ItemResult, show_value
from junheng.core.formatting import fmt_number
from junheng.core.schema import AREA_TYPES, OWNERSHIPS, SCHOOL_KINDS
from junheng.core.standard import Check, Item, Standard
from junheng.reports.tables import requirement_text as shared_requirement_text

MISSING = "—（缺数据）"
"""How a value the evaluation could not compute is printed."""
VERDICT: dict[bool | None, str] = {True: "达标", False: "未达标", None: "无法判定"}
VETO: dict[bool | None, str] = {True: "无此情形", False: "存在此情形", None: "无法判定"}
MARK: dict[bool | None, str] = {True: "✓", False: "✗", None: ""}
R_DECIMALS: dict[str, int] = {"R6": 0}
"""Decimals of the resource values in tables (yuan per student is shown in whole yuan)."""
DEFAULT_DECIMALS = 2
CV_DECIMALS = 3
MAX_DECIMALS = 6

UNIT_WORDS: dict[str, str] = {"㎡": "平方米", "m²": "平方米", "m2": "平方米"}
KIND_ZH: dict[str, str] = dict(SCHOOL_KINDS)
MISSING_DATA = re.compile(r"缺少数据（(.+?)）")
AREA_ZH: dict[str, str] = dict(AREA_TYPES)
OWNERSHIP_ZH: dict[str, str] = dict(OWNERSHIPS)

SHORT_NAMES: dict[str, str] = {
    "R1": "高于规定学历教师",
    "R2": "县级以上骨干教师",
    "R3": "体育艺术专任教师",
    "R4": "教学及辅助用房",
    "R5": "体育运动场馆",
    "R6": "教学仪器设备值",
    "R7": "网络多媒体教室",
}

# ---------------------------------------------------------------------------------------------
# Number formatting shared with the school book and the tests
# ---------------------------------------------------------------------------------------------


def unit_word(unit: str) -> str:
    """㎡ → 平方米; other units as they are."""
    return UNIT_WORDS.get(unit, unit)


def fmt_against(
    value: float | None,
    threshold: float | None,
    ok: bool | None,
    decimals: int = DEFAULT_DECIMALS,
    op: str = ">=",
) -> str:
    """A value printed so the reader's comparison with the threshold agrees with the verdict:
    `decimals` decimals, more (up to six) when rounding would make a failing 4.1996 look like
    the threshold 4.20. None → "—（缺数据）"."""
    if value is None:
        return MISSING
    text = fmt_number(value, decimals)
    if ok is None or threshold is None:
        return text
    for places in range(decimals, MAX_DECIMALS + 1):
        text = fmt_number(value, places)
        shown = float(text)
        agrees = shown >= threshold if op == ">=" else shown <= threshold
        if agrees == ok:
            return text
    return text


def fmt_indicator(
    item_id: str, value: float | None, threshold: float | None, met: bool | None
) -> str:
    """A Part R value as printed in the tables (R6 in whole yuan, others two decimals)."""
    return fmt_against(value, threshold, met, R_DECIMALS.get(item_id, DEFAULT_DECIMALS))


def fmt_cv(cv: float | None, limit: float | None, passes: bool | None, standard: Standard) -> str:
    """A coefficient of variation with at least three decimals (more when the comparison
    precision policy or the closeness to the limit asks for it)."""
    policy = standard.policies.get("comparison_decimals")
    decimals = max(CV_DECIMALS, policy.value if policy and policy.value is not None else 0)
    return fmt_against(cv, limit, passes, decimals, op="<=")


def fmt_mark(item_id: str, value: float | None, threshold: float | None, met: bool | None) -> str:
    """A value with its pass mark: "4.91✓", "0.62✗", or "—（缺数据）"."""
    if value is None:
        return MISSING
    return fmt_indicator(item_id, value, threshold, met) + MARK[met]


def fmt_amount(total: float | None) -> str:
    """A gap quantity: whole numbers without decimals, others with two; thousands separated."""
    if total is None:
        return MISSING
    whole = float(total).is_integer()
    return fmt_number(total, 0 if whole else 2, thousands=True)


def fmt_check_value(check: Check, value: Any) -> str:
    """The value of one check of a G/Q/S/V item with its unit, as the reasons print it."""
    if value is None:
        return MISSING
    text = show_value(check, value)
    # a yes/no or a percentage carries its own sign; other values take the check's unit
    if isinstance(value, bool) or (check.percent and isinstance(value, (int, float))):
        return text
    return f"{text}{check.unit}"


def requirement_text(item: Item) -> str:
    """What an item requires, one check per line, worded as in the Excel tables."""
    return shared_requirement_text(item).replace("；", "\n")


def situation_text(item: Item, result: ItemResult) -> str:
    """The actual situation of an item: each check's value for county items (missing values
    named), the unit-by-unit summary for school and segment items."""
    if item.scope != "county" or not result.checks:
        return result.reason
    lines = []
    for check, outcome in zip(item.checks, result.checks, strict=False):
        line = f"{check.label}：{fmt_check_value(check, outcome.value)}"
        if outcome.passes is None and outcome.missing:
            line += f"（缺少{'、'.join(outcome.missing)}数据）"
        lines.append(line)
    if result.item == "S1" and "（按调查答卷计算" in result.reason:
        lines.append(result.reason[result.reason.index("（按调查答卷计算") :].strip("（）"))
    return "\n".join(lines)


def item_facts(item: Item) -> set[str]:
    """The county or school facts an item reads (to find their evidence notes)."""
    names: set[str] = set()
    for check in item.checks:
        names |= set(check.value.required_columns(dict(item.params)))
        if check.threshold.formula is not None:
            names |= set(check.threshold.formula.required_columns(dict(item.params)))
    return names


def charts_module() -> ModuleType | None:
    """The chart module, imported on first use (reports still build where it is unavailable)."""
    try:
        return importlib.import_module("junheng.reports.charts")
    except ImportError:
        return None
