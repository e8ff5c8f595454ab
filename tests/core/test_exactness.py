"""Verdicts exact at the line: reported inputs have finite decimals (yuan to the fen, m² to 0.01),
so one fen short is short; only binary floating-point noise is forgiven. Rounding of CVs follows
a stated rule; a missing 高中在校生数 leaves a split undecided; a level without schools is 不适用.
Every case is a worked example with its numbers derived in the comment."""

import json

import polars as pl
import pytest

from junheng.core.balance import round_decimal
from junheng.core.evaluate import evaluate
from junheng.core.output import evaluation_to_dict
from junheng.core.wording import comparison_rule_text
from junheng.standards import load_standard
from tests.builders import dataset, school, segment


def _segment_row(evaluation, school_id="a", level="primary"):
    return evaluation.segments.filter(
        (pl.col("school_id") == school_id) & (pl.col("level") == level)
    ).row(0, named=True)


def _cv_row(evaluation, level="primary", indicator="R4"):
    return evaluation.balance.filter(
        (pl.col("level") == level) & (pl.col("indicator") == indicator)
    ).row(0, named=True)


def _one(level="primary", **changes):
    kind = "primary" if level == "primary" else "junior"
    return evaluate(
        dataset([school("a", kind=kind)], [segment("a", level, **changes)]), load_standard()
    )


# ---- 1. Exact at the line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("equipment", "met"),
    [
        # 12,499,999.99 ÷ 5,000 = 2,499.999998 < 2,500: one fen short of the junior line
        (12_499_999.99, False),
        # 12,500,000.00 ÷ 5,000 = 2,500 exactly
        (12_500_000.00, True),
    ],
)
def test_junior_r6_one_fen_short_is_unmet(equipment, met):
    row = _segment_row(
        _one("junior", students=5000, equipment_value_yuan=equipment), level="junior"
    )
    assert row["R6"] == pytest.approx(equipment / 5000, rel=0, abs=1e-9)
    assert row["R6_met"] is met


@pytest.mark.parametrize(
    ("equipment", "floor_ok", "passes"),
    [
        # 16,999,999.99 ÷ 10,000 = 1,699.999999 < 1,700 = 85 % × 2,000: below the floor, so the
        # segment fails although the six other indicators are met
        (16_999_999.99, False, False),
        # 17,000,000.00 ÷ 10,000 = 1,700: on the floor, six met and one ≥ 85 % pass
        (17_000_000.00, True, True),
    ],
)
def test_primary_r6_at_and_below_the_85_percent_line(equipment, floor_ok, passes):
    row = _segment_row(_one(students=10_000, equipment_value_yuan=equipment))
    assert row["R6_met"] is False
    assert row["R6_floor_ok"] is floor_ok
    assert row["passes"] is passes


@pytest.mark.parametrize(
    ("count", "met"),
    [
        # R1 primary: 42 ÷ 1000 × 100 = 4.2 (in binary floating point 4.2 exactly) ≥ 4.2
        (42, True),
        (41, False),  # 4.1 < 4.2
    ],
)
def test_r1_exactly_at_the_threshold_from_integers_passes(count, met):
    row = _segment_row(_one(students=1000, teachers_bachelor=count))
    assert row["R1_met"] is met


@pytest.mark.parametrize(
    ("count", "met"),
    [
        # R3 primary: 9 ÷ 1000 × 100 = 0.8999999999999999 in binary floating point; 0.9 by the
        # numbers reported, so it meets 0.9
        (9, True),
        (8, False),  # 0.8 < 0.9
    ],
)
def test_r3_float_trap_at_the_threshold_is_met(count, met):
    assert 9 / 1000 * 100 != 0.9  # the trap this case is about
    row = _segment_row(_one(students=1000, pe_teachers=count))
    assert row["R3_met"] is met


@pytest.mark.parametrize(
    ("funds", "passes"),
    [(6000.0, True), (5999.99, False)],  # G7 特殊教育学校生均公用经费 ≥ 6,000 元
)
def test_g7_exact_at_6000_yuan(funds, passes):
    data = dataset(
        [school("a")], [segment("a")], facts={"special_ed_funds_per_student_yuan": funds}
    )
    assert evaluate(data, load_standard()).item("甲县", "G7").passes is passes


@pytest.mark.parametrize(
    ("teacher_pay", "passes"),
    # G8 教师平均工资 ≥ 公务员平均工资 95,000.00 元; 540.3 + 0.3 style noise must not matter
    [(95_000.0, True), (94_999.99, False), (94_999.7 + 0.3, True)],
)
def test_g8_pay_exact_against_the_civil_servant_pay(teacher_pay, passes):
    data = dataset(
        [school("a")],
        [segment("a")],
        facts={"teacher_avg_pay_yuan": teacher_pay, "civil_servant_avg_pay_yuan": 95_000.0},
    )
    assert evaluate(data, load_standard()).item("甲县", "G8").passes is passes


def _two_school_cv(c):
    """Two primary schools of 1000 students with R4 of 1+c and 1−c: weighted mean 1, population
    sd c, so the CV is c."""
    schools = [school("s0"), school("s1")]
    segments = [
        segment("s0", students=1000, teaching_aux_area_m2=1000 * (1 + c)),
        segment("s1", students=1000, teaching_aux_area_m2=1000 * (1 - c)),
    ]
    return dataset(schools, segments)


def _junior_two_school_cv(c):
    schools = [school("s0", kind="junior"), school("s1", kind="junior"), school("p")]
    segments = [
        segment("s0", "junior", 1000, teaching_aux_area_m2=1000 * (1 + c)),
        segment("s1", "junior", 1000, teaching_aux_area_m2=1000 * (1 - c)),
        segment("p"),
    ]
    return dataset(schools, segments)


def test_cv_two_ten_millionths_over_the_limit_fails_by_default():
    # CV 0.5000000002 > 0.50 at full precision
    row = _cv_row(evaluate(_two_school_cv(0.5000000002), load_standard()))
    assert row["cv"] == pytest.approx(0.5000000002, rel=0, abs=1e-12)
    assert row["passes"] is False
    assert row["rounding"] is None


# ---- 2. The rounding rule of comparison_decimals ---------------------------------------------


def _with(decimals, rounding=None):
    policies = {"comparison_decimals": str(decimals)}
    if rounding:
        policies["comparison_rounding"] = rounding
    return load_standard().with_policies(policies)


def test_0_501787_fails_at_full_precision_and_passes_with_two_decimals():
    data = _two_school_cv(0.501787)
    assert _cv_row(evaluate(data, load_standard()))["passes"] is False
    rounded = _cv_row(evaluate(data, _with(2)))
    assert rounded["cv_compared"] == 0.50  # 0.501787 → 0.50 under either rule
    assert rounded["passes"] is True


@pytest.mark.parametrize(
    ("rounding", "compared", "passes", "named"),
    [
        # 四舍五入 (as Excel's ROUND): 0.505 → 0.51 > 0.50
        ("half_up", 0.51, False, "按四舍五入保留 2 位小数为 0.51"),
        # GB/T 8170 修约: the dropped 5 has nothing after it and 0 is even, 0.505 → 0.50 ≤ 0.50
        ("half_even", 0.50, True, "按GB/T 8170 修约（四舍六入五成双）保留 2 位小数为 0.50"),
    ],
)
def test_cv_of_0_505_under_each_rounding_rule(rounding, compared, passes, named):
    row = _cv_row(evaluate(_two_school_cv(0.505), _with(2, rounding)))
    assert row["cv_compared"] == compared
    assert row["passes"] is passes
    assert named in row["reason"]
    assert row["rounding"] in named


@pytest.mark.parametrize(
    ("value", "half_up", "half_even"),
    [
        # stored in binary as 0.49499999999999999556 and 0.28499999999999997558: below the half,
        # yet 0.495 and 0.285 by their decimal value (Python's round gives 0.49 and 0.28)
        (0.495, 0.50, 0.50),
        (0.285, 0.29, 0.28),
        (0.505, 0.51, 0.50),
        (0.501787, 0.50, 0.50),
        (0.4949999, 0.49, 0.49),  # not a half: both rules round down
    ],
)
def test_rounding_applies_to_the_decimal_value(value, half_up, half_even):
    column = pl.Series([value]).to_frame("x")
    up = column.select(round_decimal(pl.col("x"), 2, "half_up")).item()
    even = column.select(round_decimal(pl.col("x"), 2, "half_even")).item()
    assert (up, even) == (half_up, half_even)


def test_half_up_is_the_default_rule():
    row = _cv_row(evaluate(_two_school_cv(0.505), _with(2)))
    assert row["cv_compared"] == 0.51 and row["passes"] is False
    assert row["rounding"] == "四舍五入保留 2 位小数"


@pytest.mark.parametrize(
    ("rounding", "cv", "compared", "passes"),
    [
        # junior limit 0.45. 0.455: 四舍五入 0.46; 修约 keeps the 5 → even digit 6, also 0.46
        ("half_up", 0.455, 0.46, False),
        ("half_even", 0.455, 0.46, False),
        # 0.445: 四舍五入 0.45 ≤ 0.45; 修约 → even digit 4, 0.44 ≤ 0.45
        ("half_up", 0.445, 0.45, True),
        ("half_even", 0.445, 0.44, True),
    ],
)
def test_junior_cv_with_two_decimals_under_each_rule(rounding, cv, compared, passes):
    row = _cv_row(evaluate(_junior_two_school_cv(cv), _with(2, rounding)), level="junior")
    assert row["cv_compared"] == compared
    assert row["passes"] is passes


def test_rounding_is_named_in_the_json():
    entry = evaluation_to_dict(evaluate(_two_school_cv(0.505), _with(2)))["counties"][0]
    cell = entry["balance"]["primary"]["R4"]
    assert cell["compared"] == 0.51
    assert cell["rounding"] == "四舍五入保留 2 位小数"
    assert entry["balance"]["primary"]["R4"]["applicable"] is True


# ---- 3. Missing 高中在校生数 where shared facilities are split --------------------------------


def _complete_middle(senior_students):
    extra = {} if senior_students is None else {"senior_students": senior_students}
    return dataset(
        [school("m", kind="complete_middle", teaching_aux_area_m2=66_360.0, **extra), school("p")],
        [segment("m", "junior", 600, teaching_aux_area_m2=None), segment("p")],
    )


def test_complete_middle_school_without_senior_students_cannot_be_split():
    evaluation = evaluate(_complete_middle(None), load_standard())
    row = _segment_row(evaluation, "m", "junior")
    # counted as zero seniors the junior would get all 66,360 m², R4 = 66,360 ÷ 600 = 110.6
    assert row["teaching_aux_area_m2"] is None
    assert row["R4"] is None and row["R4_met"] is None
    assert row["passes"] is None
    text = "「m学校」未填报高中在校生数"
    assert any(text in r and "R4" in r for r in row["reasons"])
    assert text in row["notes"]
    # facilities the school reports per segment are not affected
    assert row["R6"] == pytest.approx(5000.0)


@pytest.mark.parametrize(
    ("senior", "r4"),
    [
        (0, 110.6),  # no senior section: 66,360 ÷ 600
        # share 600 ÷ (600 + 1.2 × 500) = 1/2: 33,180 ÷ 600 = 55.3
        (500, 55.3),
    ],
)
def test_complete_middle_school_with_senior_students_reported(senior, r4):
    row = _segment_row(evaluate(_complete_middle(senior), load_standard()), "m", "junior")
    assert row["R4"] == pytest.approx(r4)


# ---- 4. A county without junior (or primary) schools -----------------------------------------


def test_county_without_primary_schools_is_judged_on_junior_schools():
    data = dataset([school("j", kind="junior")], [segment("j", "junior")])
    evaluation = evaluate(data, load_standard())
    part = evaluation.verdicts["甲县"].parts["R"]
    assert part.passes is True
    assert [r for r in part.reasons if "小学" in r] == [
        "小学不适用：县内没有纳入评估范围的小学学段，资源配置按初中判定"
    ]
    entry = json.loads(json.dumps(evaluation_to_dict(evaluation)))["counties"][0]
    assert entry["parts"]["R"] is True
    assert all(cell["applicable"] is False for cell in entry["balance"]["primary"].values())
    assert all(cell["passes"] is True for cell in entry["balance"]["junior"].values())
    assert entry["summary"]["cv_undecided"] == 0


def test_county_without_any_school_in_scope_stays_undecided():
    data = dataset([school("v", kind="vocational")], [segment("v", "junior")])
    part = evaluate(data, load_standard()).verdicts["甲县"].parts["R"]
    assert part.passes is None
    assert part.reasons == ("没有纳入评估范围的学段，无法判定",)


def test_comparison_rule_in_words_names_the_rounding_rule():
    full = comparison_rule_text(load_standard())
    assert full.endswith("差异系数按完整精度与限值比较。")
    assert "不超过标准值的 1×10⁻¹²" in full
    gbt = comparison_rule_text(_with(2, "half_even"))
    assert gbt.endswith("差异系数按GB/T 8170 修约（四舍六入五成双）保留 2 位小数后与限值比较。")
    # a stored snapshot's policies word the same way
    stored = comparison_rule_text(load_standard(), {"comparison_decimals": 2})
    assert stored.endswith("差异系数按四舍五入保留 2 位小数后与限值比较。")
