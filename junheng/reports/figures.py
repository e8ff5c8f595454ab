"""The engine's figures offered to the writer of 主要做法与成效: sentences computed from a county
entry of the evaluation JSON (`Snapshot.result`), one list per section of
`practice_sections.yaml`.

Pure: the same entry and standard give the same sentences, worded with the report's own number
formatting (`report_format`), so a figure inserted into the county's text reads exactly as the
report's tables print the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import LEVELS
from junheng.core.standard import Check, Item, Standard
from junheng.reports.report_format import (
    fmt_amount,
    fmt_check_value,
    fmt_cv,
    unit_word,
)
from junheng.reports.story import SectionSpec

OP_WORDS: dict[str, str] = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不高于",
    "<": "低于",
    "==": "为",
}
OUTCOME: dict[bool | None, str] = {
    True: "达到要求",
    False: "未达到要求",
    None: "缺少数据，无法判定",
}
_UNITS = re.compile(r"^(\d+) (所学校|个学段)")
"""The count of schools or segments an item judged, as the engine's reason begins."""


def figures_for(section: SectionSpec, entry: Mapping[str, Any], standard: Standard) -> list[str]:
    """The sentences a section offers: the overall verdict, its Part R indicators by level and
    its items, in the order the section file names them. Items or indicators the standard does
    not have, or the entry did not evaluate, are left out."""
    sentences: list[str] = []
    if section.verdict:
        sentences.append(verdict_sentence(entry, standard))
    for item_id in section.indicators:
        item = standard.items.get(item_id)
        if item is not None and item.ratio is not None:
            sentences += indicator_sentences(item, entry, standard)
    for item_id in section.items:
        item = standard.items.get(item_id)
        result = (entry.get("items") or {}).get(item_id)
        if item is not None and result is not None:
            sentences.append(item_sentence(item, result))
    return sentences


def verdict_sentence(entry: Mapping[str, Any], standard: Standard) -> str:
    county = entry.get("county", "")
    overall = {
        True: "达到县域义务教育优质均衡发展评估认定标准",
        False: "尚未达到县域义务教育优质均衡发展评估认定标准",
        None: "因部分数据缺失，尚无法判定是否达到县域义务教育优质均衡发展评估认定标准",
    }[(entry.get("verdict") or {}).get("passes")]
    parts = entry.get("parts") or {}
    words = []
    for key, name in standard.parts.items():
        value = parts.get("veto" if key == "V" else key, None)
        if key == "V":
            words.append({True: "无一票否决情形", False: "存在一票否决情形"}.get(value, ""))
        elif key in parts:
            words.append(f"{name}{OUTCOME[value]}")
    said = "，".join(w for w in words if w)
    return f"经自评，{county}{overall}" + (f"：{said}。" if said else "。")


def indicator_sentences(item: Item, entry: Mapping[str, Any], standard: Standard) -> list[str]:
    """Per level with schools in scope: segments meeting the threshold, the CV against its limit,
    and the gap the county must close."""
    sentences = []
    segments = [s for s in entry.get("segments") or [] if s.get("in_scope")]
    for level, zh in LEVELS:
        rows = [s for s in segments if s.get("level") == level]
        if not rows:
            continue
        threshold = item.threshold.get(level)
        met = [(s.get("met") or {}).get(item.id) for s in rows]
        unit = unit_word(item.unit)
        text = (
            f"{zh}{item.name}：纳入评估的{len(rows)}个学段中{met.count(True)}个达到"
            f"{_plain(threshold)}{unit}的标准"
        )
        if met.count(None):
            text += f"，{met.count(None)}个因数据缺失无法计算"
        cv = ((entry.get("balance") or {}).get(level) or {}).get(item.id)
        if cv is not None and cv.get("applicable", True):
            if cv.get("cv") is None:
                text += "；校际差异系数因数据缺失无法计算"
            else:
                value = fmt_cv(cv["cv"], cv.get("limit"), cv.get("passes"), standard)
                text += f"；校际差异系数为{value}"
                if cv.get("limit") is not None:
                    text += f"（限值{fmt_number(cv['limit'], 2)}，{OUTCOME[cv.get('passes')]}）"
        for gap in entry.get("gaps") or []:
            if gap.get("item") == item.id and gap.get("level") == level:
                text += (
                    f"；尚需{gap['action']}{zh}{gap['what']}{fmt_amount(gap['total'])}"
                    f"{unit_word(gap['unit'])}（涉及{gap['schools']}所学校）"
                )
        sentences.append(text + "。")
    return sentences


def item_sentence(item: Item, result: Mapping[str, Any]) -> str:
    """One G/Q/S item: each check's value against its requirement (county items), or the
    schools or segments that do not meet it (school and segment items)."""
    if item.scope == "county" and result.get("checks"):
        checks = {c.key: c for c in item.checks}
        parts = [
            _check_text(checks[c["key"]], c) for c in result["checks"] if c.get("key") in checks
        ]
        return "；".join(parts) + "。"
    noun = "个学段" if item.scope == "segment" else "所学校"
    total = _UNITS.match(str(result.get("reason", "")))
    judged = f"纳入评估的{total.group(1)}{total.group(2)}" if total else f"纳入评估的{noun[1:]}"
    failing = result.get("failing") or []
    bad = [f.get("name", "") for f in failing if f.get("passes") is False]
    unknown = [f.get("name", "") for f in failing if f.get("passes") is None]
    if result.get("passes") is True:
        return f"{item.name}：{judged}全部达到要求。"
    text = f"{item.name}：{judged}中"
    bits = []
    if bad:
        bits.append(f"{len(bad)}{noun}未达到要求（{'、'.join(bad)}）")
    if unknown:
        bits.append(f"{len(unknown)}{noun}缺少数据无法判定（{'、'.join(unknown)}）")
    return text + ("，".join(bits) if bits else OUTCOME[result.get("passes")]) + "。"


def _check_text(check: Check, outcome: Mapping[str, Any]) -> str:
    value, threshold, passes = outcome.get("value"), outcome.get("threshold"), outcome.get("passes")
    if isinstance(value, bool) or value is None:
        return f"{check.label}：{fmt_check_value(check, value)}，{OUTCOME[passes]}"
    op = outcome.get("op", ">=")
    if check.percent and isinstance(threshold, (int, float)):
        shown = _percent_against(float(value), float(threshold), passes, op)
        required = fmt_percent(float(threshold))
    else:
        shown = fmt_check_value(check, value)
        required = fmt_check_value(check, threshold) if threshold is not None else ""
    need = f"（要求{OP_WORDS.get(op, op)}{required}）" if required else ""
    return f"{check.label}{shown}{need}，{OUTCOME[passes]}"


def _percent_against(value: float, threshold: float, passes: bool | None, op: str) -> str:
    """A percentage with one decimal, more when one decimal would make a failing 84.96% read as
    the required 85.0%."""
    for decimals in range(1, 5):
        text = fmt_percent(value, decimals)
        shown = float(text.rstrip("%")) / 100
        agrees = {
            ">=": shown >= threshold,
            ">": shown > threshold,
            "<=": shown <= threshold,
            "<": shown < threshold,
        }.get(op)
        if passes is None or agrees is None or agrees == passes:
            return text
    return fmt_percent(value, 4)


def _plain(value: float | None) -> str:
    """A threshold or limit as the standard writes it (4.5, 2000, 0.45)."""
    return "—" if value is None else fmt_plain(value)
