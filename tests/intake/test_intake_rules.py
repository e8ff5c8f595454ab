"""Consistency rules between rows and tables: each gives its code at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake_helpers import (
    base_schools,
    base_segments,
    codes,
    only,
    school,
    segment,
    write_dataset,
)

from junheng.intake import read_dataset


def test_duplicate_school(tmp_path: Path) -> None:
    schools = [*base_schools(), school("S2", "junior", name="重名")]
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools))
    error = only(result, "duplicate-school")
    assert (error.file, error.row, error.column, error.value) == (
        "schools.csv",
        5,
        "school_id",
        "S2",
    )
    assert "第 3 行" in error.expected
    assert result.dataset is None


def test_segment_of_unknown_school(tmp_path: Path) -> None:
    segments = [*base_segments(), segment("S9", "primary")]
    error = only(
        read_dataset(write_dataset(tmp_path / "data", segments=segments)), "unknown-school"
    )
    assert (error.file, error.row, error.column, error.value) == (
        "segments.csv",
        6,
        "school_id",
        "S9",
    )
    assert error.message == (
        "segments.csv 第 6 行「school_id」列：学校标识码“S9”在学校表中不存在，"
        "应先在学校表中登记该学校"
    )


def test_duplicate_segment(tmp_path: Path) -> None:
    segments = [*base_segments(), segment("S3", "初中")]
    error = only(
        read_dataset(write_dataset(tmp_path / "data", segments=segments)), "duplicate-segment"
    )
    assert (error.row, error.column, error.value) == (6, "level", "S3 初中")
    assert "第 5 行" in error.expected


def test_level_not_allowed_for_kind(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["level"] = "junior"
    error = only(
        read_dataset(write_dataset(tmp_path / "data", segments=segments)), "level-not-allowed"
    )
    assert (error.row, error.column, error.value) == (2, "level", "junior")
    assert error.expected == "为与学校类型“小学”相符的学段：小学"


def test_unknown_parent(tmp_path: Path) -> None:
    schools = [
        *base_schools(),
        school("T1", "teaching_point", parent_id="S1"),
        school("T2", "teaching_point", parent_id="S8"),
    ]
    segments = [*base_segments(), segment("T1", "primary"), segment("T2", "primary")]
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    error = only(result, "unknown-parent")
    assert (error.file, error.row, error.column, error.value) == (
        "schools.csv",
        6,
        "parent_id",
        "S8",
    )


def test_degree_counts_must_sum_to_teachers(tmp_path: Path) -> None:
    segments = base_segments()
    segments[1]["teachers_associate"] = "7"
    error = only(read_dataset(write_dataset(tmp_path / "data", segments=segments)), "degree-sum")
    assert (error.row, error.column) == (3, "teachers")
    assert error.value == "2 + 20 + 7 + 0 = 29"
    assert error.expected == "等于专任教师数 30"


def test_degree_sum_is_not_checked_when_a_count_is_missing(tmp_path: Path) -> None:
    segments = base_segments()
    segments[1]["teachers_associate"] = ""
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    assert result.errors == [], result.text()


@pytest.mark.parametrize(
    "column",
    ["backbone_teachers", "pe_teachers", "music_teachers", "fine_art_teachers", "arts_teachers"],
)
def test_teacher_subgroups_cannot_exceed_teachers(tmp_path: Path, column: str) -> None:
    segments = base_segments()
    segments[2][column] = "31"
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    error = only(result, "teachers-exceed")
    assert (error.row, error.column, error.value) == (4, column, "31")
    assert error.expected == "不大于专任教师数 30"


def test_zero_students(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["students"] = "0"
    error = only(read_dataset(write_dataset(tmp_path / "data", segments=segments)), "no-students")
    assert (error.row, error.column, error.value) == (2, "students", "0")


@pytest.mark.parametrize("kind", ["special", "vocational", "teaching_point"])
def test_zero_students_allowed_outside_scope(tmp_path: Path, kind: str) -> None:
    schools = [*base_schools(), school("X1", kind)]
    segments = [*base_segments(), segment("X1", "primary", students="0")]
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    assert result.errors == [], result.text()


def test_shared_facility_reported_twice(tmp_path: Path) -> None:
    schools = base_schools()
    schools[2]["teaching_aux_area_m2"] = "9000"
    schools[2]["sports_ground_area_m2"] = "12000"
    segments = base_segments()
    segments[2]["sports_ground_area_m2"] = ""
    segments[3]["sports_ground_area_m2"] = ""
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    error = only(result, "shared-reported-twice")
    assert (error.file, error.row, error.column, error.value) == (
        "schools.csv",
        4,
        "teaching_aux_area_m2",
        "9000",
    )
    assert "segments.csv 第 4、5 行" in error.expected
    assert result.dataset is None


def test_shared_facility_given_once_on_the_school_row(tmp_path: Path) -> None:
    schools = base_schools()
    schools[2]["teaching_aux_area_m2"] = "9000"
    segments = base_segments()
    segments[2]["teaching_aux_area_m2"] = ""
    segments[3]["teaching_aux_area_m2"] = ""
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.schools.get_column("teaching_aux_area_m2").to_list() == [
        None,
        None,
        9000.0,
    ]


def test_school_without_segments_is_a_warning(tmp_path: Path) -> None:
    schools = [*base_schools(), school("S4", "primary"), school("X1", "special")]
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools))
    warning = only(result, "school-without-segments")
    assert (warning.row, warning.value, warning.severity) == (5, "S4", "warning")
    assert result.dataset is not None


def test_all_rule_errors_are_reported_together(tmp_path: Path) -> None:
    schools = [*base_schools(), school("S1", "primary")]
    segments = base_segments()
    segments[0]["students"] = "0"
    segments[1]["pe_teachers"] = "99"
    segments[3]["teachers_bachelor"] = "1"
    segments.append(segment("S7", "primary"))
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    assert sorted(codes(result)) == sorted(
        ["duplicate-school", "no-students", "teachers-exceed", "degree-sum", "unknown-school"]
    )


def _complete_middle(tmp_path: Path, **changes: str):
    schools = [*base_schools(), school("S4", "complete_middle", teaching_aux_area_m2="66360")]
    schools[-1].update(changes)
    segments = [*base_segments(), segment("S4", "junior", teaching_aux_area_m2="")]
    return read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))


def test_complete_middle_school_with_blank_senior_students_is_an_error(tmp_path: Path) -> None:
    # the template's 高中在校生数 column is there and left blank: the split cannot be made
    result = _complete_middle(tmp_path, senior_students="")
    error = only(result, "missing-senior-students")
    assert (error.file, error.row, error.column, error.value) == (
        "schools.csv",
        5,
        "senior_students",
        "S4学校",
    )
    assert error.severity == "error"
    assert "没有高中学段的填 0" in error.expected
    assert result.dataset is None


def test_complete_middle_school_without_the_column_is_a_warning(tmp_path: Path) -> None:
    result = _complete_middle(tmp_path)
    error = only(result, "missing-senior-students")
    assert error.severity == "warning"
    assert "没有“高中在校生数”一列" in error.expected
    assert result.dataset is not None


def test_complete_middle_school_without_senior_section_reports_zero(tmp_path: Path) -> None:
    result = _complete_middle(tmp_path, senior_students="0")
    assert "missing-senior-students" not in codes(result), result.text()
    assert result.dataset is not None
