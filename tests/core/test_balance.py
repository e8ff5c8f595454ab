"""校际差异系数: the enrolment-weighted CV on hand-checked numbers and its invariants."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.core.balance import weighted_cv
from junheng.core.evaluate import evaluate
from junheng.standards import load_standard
from tests.builders import dataset, school, segment

ENROLMENTS = [45, 37, 89, 76, 55]
RESOURCES = [279, 137, 935, 160, 402]


def _r4_dataset(enrolments, areas, county="甲县"):
    schools = [school(f"s{i}", county=county) for i in range(len(enrolments))]
    segments = [
        segment(f"s{i}", students=p, teaching_aux_area_m2=None if a is None else float(a))
        for i, (p, a) in enumerate(zip(enrolments, areas, strict=True))
    ]
    return dataset(schools, segments)


def _cv_row(evaluation, level="primary", indicator="R4"):
    return evaluation.balance.filter(
        (pl.col("level") == level) & (pl.col("indicator") == indicator)
    ).row(0, named=True)


def test_reference_formula_on_the_five_school_example():
    mean, sd, cv = weighted_cv(
        ENROLMENTS, [r / p for r, p in zip(RESOURCES, ENROLMENTS, strict=True)]
    )
    assert mean == pytest.approx(6.334437, abs=5e-7)
    assert sd == pytest.approx(3.263861, abs=5e-7)
    assert cv == pytest.approx(0.515257, abs=5e-7)


def test_engine_cv_on_the_five_school_example_fails_the_primary_limit():
    row = _cv_row(evaluate(_r4_dataset(ENROLMENTS, RESOURCES), load_standard()))
    assert row["mean"] == pytest.approx(6.334437, abs=5e-7)
    assert row["mean"] == pytest.approx(sum(RESOURCES) / sum(ENROLMENTS))
    assert row["sd"] == pytest.approx(3.263861, abs=5e-7)
    assert row["cv"] == pytest.approx(0.515257, abs=5e-7)
    assert row["limit"] == 0.5
    assert row["passes"] is False
    assert "0.515257" in row["reason"]


def _two_school_cv(c):
    """Two schools of 1000 students with values 1+c and 1−c have CV exactly c."""
    return _r4_dataset([1000, 1000], [1000 * (1 + c), 1000 * (1 - c)])


def test_comparison_precision_full_by_default_and_two_decimals_by_policy():
    data = _two_school_cv(0.501787)
    full = _cv_row(evaluate(data, load_standard()))
    assert full["cv"] == pytest.approx(0.501787, abs=1e-9)
    assert full["passes"] is False
    rounded = _cv_row(evaluate(data, load_standard().with_policies({"comparison_decimals": "2"})))
    assert rounded["cv"] == pytest.approx(0.501787, abs=1e-9)
    assert rounded["passes"] is True


def test_cv_exactly_at_the_limit_passes():
    assert _cv_row(evaluate(_two_school_cv(0.5), load_standard()))["passes"] is True


def test_unweighted_cv_would_differ():
    # The standard weighs by enrolment; an unweighted CV of the same values is not 0.515257.
    values = [r / p for r, p in zip(RESOURCES, ENROLMENTS, strict=True)]
    _, _, unweighted = weighted_cv([1] * 5, values)
    assert abs(unweighted - 0.515257) > 0.01


def test_top_contributors_name_the_schools_that_drive_the_variance():
    evaluation = evaluate(_r4_dataset(ENROLMENTS, RESOURCES), load_standard())
    top = evaluation.top_contributors(limit=2).filter(pl.col("indicator") == "R4")
    # s2 (935/89 = 10.5 per student) is furthest above the mean with a large enrolment.
    assert top["school_id"].to_list()[0] == "s2"
    all_shares = evaluation.contributions.filter(
        (pl.col("indicator") == "R4") & (pl.col("level") == "primary")
    )["share"]
    assert all_shares.sum() == pytest.approx(1.0)


def test_a_school_without_the_value_makes_the_cv_missing_not_smaller():
    data = _r4_dataset([100, 200, 300], [500.0, 1000.0, None])
    row = _cv_row(evaluate(data, load_standard()))
    assert row["cv"] is None and row["passes"] is None
    assert "1 所学校" in row["reason"]


enrolments = st.lists(st.integers(1, 3000), min_size=2, max_size=8)


@st.composite
def county_values(draw):
    ps = draw(enrolments)
    areas = draw(
        st.lists(st.floats(1.0, 50_000.0, allow_nan=False), min_size=len(ps), max_size=len(ps))
    )
    return ps, areas


@settings(max_examples=40, deadline=None)
@given(county_values(), st.floats(0.01, 1000.0))
def test_cv_is_unchanged_when_every_value_is_scaled(case, factor):
    ps, areas = case
    base = _cv_row(evaluate(_r4_dataset(ps, areas), load_standard()))
    scaled = _cv_row(evaluate(_r4_dataset(ps, [a * factor for a in areas]), load_standard()))
    assert scaled["cv"] == pytest.approx(base["cv"], rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(county_values())
def test_weighted_mean_equals_the_ratio_of_totals(case):
    ps, areas = case
    row = _cv_row(evaluate(_r4_dataset(ps, areas), load_standard()))
    assert row["mean"] == pytest.approx(sum(areas) / sum(ps), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(county_values())
def test_duplicating_every_school_leaves_the_cv_unchanged(case):
    ps, areas = case
    base = _cv_row(evaluate(_r4_dataset(ps, areas), load_standard()))
    doubled = _cv_row(evaluate(_r4_dataset(ps * 2, areas * 2), load_standard()))
    assert doubled["cv"] == pytest.approx(base["cv"], rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3000), st.floats(1.0, 100.0), st.integers(2, 6))
def test_identical_schools_have_cv_zero(students, per_student, count):
    data = _r4_dataset([students] * count, [students * per_student] * count)
    row = _cv_row(evaluate(data, load_standard()))
    assert row["cv"] == pytest.approx(0.0, abs=1e-12)
    assert row["passes"] is True
