"""The demo county's plan tables: classes agree with each segment, the finance story, projects."""

from __future__ import annotations

import polars as pl

from junheng.core.dates import parse_plan_date
from junheng.demo import demo_county
from junheng.demo_plans import _even, with_plans


def test_even_split_puts_the_extra_children_first() -> None:
    # 10 children in 3 classes: 10 = 3 × 3 + 1, so one class of 4 and two of 3.
    assert _even(10, 3) == [4, 3, 3]
    assert _even(9, 3) == [3, 3, 3]


def test_classes_of_the_latest_year_agree_with_each_segment() -> None:
    dataset = with_plans(demo_county(with_grades=True), 2026)
    classes = dataset.classes.filter(pl.col("year") == 2026).with_columns(
        level=pl.when(pl.col("grade") <= 6).then(pl.lit("primary")).otherwise(pl.lit("junior"))
    )
    per_segment = classes.group_by("school_id", "level").agg(
        count=pl.len(), total=pl.col("students").sum(), largest=pl.col("students").max()
    )
    joined = per_segment.join(dataset.segments, on=["school_id", "level"])
    assert joined.height == per_segment.height
    assert (joined["count"] == joined["classes"]).all()
    assert (joined["total"] == joined["students"]).all()
    assert (joined["largest"] == joined["max_class_size"]).all()
    # The design: 石桥镇中心小学's largest class is 56, the only 56+ class of the county.
    big = classes.filter(pl.col("students") >= 56)
    names = dataset.schools.join(big, on="school_id").get_column("name").to_list()
    assert names == ["石桥镇中心小学"]


def test_finance_before_the_year_with_the_2024_shortfall() -> None:
    dataset = with_plans(demo_county(with_grades=True), 2026)
    assert dataset.finance.get_column("year").to_list() == [2021, 2022, 2023, 2024, 2025]
    row = dataset.finance.filter(pl.col("year") == 2024).row(0, named=True)
    # 2024: land revenue 412,000,000 − 3 × 18,500,000 = 356,500,000; 9.2 % = 32,798,000.00.
    assert row["land_revenue_yuan"] == 356_500_000.00
    assert row["land_revenue_education_yuan"] == 32_798_000.00
    assert row["urban_surcharge_allocated_yuan"] < row["urban_surcharge_collected_yuan"]
    assert with_plans(demo_county(with_grades=True), 2025).finance.height == 4


def test_projects_and_staffing_name_real_schools_and_dates() -> None:
    dataset = with_plans(demo_county(with_grades=True), 2026)
    known = set(dataset.schools.get_column("school_id").to_list())
    ids = [s for s in dataset.projects.get_column("school_id").to_list() if s is not None]
    assert set(ids) <= known
    assert set(dataset.staffing.get_column("school_id").to_list()) <= known
    for text in dataset.projects.get_column("planned_finish").to_list():
        assert parse_plan_date(text) is not None
