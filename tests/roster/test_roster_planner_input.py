"""The roster read by the planner: counted teachers, subject groups, backbone and eligibility by
the roster's own rules, and a plan for the demo county from its roster."""

from __future__ import annotations

import polars as pl
import pytest

from junheng.demo import demo_county
from junheng.roster.aggregate import in_post
from junheng.roster.demo import demo_roster
from junheng.roster.planner import plan_rotation, planner_segments
from junheng.roster.planner_input import planner_teachers
from junheng.standards import load_standard


@pytest.fixture(scope="module")
def demo():
    data = demo_county()
    return data, demo_roster(data)


def test_subjects_and_backbone_follow_the_counting_rules(demo):
    _, roster = demo
    rows = in_post(roster.teachers, roster.year).head(5)
    rows = rows.with_columns(
        subject=pl.Series(["体育与健康", " 音乐 ", "美术", "语文", "科学"]),
        backbone=pl.Series(["county", "none", "province", "city", "none"]),
    )
    frame = planner_teachers(rows, roster.year)
    assert frame["subject"].to_list() == ["pe", "music", "fine_art", "other", "other"]
    # 县级及以上 count (counting.yaml): county, province, city yes; none no.
    assert frame["backbone"].to_list() == [True, False, True, True, False]


def test_only_teachers_in_post_are_read_and_eligibility_is_the_rosters(demo):
    _, roster = demo
    frame = planner_teachers(roster.teachers, roster.year)
    assert frame.height == in_post(roster.teachers, roster.year).height
    # The demo's 389 eligible teachers who have not moved (its docstring): the 53 who started a
    # rotation this year have 0 years at their new school.
    assert frame["eligible"].sum() == 389
    assert frame.filter("eligible")["years_at_school"].min() >= 6
    assert frame["reason"].null_count() == 0


def test_the_demo_county_gets_a_plan_meeting_g11(demo):
    data, roster = demo
    teachers = planner_teachers(roster.teachers, roster.year)
    segments = planner_segments(data)
    plan = plan_rotation(teachers, segments, load_standard())
    planned = teachers.join(segments.select("school_id", "level"), on=["school_id", "level"])
    left_out = teachers.height - planned.height
    assert left_out > 0 and plan.notes[0].startswith(f"{left_out} 名教师")
    assert plan.eligible == planned["eligible"].sum()
    assert plan.required_moves == -(-plan.eligible // 10)
    assert plan.moves.height >= plan.required_moves
    assert 5 * plan.backbone_moved >= plan.moves.height
    assert set(plan.moves["teacher_id"]) <= set(planned.filter("eligible")["teacher_id"])
    assert plan.shortfall_after <= plan.shortfall_before
