"""Primary → junior transition by catchment (transition_by: township), computed by hand."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.core.dataset import Dataset
from junheng.core.projection import default_policy, project

COUNTY_RULE = replace(default_policy(), transition_by="county")
KINDS = {"P": "primary", "J": "junior", "N": "nine_year"}


def county(
    grades: dict[str, dict[int, dict[int, int]]],
    townships: dict[str, str | None],
    counties: dict[str, str] | None = None,
) -> Dataset:
    """grades[school][year] = {grade: students}; schools named by kind letter + number, in 甲县
    unless `counties` names another."""
    counties = counties or {}
    rows = [
        (sid, year, grade, n)
        for sid, years in grades.items()
        for year, counts in years.items()
        for grade, n in counts.items()
    ]
    frame = pl.DataFrame(rows, schema=["school_id", "year", "grade", "students"], orient="row")
    schools = pl.DataFrame(
        {
            "school_id": list(grades),
            "name": [f"{sid}学校" for sid in grades],
            "county": [counties.get(sid, "甲县") for sid in grades],
            "kind": [KINDS[sid[0]] for sid in grades],
            "township": [townships[sid] for sid in grades],
        }
    )
    segments = pl.DataFrame({"school_id": [], "level": []})
    return Dataset.build(schools, segments, grades=frame)


def leavers(by_year: dict[int, int]) -> dict[int, dict[int, int]]:
    """A primary school's grade 6 (its other grades are left out, so they project to 0)."""
    return {year: {6: n} for year, n in by_year.items()}


def entrants(by_year: dict[int, int]) -> dict[int, dict[int, int]]:
    """A junior school's grade 7 with an empty grade 8: the observed 7 → 8 ratio is 0, so the
    projected junior students are the new grade 7 alone."""
    return {year: {7: n, 8: 0} for year, n in by_year.items()}


# Two townships, each a primary and a junior school, with different ratios.
TWO = {
    "P1": leavers({2023: 100, 2024: 100, 2025: 120}),
    "J1": entrants({2023: 90, 2024: 90, 2025: 100}),
    "P2": leavers({2023: 50, 2024: 50, 2025: 40}),
    "J2": entrants({2023: 40, 2024: 60, 2025: 55}),
}
TWO_TOWNSHIPS = {"P1": "东镇", "J1": "东镇", "P2": "西镇", "J2": "西镇"}


def junior(projection, school: str) -> dict:
    rows = projection.schools.filter(
        (pl.col("school_id") == school) & (pl.col("level") == "junior")
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_each_townships_leavers_go_to_its_own_junior_school_at_its_own_ratio():
    projection = project(county(TWO, TWO_TOWNSHIPS), 2026)
    # 东镇: 90 / 100 = 0.9 (2024) and 100 / 100 = 1.0 (2025) → median 0.95, quartiles 0.925
    # and 0.975. J1 2026 = P1's 120 × 0.95 = 114; low 120 × 0.925 = 111; high 117.
    j1 = junior(projection, "J1")
    assert (j1["low"], j1["median"], j1["high"]) == (111, 114, 117)
    # 西镇: 60 / 50 = 1.2 and 55 / 50 = 1.1 → median 1.15, quartiles 1.125 and 1.175.
    # J2 2026 = P2's 40 × 1.15 = 46; low 40 × 1.125 = 45; high 40 × 1.175 = 47.
    j2 = junior(projection, "J2")
    assert (j2["low"], j2["median"], j2["high"]) == (45, 46, 47)
    assert "按乡镇划片推算" in projection.method
    assert "观测少于 2 次的取全县升学率" in projection.method


def test_the_county_rule_splits_the_county_by_its_shares_instead():
    projection = project(county(TWO, TWO_TOWNSHIPS), 2026, policy=COUNTY_RULE)
    # County grade 6: 150, 150, 160; grade 7: 130, 150, 155 → 150 / 150 = 1.0 and
    # 155 / 150 = 31/30 → median 61/60. 2026: 160 × 61/60 = 488/3, split 100 : 55 of 155:
    # J1 488/3 × 100/155 = 9760/93 = 104.95 → 105; J2 488/3 × 55/155 = 5368/93 = 57.72 → 58.
    assert junior(projection, "J1")["median"] == 105
    assert junior(projection, "J2")["median"] == 58
    assert "按全县升学率推算" in projection.method
    assert "划片" not in projection.method


def test_townships_without_enough_observations_take_the_county_ratio_and_keep_the_total():
    # With 3 observations required, both townships (2 each) take the county's 61/60: the
    # county's grade 7 is the county rule's, 488/3, only split by township.
    policy = replace(default_policy(), min_school_observations=3)
    projection = project(county(TWO, TWO_TOWNSHIPS), 2026, policy=policy)
    # J1 = 120 × 61/60 = 122; J2 = 40 × 61/60 = 40.67 → 41; 122 + 40.67 = 488/3 as the
    # county rule's 104.95 + 57.72.
    assert junior(projection, "J1")["median"] == 122
    assert junior(projection, "J2")["median"] == 41
    # Just past the line (2 observations are enough), the townships' own ratios again.
    policy = replace(default_policy(), min_school_observations=2)
    projection = project(county(TWO, TWO_TOWNSHIPS), 2026, policy=policy)
    assert junior(projection, "J1")["median"] == 114


def test_without_townships_the_township_rule_is_the_county_rule():
    no_townships = dict.fromkeys(TWO)
    township = project(county(TWO, no_townships), 2026)
    by_county = project(county(TWO, no_townships), 2026, policy=COUNTY_RULE)
    assert township.schools.equals(by_county.schools)
    assert junior(township, "J1")["median"] == 105


# 东镇 (P1, J1) and 西镇 (a nine-year school N2) have grade 7; P3's leavers have no junior
# school of their own township (or no township at all) and join the county's pool.
POOLED = {
    "P1": leavers({2023: 100, 2024: 100, 2025: 100}),
    "J1": entrants({2023: 120, 2024: 120, 2025: 120}),
    "N2": {year: {6: 50, 7: 60, 8: 0} for year in (2023, 2024, 2025)},
    "P3": leavers({2023: 30, 2024: 30, 2025: 60}),
}


@pytest.mark.parametrize("p3_township", ["北乡", None, " "])
def test_leavers_without_a_junior_school_of_their_township_join_the_county_pool(p3_township):
    townships = {"P1": "东镇", "J1": "东镇", "N2": "西镇", "P3": p3_township}
    projection = project(county(POOLED, townships), 2026)
    # Shares of the county's grade 7 in 2025: J1 120 and N2 60 of 180 → 2/3 and 1/3 of the pool.
    # Observed on what each receives: 东镇 120 / (100 + 2/3 × 30) = 120 / 120 = 1.0 in 2024 and
    # 2025; 西镇 60 / (50 + 1/3 × 30) = 60 / 60 = 1.0.
    # 2026, pool = P3's 60: J1 = (100 + 2/3 × 60) × 1.0 = 140; N2 = (50 + 1/3 × 60) × 1.0 = 70.
    assert junior(projection, "J1")["median"] == 140
    assert junior(projection, "N2")["median"] == 70
    # The county's 210 leavers of 2025 are all placed (140 + 70 at ratio 1.0); with each
    # township's ratio taken on its own leavers alone (120 / 100 = 1.2, 60 / 50 = 1.2) P3's
    # pupils would have been counted twice: 120 + 60 + 60 = 240.
    assert projection.levels.filter(pl.col("level") == "junior")["median"].to_list() == [210]


def test_back_test_of_the_township_rule():
    projection = project(county(TWO, TWO_TOWNSHIPS), 2026)
    # 2025 from 2023–2024: each township has one observation (< 2), so the county's ratio from
    # 2024 alone, 150 / 150 = 1.0. J1 = P1's 100 × 1.0 = 100 (actual 100); J2 = P2's
    # 50 × 1.0 = 50 (actual 55). County junior: 150 against 155, error −5, 5/155 = 3.23 %.
    row = projection.backtest.filter(pl.col("level") == "junior").row(0, named=True)
    assert (row["actual"], row["projected"], row["error"]) == (155, 150, -5)
    assert row["error_pct"] == pytest.approx(5 / 155 * 100)


def test_a_township_without_grade_7_in_the_latest_year_sends_its_leavers_to_the_pool():
    # J1 closed its grade 7 in 2025: 东镇 has no catchment any more, P1's leavers are pooled and
    # all go to J2, the county's only grade 7.
    grades = {**TWO, "J1": entrants({2023: 90, 2024: 90, 2025: 0})}
    projection = project(county(grades, TWO_TOWNSHIPS), 2026)
    # 西镇 receives P2's leavers and the whole pool (P1) a year earlier: (50 + 100) in 2023 and
    # 2024 against 60 and 55 → 0.4 and 0.3667 → median 0.38333. 2026: (40 + 120) × 0.38333
    # = 61.33 → 61; J1 receives nobody and, empty in 2025 too, is not projected.
    assert junior(projection, "J2")["median"] == 61
    assert projection.schools.filter(pl.col("school_id") == "J1").is_empty()


def test_a_township_name_is_a_catchment_within_its_own_county_only():
    # 乙县 has a 东镇 too, with a primary and no junior school: its leavers are 乙县's pool, never
    # 甲县's 东镇. 乙县 has no junior school at all, so they go nowhere; 甲县 is as alone.
    other = {"P9": leavers({2023: 500, 2024: 500, 2025: 500})}
    projection = project(
        county({**TWO, **other}, {**TWO_TOWNSHIPS, "P9": "东镇"}, {"P9": "乙县"}), 2026
    )
    assert junior(projection, "J1")["median"] == 114
    assert junior(projection, "J2")["median"] == 46


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P", "J", "N"]),
            st.sampled_from(["东镇", "西镇", None]),
            st.lists(st.integers(min_value=0, max_value=200), min_size=6, max_size=6),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=1, max_value=3),
)
def test_any_catchments_give_ordered_non_negative_scenarios(schools, ahead):
    # Each school: kind, township and grade 6 (primary, nine-year) or grade 7 (junior,
    # nine-year) for 2023–2025 from the six numbers.
    grades: dict[str, dict[int, dict[int, int]]] = {}
    townships: dict[str, str | None] = {}
    for i, (kind, township, n) in enumerate(schools):
        sid = f"{kind}{i}"
        townships[sid] = township
        grades[sid] = {
            2023 + y: {
                **({6: n[y]} if kind in "PN" else {}),
                **({7: n[3 + y], 8: 0} if kind in "JN" else {}),
            }
            for y in range(3)
        }
    projection = project(county(grades, townships), 2025 + ahead)
    for frame in (projection.schools, projection.levels):
        assert frame.filter(pl.col("low") < 0).is_empty()
        assert frame.filter(pl.col("low") > pl.col("median")).is_empty()
        assert frame.filter(pl.col("median") > pl.col("high")).is_empty()
