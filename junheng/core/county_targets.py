"""A county's own dated class-size targets (创建目标（班额）) as `Target`s. Pure.

County plans date their own targets (到2025年秋季基本消除56人以上大班额、到2026年全部达到标准
班额), often later or stricter than the national texts. The optional `class_targets` table holds
them, one row per county, target year, band and level; this module reads one county's rows into
the `Target`s that `core/class_sizes.py` judges per school year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from junheng.core.class_sizes import ClassSizeRules, Target, default_rules, targets_from_records
from junheng.core.dataset import Dataset
from junheng.core.schema import CLASS_TARGETS

_PERCENT = Decimal(100)
"""The table gives `max_share` in per cent (5 = 5 %); a `Target` holds the fraction."""


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"band": row["band"], "year": row["year"], "source": row["source"]}
    classes = row["max_classes"]
    # An empty count is the column's default (消除: none left), as the data format says.
    record["max_classes"] = (
        int(CLASS_TARGETS.column("max_classes").default or 0) if classes is None else classes
    )
    if row["max_share"] is not None:
        # Through the decimal text so 2.9 % is exactly 0.029, not 0.028999….
        record["max_share"] = float(Decimal(str(row["max_share"])) / _PERCENT)
    if row["level"] is not None:
        record["level"] = row["level"]
    return record


def county_targets(
    dataset: Dataset, county: str, rules: ClassSizeRules | None = None
) -> tuple[Target, ...] | None:
    """The county's own class-size targets, or None when it gives none.

    When a county gives any target, its targets REPLACE the national defaults of
    `class_sizes.yaml` for that county (they are not added to them): the county's plan is what
    its class-size page, report and ledger then judge and show, and a national target the
    county's plan does not repeat is not judged. A county without rows keeps the defaults (the
    caller passes None on and `class_sizes` uses the rules' targets).

    Targets are ordered by year, band (smallest first) and level (both levels first), so the
    order does not depend on how the rows were stored. A row that is not a valid target
    (unknown band or level, a negative count, a share of 100 % or more, no source) raises
    `ClassSizeError`; the intake refuses such rows before they are stored."""
    rows = dataset.class_targets.filter(pl.col("county") == county)
    if rows.is_empty():
        return None
    rules = rules or default_rules()
    targets = targets_from_records(
        [_record(row) for row in rows.iter_rows(named=True)],
        rules.bands,
        source=f"{county}{CLASS_TARGETS.zh}",
    )
    rank = {band.key: i for i, band in enumerate(rules.bands)}
    return tuple(
        sorted(
            targets,
            key=lambda t: (t.year, rank[t.band], t.level is not None, t.level or ""),
        )
    )


def targets_by_county(
    dataset: Dataset, rules: ClassSizeRules | None = None
) -> dict[str, tuple[Target, ...]]:
    """County → its own targets (`county_targets`), for the counties that give any, in the
    order of the table; a county missing here keeps the national defaults."""
    counties = dataset.class_targets.get_column("county").drop_nulls().unique(maintain_order=True)
    found = {county: county_targets(dataset, county, rules) for county in counties.to_list()}
    return {county: targets for county, targets in found.items() if targets is not None}
