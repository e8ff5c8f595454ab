"""select_schools and restrict: an evaluation over some of a county's schools."""

from __future__ import annotations

import dataclasses

import polars as pl

from junheng.core.subset import restrict, select_schools
from tests import builders


def county():
    schools = [
        builders.school("C", name="中心校"),
        builders.school("T", kind="teaching_point", parent_id="C", name="教学点"),
        builders.school("A", name="甲校"),
        builders.school("B", name="乙校"),
    ]
    segments = [builders.segment(sid) for sid in ("C", "T", "A", "B")]
    return builders.dataset(schools, segments)


def test_a_central_school_and_its_teaching_points_go_together():
    data = county()
    # T approved but its central school C not: T is held back by C
    chosen = select_schools(data.schools, ["T", "A"])
    assert chosen.used == {"A"}
    assert chosen.held_back == {"T": "C"}
    # C approved but its point T not: C is held back by T
    chosen = select_schools(data.schools, ["C", "A", "B"])
    assert chosen.used == {"A", "B"}
    assert chosen.held_back == {"C": "T"}
    assert select_schools(data.schools, ["C", "T"]).used == {"C", "T"}


def test_restrict_keeps_the_schools_rows_and_the_county_facts():
    data = county()
    only = restrict(data, {"A", "B"})
    assert only.schools["school_id"].to_list() == ["A", "B"]
    assert only.segments["school_id"].to_list() == ["A", "B"]
    assert only.school_facts["school_id"].to_list() == ["A", "B"]
    assert only.county_facts.equals(data.county_facts)


def test_restrict_keeps_the_schools_grades_and_the_countys_births():
    data = dataclasses.replace(
        county(),
        grades=pl.DataFrame(
            {
                "school_id": ["A", "B", "C"],
                "year": ["2026"] * 3,
                "grade": [1, 1, 1],
                "students": [40, 50, 60],
            }
        ),
        births=pl.DataFrame({"county": ["甲县"], "year": ["2020"], "births": [900]}),
    )
    only = restrict(data, {"A", "B"})
    # C's 60 first-graders leave with C; the county's births stay
    assert only.grades["school_id"].to_list() == ["A", "B"]
    assert only.grades["students"].sum() == 90
    assert only.births.equals(data.births)


def test_restrict_keeps_the_schools_plan_rows_and_the_countys_finance():
    data = dataclasses.replace(
        county(),
        classes=pl.DataFrame(
            {"school_id": ["A", "C"], "year": [2026, 2026], "grade": [1, 1], "students": [56, 40]}
        ),
        finance=pl.DataFrame({"county": ["甲县"], "year": [2025]}),
        projects=pl.DataFrame(
            {"project_id": ["1", "2", "3"], "school_id": ["A", "C", None], "name": ["a", "c", "新"]}
        ),
        staffing=pl.DataFrame({"school_id": ["B", "C"], "year": [2027, 2027], "hires": [2, 3]}),
    )
    only = restrict(data, {"A", "B"})
    # C's class, project and hires leave with C; a school to be opened belongs to no school yet
    assert only.classes["students"].to_list() == [56]
    assert only.projects["project_id"].to_list() == ["1", "3"]
    assert only.staffing["hires"].to_list() == [2]
    assert only.finance.equals(data.finance)
