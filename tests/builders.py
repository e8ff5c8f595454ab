"""Small hand-checked datasets for tests: every school comfortably meets every threshold unless a
test changes it, so each test shows exactly the one number it is about."""

from __future__ import annotations

from typing import Any

import polars as pl

from junheng.core.dataset import Dataset

ALL_YES_FACTS: dict[str, Any] = {
    "layout_plan_ok": True,
    "unified_standards_ok": True,
    "staffing_allocation_ok": True,
    "small_school_funding_ok": True,
    "special_ed_funds_per_student_yuan": 6500.0,
    "teacher_avg_pay_yuan": 96000.0,
    "civil_servant_avg_pay_yuan": 95000.0,
    "performance_pay_full": True,
    "training_360h_rate": 1.0,
    "rotation_rate": 0.12,
    "rotation_backbone_share": 0.25,
    "certified_teacher_rate": 1.0,
    "nearby_admission_rate_primary": 1.0,
    "nearby_admission_rate_junior": 0.97,
    "quota_allocation_rate": 0.55,
    "migrant_public_rate": 0.9,
    "left_behind_care_ok": True,
    "junior_retention_rate": 0.97,
    "disabled_enrolment_rate": 0.96,
    "ict_use_ok": True,
    "curriculum_ok": True,
    "burden_ok": True,
    "monitoring_level_min": 3,
    "monitoring_school_diff_rate": 0.12,
    "recognition_rate": 0.9,
    "veto_exam_admission": False,
    "veto_school_choice": False,
    "veto_key_classes": False,
    "veto_unfilled_posts": False,
    "veto_major_accident": False,
    "veto_falsification": False,
}


def segment(school_id: str, level: str = "primary", students: int = 500, **changes: Any) -> dict:
    """A segment at twice every threshold (per 100 students: 10 teachers etc.)."""
    row: dict[str, Any] = {
        "school_id": school_id,
        "level": level,
        "students": students,
        "classes": max(1, students // 40),
        "max_class_size": 40,
        "teachers": students // 10,
        "teachers_postgraduate": 0,
        "teachers_bachelor": students // 10,
        "teachers_associate": 0,
        "teachers_below_associate": 0,
        "backbone_teachers": students // 40,
        "pe_teachers": students // 50,
        "music_teachers": 0,
        "fine_art_teachers": 0,
        "teaching_aux_area_m2": 12.0 * students,
        "sports_ground_area_m2": 21.0 * students,
        "equipment_value_yuan": 5000.0 * students,
        "multimedia_rooms": students // 20,
        "music_rooms": 2,
        "music_room_min_area_m2": 100.0,
        "art_rooms": 2,
        "art_room_min_area_m2": 100.0,
    }
    row.update(changes)
    return row


def school(school_id: str, kind: str = "primary", county: str = "甲县", **changes: Any) -> dict:
    row: dict[str, Any] = {
        "school_id": school_id,
        "name": f"{school_id}学校",
        "county": county,
        "kind": kind,
    }
    row.update(changes)
    return row


def dataset(
    schools: list[dict],
    segments: list[dict],
    facts: dict[str, Any] | None = None,
    counties: list[str] | None = None,
    school_facts: bool = True,
    survey: list[dict] | None = None,
) -> Dataset:
    """A dataset whose county facts all pass unless `facts` overrides them."""
    names = counties or sorted({s["county"] for s in schools})
    county_rows = [{"county": c, **ALL_YES_FACTS, **(facts or {})} for c in names]
    facts_rows = (
        [
            {
                "school_id": s["school_id"],
                "has_charter": True,
                "digitised_ok": True,
                "training_budget_share": 0.06,
                "moral_education_rating": "良好",
            }
            for s in schools
        ]
        if school_facts
        else None
    )
    return Dataset.build(
        pl.DataFrame(schools, infer_schema_length=None),
        pl.DataFrame(segments, infer_schema_length=None),
        county_facts=pl.DataFrame(county_rows, infer_schema_length=None),
        school_facts=pl.DataFrame(facts_rows) if facts_rows else None,
        survey=pl.DataFrame(survey) if survey else None,
    )
