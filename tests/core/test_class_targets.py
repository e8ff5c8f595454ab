"""A county's own dated class-size targets: read from its rows, replacing the national ones."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl
import pytest

from junheng.core.class_sizes import (
    ClassSizeError,
    band_counts,
    class_sizes_to_dict,
    default_rules,
    judge_targets,
)
from junheng.core.county_targets import county_targets, targets_by_county
from junheng.core.dataset import Dataset
from junheng.core.schema import CLASS_TARGETS, TARGET_BANDS
from junheng.core.subset import restrict
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.demo_plans import DEMO_TARGETS_SOURCE, with_plans
from junheng.standards import load_standard

SOURCE = "《甲县实施方案》"


def target_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "county": "甲县",
        "year": 2025,
        "band": "large",
        "level": None,
        "max_classes": 0,
        "max_share": None,
        "source": SOURCE,
    }
    row.update(changes)
    return row


def with_targets(rows: list[dict[str, Any]], classes: list[int] | None = None) -> Dataset:
    """甲县 with one primary school (p1) whose 2025 classes have the given sizes."""
    sizes = classes or [40]
    return Dataset.build(
        pl.DataFrame(
            {"school_id": ["p1"], "name": ["城关一小"], "county": ["甲县"], "kind": ["primary"]}
        ),
        pl.DataFrame({"school_id": ["p1"], "level": ["primary"], "students": [1], "classes": [1]}),
        classes=pl.DataFrame(
            {
                "school_id": ["p1"] * len(sizes),
                "year": [2025] * len(sizes),
                "grade": [1] * len(sizes),
                "class_name": [str(i + 1) for i in range(len(sizes))],
                "students": sizes,
            }
        ),
        class_targets=pl.DataFrame(rows, schema=_schema()),
    )


def _schema() -> dict[str, type[pl.DataType]]:
    return {
        "county": pl.String,
        "year": pl.Int64,
        "band": pl.String,
        "level": pl.String,
        "max_classes": pl.Int64,
        "max_share": pl.Float64,
        "source": pl.String,
    }


def test_the_table_names_bands_of_the_rules_as_counties_write_them() -> None:
    rules = default_rules()
    # Every band but the first (标准班额 is not something to eliminate), in the rules' order.
    assert [key for key, _ in TARGET_BANDS] == [b.key for b in rules.bands[1:]]
    # The labels of bands whose lower edge is the same at both levels are the rules' own words.
    labels = dict(TARGET_BANDS)
    assert labels["large"] == rules.label("large") == "56人以上大班额"
    assert labels["super_large"] == rules.label("super_large") == "66人以上超大班额"


def test_a_county_without_rows_keeps_the_defaults() -> None:
    dataset = with_targets([])
    assert county_targets(dataset, "甲县") is None
    assert targets_by_county(dataset) == {}
    other = with_targets([target_row(county="乙县")])
    assert county_targets(other, "甲县") is None
    assert set(targets_by_county(other)) == {"乙县"}


def test_rows_become_targets_in_year_band_and_level_order() -> None:
    dataset = with_targets(
        [
            target_row(year=2026, band="over_standard", level="junior", max_classes=None),
            target_row(year=2026, band="over_standard"),
            target_row(year=2025, band="large", max_share=2.9, max_classes=1),
        ]
    )
    found = county_targets(dataset, "甲县")
    assert found is not None
    assert [(t.year, t.band, t.level) for t in found] == [
        (2025, "large", None),
        (2026, "over_standard", None),
        (2026, "over_standard", "junior"),
    ]
    # 2.9 % is the fraction 29/1000 exactly (not the float 0.028999…).
    assert found[0].max_share == Fraction(29, 1000)
    assert found[0].max_classes == 1
    # An empty count is the column's default: none left.
    assert CLASS_TARGETS.column("max_classes").default == "0"
    assert found[2].max_classes == 0
    assert found[2].source == SOURCE


def test_invalid_rows_are_refused_naming_the_county_table() -> None:
    with pytest.raises(ClassSizeError, match=r"甲县创建目标（班额）.*band"):
        county_targets(with_targets([target_row(band="standard")]), "甲县")
    # A share of 100 % would allow every class: refused (the intake refuses it first).
    with pytest.raises(ClassSizeError, match="max_share"):
        county_targets(with_targets([target_row(max_share=100.0)]), "甲县")


def judged(rows: list[dict[str, Any]], sizes: list[int]) -> bool | None:
    dataset = with_targets(rows, sizes)
    counts = band_counts(dataset, by="school")
    results = judge_targets(counts, county_targets(dataset, "甲县"), counties=["甲县"])
    assert [r.year for r in results] == [2025]
    return results[0].met


def test_max_classes_and_max_share_on_both_sides_of_the_line() -> None:
    # 20 classes in 2025, one of them of 56 (a 大班额).
    sizes = [56] + [40] * 19
    assert judged([target_row(max_classes=1)], sizes) is True
    assert judged([target_row(max_classes=0)], sizes) is False
    # 5 % of 20 classes = 1 class allowed: met; 4.9 % of 20 = 0.98, rounded down to 0: not met.
    assert judged([target_row(max_share=5.0)], sizes) is True
    assert judged([target_row(max_share=4.9)], sizes) is False


def test_the_demo_county_is_judged_by_its_own_targets_in_2026() -> None:
    dataset = with_plans(demo_county(with_grades=True), 2026)
    targets = county_targets(dataset, DEMO_COUNTY)
    assert targets is not None
    assert {t.source for t in targets} == {DEMO_TARGETS_SOURCE}
    entry = class_sizes_to_dict(
        dataset, DEMO_COUNTY, standard=load_standard("national-2017"), targets=targets
    )
    assert entry is not None
    # The county's targets replace the national ones (2018 and 2020 are not judged).
    assert {t["target_year"] for t in entry["targets"]} == {2025, 2026}
    by_key = {(t["target_year"], t["band"], t["year"]): t for t in entry["targets"]}

    large = by_key[(2025, "large", 2026)]
    # The demo keeps one class of 56 at 石桥镇中心小学, the county's only 56+ class.
    assert large["met"] is False
    assert large["classes"] == 1
    assert large["schools"] == [{"school": "石桥镇中心小学", "classes": 1}]
    assert large["sentence"].endswith("未实现")

    # By hand from the demo's 2026 classes: 标准班额 is at most 45 students in grades 1–6 and
    # 50 in grades 7–9 (教督〔2017〕6号), so a class above that is 超标准班额 or larger.
    rows = dataset.classes.filter(pl.col("year") == 2026).iter_rows(named=True)
    above = sum(1 for r in rows if r["students"] > (45 if r["grade"] <= 6 else 50))
    assert above > 1
    over = by_key[(2026, "over_standard", 2026)]
    assert over["met"] is False
    assert over["classes"] == above
    assert over["allowed"] == 0
    assert sum(s["classes"] for s in over["schools"]) == above
    assert over["sentence"].endswith("未实现")


def test_an_evaluation_over_some_schools_keeps_the_county_targets() -> None:
    dataset = with_plans(demo_county(with_grades=True), 2026)
    first = dataset.schools.get_column("school_id").head(1).to_list()
    assert restrict(dataset, first).class_targets.equals(dataset.class_targets)
