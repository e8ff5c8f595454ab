"""The evaluation as the JSON contract of shared DATASET.md (`junheng evaluate PATH --json`).

The keys named in the contract are produced exactly; extra keys (notes, checks, gaps, the
standard's version, each segment's share of the weighted variance, a county summary) are
additions the contract allows.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.core.balance import contributions
from junheng.core.checks import item_facts
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


def _shares(
    evaluation: Evaluation, segments: pl.DataFrame, balance: pl.DataFrame
) -> dict[tuple[str, str], dict[str, float | None]]:
    """(school_id, level) → indicator → share of the weighted variance of that CV."""
    frame = contributions(segments, balance, evaluation.standard)
    out: dict[tuple[str, str], dict[str, float | None]] = {}
    for school_id, level, indicator, share in frame.select(
        "school_id", "level", "indicator", "share"
    ).iter_rows():
        out.setdefault((school_id, level), {})[indicator] = share
    return out


def _segments(
    evaluation: Evaluation, frame: pl.DataFrame, gaps: pl.DataFrame, balance: pl.DataFrame
) -> list[dict[str, Any]]:
    ids = [i.id for i in evaluation.standard.ratio_items]
    shares = _shares(evaluation, frame, balance)
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
        *(f"{i}_floor_ok" for i in ids),
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
                # reaches the segment rule's floor (85 % of the threshold)
                "floor_ok": {i: row[f"{i}_floor_ok"] if row["in_scope"] else None for i in ids},
                "inputs": {
                    i: {"numerator": row[f"{i}_num"], "denominator": row[f"{i}_den"]} for i in ids
                },
                "passes": row["passes"],
                "reasons": list(row["reasons"]),
                "notes": row["notes"],
                "thresholds": {i: thresholds[i].get(row["level"]) for i in ids},
                "shortfalls": shortfalls.get((row["school_id"], row["level"]), {}),
                # who drives each CV: shares of one CV sum to 1 over the in-scope segments
                "shares": {i: shares.get((row["school_id"], row["level"]), {}).get(i) for i in ids},
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
            "compared": row["cv_compared"],
            "rounding": row["rounding"],
            "applicable": row["applicable"],
        }
    return out


def _county_evidence(evaluation: Evaluation, county: str) -> dict[str, list[str]]:
    """Fact → the county's evidence notes on it (school facts' notes belong to their schools)."""
    notes = evaluation.notes
    if notes.is_empty() or not {"county", "fact", "note"} <= set(notes.columns):
        return {}
    rows = notes.filter(pl.col("county") == county)
    if "school_id" in rows.columns:
        rows = rows.filter(pl.col("school_id").is_null())
    out: dict[str, list[str]] = {}
    for fact, note in rows.select("fact", "note").iter_rows():
        if note:
            out.setdefault(fact, []).append(note)
    return out


def county_to_dict(evaluation: Evaluation, county: str) -> dict[str, Any]:
    """One county's entry of the contract."""
    from junheng.core.evaluate import PART_KEYS

    segments = evaluation.segments.filter(pl.col("county") == county)
    balance = evaluation.balance.filter(pl.col("county") == county)
    verdict = evaluation.verdicts[county]
    evidence = _county_evidence(evaluation, county)
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
            # the county's evidence notes (佐证材料) on the facts the item reads
            "evidence": [
                note
                for fact in item_facts(evaluation.standard.items[r.item])
                for note in evidence.get(fact, ())
            ],
        }
        for r in evaluation.items[county]
    }
    gaps = evaluation.totals.filter(pl.col("county") == county)
    segment_gaps = evaluation.gaps.filter(pl.col("county") == county)
    entry = {
        "county": county,
        "segments": _segments(evaluation, segments, segment_gaps, balance),
        "balance": _balance(balance),
        "segment_rule": {
            "min_met": evaluation.standard.segment_rule.min_met,
            "floor_ratio": evaluation.standard.segment_rule.floor_ratio,
        },
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
    # The plan's checks (class sizes, finance) only for counties that gave those tables.
    entry.update(evaluation.plan.get(county, {}))
    entry["summary"] = county_summary(entry)
    return entry


def county_summary(entry: dict[str, Any]) -> dict[str, Any]:
    """The few numbers comparisons and trends need, taken from one county entry.

    Small enough to be stored beside a snapshot and read for a hundred counties at once.
    `ratio` is a CV divided by its limit (above 1 means over the limit); `worst_cv` names, per
    level, the indicator with the largest ratio.
    """
    in_scope = [s for s in entry.get("segments", []) if s.get("in_scope")]
    balance: dict[str, Any] = {}
    worst: dict[str, Any] = {}
    over = undecided = 0
    for level, indicators in entry.get("balance", {}).items():
        rows: dict[str, Any] = {}
        top: dict[str, Any] | None = None
        for item, cell in indicators.items():
            cv, limit, passes = cell.get("cv"), cell.get("limit"), cell.get("passes")
            ratio = cv / limit if cv is not None and limit else None
            rows[item] = {"cv": cv, "limit": limit, "passes": passes, "ratio": ratio}
            over += passes is False
            # a level without in-scope segments is not applicable, not undecided
            undecided += passes is None and cell.get("applicable", True) is not False
            if ratio is not None and (top is None or ratio > top["ratio"]):
                top = {"item": item, "cv": cv, "limit": limit, "ratio": ratio, "passes": passes}
        balance[level] = rows
        worst[level] = top
    ratios = [w["ratio"] for w in worst.values() if w is not None]
    failing = [s for s in in_scope if s.get("passes") is False]
    return _clean(
        {
            "verdict": entry.get("verdict", {}).get("passes"),
            "parts": dict(entry.get("parts", {})),
            "segments_total": len(in_scope),
            "segments_failing": len(failing),
            "segments_undecided": sum(1 for s in in_scope if s.get("passes") is None),
            "schools_failing": len({s.get("school_id") for s in failing}),
            "cv_over_limit": over,
            "cv_undecided": undecided,
            "balance": balance,
            "worst_cv": worst,
            "worst_ratio": max(ratios) if ratios else None,
        }
    )


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
