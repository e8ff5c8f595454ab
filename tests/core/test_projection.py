"""Enrolment projection by cohort progression, on tiny counties computed by hand."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.core.dataset import Dataset
from junheng.core.projection import (
    ProjectionError,
    default_policy,
    entry_cohort,
    policy_from_mapping,
    project,
)

KINDS = {"P": "primary", "J": "junior", "N": "nine_year"}
LEVEL = {**dict.fromkeys(range(1, 7), "primary"), **dict.fromkeys(range(7, 10), "junior")}


def county(grades: dict[str, dict[int, list[int]]], name: str = "甲县") -> Dataset:
    """Schools named by kind letter + number; grades[school][year] = students of grades 1…n (a
    junior school's list starts at grade 7). Segments carry the latest year's students."""
    rows = []
    for sid, years in grades.items():
        first = 7 if sid.startswith("J") else 1
        for year, counts in years.items():
            rows += [(sid, year, first + i, n) for i, n in enumerate(counts)]
    frame = pl.DataFrame(rows, schema=["school_id", "year", "grade", "students"], orient="row")
    schools = pl.DataFrame(
        {
            "school_id": list(grades),
            "name": [f"{sid}学校" for sid in grades],
            "county": [name] * len(grades),
            "kind": [KINDS[sid[0]] for sid in grades],
        }
    )
    latest = frame.filter(pl.col("year") == frame["year"].max())
    segments = (
        latest.with_columns(pl.col("grade").replace_strict(LEVEL).alias("level"))
        .group_by("school_id", "level", maintain_order=True)
        .agg(pl.col("students").sum())
    )
    return Dataset.build(schools, segments, grades=frame)


# P1: entrants grow 10 % a year; grade 1 → 2 was 0.9 then 1.0; every other grade keeps its pupils.
P1 = {
    2023: [100, 100, 100, 100, 100, 100],
    2024: [110, 90, 100, 100, 100, 100],
    2025: [121, 110, 90, 100, 100, 100],
}


def level_row(projection, level: str, county_name: str = "甲县") -> dict:
    rows = projection.levels.filter(
        (pl.col("county") == county_name) & (pl.col("level") == level)
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_grade_progression_of_a_tiny_school():
    projection = project(county({"P1": P1}), 2026)
    # Ratios (2 observations each, so the school's own): entry 110/100 = 121/110 = 1.1;
    # 1→2: 90/100 = 0.9 and 110/110 = 1.0 → median 0.95, quartiles 0.925 and 0.975; others 1.0.
    # 2026: g1 = 121 × 1.1 = 133.1, g2 = 121 × 0.95 = 114.95, g3 = 110, g4 = 90, g5 = g6 = 100
    # → 648.05 → 648. Low: g2 = 121 × 0.925 = 111.925 → 645.025 → 645; high: 117.975 → 651.
    row = level_row(projection, "primary")
    assert (row["base"], row["low"], row["median"], row["high"]) == (621, 645, 648, 651)
    ratios = projection.ratios.filter(pl.col("transition") == 1).row(0, named=True)
    assert ratios["source"] == "school" and ratios["observations"] == 2
    assert ratios["low"] == pytest.approx(0.925) and ratios["high"] == pytest.approx(0.975)
    # Two years on, grade 6 of 2026 (g5 of 2025 × 1) and the new cohorts move up again:
    # 2027: g1 = 133.1 × 1.1 = 146.41, g2 = 133.1 × 0.95 = 126.445, g3 = 114.95, g4 = 110,
    # g5 = 90, g6 = 100 → 687.805 → 688.
    assert level_row(project(county({"P1": P1}), 2027), "primary")["median"] == 688


def test_a_school_with_one_observation_takes_the_county_median():
    # P2 has two years, so one observation per transition (< 2): it takes the county's median
    # over P1's two and its own one. Entry: P1 1.1, 1.1; P2 80/100 = 0.8 → median 1.1.
    p2 = {2024: [100, 100, 100, 100, 100, 100], 2025: [80, 100, 100, 100, 100, 100]}
    projection = project(county({"P1": P1, "P2": p2}), 2026)
    entry = projection.ratios.filter((pl.col("school_id") == "P2") & (pl.col("transition") == 0))
    assert entry["source"].to_list() == ["county"] and entry["observations"].to_list() == [3]
    assert entry["median"].to_list() == [pytest.approx(1.1)]
    # 1→2 observations 0.9, 1.0 (P1) and 1.0 (P2) → median 1.0; the rest 1.0.
    # P2 2026: g1 = 80 × 1.1 = 88, g2 = 80 × 1.0 = 80, g3…g6 = 100 → 568.
    school = projection.schools.filter(pl.col("school_id") == "P2").row(0, named=True)
    assert school["median"] == 568


def test_primary_to_junior_transition_is_county_wide_split_by_grade_7_shares():
    # County grade 6: 100 in 2023 and 2024 (P1); grade 7: 95 in 2024 (57 + 38), 100 in 2025
    # (60 + 40) → ratios 0.95, 1.0 → median 0.975. 2026 grade 7 = 100 × 0.975 = 97.5, split
    # 60 : 40 → J1 58.5, J2 39. Grades 7→8 and 8→9 keep their pupils (ratios 1.0).
    j1 = {2023: [60, 60, 60], 2024: [57, 60, 60], 2025: [60, 57, 60]}
    j2 = {2023: [40, 40, 40], 2024: [38, 40, 40], 2025: [40, 38, 40]}
    projection = project(county({"P1": P1, "J1": j1, "J2": j2}), 2026)
    by_school = dict(projection.schools.select("school_id", "median").iter_rows())
    # J1: 58.5 + 60 + 57 = 175.5 → 176 (half up); J2: 39 + 40 + 38 = 117.
    assert by_school["J1"] == 176 and by_school["J2"] == 117
    junior = level_row(projection, "junior")
    assert junior["base"] == 177 + 118 and junior["median"] == 176 + 117
    # Quartiles of (0.95, 1.0): 0.9625 and 0.9875 → grade 7 = 96.25 / 98.75.
    # J1 low: 57.75 + 117 = 174.75 → 175; high: 59.25 + 117 = 176.25 → 176.
    j1_row = projection.schools.filter(pl.col("school_id") == "J1").row(0, named=True)
    assert (j1_row["low"], j1_row["high"]) == (175, 176)


def test_entry_cohort_with_the_31_august_cut_off():
    policy = default_policy()
    # Entering in autumn 2025: born 1 Jan – 31 Aug 2019 (243 of 365 days) and 1 Sep – 31 Dec 2018
    # (122 of 365 days): 1095 × 243/365 + 730 × 122/365 = 729 + 244 = 973.
    assert entry_cohort({2018: 730, 2019: 1095}, 2025, policy) == pytest.approx(973)
    # A leap birth year: 31 August is day 244 of 366 in 2020.
    # 2026: 366 × 244/366 + 365 × 122/365 = 244 + 122 = 366.
    assert entry_cohort({2019: 365, 2020: 366}, 2026, policy) == pytest.approx(366)
    # The day after the cut-off belongs to the next year's entrants: one child born on
    # 1 September 2019 of 365 births enters in 2026, not 2025.
    assert entry_cohort({2019: 365, 2020: 0}, 2026, policy) == pytest.approx(122)
    assert entry_cohort({2018: 0, 2019: 365}, 2025, policy) == pytest.approx(243)
    assert entry_cohort({2019: 365}, 2025, policy) is None


def test_entrants_from_births_split_by_grade_1_shares():
    # Only grade 1 and an empty grade 2 are given, so the primary total is the entrants alone.
    grades = {
        "P1": {2024: [43, 0], 2025: [73, 0]},
        "P2": {2024: [30, 0], 2025: [73, 0]},
    }
    births = pl.DataFrame(
        {"county": ["甲县"] * 4, "year": [2017, 2018, 2019, 2020], "births": [730, 730, 730, 732]}
    )
    projection = project(county(grades), 2026, births=births)
    # The dataset's own births table is used the same way.
    own = county(grades)
    from_table = project(
        Dataset.build(own.schools, own.segments, grades=own.grades, births=births), 2026
    )
    assert from_table.schools.equals(projection.schools)
    # Cohorts: 2024 and 2025 = 730 × 243/365 + 730 × 122/365 = 730; 2026 = 732 × 244/366 +
    # 730 × 122/365 = 488 + 244 = 732. Shares entering: 73/730 = 0.1, 146/730 = 0.2 → median
    # 0.15 (quartiles 0.125, 0.175). Entrants 2026 = 732 × 0.15 = 109.8, half each (73 : 73)
    # → 54.9 → 55; low 732 × 0.125 / 2 = 45.75 → 46; high 732 × 0.175 / 2 = 64.05 → 64.
    p1 = projection.schools.filter(pl.col("school_id") == "P1").row(0, named=True)
    assert (p1["low"], p1["median"], p1["high"]) == (46, 55, 64)
    assert projection.births_counties == ("甲县",)
    assert "出生人口" in projection.method and "8 月 31 日" in projection.method


def test_back_test_projects_the_latest_year_from_the_years_before():
    projection = project(county({"P1": P1}), 2026)
    # From 2023–2024 alone each ratio has one observation, so the county's (= P1's) ratio:
    # entry 1.1, 1→2 0.9, others 1.0. 2025 from 2024 (110, 90, 100, 100, 100, 100):
    # 121 + 99 + 90 + 100 + 100 + 100 = 610 against 621 actual: −11, 11/621 = 1.771 %.
    row = projection.backtest.row(0, named=True)
    assert (row["level"], row["actual"], row["projected"], row["error"]) == (
        "primary",
        621,
        610,
        -11,
    )
    assert row["error_pct"] == pytest.approx(11 / 621 * 100)


def test_no_back_test_with_two_years_but_a_projection():
    two = {2024: P1[2024], 2025: P1[2025]}
    projection = project(county({"P1": two}), 2026)
    assert projection.backtest is None
    assert "不足 3 年" in projection.backtest_note


def test_scenarios_are_ordered_low_median_high():
    from junheng.demo import demo_county

    projection = project(demo_county(with_grades=True), 2030)
    for frame in (projection.schools, projection.levels):
        assert frame.filter(pl.col("low") > pl.col("median")).is_empty()
        assert frame.filter(pl.col("median") > pl.col("high")).is_empty()
    # The spread is real: the county's totals differ between low and high.
    assert (projection.levels["high"] - projection.levels["low"]).min() > 0


def test_method_is_a_chinese_sentence_naming_the_years_and_rules():
    projection = project(county({"P1": P1}), 2026)
    assert projection.method.startswith("按年级递推（队列法）预测：依据 2023—2025 年")
    assert "中位数" in projection.method and "第 25、50、75 百分位数" in projection.method


def test_refusals_say_what_to_do():
    empty = county({"P1": P1})
    no_grades = Dataset.build(empty.schools, empty.segments)
    with pytest.raises(ProjectionError, match="年级在校生"):
        project(no_grades, 2026)
    with pytest.raises(ProjectionError, match=r"应晚于.*2025"):
        project(empty, 2025)
    with pytest.raises(ProjectionError, match="只有 1 年"):
        project(county({"P1": {2025: P1[2025]}}), 2026)


def test_policy_is_loaded_strictly():
    good = {
        "history_years": 5,
        "min_years": 2,
        "min_backtest_years": 3,
        "min_school_observations": 2,
        "fallback_ratio": 1.0,
        "scenarios": {"low": 0.25, "median": 0.5, "high": 0.75},
        "entry_age": 6,
        "cutoff_month": 8,
        "cutoff_day": 31,
        "transition_by": "township",
    }
    assert policy_from_mapping(good) == default_policy()
    with pytest.raises(ProjectionError, match="未知的字段“histroy”"):
        policy_from_mapping({**good, "histroy": 5})
    with pytest.raises(ProjectionError, match="low ≤ median ≤ high"):
        policy_from_mapping({**good, "scenarios": {"low": 0.75, "median": 0.5, "high": 0.25}})
    with pytest.raises(ProjectionError, match="“transition_by”应为 township、county 之一"):
        policy_from_mapping({**good, "transition_by": "school"})


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda years: st.lists(
            st.lists(
                st.lists(st.integers(min_value=0, max_value=300), min_size=9, max_size=9),
                min_size=years,
                max_size=years,
            ),
            min_size=1,
            max_size=3,
        )
    ),
    st.integers(min_value=1, max_value=4),
)
def test_any_grade_history_gives_ordered_non_negative_scenarios(histories, ahead):
    # Nine-year schools with arbitrary counts (zeros included) over 2–4 years.
    grades = {
        f"N{i}": {2026 - len(history) + 1 + y: counts for y, counts in enumerate(history)}
        for i, history in enumerate(histories)
    }
    rows = [
        (sid, year, grade + 1, n)
        for sid, years in grades.items()
        for year, counts in years.items()
        for grade, n in enumerate(counts)
    ]
    frame = pl.DataFrame(rows, schema=["school_id", "year", "grade", "students"], orient="row")
    schools = pl.DataFrame(
        {"school_id": list(grades), "name": list(grades), "county": "甲县", "kind": "nine_year"}
    )
    dataset = Dataset.build(schools, pl.DataFrame({"school_id": [], "level": []}), grades=frame)
    projection = project(dataset, 2026 + ahead)
    for frame in (projection.schools, projection.levels):
        assert frame.filter(pl.col("low") < 0).is_empty()
        assert frame.filter(pl.col("low") > pl.col("median")).is_empty()
        assert frame.filter(pl.col("median") > pl.col("high")).is_empty()
