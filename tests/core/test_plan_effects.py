"""Projects and the staffing plan in the forecast: what counts for a target year, where it goes."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.core.evaluate import evaluate
from junheng.core.forecast import forecast, plan_to_dict, projected_dataset
from junheng.core.projection import Projection, project
from junheng.core.projects import apply_projects, project_schedule
from junheng.core.staffing import (
    StaffingError,
    StaffingRules,
    apply_staffing,
    default_rules,
    planned_hires,
    rules_from_mapping,
)
from junheng.demo import demo_county
from junheng.demo_plans import with_plans
from junheng.standards import load_standard

STANDARD = load_standard("national-2017")
BASE = 2025


def _segment(sid: str, level: str, students: int, **values: object) -> dict:
    row = {
        "school_id": sid,
        "level": level,
        "students": students,
        "classes": 12,
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
        "teaching_aux_area_m2": 2000.0,
        "sports_ground_area_m2": 4800.0,
        "equipment_value_yuan": 1_300_000.0,
        "multimedia_rooms": 15,
        "music_rooms": 1,
        "art_rooms": 1,
    }
    return row | values


SCHOOLS = pl.DataFrame(
    {
        "school_id": ["S1", "S2"],
        "name": ["城关小学", "东岭学校"],
        "county": ["甲县", "甲县"],
        "kind": ["primary", "nine_year"],
        "township": ["城关镇", "东岭乡"],
    }
)


def _dataset(
    segments: list[dict],
    projects: list[dict] | None = None,
    staffing: list[dict] | None = None,
    schools: pl.DataFrame = SCHOOLS,
) -> Dataset:
    project_rows = [
        {"county": "甲县", "name": "项目", "kind": "expand"} | p for p in projects or []
    ]
    return Dataset.build(
        schools,
        pl.DataFrame(segments),
        projects=pl.DataFrame(project_rows) if project_rows else None,
        staffing=pl.DataFrame(staffing) if staffing else None,
    )


def _projection(dataset: Dataset, target_year: int) -> Projection:
    """Every segment projected at its own students (the projection is not under test here)."""
    schools = dataset.segments.join(
        dataset.schools.select("school_id", "county"), on="school_id"
    ).select(
        "county",
        "school_id",
        "level",
        pl.col("students").alias("base"),
        *(pl.col("students").alias(s) for s in ("low", "median", "high")),
    )
    return Projection(
        base_year=BASE,
        target_year=target_year,
        first_year=BASE - 2,
        schools=schools,
        levels=schools.group_by("county", "level").agg(
            pl.col("base", "low", "median", "high").sum()
        ),
        ratios=pl.DataFrame(),
        backtest=None,
        backtest_note="",
        method="",
    )


def _future(dataset: Dataset, target_year: int, **kwargs: object) -> Dataset:
    return projected_dataset(dataset, _projection(dataset, target_year), "median", **kwargs)


def _value(frame: pl.DataFrame, sid: str, level: str, column: str) -> object:
    return frame.filter((pl.col("school_id") == sid) & (pl.col("level") == level))[column][0]


def _r4(dataset: Dataset, sid: str = "S1", level: str = "primary") -> float:
    return _value(evaluate(dataset, STANDARD).segments, sid, level, "R4")  # type: ignore[return-value]


# ---- projects -----------------------------------------------------------------------------


def test_a_project_adds_exactly_its_m2_to_r4_in_its_completion_year_and_not_before():
    # 2,000.00 m² and 500 pupils: R4 = 2000 ÷ 500 = 4.00. A 1,000.00 m² project: 3000 ÷ 500 = 6.00.
    segments = [_segment("S1", "primary", 500)]
    by_august = _dataset(
        segments,
        [
            {
                "project_id": "P1",
                "school_id": "S1",
                "teaching_aux_area_m2": 1000.0,
                "planned_finish": "2026-08-31",
            }
        ],
    )
    assert _r4(by_august) == pytest.approx(4.00)
    assert _r4(_future(by_august, 2026)) == pytest.approx(6.00)
    # One day later it serves the autumn of 2027, not 2026.
    september = _dataset(
        segments,
        [
            {
                "project_id": "P1",
                "school_id": "S1",
                "teaching_aux_area_m2": 1000.0,
                "planned_finish": "2026-09-01",
            }
        ],
    )
    assert _r4(_future(september, 2026)) == pytest.approx(4.00)
    assert _r4(_future(september, 2027)) == pytest.approx(6.00)
    # Exactly its m²: 2000.00 + 1000.00, nothing else of the segment moves.
    future = _future(by_august, 2026).segments
    assert _value(future, "S1", "primary", "teaching_aux_area_m2") == 3000.0
    assert future.drop("teaching_aux_area_m2").equals(
        by_august.segments.drop("teaching_aux_area_m2")
    )


def test_the_actual_finish_wins_over_the_plan_and_the_plans_switch_turns_projects_off():
    project = {
        "project_id": "P1",
        "school_id": "S1",
        "teaching_aux_area_m2": 1000.0,
        "planned_finish": "2026-08-31",
        "actual_finish": "2026-10-15",
    }
    data = _dataset([_segment("S1", "primary", 500)], [project])
    # Finished 15 October 2026: in use from the autumn of 2027.
    assert _r4(_future(data, 2026)) == pytest.approx(4.00)
    assert _r4(_future(data, 2027)) == pytest.approx(6.00)
    assert _r4(_future(data, 2027, plans=False)) == pytest.approx(4.00)
    schedule = project_schedule(data, BASE, 2027)
    assert schedule["finish_basis"].to_list() == ["实际竣工"]
    assert schedule["school_year"].to_list() == [2027]


def test_a_project_in_use_by_the_latest_year_is_already_in_its_data():
    project = {
        "project_id": "P0",
        "school_id": "S1",
        "teaching_aux_area_m2": 1000.0,
        "planned_finish": "2025-08-31",
        "actual_finish": "2025-08-31",
        "status": "completed",
    }
    data = _dataset([_segment("S1", "primary", 500)], [project])
    assert _r4(_future(data, 2026)) == pytest.approx(4.00)
    row = project_schedule(data, BASE, 2026).row(0, named=True)
    assert row["counted"] is False and row["target"] is None
    assert row["note"] == "2025年秋季起已使用，已含在2025年现状数据中"


def test_a_project_of_one_level_goes_to_that_segment_only():
    data = _dataset(
        [_segment("S2", "primary", 600), _segment("S2", "junior", 400)],
        [
            {
                "project_id": "P1",
                "school_id": "S2",
                "level": "junior",
                "sports_ground_area_m2": 1500.5,
                "music_rooms": 1,
                "planned_finish": "2026年8月",
            }
        ],
    )
    future = _future(data, 2026).segments
    assert _value(future, "S2", "junior", "sports_ground_area_m2") == 4800.0 + 1500.5
    assert _value(future, "S2", "junior", "music_rooms") == 2
    assert _value(future, "S2", "primary", "sports_ground_area_m2") == 4800.0
    assert _value(future, "S2", "primary", "music_rooms") == 1


def test_a_school_wide_project_is_split_by_projected_students_to_the_fen():
    # 600 : 400 pupils. Equipment 1,000,000.01 yuan = 100,000,001 fen: primary 60,000,000.6 fen,
    # junior 40,000,000.4 fen; floors 60,000,000 + 40,000,000 leave 1 fen for the larger remainder
    # (primary): 600,000.01 + 400,000.00 yuan. Area 1,000.01 m² alike: 600.01 + 400.00 m².
    # Rooms 3: 1.8 and 1.2 → 1 + 1, the last room to primary (0.8 > 0.2): 2 + 1.
    data = _dataset(
        [_segment("S2", "primary", 600), _segment("S2", "junior", 400)],
        [
            {
                "project_id": "P1",
                "school_id": "S2",
                "kind": "equipment",
                "equipment_value_yuan": 1_000_000.01,
                "teaching_aux_area_m2": 1000.01,
                "multimedia_rooms": 3,
                "planned_finish": "2026-06-30",
            }
        ],
    )
    future = _future(data, 2026).segments
    assert _value(future, "S2", "primary", "equipment_value_yuan") == pytest.approx(
        1_300_000 + 600_000.01, abs=1e-6
    )
    assert _value(future, "S2", "junior", "equipment_value_yuan") == pytest.approx(
        1_300_000 + 400_000.00, abs=1e-6
    )
    assert _value(future, "S2", "primary", "teaching_aux_area_m2") == pytest.approx(2600.01)
    assert _value(future, "S2", "junior", "teaching_aux_area_m2") == pytest.approx(2400.00)
    assert _value(future, "S2", "primary", "multimedia_rooms") == 15 + 2
    assert _value(future, "S2", "junior", "multimedia_rooms") == 15 + 1
    # The shares add up to the project exactly.
    _, _, where = apply_projects(
        _future(data, 2026, plans=False).segments,
        data.schools,
        project_schedule(data, BASE, 2026),
    )
    fen = where.filter(pl.col("column") == "equipment_value_yuan")["amount"] * 100
    assert fen.round(0).cast(pl.Int64).to_list() == [40_000_000, 60_000_001]


def test_the_split_follows_the_projected_students_not_todays():
    # Today 600 : 400; projected 300 : 700: 10 rooms → 10 × 0.3 = 3 and 10 × 0.7 = 7.
    data = _dataset(
        [_segment("S2", "primary", 600), _segment("S2", "junior", 400)],
        [
            {
                "project_id": "P1",
                "school_id": "S2",
                "multimedia_rooms": 10,
                "planned_finish": "2026-08-01",
            }
        ],
    )
    projection = _projection(data, 2026)
    moved = projection.schools.with_columns(
        pl.when(pl.col("level") == "primary").then(300).otherwise(700).alias("median")
    )
    future = projected_dataset(data, replace(projection, schools=moved), "median").segments
    assert _value(future, "S2", "primary", "multimedia_rooms") == 15 + 3
    assert _value(future, "S2", "junior", "multimedia_rooms") == 15 + 7


def test_a_facility_reported_for_the_whole_school_grows_on_the_schools_row():
    schools = SCHOOLS.with_columns(
        pl.when(pl.col("school_id") == "S2")
        .then(9000.0)
        .otherwise(None)
        .alias("teaching_aux_area_m2")
    )
    project = {
        "project_id": "P1",
        "school_id": "S2",
        "level": "junior",
        "teaching_aux_area_m2": 1000.0,
        "planned_finish": "2026-08-31",
    }
    data = _dataset(
        [_segment("S2", "primary", 600), _segment("S2", "junior", 400)], [project], schools=schools
    )
    future = _future(data, 2026, standard=STANDARD)
    # The whole school's 9,000 m² becomes 10,000 m², apportioned by the standard's rule.
    assert future.schools.filter(pl.col("school_id") == "S2")["teaching_aux_area_m2"][0] == 10000.0
    assert future.segments["teaching_aux_area_m2"].to_list() == [2000.0, 2000.0]
    # Primary share = 600 ÷ (600 + 1.1 × 400) = 600 ÷ 1040: R4 = 10000 × 600/1040 ÷ 600.
    assert _r4(future, "S2", "primary") == pytest.approx(10000 / 1040)
    # Under the policy that does not apportion, the schools row is not read: the segment grows.
    no_split = STANDARD.with_policies({"apportionment": "none"})
    future = _future(data, 2026, standard=no_split)
    assert future.schools.filter(pl.col("school_id") == "S2")["teaching_aux_area_m2"][0] == 9000.0
    assert _value(future.segments, "S2", "junior", "teaching_aux_area_m2") == 3000.0


def test_a_missing_required_value_stays_missing_an_optional_one_starts_from_zero():
    data = _dataset(
        [_segment("S1", "primary", 500, teaching_aux_area_m2=None)],
        [
            {
                "project_id": "P1",
                "school_id": "S1",
                "teaching_aux_area_m2": 1000.0,
                "indoor_sports_area_m2": 600.0,
                "planned_finish": "2026-08-31",
            }
        ],
    )
    future = _future(data, 2026).segments
    assert _value(future, "S1", "primary", "teaching_aux_area_m2") is None
    assert _value(future, "S1", "primary", "indoor_sports_area_m2") == 600.0


def test_projects_that_cannot_be_placed_say_why():
    data = _dataset(
        [_segment("S1", "primary", 500)],
        [
            {
                "project_id": "P1",
                "school_id": "S9",
                "teaching_aux_area_m2": 10.0,
                "planned_finish": "2026-08-31",
            },
            {
                "project_id": "P2",
                "school_id": "S1",
                "level": "junior",
                "teaching_aux_area_m2": 10.0,
                "planned_finish": "2026-08-30",
            },
            {
                "project_id": "P3",
                "school_id": "S1",
                "teaching_aux_area_m2": 10.0,
                "planned_finish": "2027-03-31",
            },
            {
                "project_id": "P4",
                "school_id": None,
                "new_school_name": "城关二小",
                "township": "城关镇",
                "kind": "new",
                "places_primary": 540,
                "teaching_aux_area_m2": 5000.0,
                "planned_finish": "2026-08-29",
            },
        ],
    )
    notes = dict(project_schedule(data, BASE, 2026).select("project_id", "note").iter_rows())
    assert notes == {
        "P1": "学校标识码「S9」不在学校名录中，未计入",
        "P2": "该校没有初中学段的数据，未计入",
        "P3": "2027年秋季起使用，晚于目标年，未计入",
        "P4": "新建学校，2026年秋季起使用：新增学位计入城关镇，"
        "校舍和设备待学校有了学段数据后再逐校评估",
    }
    # Nothing reaches a segment: the new school has none yet.
    assert _future(data, 2026).segments.equals(data.segments)


# ---- staffing -----------------------------------------------------------------------------


def _hire(year: int, **values: object) -> dict:
    return {"school_id": "S1", "year": year, "level": "primary"} | values


def test_hires_count_from_the_year_after_the_data_up_to_the_target_year():
    plan = [
        _hire(2025, hires=5),  # the latest year: already in post in the data
        _hire(
            2026,
            hires=4,
            hires_postgraduate=1,
            hires_bachelor=2,
            hires_pe=1,
            hires_music=1,
            hires_fine_art=1,
            backbone_new=2,
        ),
        _hire(2027, hires=10),
    ]
    data = _dataset([_segment("S1", "primary", 500)], staffing=plan)
    in_2026 = _future(data, 2026).segments.row(0, named=True)
    # 40 + 4; of the 4: 1 postgraduate, 2 bachelor, 4 − 1 − 2 = 1 of unstated degree → 专科.
    assert in_2026["teachers"] == 44
    assert in_2026["teachers_postgraduate"] == 3 and in_2026["teachers_bachelor"] == 32
    assert in_2026["teachers_associate"] == 9 and in_2026["teachers_below_associate"] == 0
    assert (in_2026["pe_teachers"], in_2026["music_teachers"], in_2026["fine_art_teachers"]) == (
        4,
        4,
        4,
    )
    assert in_2026["backbone_teachers"] == 9
    # 2027's ten arrive in 2027, not before.
    in_2027 = _future(data, 2027).segments.row(0, named=True)
    assert in_2027["teachers"] == 54 and in_2027["teachers_associate"] == 19
    hires = planned_hires(data, BASE, 2026)
    assert hires["counted"].to_list() == [False, True, False]
    assert hires["note"].to_list() == [
        "2025年秋季的计划，已含在2025年现状数据中",
        "2026年秋季到岗，计入预测",
        "2027年秋季的计划，晚于目标年，未计入",
    ]


def test_leavers_leave_from_the_lowest_education_first():
    seg = _segment(
        "S1",
        "primary",
        500,
        teachers_below_associate=1,
        teachers_associate=2,
        teachers_bachelor=29,
        teachers_postgraduate=8,
    )
    data = _dataset([seg], staffing=[_hire(2026, leavers=4)])
    row = _future(data, 2026).segments.row(0, named=True)
    # 4 leavers: 1 below 专科, then both 专科, then 1 本科; 40 − 4 = 36 teachers.
    assert row["teachers"] == 36
    assert (row["teachers_below_associate"], row["teachers_associate"]) == (0, 0)
    assert (row["teachers_bachelor"], row["teachers_postgraduate"]) == (28, 8)
    # The order is the rules file's: highest first takes 4 of the 8 postgraduates instead.
    reverse = StaffingRules(
        unknown_degree_hires="teachers_associate",
        leaver_order=tuple(reversed(default_rules().leaver_order)),
    )
    segments = apply_staffing(data.segments, planned_hires(data, BASE, 2026), reverse)
    row = segments.row(0, named=True)
    assert (row["teachers_postgraduate"], row["teachers_below_associate"]) == (4, 1)


def test_a_year_of_leavers_takes_from_that_years_staff():
    # 2026 hires 2 of unstated degree (专科 0 → 2); 2027's 3 leavers take those 2 and 1 本科.
    seg = _segment("S1", "primary", 500, teachers_associate=0, teachers_bachelor=38)
    data = _dataset([seg], staffing=[_hire(2026, hires=2), _hire(2027, leavers=3)])
    row = _future(data, 2027).segments.row(0, named=True)
    assert row["teachers"] == 40 + 2 - 3
    assert (row["teachers_associate"], row["teachers_bachelor"]) == (0, 37)


def test_leavers_never_go_below_zero():
    seg = _segment(
        "S1",
        "primary",
        500,
        teachers=3,
        teachers_postgraduate=0,
        teachers_bachelor=1,
        teachers_associate=2,
    )
    data = _dataset([seg], staffing=[_hire(2026, leavers=5)])
    row = _future(data, 2026).segments.row(0, named=True)
    assert row["teachers"] == 0 and row["teachers_bachelor"] == 0
    assert row["teachers_associate"] == 0


def test_staffing_rules_are_loaded_strictly():
    assert default_rules().leaver_order[0] == "teachers_below_associate"
    with pytest.raises(StaffingError, match="未知的字段“order”"):
        rules_from_mapping(
            {"unknown_degree_hires": "teachers_associate", "leaver_order": [], "order": 1}
        )
    with pytest.raises(StaffingError, match="缺少字段“leaver_order”"):
        rules_from_mapping({"unknown_degree_hires": "teachers_associate"})
    with pytest.raises(StaffingError, match="unknown_degree_hires"):
        rules_from_mapping({"unknown_degree_hires": "teachers", "leaver_order": []})
    with pytest.raises(StaffingError, match="leaver_order"):
        rules_from_mapping(
            {
                "unknown_degree_hires": "teachers_associate",
                "leaver_order": ["teachers_associate", "teachers_associate"],
            }
        )


# ---- the forecast ---------------------------------------------------------------------------

# Every grade of S1 at 100 pupils for three years: every ratio 1, so 600 pupils in 2026.
GRADES = pl.DataFrame(
    [("S1", year, grade, 100) for year in (2023, 2024, 2025) for grade in range(1, 7)],
    schema=["school_id", "year", "grade", "students"],
    orient="row",
)


def _county(**plans: list[dict]) -> Dataset:
    data = _dataset([_segment("S1", "primary", 600, teaching_aux_area_m2=2400.0)], **plans)
    return replace(data, grades=GRADES)


def test_the_forecast_equals_evaluating_its_projected_dataset():
    data = _county(
        projects=[
            {
                "project_id": "P1",
                "school_id": "S1",
                "teaching_aux_area_m2": 1200.0,
                "planned_finish": "2026-08-31",
            }
        ],
        staffing=[_hire(2026, hires=12, hires_pe=2, leavers=3)],
    )
    result = forecast(data, 2026, standard=STANDARD)
    direct = projected_dataset(data, project(data, 2026), "median", standard=STANDARD)
    assert result.dataset.segments.equals(direct.segments)
    assert result.evaluation.to_dict() == evaluate(direct, STANDARD).to_dict()
    # R4: 2,400 ÷ 600 = 4.00 today; (2,400 + 1,200) ÷ 600 = 6.00 in 2026.
    assert _value(result.evaluation.segments, "S1", "primary", "R4") == pytest.approx(6.00)
    assert "计入2026年秋季前竣工的 1 个建设项目" in result.method
    assert "2026年的招聘计划 12 人（其中体育 2 人），预计退休及调出 3 人" in result.method
    # Without the plans: the data as it stands.
    plain = forecast(data, 2026, standard=STANDARD, plans=False)
    assert _value(plain.evaluation.segments, "S1", "primary", "R4") == pytest.approx(4.00)
    assert "未计入建设项目和招聘计划" in plain.method
    assert not plain.projects["counted"].any()


def test_the_forecast_reports_posts_and_a_timeline():
    data = _county(
        projects=[
            {
                "project_id": "P1",
                "school_id": "S1",
                "name": "教学楼扩建",
                "teaching_aux_area_m2": 1200.0,
                "planned_finish": "2026-08-31",
                "status": "building",
                "progress_pct": 60.0,
            },
            {
                "project_id": "P2",
                "school_id": None,
                "new_school_name": "城关二小",
                "kind": "new",
                "township": "城关镇",
                "name": "城关二小新建",
                "places_primary": 540,
                "planned_finish": "2027-08-31",
            },
        ],
        staffing=[_hire(2025, approved_posts=42), _hire(2026, hires=12, leavers=3)],
    )
    result = forecast(data, 2026, standard=STANDARD)
    # 2025: 42 posts, 40 teachers → 2 vacant. 2026: 40 + 12 − 3 = 49 → 7 over.
    assert result.posts.select("year", "approved_posts", "teachers", "vacant", "over").rows() == [
        (2025, 42, 40, 2, 0),
        (2026, 42, 49, 0, 7),
    ]
    assert result.posts["sentence"][1] == (
        "城关小学（小学）2026年：核定编制 42 人，在岗专任教师 49 人，超编 7 人"
    )
    events = [(e["school_year"], e["kind"], e["counted"]) for e in result.timeline]
    assert events == [
        (2026, "project", True),
        (2026, "staffing", True),
        (2027, "new_school", False),
    ]
    first = result.timeline[0]
    assert first["date"] == "2026-08-31" and first["county"] == "甲县"
    assert first["text"] == (
        "城关小学「教学楼扩建」（改扩建，在建，形象进度 60%）计划竣工 2026-08-31，"
        "新增教学及辅助用房面积 1,200.00 ㎡，2026年秋季起使用，计入预测。"
    )
    assert "另有" not in result.method  # the new school opens in 2027, after the target year
    later = forecast(data, 2027, standard=STANDARD)
    assert "另有 1 所新建学校的新增学位计入所在乡镇的学位数" in later.method


def test_the_demo_plans_count_in_the_forecast_as_evaluated_directly():
    # The demo builds its plan frames in code, without every optional column.
    demo = with_plans(demo_county(with_grades=True), 2026)
    result = forecast(demo, 2027, standard=STANDARD)
    direct = projected_dataset(demo, project(demo, 2027), "median", standard=STANDARD)
    assert result.evaluation.to_dict() == evaluate(direct, STANDARD).to_dict()
    assert result.projects["counted"].any() and result.hires["counted"].any()
    assert not result.dataset.segments.equals(
        forecast(demo, 2027, standard=STANDARD, plans=False).dataset.segments
    )


def test_hires_are_at_least_their_breakdown():
    # Only 其中体育 2 人 and 其中本科 1 人 given: 2 hires, 1 本科 and 2 − 1 = 1 of unstated degree.
    data = _dataset(
        [_segment("S1", "primary", 500)],
        staffing=[_hire(2026, hires_pe=2, hires_bachelor=1)],
    )
    row = _future(data, 2026).segments.row(0, named=True)
    assert row["teachers"] == 42 and row["pe_teachers"] == 5
    assert (row["teachers_bachelor"], row["teachers_associate"]) == (31, 9)
    assert planned_hires(data, BASE, 2026)["hires"].to_list() == [2]


def test_the_plan_of_a_county_is_json_ready():
    data = _county(
        projects=[
            {
                "project_id": "P1",
                "school_id": "S1",
                "teaching_aux_area_m2": 1200.0,
                "planned_finish": "2026-08-31",
            }
        ],
        staffing=[_hire(2025, approved_posts=42), _hire(2026, hires=12)],
    )
    payload = plan_to_dict(forecast(data, 2026, standard=STANDARD), "甲县")
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    assert payload["projects"][0]["finish"] == "2026-08-31"
    assert payload["additions"] == [
        {
            "project_id": "P1",
            "school_id": "S1",
            "level": "primary",
            "column": "teaching_aux_area_m2",
            "amount": 1200.0,
        }
    ]
    assert [row["year"] for row in payload["posts"]] == [2025, 2026]
    assert payload["places"]["sentences"][0].startswith("甲县小学：全县2026年预测在校生 600 人")
    assert plan_to_dict(forecast(data, 2026, standard=STANDARD), "乙县")["projects"] == []


def test_the_projected_year_carries_no_observed_class_lists_or_finance():
    from junheng.demo import demo_county
    from junheng.demo_plans import with_plans

    dataset = with_plans(demo_county(with_grades=True), 2026)
    result = forecast(dataset, 2027, "median", standard=load_standard("national-2017"))
    # the classes and finance of 2021–2026 are not the projected 2027's: not judged again
    assert result.dataset.classes.is_empty() and result.dataset.finance.is_empty()
    assert result.evaluation.plan == {}
    # the latest year's own evaluation still carries them
    assert set(evaluate(dataset, load_standard("national-2017")).plan["示范县"]) == {
        "class_sizes",
        "finance",
    }
