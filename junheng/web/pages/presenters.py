"""Turn a snapshot's stored result into rows a template prints without further logic.

Numbers are formatted here with `junheng.core.formatting`, so a page shows the same digits as
the CLI and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Item, Standard
from junheng.standards import load_standard

PARTS: tuple[tuple[str, str], ...] = (
    ("R", "资源配置"),
    ("G", "政府保障程度"),
    ("Q", "教育质量"),
    ("S", "社会认可度"),
    ("veto", "一票否决"),
)
LEVELS: tuple[str, ...] = ("primary", "junior")


def verdict_text(passes: bool | None) -> str:
    if passes is True:
        return "达标"
    if passes is False:
        return "未达标"
    return "无法判定"


def verdict_css(passes: bool | None) -> str:
    if passes is True:
        return "ok"
    if passes is False:
        return "fail"
    return "unknown"


def standard_of(standard_id: str) -> Standard | None:
    """The standard a snapshot was evaluated with, for indicator names and thresholds.

    A snapshot outlives standard files; a page still renders (with bare item ids) when the file
    is gone rather than failing.
    """
    try:
        return load_standard(standard_id)
    except Exception:
        return None


def _ratio_items(
    standard: Standard | None, result: dict[str, Any]
) -> list[tuple[str, Item | None]]:
    if standard is not None and standard.ratio_items:
        return [(item.id, item) for item in standard.ratio_items]
    ids = sorted({key for level in result.get("balance", {}).values() for key in level})
    return [(item_id, None) for item_id in ids]


@dataclass(frozen=True)
class Mark:
    text: str
    css: str


def mark(passes: bool | None) -> Mark:
    if passes is True:
        return Mark("✓ 达标", "ok")
    if passes is False:
        return Mark("✗ 未达标", "fail")
    return Mark("— 无法判定", "unknown")


def county_overview(result: dict[str, Any], standard: Standard | None) -> dict[str, Any]:
    """Verdict, parts, failing segment count, CV table and gap sentences of a county result."""
    verdict = result.get("verdict", {})
    parts = result.get("parts", {})
    part_reasons = result.get("part_reasons", {})
    part_rows = [
        {
            "key": key,
            "label": label,
            "mark": mark(parts.get(key)),
            "reasons": part_reasons.get(key, []),
        }
        for key, label in PARTS
        if key in parts
    ]
    segments = [s for s in result.get("segments", []) if s.get("in_scope")]
    balance = result.get("balance", {})
    cv_rows = []
    for item_id, item in _ratio_items(standard, result):
        cells = []
        for level in LEVELS:
            entry = balance.get(level, {}).get(item_id) or {}
            cells.append(
                {
                    "cv": fmt_number(entry.get("cv"), 3),
                    "limit": fmt_plain(entry.get("limit")),
                    "mark": mark(entry.get("passes")),
                    "schools": entry.get("schools"),
                }
            )
        cv_rows.append({"id": item_id, "name": item.name if item else "", "cells": cells})
    return {
        "verdict_text": verdict_text(verdict.get("passes")),
        "verdict_css": verdict_css(verdict.get("passes")),
        "verdict_reasons": verdict.get("reasons", []),
        "parts": part_rows,
        "segments_total": len(segments),
        "segments_failing": sum(1 for s in segments if s.get("passes") is False),
        "segments_undecided": sum(1 for s in segments if s.get("passes") is None),
        "cv_rows": cv_rows,
        "levels": [LEVEL_ZH.get(level, level) for level in LEVELS],
        "gaps": [g["sentence"] for g in result.get("gaps", []) if g.get("sentence")],
    }


def school_segments(
    result: dict[str, Any], school_id: str, standard: Standard | None
) -> list[dict[str, Any]]:
    """The school's segments: each indicator's value, threshold, 85 % line, mark and shortfall."""
    floor = standard.segment_rule.floor_ratio if standard is not None else None
    rows = []
    for segment in result.get("segments", []):
        if segment.get("school_id") != school_id:
            continue
        level = segment.get("level")
        indicators = []
        for item_id, item in _ratio_items(standard, result):
            # thresholds and shortfalls come with the snapshot, so the page shows the numbers
            # the evaluation used even if the standard file changed afterwards
            threshold = segment.get("thresholds", {}).get(item_id)
            if threshold is None and item is not None:
                threshold = item.threshold.get(level)
            met = segment.get("met", {}).get(item_id)
            short = segment.get("shortfalls", {}).get(item_id)
            gap = None
            if met is False and short is not None and short.get("amount") is not None:
                amount = short["amount"]
                shown = fmt_plain(int(amount)) if float(amount).is_integer() else fmt_number(amount)
                gap = f"{short['action']}{short['what']} {shown} {short['unit']}"
            indicators.append(
                {
                    "id": item_id,
                    "name": item.name if item else "",
                    "unit": item.unit if item else "",
                    "value": fmt_number(segment.get("values", {}).get(item_id)),
                    "threshold": fmt_plain(threshold),
                    "floor": fmt_number(threshold * floor) if threshold and floor else "—",
                    "mark": mark(met) if segment.get("in_scope") else Mark("不纳入评估", "unknown"),
                    "gap": gap,
                }
            )
        rows.append(
            {
                "level": LEVEL_ZH.get(level, level),
                "students": segment.get("students"),
                "in_scope": segment.get("in_scope"),
                "mark": mark(segment.get("passes")),
                "reasons": segment.get("reasons", []),
                "indicators": indicators,
                "gaps": [i["gap"] for i in indicators if i["gap"]],
            }
        )
    return rows


def school_item_problems(result: dict[str, Any], school_id: str) -> list[str]:
    """County items (G3, G4, Q4 …) that name this school among the failing ones."""
    problems = []
    for item_id, item in result.get("items", {}).items():
        for failing in item.get("failing") or []:
            if failing.get("school_id") == school_id:
                for reason in failing.get("reasons", []):
                    problems.append(f"{item_id}：{reason}")
    return problems


def school_links(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per school of the county, its segments' verdicts, failing schools first."""
    schools: dict[str, dict[str, Any]] = {}
    for segment in result.get("segments", []):
        row = schools.setdefault(
            segment["school_id"],
            {"school_id": segment["school_id"], "name": segment.get("name"), "segments": []},
        )
        label = LEVEL_ZH.get(segment.get("level"), segment.get("level"))
        if segment.get("in_scope"):
            row["segments"].append({"level": label, "mark": mark(segment.get("passes"))})
        else:
            row["segments"].append({"level": label, "mark": Mark("不纳入评估", "unknown")})
    order = {"fail": 0, "unknown": 1, "ok": 2}
    return sorted(
        schools.values(),
        key=lambda r: min((order[s["mark"].css] for s in r["segments"]), default=2),
    )
