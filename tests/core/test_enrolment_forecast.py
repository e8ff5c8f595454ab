"""The forecast verdict: the projected Dataset of the target year judged by the same evaluate()."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from junheng.cli import app
from junheng.core.dataset import Dataset
from junheng.core.evaluate import evaluate
from junheng.core.forecast import forecast, projected_dataset
from junheng.core.projection import ProjectionError, project
from junheng.demo import demo_county
from junheng.intake.writer import write_csv_folder
from junheng.standards import load_standard

STANDARD = load_standard("national-2017")
runner = CliRunner()

# The progression school of test_projection: 621 pupils in 2025, 648 projected for 2026 (median).
GRADES = [
    ("S1", year, grade + 1, n)
    for year, counts in {
        2023: [100, 100, 100, 100, 100, 100],
        2024: [110, 90, 100, 100, 100, 100],
        2025: [121, 110, 90, 100, 100, 100],
    }.items()
    for grade, n in enumerate(counts)
]


def _segment(sid: str, level: str, students: int, classes: int) -> dict:
    return {
        "school_id": sid,
        "level": level,
        "students": students,
        "classes": classes,
        "max_class_size": 45,
        "teachers": 40,
        "teachers_postgraduate": 2,
        "teachers_bachelor": 30,
        "teachers_associate": 8,
        "teachers_below_associate": 0,
        "backbone_teachers": 7,
        "pe_teachers": 3,
        "music_teachers": 3,
        "fine_art_teachers": 3,
        "teaching_aux_area_m2": 2900.0,
        "sports_ground_area_m2": 4800.0,
        "equipment_value_yuan": 1_300_000.0,
        "multimedia_rooms": 15,
        "music_rooms": 1,
        "art_rooms": 1,
    }


def _county(s1_students: int, s1_classes: int, grades: bool = True) -> Dataset:
    schools = pl.DataFrame(
        {
            "school_id": ["S1", "S2"],
            "name": ["城关小学", "城关中学"],
            "county": ["甲县", "甲县"],
            "kind": ["primary", "junior"],
        }
    )
    segments = pl.DataFrame(
        [_segment("S1", "primary", s1_students, s1_classes), _segment("S2", "junior", 500, 11)]
    )
    frame = pl.DataFrame(GRADES, schema=["school_id", "year", "grade", "students"], orient="row")
    return Dataset.build(schools, segments, grades=frame if grades else None)


def test_the_forecast_equals_evaluating_the_hand_made_projected_dataset():
    result = forecast(_county(621, 14), 2026, "median", standard=STANDARD)
    # S1: 648 pupils (test_projection); classes at the latest average size 621/14 → ceil(648 ×
    # 14 / 621) = ceil(14.61) = 15. S2 has no grade enrolment and keeps its 500 pupils.
    by_hand = _county(648, 15, grades=True)
    assert result.dataset.segments.equals(by_hand.segments)
    assert result.evaluation.to_dict() == evaluate(by_hand, STANDARD).to_dict()
    assert result.unprojected.to_dicts() == [
        {"school_id": "S2", "level": "junior", "students": 500}
    ]
    assert "1 个学段没有年级在校生数据" in result.method
    # R4 of S1 is the projected year's: 2900 m² ÷ 648 = 4.475… < 4.5, while 2900 ÷ 621 = 4.67
    # passed today.
    today = evaluate(_county(621, 14), STANDARD).segments.filter(pl.col("school_id") == "S1")
    future = result.evaluation.segments.filter(pl.col("school_id") == "S1")
    assert today["R4"][0] == pytest.approx(2900 / 621) and today["R4_met"][0] is True
    assert future["R4"][0] == pytest.approx(2900 / 648) and future["R4_met"][0] is False


def test_the_forecast_of_the_demo_equals_evaluate_on_its_projected_dataset():
    demo = demo_county(with_grades=True)
    for scenario in ("low", "median", "high"):
        result = forecast(demo, 2029, scenario, standard=STANDARD)
        direct = evaluate(projected_dataset(demo, project(demo, 2029), scenario), STANDARD)
        assert result.evaluation.to_dict() == direct.to_dict()
    # Every segment with students has grade enrolment in the demo, so all are projected.
    assert result.unprojected.filter(pl.col("students") > 0).is_empty()


def test_a_county_without_grades_keeps_todays_results():
    plain, with_grades = demo_county(), demo_county(with_grades=True)
    assert plain.grades.is_empty()
    assert evaluate(plain, STANDARD).to_dict() == evaluate(with_grades, STANDARD).to_dict()
    with pytest.raises(ProjectionError, match="没有“年级在校生”表"):
        forecast(plain, 2028, standard=STANDARD)


def test_unknown_scenario_is_refused_in_chinese():
    with pytest.raises(ProjectionError, match="方案应为"):
        forecast(_county(621, 14), 2026, "average", standard=STANDARD)


def test_cli_forecast_of_the_demo_prints_projection_back_test_and_verdict():
    result = runner.invoke(app, ["forecast", "--target-year", "2029"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "未给出数据集，使用内置示范县" in out
    assert "2029 年秋季预测（中方案）" in out and "按年级递推（队列法）" in out
    # The demo gives births, so its entrants follow the children of entry age.
    assert "示范县按出生人口推算" in out.replace("\n", "")
    assert "在校生预测（人）" in out and "2029 年中方案（采用）" in out
    assert "回测：用 2026 年以前的数据预测 2026 年" in out
    assert "评估结论" in out and "校际差异系数" in out
    # The demo's rural schools shrink: two teaching points fall below the minimum size and
    # leave the evaluation by 2029, shown against the latest year's own verdicts.
    assert "与 2026 年现状相比的变化" in out and "不在评估范围内" in out


def test_cli_forecast_json_carries_projection_back_test_and_evaluation(tmp_path):
    data = tmp_path / "数据"
    write_csv_folder(demo_county(with_grades=True), data)
    assert (data / "grades.csv").exists()
    result = runner.invoke(
        app, ["forecast", str(data), "--target-year", "2028", "--scenario", "high", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["scenario"] == "high" and payload["base_year"] == 2026
    levels = {row["level"]: row for row in payload["projection"]["levels"]}
    assert levels["primary"]["low"] <= levels["primary"]["median"] <= levels["primary"]["high"]
    assert {row["level"] for row in payload["backtest"]} == {"primary", "junior"}
    assert payload["evaluation"]["counties"][0]["county"] == "示范县"


def test_cli_forecast_refusals_exit_2_with_a_chinese_reason(tmp_path):
    data = tmp_path / "无年级"
    write_csv_folder(demo_county(), data)
    assert not (data / "grades.csv").exists()
    result = runner.invoke(app, ["forecast", str(data), "--target-year", "2028"])
    assert result.exit_code == 2 and "年级在校生" in result.output
    result = runner.invoke(app, ["forecast", "--target-year", "2026"])
    assert result.exit_code == 2 and "应晚于年级在校生数据的最近年份 2026" in result.output
    result = runner.invoke(app, ["forecast"])
    assert result.exit_code == 2 and "--target-year" in result.output
    result = runner.invoke(app, ["forecast", "-y", "2028", "--scenario", "mid"])
    assert result.exit_code == 2 and "low、median 或 high" in result.output


def test_cli_says_when_a_county_has_no_grade_enrolment(tmp_path):
    one = _county(621, 14)
    schools = pl.concat(
        [
            one.schools,
            pl.DataFrame(
                {"school_id": ["T1"], "name": ["乙县小学"], "county": ["乙县"], "kind": ["primary"]}
            ),
        ],
        how="diagonal_relaxed",
    )
    segments = pl.concat(
        [one.segments, pl.DataFrame([_segment("T1", "primary", 300, 8)])], how="diagonal_relaxed"
    )
    data = tmp_path / "两县"
    write_csv_folder(Dataset.build(schools, segments, grades=one.grades), data)
    result = runner.invoke(app, ["forecast", str(data), "--target-year", "2026"])
    assert result.exit_code == 0, result.output
    assert "乙县" in result.output
    assert "该县没有 2025 年的年级在校生数据，未作预测" in result.output
    # 甲县 has its table: S1's 648 pupils (test_projection).
    assert "648" in result.output
