"""The creation plan's yearly checks beside the evaluation: class-size bands with their dated
targets (and G5's classes) and the county's education finance, for the counties whose dataset
carries those optional tables. Pure.

They ride with the evaluation so a snapshot holds them (the evaluation JSON's `class_sizes`
and `finance` keys), the ledger draws problems from them, and a document generated later from
that snapshot prints the same figures. A county without the tables gets neither key, so its
entry is exactly what it was before these tables existed. G5's classes are those of the latest
school year of the class table: the dataset does not name its own year, and the class table's
latest year is the one a county reports with its data.

Each county is checked on its own rows (the tables split by county once), so a dataset of
many counties costs what its rows cost, not counties × rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl

from junheng.core.class_sizes import class_sizes_to_dict
from junheng.core.dataset import Dataset
from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import FinanceRules, national_rules
from junheng.core.standard import Standard


def _by_county(frame: pl.DataFrame, county_of: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """A table with school_id split by the county of its school."""
    joined = frame.join(county_of, on="school_id", how="inner")
    return {
        key[0]: part.drop("__county")
        for key, part in joined.partition_by("__county", as_dict=True).items()
    }


def plan_entries(
    dataset: Dataset, standard: Standard, *, finance_rules: FinanceRules | None = None
) -> dict[str, dict[str, Any]]:
    """County → {"class_sizes": …, "finance": …}, each key only where the county has rows."""
    entries: dict[str, dict[str, Any]] = {}
    classes = dataset.classes.filter(pl.col("year").is_not_null())
    if classes.height:
        year = int(classes.get_column("year").max())  # type: ignore[arg-type]
        county_of = dataset.schools.select("school_id", pl.col("county").alias("__county"))
        class_parts = _by_county(classes, county_of)
        segment_parts = _by_county(dataset.segments, county_of)
        school_parts = {
            key[0]: part
            for key, part in dataset.schools.partition_by("county", as_dict=True).items()
        }
        for county in dataset.counties:
            if county not in class_parts:
                continue
            own = replace(
                dataset,
                schools=school_parts[county],
                segments=segment_parts.get(county, dataset.segments.clear()),
                classes=class_parts[county],
            )
            found = class_sizes_to_dict(own, county, year=year, standard=standard)
            if found is not None:
                entries.setdefault(county, {})["class_sizes"] = found
    if dataset.finance.height:
        rules = finance_rules or national_rules()
        parts = {
            key[0]: part
            for key, part in dataset.finance.partition_by("county", as_dict=True).items()
        }
        for county in dataset.counties:
            if county in parts:
                report = check_finance(parts[county], rules=rules)
                entries.setdefault(county, {})["finance"] = finance_to_dict(report, county)
    return entries
