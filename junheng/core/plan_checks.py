"""The creation plan's yearly checks beside the evaluation: class-size bands with their dated
targets (and G5's classes) and the county's education finance, for the counties whose dataset
carries those optional tables. Pure.

They ride with the evaluation so a snapshot holds them (the evaluation JSON's `class_sizes`
and `finance` keys), the ledger draws problems from them, and a document generated later from
that snapshot prints the same figures. A county without the tables gets neither key, so its
entry is exactly what it was before these tables existed. G5's classes are those of the latest
school year of the class table: the dataset does not name its own year, and the class table's
latest year is the one a county reports with its data.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from junheng.core.class_sizes import class_sizes_to_dict
from junheng.core.dataset import Dataset
from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import FinanceRules, national_rules
from junheng.core.standard import Standard


def plan_entries(
    dataset: Dataset, standard: Standard, *, finance_rules: FinanceRules | None = None
) -> dict[str, dict[str, Any]]:
    """County → {"class_sizes": …, "finance": …}, each key only where the county has rows."""
    entries: dict[str, dict[str, Any]] = {}
    classes = dataset.classes.filter(pl.col("year").is_not_null())
    if classes.height:
        year = int(classes.get_column("year").max())  # type: ignore[arg-type]
        for county in dataset.counties:
            found = class_sizes_to_dict(dataset, county, year=year, standard=standard)
            if found is not None:
                entries.setdefault(county, {})["class_sizes"] = found
    if dataset.finance.height:
        report = check_finance(dataset, rules=finance_rules or national_rules())
        given = set(dataset.finance.get_column("county").drop_nulls().to_list())
        for county in dataset.counties:
            if county in given:
                entries.setdefault(county, {})["finance"] = finance_to_dict(report, county)
    return entries
