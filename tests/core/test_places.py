"""School places per township and county against projected students: the 学位缺口."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.core.places import NO_TOWNSHIP, class_limits, places_table
from junheng.core.projects import project_schedule
from junheng.core.standard import Standard, Threshold
from junheng.standards import load_standard

STANDARD = load_standard("national-2017")

SCHOOLS = pl.DataFrame(
    {
        "school_id": ["S1", "S2", "S3", "S4", "S5"],
        "name": ["城关小学", "城关中学", "东岭小学", "特教学校", "无乡镇小学"],
        "county": ["甲县"] * 5,
        "kind": ["primary", "junior", "primary", "special", "primary"],
        "township": ["城关镇", "城关镇", "东岭乡", "城关镇", None],
    }
)
CLASSES = {"S1": 10, "S2": 6, "S3": 4, "S4": 2, "S5": 1}
LEVEL = {"S1": "primary", "S2": "junior", "S3": "primary", "S4": "primary", "S5": "primary"}


def _segments(students: dict[str, int | None], classes: dict[str, int | None] = CLASSES):
    return pl.DataFrame(
        {
            "school_id": list(LEVEL),
            "level": list(LEVEL.values()),
            "students": [students[s] for s in LEVEL],
            "classes": [classes[s] for s in LEVEL],
        },
        schema={
            "school_id": pl.String,
            "level": pl.String,
            "students": pl.Int64,
            "classes": pl.Int64,
        },
    )


PROJECTS = pl.DataFrame(
    {
        "project_id": ["P1", "P2", "P3"],
        "county": ["甲县"] * 3,
        "name": ["东岭小学扩建", "东岭二小", "城关小学扩建"],
        "kind": ["expand", "new", "expand"],
        "school_id": ["S3", None, "S1"],
        "new_school_name": [None, "东岭二小", None],
        "township": [None, "东岭乡", None],
        "places_primary": [30, 60, 90],
        "planned_finish": ["2026-08-31", "2026-08-31", "2026-09-01"],
    }
)


def _places(projected: dict[str, int | None], classes: dict[str, int | None] = CLASSES):
    today = _segments({s: 1 for s in LEVEL}, classes)
    data = Dataset.build(SCHOOLS, today, projects=PROJECTS)
    schedule = project_schedule(data, 2025, 2026)
    return places_table(SCHOOLS, today, _segments(projected), schedule, STANDARD, 2026)


def _row(frame: pl.DataFrame, township: str, level: str = "primary") -> dict:
    return frame.filter((pl.col("township") == township) & (pl.col("level") == level)).row(
        0, named=True
    )


def test_the_class_limits_are_the_standards():
    assert class_limits(STANDARD) == {"primary": 45.0, "junior": 50.0}
    # A standard with other limits moves the places with it.
    g5 = STANDARD.items["G5"]
    check = replace(
        g5.checks[0], threshold=Threshold(by="level", values={"primary": 40, "junior": 50})
    )
    other = replace(STANDARD, items={**STANDARD.items, "G5": replace(g5, checks=(check,))})
    assert class_limits(other) == {"primary": 40.0, "junior": 50.0}
    places = places_table(
        SCHOOLS,
        _segments({s: 1 for s in LEVEL}),
        _segments({s: 1 for s in LEVEL}),
        project_schedule(Dataset.build(SCHOOLS, _segments({s: 1 for s in LEVEL})), 2025, 2026),
        other,
        2026,
    )
    # 城关镇 primary: 10 classes × 40 (the special school left out).
    assert _row(places.townships, "城关镇")["capacity"] == 400


def test_a_township_at_the_line_has_no_gap_and_one_pupil_more_has_one():
    # 城关镇 primary: 10 classes × 45 = 450 places (P3 opens in 2027; 特教学校 is left out).
    at_line = _row(_places({"S1": 450, "S2": 300, "S3": 0, "S4": 9, "S5": 0}).townships, "城关镇")
    assert (at_line["capacity"], at_line["project_places"], at_line["places"]) == (450, 0, 450)
    assert at_line["gap"] == 0
    assert at_line["sentence"] == (
        "城关镇小学：2026年预测在校生 450 人，学位 450 个"
        "（现有 10 个班 × 每班 45 人 = 450 个），学位恰好够用。"
    )
    past = _row(_places({"S1": 451, "S2": 300, "S3": 0, "S4": 9, "S5": 0}).townships, "城关镇")
    assert past["gap"] == 1
    assert past["sentence"].endswith("学位缺口 1 个。")


def test_project_and_new_school_places_count_in_their_township():
    # 东岭乡 primary: 4 classes × 45 = 180, + 30 (扩建 at 东岭小学) + 60 (new school) = 270.
    at_line = _row(_places({"S1": 0, "S2": 0, "S3": 270, "S4": 0, "S5": 0}).townships, "东岭乡")
    assert (at_line["capacity"], at_line["project_places"], at_line["places"]) == (180, 90, 270)
    assert at_line["gap"] == 0
    past = _row(_places({"S1": 0, "S2": 0, "S3": 271, "S4": 0, "S5": 0}).townships, "东岭乡")
    assert past["gap"] == 1
    assert past["sentence"] == (
        "东岭乡小学：2026年预测在校生 271 人，学位 270 个（现有 4 个班 × 每班 45 人 = 180 个，"
        "建设项目新增 90 个），学位缺口 1 个。"
    )


def test_the_county_sums_its_townships_and_names_the_short_ones():
    # Primary places: 城关镇 450 + 东岭乡 270 + 未填乡镇 1 × 45 = 765. Projected 451 + 269 + 45 =
    # 765: the county has no gap, but 城关镇 is 1 short.
    places = _places({"S1": 451, "S2": 300, "S3": 269, "S4": 0, "S5": 45})
    county = places.counties.filter(pl.col("level") == "primary").row(0, named=True)
    assert (county["places"], county["projected"], county["gap"]) == (765, 765, 0)
    assert (county["township_gaps"], county["townships_short"]) == (1, 1)
    assert county["sentence"].endswith(
        "学位恰好够用；全县合计够用，但 1 个乡镇有学位缺口，共 1 个。"
    )
    assert _row(places.townships, NO_TOWNSHIP)["places"] == 45
    # Junior: 6 × 50 = 300 for 300.
    junior = places.counties.filter(pl.col("level") == "junior").row(0, named=True)
    assert (junior["places"], junior["gap"]) == (300, 0)
    assert places.sentences("甲县")[-1].startswith("城关镇小学：")
    assert places.new_schools.select("school", "township", "places_primary").rows() == [
        ("东岭二小", "东岭乡", 60)
    ]


def test_missing_classes_or_students_leave_the_township_without_a_count():
    classes = CLASSES | {"S3": None}
    places = _places({"S1": 450, "S2": 300, "S3": 100, "S4": 0, "S5": None}, classes)
    dongling = _row(places.townships, "东岭乡")
    assert dongling["places"] is None and dongling["gap"] is None
    assert (
        dongling["sentence"] == "东岭乡小学：2026年预测在校生 100 人，班级数缺失，无法计算学位数。"
    )
    assert _row(places.townships, NO_TOWNSHIP)["sentence"] == (
        "（未填乡镇）小学：2026年预测在校生数缺失，无法比较学位。"
    )
    county = places.counties.filter(pl.col("level") == "primary").row(0, named=True)
    assert county["places"] is None and county["projected"] is None


def test_a_standard_without_a_class_limit_says_so():
    items = {k: v for k, v in STANDARD.items.items() if k != "G5"}
    bare = replace(STANDARD, items=items)
    assert class_limits(bare) == {}
    places = _places_with(bare)
    assert "该标准未规定" in places.method
    assert _row(places.townships, "城关镇")["sentence"].endswith(
        "评估标准未规定该学段班额上限，无法计算学位数。"
    )


def _places_with(standard: Standard):
    today = _segments({s: 1 for s in LEVEL})
    schedule = project_schedule(Dataset.build(SCHOOLS, today), 2025, 2026)
    return places_table(SCHOOLS, today, today, schedule, standard, 2026)


def test_the_method_says_where_the_limits_come_from():
    places = _places_with(STANDARD)
    assert places.method.startswith(
        "学位数 = 最近一年各校班级数 × 评估标准规定的班额上限（小学 45 人、初中 50 人）"
    )
    assert "不含特殊教育学校、职业学校" in places.method
    assert pytest.approx(places.class_limits["junior"]) == 50
