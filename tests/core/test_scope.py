"""评估范围, teaching points and the apportionment of shared facilities."""

import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.standards import load_standard
from tests.builders import dataset, school, segment


def _rows(evaluation):
    return {(r["school_id"], r["level"]): r for r in evaluation.segments.iter_rows(named=True)}


def test_apportionment_example_from_the_standard():
    data = dataset(
        [school("c", kind="nine_year", teaching_aux_area_m2=23226.0)],
        [
            segment("c", "primary", 166, teaching_aux_area_m2=None),
            segment("c", "junior", 210, teaching_aux_area_m2=None),
        ],
    )
    rows = _rows(evaluate(data, load_standard()))
    # primary share 166 / (166 + 1.1 × 210) = 166 / 397
    assert rows["c", "primary"]["teaching_aux_area_m2"] == pytest.approx(9711.6, abs=0.05)
    assert rows["c", "junior"]["teaching_aux_area_m2"] == pytest.approx(13514.4, abs=0.05)
    assert "41.81%" in rows["c", "primary"]["notes"]


def test_apportionment_by_plain_enrolment_policy():
    data = dataset(
        [school("c", kind="nine_year", equipment_value_yuan=376000.0)],
        [
            segment("c", "primary", 166, equipment_value_yuan=None),
            segment("c", "junior", 210, equipment_value_yuan=None),
        ],
    )
    standard = load_standard().with_policies({"apportionment": "enrolment"})
    rows = _rows(evaluate(data, standard))
    assert rows["c", "primary"]["equipment_value_yuan"] == pytest.approx(166000.0)


def test_complete_middle_school_junior_share_counts_senior_students():
    data = dataset(
        [school("m", kind="complete_middle", sports_ground_area_m2=22000.0, senior_students=500)],
        [segment("m", "junior", 600, sports_ground_area_m2=None)],
    )
    rows = _rows(evaluate(data, load_standard()))
    # junior share B / (B + 1.2 C) = 600 / (600 + 600) = 1/2
    assert rows["m", "junior"]["sports_ground_area_m2"] == pytest.approx(11000.0)


def test_teaching_point_below_50_students_is_out_of_scope_and_50_is_in():
    data = dataset(
        [
            school("p"),
            school("t49", kind="teaching_point", parent_id="p"),
            school("t50", kind="teaching_point", parent_id="p"),
        ],
        [segment("p"), segment("t49", students=49), segment("t50", students=50)],
    )
    rows = _rows(evaluate(data, load_standard()))
    assert rows["t49", "primary"]["in_scope"] is False
    assert "49 人，少于 50 人" in rows["t49", "primary"]["scope_reason"]
    assert rows["t50", "primary"]["in_scope"] is True


def test_merge_policy_moves_teaching_points_into_their_central_school():
    data = dataset(
        [
            school("p"),
            school("t49", kind="teaching_point", parent_id="p"),
            school("t50", kind="teaching_point", parent_id="p"),
        ],
        [
            segment("p", students=500, backbone_teachers=5),
            segment("t49", students=49, backbone_teachers=0),
            segment("t50", students=50, backbone_teachers=1),
        ],
    )
    standard = load_standard().with_policies({"teaching_point_mode": "merge"})
    evaluation = evaluate(data, standard)
    rows = _rows(evaluation)
    assert rows["p", "primary"]["students"] == 599
    assert rows["p", "primary"]["R2"] == pytest.approx(600 / 599)  # 100 × 6 / 599
    assert rows["t49", "primary"]["in_scope"] is False
    assert rows["t50", "primary"]["in_scope"] is False
    assert "并入中心校" in rows["t50", "primary"]["scope_reason"]
    assert evaluation.segments.filter(pl.col("in_scope")).height == 1


def test_special_and_private_schools():
    data = dataset(
        [school("s", kind="special"), school("m", ownership="private"), school("p")],
        [segment("s", students=80), segment("m"), segment("p")],
    )
    rows = _rows(evaluate(data, load_standard()))
    assert rows["s", "primary"]["in_scope"] is False
    assert rows["m", "primary"]["in_scope"] is True
    rows = _rows(evaluate(data, load_standard().with_policies({"exclude_private": "true"})))
    assert rows["m", "primary"]["in_scope"] is False
    assert rows["p", "primary"]["in_scope"] is True


def test_out_of_scope_segments_do_not_enter_the_cv():
    data = dataset(
        [school("a"), school("b"), school("s", kind="special")],
        [segment("a"), segment("b"), segment("s", teaching_aux_area_m2=1.0)],
    )
    balance = evaluate(data, load_standard()).balance
    row = balance.filter((pl.col("indicator") == "R4") & (pl.col("level") == "primary")).row(
        0, named=True
    )
    assert row["n"] == 2 and row["cv"] == pytest.approx(0.0)
