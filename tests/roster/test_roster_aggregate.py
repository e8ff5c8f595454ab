"""Segment counts, G9/G11/G12 and reconciliation on a small roster counted by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import polars as pl

from junheng.roster.aggregate import (
    TEACHER_COLUMNS,
    county_rates,
    reconcile,
    rotations_in_year,
    segment_counts,
)
from junheng.roster.rules import load_eligibility
from junheng.roster.schema import BOTH_LEVELS, ROTATION_SCHEMA, TEACHER_SCHEMA
from tests.roster.rows import teacher

YEAR = 2026


# S1 is a nine-year school, S2 a primary school. B teaches both levels, mostly junior.
ROSTER = pl.DataFrame(
    [
        teacher("A", "S1", "primary", backbone="county"),
        teacher(
            "B",
            "S1",
            "junior",
            levels=BOTH_LEVELS,
            subject="体育与健康",
            degree="postgraduate",
            backbone="city",
            training_hours=359.5,
            joined_year=2021,
        ),
        teacher(
            "C",
            "S1",
            "junior",
            subject="音乐",
            degree="associate",
            certificate="no",
            training_hours=400.0,
            joined_year=2020,
        ),
        teacher("D", "S1", "junior", subject="美术", backbone="province", status="sick_leave"),
        teacher("E", "S2", "primary", subject=" 体育 ", degree="below_associate", joined_year=2010),
        teacher("F", "S2", "primary", subject="数学", status="seconded"),
        teacher(
            "G",
            "S2",
            "primary",
            subject="美术",
            degree="postgraduate",
            backbone="national",
            training_hours=0.0,
            joined_year=2026,
        ),
    ],
    schema=TEACHER_SCHEMA,
)
ROTATIONS = pl.DataFrame(
    [
        # G: this year, three school years (to July 2029): counts.
        ("G", "S1", "S2", dt.date(2026, 8, 25), dt.date(2029, 7, 10)),
        # C: last school year (before 1 August 2026): not this year's.
        ("C", "S2", "S1", dt.date(2026, 3, 1), None),
        # E: this year but for one year only: shorter than 3 years, not counted.
        ("E", "S2", "S1", dt.date(2026, 9, 1), dt.date(2027, 7, 1)),
    ],
    schema=ROTATION_SCHEMA,
    orient="row",
)


def test_segment_counts_equal_the_hand_count() -> None:
    counts = segment_counts(ROSTER, YEAR)
    assert counts.columns == ["school_id", "level", *TEACHER_COLUMNS]
    rows = {(r["school_id"], r["level"]): r for r in counts.iter_rows(named=True)}
    # D (sick leave) and F (seconded) are not in post; B is counted once, at junior.
    assert set(rows) == {("S1", "primary"), ("S1", "junior"), ("S2", "primary")}
    assert sum(r["teachers"] for r in rows.values()) == 5
    assert rows["S1", "primary"] == {
        "school_id": "S1",
        "level": "primary",
        "teachers": 1,  # A
        "teachers_postgraduate": 0,
        "teachers_bachelor": 1,
        "teachers_associate": 0,
        "teachers_below_associate": 0,
        "backbone_teachers": 1,  # A 县级
        "pe_teachers": 0,
        "music_teachers": 0,
        "fine_art_teachers": 0,
    }
    assert rows["S1", "junior"] == {
        "school_id": "S1",
        "level": "junior",
        "teachers": 2,  # B, C
        "teachers_postgraduate": 1,  # B
        "teachers_bachelor": 0,
        "teachers_associate": 1,  # C
        "teachers_below_associate": 0,
        "backbone_teachers": 1,  # B 市级
        "pe_teachers": 1,  # B 体育与健康
        "music_teachers": 1,  # C
        "fine_art_teachers": 0,  # D is on leave
    }
    assert rows["S2", "primary"] == {
        "school_id": "S2",
        "level": "primary",
        "teachers": 2,  # E, G
        "teachers_postgraduate": 1,  # G
        "teachers_bachelor": 0,
        "teachers_associate": 0,
        "teachers_below_associate": 1,  # E
        "backbone_teachers": 1,  # G 国家级
        "pe_teachers": 1,  # E: " 体育 " with spaces
        "music_teachers": 0,
        "fine_art_teachers": 1,  # G
    }


def test_rotation_lasts_three_school_years_when_it_reaches_july_of_the_third() -> None:
    rules = load_eligibility()
    # Started 2026-09-01 (school year 2026): three years are reached on 2029-07-01.
    rows = pl.DataFrame(
        [
            ("at", "S1", "S2", dt.date(2026, 9, 1), dt.date(2029, 7, 1)),
            ("short", "S1", "S2", dt.date(2026, 9, 1), dt.date(2029, 6, 30)),
            ("open", "S1", "S2", dt.date(2026, 9, 1), None),
            ("last_year", "S1", "S2", dt.date(2026, 7, 31), None),
        ],
        schema=ROTATION_SCHEMA,
        orient="row",
    )
    lasting = dict(rotations_in_year(rows, YEAR, rules).select("teacher_id", "lasting").rows())
    assert lasting == {"at": True, "short": False, "open": True}


def test_county_rates_equal_the_hand_count() -> None:
    rates = {
        r["fact"]: r
        for r in county_rates(ROSTER, ROTATIONS, YEAR, load_eligibility()).iter_rows(named=True)
    }
    # G9: in post A, B, C, E, G; 360 h or more: A (360, at the line), C (400), E (360);
    # B has 359.5 (just below), G 0 → 3 / 5.
    assert (
        rates["training_360h_rate"]["numerator"],
        rates["training_360h_rate"]["denominator"],
    ) == (3, 5)
    assert rates["training_360h_rate"]["met"] is False
    # G12: C has no certificate → 4 / 5.
    assert (
        rates["certified_teacher_rate"]["numerator"],
        rates["certified_teacher_rate"]["denominator"],
    ) == (4, 5)
    # G11: eligible at the start of 2026: A (8 years), C (6), E (16); B has 5 years, G 0, D and
    # F are not in post. Rotated this year and lasting: G only (E's is one year, C's last
    # year's). Pool: {A, C, E} ∪ {G} = 4 → 1 / 4 = 25 % ≥ 10 %.
    g11 = rates["rotation_rate"]
    assert (g11["numerator"], g11["denominator"], g11["rate"], g11["met"]) == (1, 4, 0.25, True)
    # G is 国家级 backbone: 1 / 1 ≥ 20 %.
    share = rates["rotation_backbone_share"]
    assert (share["numerator"], share["denominator"], share["met"]) == (1, 1, True)


def test_rates_without_rotations_have_no_backbone_share() -> None:
    empty = pl.DataFrame(schema=ROTATION_SCHEMA)
    rates = {
        r["fact"]: r
        for r in county_rates(ROSTER, empty, YEAR, load_eligibility()).iter_rows(named=True)
    }
    assert rates["rotation_rate"]["numerator"] == 0
    assert rates["rotation_rate"]["denominator"] == 3  # A, C, E
    assert rates["rotation_backbone_share"]["rate"] is None
    assert rates["rotation_backbone_share"]["met"] is None


def _reported(**changes: int) -> pl.DataFrame:
    counts = segment_counts(ROSTER, YEAR)
    return counts.with_columns(
        pl.when((pl.col("school_id") == "S2") & (pl.col("level") == "primary"))
        .then(pl.col(column) + delta)
        .otherwise(pl.col(column))
        .alias(column)
        for column, delta in changes.items()
    )


def test_reconcile_lists_only_the_differences() -> None:
    schools = pl.DataFrame({"school_id": ["S1", "S2"], "name": ["一中", "二小"]})
    counts = segment_counts(ROSTER, YEAR)
    same = SimpleNamespace(segments=counts, schools=schools)
    assert reconcile(counts, same).height == 0
    # S2 reported one teacher and one PE teacher more than its roster holds.
    reported = _reported(teachers=1, pe_teachers=1)
    differences = reconcile(counts, SimpleNamespace(segments=reported, schools=schools))
    assert differences.select(
        "school", "level", "column_zh", "reported", "roster", "difference"
    ).rows() == [
        ("二小", "primary", "专任教师数", 3, 2, -1),
        ("二小", "primary", "体育专任教师数", 2, 1, -1),
    ]


def test_reconcile_names_segments_missing_on_either_side() -> None:
    schools = pl.DataFrame({"school_id": ["S1", "S2", "S3"], "name": ["一中", "二小", "三小"]})
    counts = segment_counts(ROSTER, YEAR)
    # The dataset lacks S1 junior and has S3 primary, which the roster lacks.
    extra = counts.filter(pl.col("school_id") == "S2").with_columns(pl.lit("S3").alias("school_id"))
    reported = pl.concat([counts.filter(pl.col("level") != "junior"), extra])
    differences = reconcile(counts, SimpleNamespace(segments=reported, schools=schools))
    s1 = differences.filter(pl.col("school_id") == "S1")
    # Every S1 junior column: reported null, roster as counted (teachers 2).
    assert s1.height == len(TEACHER_COLUMNS)
    assert s1.get_column("reported").null_count() == len(TEACHER_COLUMNS)
    assert s1.filter(pl.col("column") == "teachers").get_column("difference").to_list() == [2]
    s3 = differences.filter(pl.col("school_id") == "S3")
    # S3 reported 2 teachers, the roster has none: −2; its zero columns do not differ.
    assert s3.filter(pl.col("column") == "teachers").get_column("difference").to_list() == [-2]
    assert s3.filter(pl.col("column") == "music_teachers").height == 0


def test_a_teacher_joining_after_the_year_is_not_yet_counted() -> None:
    # Joined 2026: counted in school year 2026 (at the line); joined 2027: not yet.
    rows = pl.DataFrame(
        [
            teacher("now", "S1", "primary", joined_year=2026),
            teacher("next", "S1", "primary", joined_year=2027),
        ],
        schema=TEACHER_SCHEMA,
    )
    assert segment_counts(rows, YEAR).get_column("teachers").to_list() == [1]
    assert segment_counts(rows, YEAR + 1).get_column("teachers").to_list() == [2]
    rates = county_rates(rows, pl.DataFrame(schema=ROTATION_SCHEMA), YEAR, load_eligibility())
    assert rates.filter(pl.col("fact") == "certified_teacher_rate").get_column(
        "denominator"
    ).to_list() == [1]
