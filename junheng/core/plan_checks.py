"""The creation plan's yearly checks beside the evaluation: class-size bands with their dated
targets (and G5's classes) and the county's education finance, for the counties whose dataset
carries those optional tables. Pure.

They ride with the evaluation so a snapshot holds them (the evaluation JSON's `class_sizes`
and `finance` keys), the ledger draws problems from them, and a document generated later from
that snapshot prints the same figures. A county without the tables gets neither key, so its
entry is exactly what it was before these tables existed. G5's classes are those of the latest
school year of the class table: the dataset does not name its own year, and the class table's
latest year is the one a county reports with its data.

Class sizes are counted, judged and explained for all counties together
(`class_sizes.class_sizes_entries`: a few column-wise passes, then split by county) and finance
is checked on each county's rows (the table split by county once), so a dataset of many
counties costs what its rows cost, not counties × rows or counties × many small steps.
"""

from __future__ import annotations

from typing import Any

from junheng.core.class_sizes import class_sizes_entries
from junheng.core.dataset import Dataset
from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import FinanceRules, national_rules
from junheng.core.standard import Standard


def plan_entries(
    dataset: Dataset, standard: Standard, *, finance_rules: FinanceRules | None = None
) -> dict[str, dict[str, Any]]:
    """County → {"class_sizes": …, "finance": …}, each key only where the county has rows."""
    entries: dict[str, dict[str, Any]] = {}
    years = dataset.classes.get_column("year").drop_nulls()
    if years.len():
        latest = int(years.max())  # type: ignore[arg-type]
        # In the order of dataset.counties, as the finance entries below.
        for county, found in class_sizes_entries(dataset, year=latest, standard=standard).items():
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
