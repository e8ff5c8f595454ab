"""Earlier school years of the demo county: the same schools with less built, bought and hired,
valid for the importer, and evaluated with more failures the earlier the year."""

from __future__ import annotations

import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.demo import demo_county, demo_county_before
from junheng.intake.reader import read_dataset
from junheng.intake.writer import write_csv_folder
from junheng.standards import load_standard


@pytest.fixture(scope="module")
def years():
    """Years before today → the demo county then."""
    return {k: demo_county_before(k) for k in (0, 1, 2)}


def _segment(dataset, name, level):
    rows = dataset.segments.join(dataset.schools.select("school_id", "name"), on="school_id")
    return rows.filter((pl.col("name") == name) & (pl.col("level") == level)).to_dicts()[0]


def test_no_years_before_is_the_demo_county(years):
    today = demo_county()
    for table in ("schools", "segments", "county_facts", "school_facts", "survey", "notes"):
        assert getattr(years[0], table).equals(getattr(today, table)), table


def test_same_arguments_same_data(years):
    again = demo_county_before(2)
    assert again.segments.equals(years[2].segments)
    assert again.schools.equals(years[2].schools)
    with pytest.raises(ValueError):
        demo_county_before(-1)


def test_same_schools_and_enrolments(years):
    for k in (1, 2):
        assert years[k].schools["school_id"].to_list() == years[0].schools["school_id"].to_list()
        assert years[k].segments["students"].to_list() == years[0].segments["students"].to_list()
        assert years[k].segments["teachers"].to_list() == years[0].segments["teachers"].to_list()


def test_a_town_junior_school_caught_up(years):
    # 石桥镇初级中学 (town): 10 backbone teachers today, 12 % of them recognised in each of the
    # two years before: round(10 × 0.88) = 9, round(10 × 0.88²) = round(7.744) = 8. Sports ground
    # 13 394.8 m² grew 8 % a year: × 0.92 = 12 323.2, × 0.92² = 11 337.4. Equipment 3 581 900
    # yuan grew 5 %: × 0.95 = 3 402 805, × 0.95² = 3 232 665. Of 68 bachelor-degree teachers,
    # 4 % a year had an associate degree before: ⌊2.72⌋ = 2 and ⌊5.44⌋ = 5 moved.
    rows = [_segment(years[k], "石桥镇初级中学", "junior") for k in (0, 1, 2)]
    assert [r["backbone_teachers"] for r in rows] == [10, 9, 8]
    assert [r["sports_ground_area_m2"] for r in rows] == [13394.8, 12323.2, 11337.4]
    assert [r["equipment_value_yuan"] for r in rows] == [3581900, 3402805, 3232665]
    assert [r["teachers_bachelor"] for r in rows] == [68, 66, 63]
    assert [r["teachers_associate"] for r in rows] == [3, 5, 8]
    assert [r["multimedia_rooms"] for r in rows] == [27, 27, 27]


def test_the_county_town_had_its_teachers_and_grounds_already(years):
    # 示范县第一初级中学 (urban): only equipment grew, 5 888 800 × 0.95 = 5 594 360.
    rows = [_segment(years[k], "示范县第一初级中学", "junior") for k in (0, 1)]
    assert rows[1]["backbone_teachers"] == rows[0]["backbone_teachers"] == 51
    assert rows[1]["sports_ground_area_m2"] == rows[0]["sports_ground_area_m2"] == 18912.8
    assert rows[1]["equipment_value_yuan"] == 5594360


def test_rural_rooms_only_grow(years):
    # 双庙乡中心小学 got a multimedia room in each year; rooms never go down from year to year.
    assert [
        _segment(years[k], "双庙乡中心小学", "primary")["multimedia_rooms"] for k in (0, 1, 2)
    ] == [
        11,
        10,
        9,
    ]
    rooms = [years[k].segments["multimedia_rooms"].to_list() for k in (2, 1, 0)]
    assert all(a <= b <= c for a, b, c in zip(*rooms, strict=True) if a is not None)


def test_shared_facilities_of_a_combined_school(years):
    # 东岭乡九年一贯制学校 reports its sports ground once: 3 458.4 m² × 0.92 = 3 181.7.
    shared = years[1].schools.filter(pl.col("name") == "东岭乡九年一贯制学校").to_dicts()[0]
    assert shared["sports_ground_area_m2"] == 3181.7
    assert shared["equipment_value_yuan"] == 1118435  # 1 177 300 × 0.95


def test_county_facts_and_survey_were_lower(years):
    facts = [years[k].county_facts.to_dicts()[0] for k in (0, 1, 2)]
    assert [f["rotation_backbone_share"] for f in facts] == [0.17, 0.15, 0.13]
    assert [f["recognition_rate"] for f in facts] == [0.89, 0.87, 0.85]
    # 316 parents: 2 % of them (round(6.32) = 6, then round(12.64) = 13) answered 一般 instead
    # of 满意.
    parents = [years[k].survey.filter(pl.col("group") == "家长").to_dicts()[0] for k in (0, 1, 2)]
    assert [p["answers_4"] for p in parents] == [125, 119, 112]
    assert [p["answers_3"] for p in parents] == [29, 35, 42]
    assert {sum(p[f"answers_{n}"] for n in range(1, 6)) for p in parents} == {316}


@pytest.mark.parametrize("k", [1, 2])
def test_earlier_years_pass_the_importer(years, tmp_path, k):
    write_csv_folder(years[k], tmp_path / "data")
    result = read_dataset(tmp_path / "data")
    assert result.ok, result.text()
    assert result.warnings == []
    assert result.dataset.segments.equals(years[k].segments)


def test_more_segments_fail_the_earlier_the_year(years):
    standard = load_standard("national-2017")
    failing, junior_r2 = [], []
    for k in (2, 1, 0):
        evaluation = evaluate(years[k], standard)
        segments = evaluation.segments.filter(pl.col("in_scope"))
        failing.append(segments.filter(pl.col("passes").eq_missing(False)).height)
        cv = evaluation.balance.filter(
            (pl.col("level") == "junior") & (pl.col("indicator") == "R2")
        )
        junior_r2.append(round(cv["cv"][0], 3))
    assert failing == [19, 8, 5]
    # Backbone teachers spread to the townships: the junior R2 coefficient of variation falls,
    # still above its limit of 0.45 today.
    assert junior_r2 == [0.582, 0.528, 0.488]
