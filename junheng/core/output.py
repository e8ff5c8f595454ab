"""The evaluation as the JSON contract of shared DATASET.md (`junheng evaluate PATH --json`).

The keys named in the contract are produced exactly; extra keys (notes, checks, gaps, the
standard's version) are additions the contract allows.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.core.schema import LEVELS

if TYPE_CHECKING:
    from junheng.core.evaluate import Evaluation


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null; tuples become lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _segments(
    evaluation: Evaluation, frame: pl.DataFrame, gaps: pl.DataFrame
) -> list[dict[str, Any]]:
    ids = [i.id for i in evaluation.standard.ratio_items]
    thresholds = {i.id: dict(i.threshold) for i in evaluation.standard.ratio_items}
    shortfalls: dict[tuple[str, str], dict[str, Any]] = {}
    for gap in gaps.filter(pl.col("item").is_in(ids)).iter_rows(named=True):
        shortfalls.setdefault((gap["school_id"], gap["level"]), {})[gap["item"]] = {
            "amount": gap["shortfall"],
            "unit": gap["unit"],
            "what": gap["what"],
            "action": gap["action"],
        }
    cols = [
        "school_id",
        "name",
        "kind",
        "level",
        "students",
        "in_scope",
        "passes",
        "reasons",
        "notes",
        *ids,
        *(f"{i}_met" for i in ids),
        *(f"{i}_num" for i in ids),
        *(f"{i}_den" for i in ids),
    ]
    out = []
    for row in frame.select(cols).iter_rows(named=True):
        out.append(
            {
                "school_id": row["school_id"],
                "name": row["name"],
                "kind": row["kind"],
                "level": row["level"],
                "students": row["students"],
                "in_scope": row["in_scope"],
                "values": {i: row[i] for i in ids},
                "met": {i: row[f"{i}_met"] if row["in_scope"] else None for i in ids},
                "inputs": {
                    i: {"numerator": row[f"{i}_num"], "denominator": row[f"{i}_den"]} for i in ids
                },
                "passes": row["passes"],
                "reasons": list(row["reasons"]),
                "notes": row["notes"],
                "thresholds": {i: thresholds[i].get(row["level"]) for i in ids},
                "shortfalls": shortfalls.get((row["school_id"], row["level"]), {}),
            }
        )
    return out


def _balance(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {level: {} for level, _ in LEVELS}
    for row in frame.iter_rows(named=True):
        out.setdefault(row["level"], {})[row["indicator"]] = {
            "cv": row["cv"],
            "mean": row["mean"],
            "sd": row["sd"],
            "limit": row["limit"],
            "passes": row["passes"],
            "schools": row["n"],
            "reason": row["reason"],
        }
    return out


def county_to_dict(evaluation: Evaluation, county: str) -> dict[str, Any]:
    """One county's entry of the contract."""
    from junheng.core.evaluate import PART_KEYS

    segments = evaluation.segments.filter(pl.col("county") == county)
    balance = evaluation.balance.filter(pl.col("county") == county)
    verdict = evaluation.verdicts[county]
    items = {
        r.item: {
            "value": r.value,
            "passes": r.passes,
            "reason": r.reason,
            "checks": [
                {
                    "key": c.key,
                    "label": c.label,
                    "value": c.value,
                    "threshold": c.threshold,
                    "op": c.op,
                    "passes": c.passes,
                }
                for c in r.checks
            ],
            "failing": list(r.failing),
        }
        for r in evaluation.items[county]
    }
    gaps = evaluation.totals.filter(pl.col("county") == county)
    segment_gaps = evaluation.gaps.filter(pl.col("county") == county)
    return {
        "county": county,
        "segments": _segments(evaluation, segments, segment_gaps),
        "balance": _balance(balance),
        "items": items,
        "parts": {PART_KEYS[k]: p.passes for k, p in verdict.parts.items()},
        "part_reasons": {PART_KEYS[k]: list(p.reasons) for k, p in verdict.parts.items()},
        "verdict": {"passes": verdict.passes, "reasons": list(verdict.reasons)},
        "gaps": [
            {
                "level": r["level"],
                "item": r["item"],
                "what": r["what"],
                "action": r["action"],
                "unit": r["unit"],
                "total": r["total"],
                "schools": r["schools"],
                "sentence": r["sentence"],
            }
            for r in gaps.iter_rows(named=True)
        ],
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as the contract's JSON object."""
    standard = evaluation.standard
    return _clean(
        {
            "standard": standard.id,
            "standard_name": standard.name,
            "standard_version": standard.version,
            "policies": {k: p.value for k, p in standard.policies.items()},
            "counties": [county_to_dict(evaluation, c) for c in evaluation.counties],
        }
    )
