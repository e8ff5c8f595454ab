"""A rotation and recruitment plan judged by the engine: the dataset after the plan, and the
figures before and after it as `junheng.core.evaluate.evaluate` gives them — the CVs of R1–R3
per level with their limits, G11 (the plan's share of eligible teachers rotated and the backbone
share of them) and the schools below the thresholds of R1–R3. Approved posts (核定编制) for the
planner from the 编制与招聘计划 table. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation
from junheng.roster.planner import RotationPlan, apply_plan

ITEMS: tuple[str, ...] = ("R1", "R2", "R3")
G11_FACTS: tuple[str, str] = ("rotation_rate", "rotation_backbone_share")


def approved_posts(dataset: Dataset, year: int) -> pl.DataFrame | None:
    """school_id, level, approved_posts: each segment's latest 核定编制数 of the staffing table up
    to school year `year` (a count stands until a later row changes it); None when the table
    gives no approved posts."""
    staffing = dataset.staffing
    if staffing.is_empty() or "approved_posts" not in staffing.columns:
        return None
    rows = staffing.filter(pl.col("approved_posts").is_not_null() & (pl.col("year") <= year))
    if rows.is_empty():
        return None
    return (
        rows.sort("year")
        .group_by("school_id", "level", maintain_order=True)
        .agg(pl.col("approved_posts").last().cast(pl.Int64))
    )


def planned_dataset(dataset: Dataset, plan: RotationPlan, county: str) -> Dataset:
    """The dataset with the plan's moves and hires (`apply_plan`) and the county's G11 facts
    set to the plan's: moves ÷ eligible teachers, backbone moved ÷ moves (left as reported
    when the plan has no eligible teacher or no move)."""
    after = apply_plan(dataset, plan)
    values = {}
    if plan.eligible:
        values["rotation_rate"] = plan.moves.height / plan.eligible
    if plan.moves.height:
        values["rotation_backbone_share"] = plan.backbone_moved / plan.moves.height
    facts = after.county_facts
    mine = pl.col("county") == county
    facts = facts.with_columns(
        pl.when(mine).then(pl.lit(v)).otherwise(pl.col(f)).cast(facts.schema[f]).alias(f)
        for f, v in values.items()
        if f in facts.columns
    )
    return replace(after, county_facts=facts)


@dataclass(frozen=True)
class Balance:
    level: str
    item: str
    before: float | None
    after: float | None
    limit: float | None
    passes_before: bool | None
    passes_after: bool | None


@dataclass(frozen=True)
class Below:
    """Segments of a level under an item's threshold (in scope of the evaluation)."""

    level: str
    item: str
    before: int
    after: int


@dataclass(frozen=True)
class G11:
    key: str
    label: str
    before: float | None
    after: float | None
    threshold: float | None
    passes_before: bool | None
    passes_after: bool | None


@dataclass(frozen=True)
class PlanFigures:
    balance: list[Balance]
    below: list[Below]
    g11: list[G11]
    schools_below_before: list[str]
    schools_below_after: list[str]
    """Names of schools with a segment below a threshold of R1–R3, before and after."""


def _balance(evaluation: Evaluation, county: str, items: Sequence[str]) -> dict:
    rows = evaluation.balance.filter(
        (pl.col("county") == county) & pl.col("indicator").is_in(list(items)) & pl.col("applicable")
    )
    return {(r["level"], r["indicator"]): r for r in rows.iter_rows(named=True)}


def _in_scope(evaluation: Evaluation, county: str) -> pl.DataFrame:
    return evaluation.segments.filter(
        (pl.col("county") == county) & pl.col("in_scope").fill_null(False)
    )


def _g11(evaluation: Evaluation, county: str) -> dict[str, object]:
    try:
        result = evaluation.item(county, "G11")
    except KeyError:
        return {}
    return {c.key: c for c in result.checks}


def plan_figures(
    before: Evaluation, after: Evaluation, county: str, items: Sequence[str] = ITEMS
) -> PlanFigures:
    """The engine's figures of the county before and after a plan (see the module)."""
    b, a = _balance(before, county, items), _balance(after, county, items)
    balance = [
        Balance(
            level,
            item,
            row["cv"],
            a.get((level, item), {}).get("cv"),
            row["limit"],
            row["passes"],
            a.get((level, item), {}).get("passes"),
        )
        for (level, item), row in b.items()
    ]
    seg_b, seg_a = _in_scope(before, county), _in_scope(after, county)
    below = []
    levels = [lv for lv in ("primary", "junior") if lv in set(seg_b["level"].to_list())]
    for level in levels:
        for item in items:

            def short(frame: pl.DataFrame, level: str = level, item: str = item) -> int:
                met = frame.filter(pl.col("level") == level).get_column(f"{item}_met")
                return int((met == False).sum())  # noqa: E712 - null (missing) is not below

            below.append(Below(level, item, short(seg_b), short(seg_a)))

    def names(frame: pl.DataFrame) -> list[str]:
        under = pl.any_horizontal([pl.col(f"{i}_met") == False for i in items])  # noqa: E712
        return sorted(set(frame.filter(under.fill_null(False)).get_column("name").to_list()))

    gb, ga = _g11(before, county), _g11(after, county)
    g11 = [
        G11(
            key,
            check.label,
            check.value,
            ga[key].value if key in ga else None,
            check.threshold,
            check.passes,
            ga[key].passes if key in ga else None,
        )
        for key, check in gb.items()
    ]
    return PlanFigures(balance, below, g11, names(seg_b), names(seg_a))
