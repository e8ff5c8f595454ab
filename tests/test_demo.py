"""The demo county and the national benchmark data: shape, consistency and the designed gaps.

R-values and coefficients of variation are recomputed here in plain Python, independent of the
evaluation code, so the demo's designed failures are checked against the standard itself.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from junheng.core.schema import COUNTY_FACTS, SCHOOL_FACT_DEFS
from junheng.demo import DEMO_COUNTY, demo_county, national_dataset

DEGREES = (
    "teachers_postgraduate",
    "teachers_bachelor",
    "teachers_associate",
    "teachers_below_associate",
)
SUBJECTS = ("backbone_teachers", "pe_teachers", "music_teachers", "fine_art_teachers")
R2_THRESHOLD = 1.0
R5_THRESHOLD = {"primary": 7.5, "junior": 10.2}


@pytest.fixture(scope="module")
def demo():
    return demo_county()


@pytest.fixture(scope="module")
def rows(demo):
    """Segment rows joined with their school's name, kind and area, as plain dicts."""
    return demo.segments.join(
        demo.schools.select("school_id", "name", "kind", "area_type"), on="school_id"
    ).to_dicts()


def by_name(rows, name, level="primary"):
    return next(r for r in rows if r["name"] == name and r["level"] == level)


def r2(row):
    return 100 * row["backbone_teachers"] / row["students"]


def r5(row):
    return (row["sports_ground_area_m2"] + (row["indoor_sports_area_m2"] or 0)) / row["students"]


def in_scope(row):
    small_point = row["kind"] == "teaching_point" and row["students"] < 50
    return row["kind"] != "special" and not small_point


def weighted_cv(students, values):
    total = sum(students)
    mean = sum(p * x for p, x in zip(students, values, strict=True)) / total
    var = sum(p / total * (x - mean) ** 2 for p, x in zip(students, values, strict=True))
    return math.sqrt(var) / mean


def test_weighted_cv_matches_the_standards_example():
    students = [45, 37, 89, 76, 55]
    resource = [279, 137, 935, 160, 402]
    values = [r / p for r, p in zip(resource, students, strict=True)]
    assert weighted_cv(students, values) == pytest.approx(0.515257, abs=1e-6)


def test_same_seed_gives_identical_dataset():
    a, b = demo_county(7), demo_county(7)
    for frame in ("schools", "segments", "county_facts", "school_facts", "survey", "notes"):
        assert getattr(a, frame).equals(getattr(b, frame)), frame
    assert not demo_county(8).segments.equals(a.segments)


def test_about_sixty_schools_in_one_county(demo):
    assert 55 <= demo.schools.height <= 65
    assert demo.counties == [DEMO_COUNTY]
    assert demo.schools.get_column("school_id").is_unique().all()
    ids = demo.schools.get_column("school_id").to_list()
    assert all(len(i) == 10 and i.isdigit() and i.startswith("2152") for i in ids)


def test_school_kinds_area_types_and_ownership(demo):
    schools = demo.schools
    kinds = schools.get_column("kind").value_counts().rows()
    counts = dict(kinds)
    assert {"primary", "junior", "nine_year", "teaching_point", "special"} <= counts.keys()
    assert counts["nine_year"] >= 3
    assert counts["special"] == 1
    assert set(schools.get_column("area_type")) == {"urban", "town", "rural"}
    private = schools.filter(pl.col("ownership") == "private")
    assert private.height == 1
    assert private.item(0, "kind") == "primary"
    names = set(schools.get_column("name"))
    assert {"城关第一小学", "石桥镇中心小学", "梨园村教学点", "育才九年一贯制学校"} <= names


def test_nine_year_schools_have_two_segments(demo):
    nine = demo.schools.filter(pl.col("kind") == "nine_year").get_column("school_id")
    levels = (
        demo.segments.filter(pl.col("school_id").is_in(nine.implode()))
        .group_by("school_id")
        .agg(pl.col("level").sort())
    )
    assert levels.height == nine.len()
    assert all(lv == ["junior", "primary"] for lv in levels.get_column("level").to_list())


def test_teaching_points_around_fifty_with_central_school_parents(demo, rows):
    points = demo.schools.filter(pl.col("kind") == "teaching_point")
    students = {r["students"] for r in rows if r["kind"] == "teaching_point"}
    assert {49, 50} <= students
    assert any(s < 50 for s in students) and any(s > 50 for s in students)
    parents = demo.schools.filter(
        pl.col("school_id").is_in(points.get_column("parent_id").implode())
    )
    assert parents.height > 0
    assert set(parents.get_column("kind")) == {"primary"}
    assert all(name.endswith("中心小学") for name in parents.get_column("name"))
    assert points.get_column("parent_id").is_not_null().all()


def test_teacher_counts_are_consistent(rows):
    for row in rows:
        assert sum(row[c] for c in DEGREES) == row["teachers"], row["name"]
        for column in SUBJECTS:
            assert 0 <= row[column] <= row["teachers"], (row["name"], column)
        assert row["students"] > 0
        assert row["max_class_size"] >= math.ceil(row["students"] / row["classes"])


def test_shared_facilities_given_on_the_schools_row(demo):
    facilities = [
        "teaching_aux_area_m2",
        "sports_ground_area_m2",
        "indoor_sports_area_m2",
        "equipment_value_yuan",
        "multimedia_rooms",
    ]
    shared = demo.schools.filter(pl.col("teaching_aux_area_m2").is_not_null())
    assert shared.height >= 1
    assert set(shared.get_column("kind")) == {"nine_year"}
    assert shared.select(pl.col(facilities).is_not_null().all()).row(0) == (True,) * 5
    segments = demo.segments.filter(pl.col("school_id").is_in(shared["school_id"].implode()))
    assert segments.height == 2 * shared.height
    assert segments.select(pl.col(facilities).is_null().all()).row(0) == (True,) * 5
    others = demo.segments.filter(~pl.col("school_id").is_in(shared["school_id"].implode()))
    assert others.select(pl.col(facilities[:4]).is_not_null().all()).row(0) == (True,) * 4


def test_rural_segments_fall_short_on_backbone_teachers_and_sports_area(rows):
    rural_primary = [
        r for r in rows if r["area_type"] == "rural" and r["level"] == "primary" and in_scope(r)
    ]
    rural_primary = [r for r in rural_primary if r["sports_ground_area_m2"] is not None]
    assert any(r2(r) < R2_THRESHOLD for r in rural_primary)
    assert any(r5(r) < R5_THRESHOLD["primary"] for r in rural_primary)

    # Fails the per-school rule: one indicator below 85 % of its threshold.
    assert r2(by_name(rows, "梨园乡中心小学")) < 0.85 * R2_THRESHOLD
    assert r5(by_name(rows, "双庙乡王营小学")) < 0.85 * R5_THRESHOLD["primary"]
    # Fails: two indicators short, each within 85 %.
    twice = by_name(rows, "双庙乡中心小学")
    assert 0.85 <= r2(twice) < R2_THRESHOLD
    assert 0.85 * R5_THRESHOLD["primary"] <= r5(twice) < R5_THRESHOLD["primary"]
    # Passes: exactly one indicator short, within 85 %.
    once = by_name(rows, "大王庄乡中心小学")
    assert 0.85 <= r2(once) < R2_THRESHOLD
    assert r5(once) >= R5_THRESHOLD["primary"]
    junior = by_name(rows, "青龙镇初级中学", "junior")
    assert 0.85 * R5_THRESHOLD["junior"] <= r5(junior) < R5_THRESHOLD["junior"]


def test_comfortable_school_passes_every_resource_indicator(rows):
    row = by_name(rows, "城关第二小学")
    qualified = row["teachers"] - row["teachers_below_associate"]
    arts = row["pe_teachers"] + row["music_teachers"] + row["fine_art_teachers"]
    assert 100 * qualified / row["students"] >= 4.2
    assert r2(row) >= 1.2
    assert 100 * arts / row["students"] >= 0.9
    assert row["teaching_aux_area_m2"] / row["students"] >= 4.5
    assert r5(row) >= 1.2 * R5_THRESHOLD["primary"]
    assert row["equipment_value_yuan"] / row["students"] >= 2000
    assert 100 * row["multimedia_rooms"] / row["students"] >= 2.3
    assert row["max_class_size"] <= 45


def test_junior_backbone_teachers_unbalanced(rows):
    junior = [r for r in rows if r["level"] == "junior" and in_scope(r)]
    cv = weighted_cv([r["students"] for r in junior], [r2(r) for r in junior])
    assert cv > 0.45
    primary = [r for r in rows if r["level"] == "primary" and in_scope(r)]
    assert weighted_cv([r["students"] for r in primary], [r2(r) for r in primary]) <= 0.50


def test_large_classes_in_town_schools(rows):
    large = {
        r["name"]
        for r in rows
        if r["max_class_size"] > (45 if r["level"] == "primary" else 50) and in_scope(r)
    }
    assert large == {"石桥镇中心小学", "青龙镇中心小学", "白马镇初级中学"}
    assert {r["area_type"] for r in rows if r["name"] in large} == {"town"}


def test_county_facts_complete_and_mostly_passing(demo):
    facts = demo.county_facts
    assert facts.height == 1
    assert facts.item(0, "county") == DEMO_COUNTY
    row = facts.row(0, named=True)
    for fact in COUNTY_FACTS:
        assert row[fact.name] is not None, fact.name
    assert not any(row[f.name] for f in COUNTY_FACTS if f.name.startswith("veto_"))
    assert row["rotation_backbone_share"] < 0.20
    assert row["training_360h_rate"] == 1.0
    assert row["teacher_avg_pay_yuan"] >= row["civil_servant_avg_pay_yuan"]
    assert isinstance(row["monitoring_level_min"], int)
    notes = demo.notes.filter(pl.col("fact") == "layout_plan_ok").get_column("note")
    assert "布局规划" in notes.item()


def test_school_facts_for_every_in_scope_school(demo, rows):
    scoped = {r["school_id"] for r in rows if in_scope(r)}
    facts = demo.school_facts
    assert set(facts.get_column("school_id")) == scoped
    for fact in SCHOOL_FACT_DEFS:
        assert facts.get_column(fact.name).is_not_null().all()
    shares = facts.get_column("training_budget_share")
    assert shares.min() == pytest.approx(0.042)
    assert (shares < 0.05).sum() == 1
    assert set(facts.get_column("moral_education_rating")) <= {"优秀", "良好"}


def test_survey(demo):
    survey = demo.survey
    answers = ["answers_5", "answers_4", "answers_3", "answers_2", "answers_1"]
    assert set(survey.get_column("group")) == {
        "学生",
        "家长",
        "教师",
        "校长",
        "人大代表",
        "政协委员",
        "其他群众",
    }
    totals = survey.select("group", total=pl.sum_horizontal(answers))
    total = totals.get_column("total").sum()
    parents = totals.filter(pl.col("group") == "家长").item(0, "total")
    assert 600 <= total <= 650
    assert parents >= total / 2
    favourable = survey.select(pl.col("answers_5").sum() + pl.col("answers_4").sum()).item()
    assert favourable / total == pytest.approx(0.88, abs=0.02)


@pytest.fixture(scope="module")
def national():
    return national_dataset(counties=50)


def test_national_counties_and_segments(national):
    assert len(national.counties) == 50
    assert national.counties[0] == "县0001"
    per_county = (
        national.segments.join(national.schools.select("school_id", "county"), on="school_id")
        .group_by("county")
        .len()
    )
    assert per_county.height == 50
    assert set(per_county.get_column("len")) == {67}
    assert national.county_facts.height == 50
    assert national.county_facts.null_count().sum_horizontal().item() == 0
    assert national.survey.height == 50 * 7


def test_national_consistency(national):
    schools, segments = national.schools, national.segments
    assert schools.get_column("school_id").is_unique().all()
    assert segments.select(pl.struct("school_id", "level").is_unique().all()).item()
    assert segments.get_column("school_id").is_in(schools["school_id"].implode()).all()
    assert schools.get_column("school_id").is_in(segments["school_id"].implode()).all()
    degree_sum = pl.sum_horizontal(DEGREES)
    assert segments.select((degree_sum == pl.col("teachers")).all()).item()
    for column in SUBJECTS:
        assert segments.select((pl.col(column) <= pl.col("teachers")).all()).item(), column
    assert segments.select((pl.col("students") > 0).all()).item()
    kinds = set(schools.get_column("kind"))
    assert {"primary", "junior", "nine_year", "teaching_point", "special"} <= kinds

    points = schools.filter(pl.col("kind") == "teaching_point")
    parents = points.join(
        schools.select(pl.col("school_id").alias("parent_id"), "county", "kind"),
        on="parent_id",
        suffix="_parent",
    )
    assert parents.height == points.height
    assert (parents["county"] == parents["county_parent"]).all()
    assert set(parents.get_column("kind_parent")) == {"primary"}

    shared = schools.filter(pl.col("teaching_aux_area_m2").is_not_null())
    assert set(shared.get_column("kind")) == {"nine_year"}
    assert shared.height > 0


def test_national_is_deterministic_and_mixed(national):
    again = national_dataset(counties=50)
    assert again.segments.equals(national.segments)
    assert again.county_facts.equals(national.county_facts)
    passing = national.county_facts.select((pl.col("rotation_backbone_share") >= 0.2).mean()).item()
    assert 0.7 < passing < 1.0


def test_national_full_size_has_the_benchmark_shape():
    data = national_dataset()
    assert data.segments.height == 3000 * 67
    assert data.county_facts.height == 3000
