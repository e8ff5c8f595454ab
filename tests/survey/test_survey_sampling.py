"""Sampling plans on hand-checked counties (every expected number is worked out in a comment)."""

import ast
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from junheng.survey.loader import load_rules
from junheng.survey.rules import SurveyFileError
from junheng.survey.sampling import (
    SamplingError,
    largest_remainder,
    sampling_frame,
    sampling_plan,
)
from tests.builders import dataset, school, segment

RULES = load_rules()

# Three schools: a (urban primary, 1,200 students, 60 teachers), b (town primary, 600, 30),
# c (rural nine-year: primary 300 with 20 teachers, junior 300 with 25).
FRAME = pl.DataFrame(
    {
        "school_id": ["a", "b", "c", "c"],
        "name": ["甲小学", "乙小学", "丙学校", "丙学校"],
        "area_type": ["urban", "town", "rural", "rural"],
        "level": ["primary", "primary", "primary", "junior"],
        "students": [1200, 600, 300, 300],
        "teachers": [60, 30, 20, 25],
    }
)


def _school(plan, sid):
    return next(s for s in plan.schools if s.school_id == sid)


@pytest.mark.parametrize(
    ("population", "total", "explain"),
    [
        # 352,000 × 1.5‰ = 528 < 600 and the county has fewer than 400,000 residents → 600
        (
            352_000,
            600,
            "常住人口 352,000 × 1.5‰ = 528，低于 600，取 600"
            "（常住人口不足 400,000 的县不少于 600 人）",
        ),
        (1_200_000, 1_800, "常住人口 1,200,000 × 1.5‰ = 1,800"),
        # 400,000 is not "under 400,000": 400,000 × 1.5‰ = 600 exactly, no minimum needed
        (400_000, 600, "常住人口 400,000 × 1.5‰ = 600"),
        # 410,000 × 1.5‰ = 615
        (410_000, 615, "常住人口 410,000 × 1.5‰ = 615"),
        # 500,001 × 1.5‰ = 750.0015 → a sample is never smaller than the rate asks: 751
        (500_001, 751, "常住人口 500,001 × 1.5‰ = 750.0015，向上取整为 751"),
    ],
)
def test_sample_size(population, total, explain):
    plan = sampling_plan(population, FRAME, RULES)
    assert plan.total == total
    assert plan.total_explain == explain
    assert sum(plan.groups.values()) == total


def test_groups_parents_half_others_equal():
    plan = sampling_plan(352_000, FRAME, RULES)
    # 600 × 1/2 = 300 parents; the other 300 over six groups: 50 each
    assert plan.groups == {
        "parents": 300,
        "students": 50,
        "teachers": 50,
        "principals": 50,
        "deputies": 50,
        "cppcc": 50,
        "residents": 50,
    }
    assert plan.group_explain["parents"] == "家长不少于样本的 50%：600 × 50% = 300"
    assert plan.group_explain["deputies"].endswith("300 ÷ 6 = 50")


def test_odd_total_rounds_parents_up_and_splits_the_rest_by_largest_remainder():
    plan = sampling_plan(500_001, FRAME, RULES)
    # 751 × 1/2 = 375.5 → 376 parents; 375 left ÷ 6 = 62.5 each: floors 62 × 6 = 372, the
    # three units left go to the first three groups (equal remainders, earlier first)
    assert plan.groups["parents"] == 376
    assert [plan.groups[k] for k in list(RULES.groups)[1:]] == [63, 63, 63, 62, 62, 62]
    assert plan.group_explain["students"].endswith("375 ÷ 6 = 62.5，按最大余数法取 63")


@pytest.mark.parametrize("population", [1, 352_000, 400_001, 733_333, 1_234_567, 9_999_999])
def test_parents_at_least_half_and_quotas_sum_exactly(population):
    plan = sampling_plan(population, FRAME, RULES)
    assert plan.groups["parents"] * 2 >= plan.total
    for key, count in plan.groups.items():
        if RULES.groups[key].allocation == "school":
            assert sum(s.quotas[key] for s in plan.schools) == count
        assert sum(area[key] for area in plan.areas.values()) == count
    assert sum(plan.area_total(a) for a in plan.areas) == plan.total
    for s in plan.schools:
        assert sum(s.grades.values()) == s.quotas["students"]
    assert sum(plan.grades.values()) == plan.groups["students"]


def test_allocation_to_schools_worked_example():
    plan = sampling_plan(352_000, FRAME, RULES)
    a, b, c = (_school(plan, sid) for sid in "abc")
    # Parents 300 by enrolment (2,400): a 1,200/2,400 × 300 = 150, b 75, c 75 — exact.
    assert (a.quotas["parents"], b.quotas["parents"], c.quotas["parents"]) == (150, 75, 75)
    # Students 50 by enrolment of grade 3 and above, grades taken as equal in size:
    # a 1,200 × 4/6 = 800, b 400, c 300 × 4/6 + 300 = 500; total 1,700.
    # a 50 × 800/1,700 = 23.53, b 11.76, c 14.71 → floors 23, 11, 14 (48); the two units left
    # go to the largest remainders b (.76) and c (.71) → 23, 12, 15.
    assert (a.eligible_students, b.eligible_students, c.eligible_students) == (800, 400, 500)
    assert (a.quotas["students"], b.quotas["students"], c.quotas["students"]) == (23, 12, 15)
    # Teachers 50 by teachers (60, 30, 45 of 135): 22.22, 11.11, 16.67 → 22, 11, 16 + 1 to c.
    assert (a.quotas["teachers"], b.quotas["teachers"], c.quotas["teachers"]) == (22, 11, 17)
    # Principals 50, one share per school: 16.67 each → 16 × 3 + 2 to a and b (ties, first).
    assert (a.quotas["principals"], b.quotas["principals"], c.quotas["principals"]) == (17, 17, 16)
    assert a.explain["students"] == (
        "学生 50 人按三年级及以上在校生数分配：800 ÷ 1,700 × 50 = 23.53，取 23"
    )
    # a's 23 students over grades 3–6 (200 each): 5.75 each → 5 × 4 + 3 to grades 3, 4, 5.
    assert a.grades == {3: 6, 4: 6, 5: 6, 6: 5}
    # c's 15: grades 3–6 have 50 each (1.5 each), grades 7–9 100 each (3 each) → floors 13,
    # the two units to the first .5 remainders in c's order; c is the third school, so its
    # grade order starts two places on (5, 6, 7, 8, 9, 3, 4): grades 5 and 6.
    assert c.grades == {3: 1, 4: 1, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3}
    assert 1 not in plan.grades and 2 not in plan.grades
    assert "校长配额 50 人多于学校数 3 所，部分学校需调查不止一人" in plan.notes


def test_areas_by_enrolment_without_population_and_by_population_with_it():
    plan = sampling_plan(352_000, FRAME, RULES)
    # Deputies 50 by enrolment per area: 1,200 / 600 / 600 of 2,400 → 25, 12.5, 12.5 →
    # 25, 12, 12 + 1 to town (tie, earlier)
    assert [plan.areas[a]["deputies"] for a in ("urban", "town", "rural")] == [25, 13, 12]
    assert any("按各类地区的在校生数比例" in n for n in plan.notes)
    people = {"urban": 150_000, "town": 120_000, "rural": 82_000}
    plan = sampling_plan(352_000, FRAME, RULES, area_population=people)
    # 50 × 150/352 = 21.31, 50 × 120/352 = 17.05, 50 × 82/352 = 11.65 → 21, 17, 11 + 1 to rural
    assert [plan.areas[a]["cppcc"] for a in ("urban", "town", "rural")] == [21, 17, 12]
    # urban total: parents 150 + students 23 + teachers 22 + principals 17 + 3 × 21 = 275
    assert plan.area_total("urban") == 275
    assert not any("在校生数比例" in n for n in plan.notes)
    with pytest.raises(SamplingError, match="不认识：county"):
        sampling_plan(352_000, FRAME, RULES, area_population={"county": 1})


def test_grade_counts_replace_the_even_spread():
    counts = pl.DataFrame(
        {
            "school_id": ["a"] * 6,
            "grade": [1, 2, 3, 4, 5, 6],
            "students": [200, 200, 250, 200, 200, 150],
        }
    )
    plan = sampling_plan(352_000, FRAME, RULES, grade_counts=counts)
    a = _school(plan, "a")
    # Grades 3–6: 800 as before, so a still gets 23 students; 23 × 250/800 = 7.19,
    # 23 × 200/800 = 5.75 (twice), 23 × 150/800 = 4.31 → 7, 5, 5, 4 + 1 to grades 4 and 5
    assert a.eligible_students == 800
    assert a.grades == {3: 7, 4: 6, 5: 6, 6: 4}


def test_largest_remainder():
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert largest_remainder(7, [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]) == [4, 2, 1]
    assert largest_remainder(0, [0, 0]) == [0, 0]
    with pytest.raises(SamplingError):
        largest_remainder(3, [0, 0])


def test_frame_from_dataset_leaves_out_special_schools():
    data = dataset(
        [
            school("a", area_type="urban"),
            school("n", kind="nine_year", area_type="rural"),
            school("sp", kind="special"),
        ],
        [segment("a", students=400), segment("n"), segment("n", "junior"), segment("sp")],
    )
    frame = sampling_frame(data, "甲县", RULES)
    assert frame["school_id"].to_list() == ["a", "n", "n"]
    plan = sampling_plan(352_000, frame, RULES)
    # a 400, n 1,000 of 1,400 students: parents 300 × 400/1,400 = 85.71 → 86 (remainder .71
    # beats n's .29 = 214.29)
    assert [s.quotas["parents"] for s in plan.schools] == [86, 214]


def test_missing_teacher_counts_are_named():
    frame = FRAME.with_columns(pl.lit(0).alias("teachers"))
    with pytest.raises(SamplingError, match="无法分配“教师”配额：各校的专任教师数均为 0"):
        sampling_plan(352_000, frame, RULES)


def _rules_file(tmp_path: Path, text: str) -> Path:
    original = (Path(__file__).parents[2] / "junheng/survey/rules/national.yaml").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "county-rules.yaml"
    path.write_text(text(original) if callable(text) else text, encoding="utf-8")
    return path


def test_rule_values_come_from_the_file(tmp_path):
    path = _rules_file(
        tmp_path,
        lambda t: t.replace("rate_per_mille: 1.5", "rate_per_mille: 2").replace(
            "minimum_size: 600", "minimum_size: 800"
        ),
    )
    rules = load_rules(str(path))
    # 352,000 × 2‰ = 704 < 800 → 800
    assert sampling_plan(352_000, FRAME, rules).total == 800
    assert sampling_plan(1_200_000, FRAME, rules).total == 2_400


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("  rate_per_mille: 1.5", "  rate_per_mile: 1.5"),
            "未知字段“rate_per_mile”",
        ),
        (lambda t: t + "\nquality: {}\n", "重复的字段“quality”"),
        (
            lambda t: t.replace(
                "weight: 1, allocation: area", "weight: 1, min_share: 0.1, allocation: area", 1
            ),
            "须且只须填写一项",
        ),
        (lambda t: t.replace("basis: teachers", "basis: staff"), "groups.teachers.basis"),
        (lambda t: t.replace("min_share: 0.5", "min_share: 1.5"), "超出允许范围"),
        (
            lambda t: t.replace("exclude: [too_fast, straight_lining]", "exclude: [slow]"),
            "quality.exclude",
        ),
    ],
)
def test_rules_loader_is_strict(tmp_path, edit, message):
    path = _rules_file(tmp_path, edit)
    with pytest.raises(SurveyFileError, match=message) as info:
        load_rules(str(path))
    assert "county-rules.yaml" in str(info.value)


def test_no_rule_value_is_spelt_in_the_code():
    # the rules file's numbers (1.5‰, 600, 400,000, 1/2, grade 3, 3 s) live there, not in code
    numbers = set()
    for path in (Path(__file__).parents[2] / "junheng/survey").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        numbers |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and type(n.value) in (int, float)
        }
    assert numbers & {1.5, 0.5, 600, 400_000, 3} == set()
