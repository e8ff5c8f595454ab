"""Problems from two evaluations of one small county: no duplicates, fixed ones proposed for
closure with the newer snapshot, hand-entered ones untouched, missing data kept apart.

County 甲县 (every other number at twice its threshold, see tests/builders.py):
- P1, primary, 500 students, 2,000 m² of teaching space: R4 = 4.00 m² per student against 4.5,
  so 4.5 × 500 − 2,000 = 250 m² are missing (88.9 % of the threshold: the segment still passes).
- P2, primary, 400 students, largest class 50 against 45: G5 fails by 5 pupils.
- special-education funds 5,000 yuan per student against 6,000: G7 fails by 1,000 yuan.
The second year P1 has 12 m² per student, P2's largest class is 48 and P3 (300 students, 2
backbone teachers, 0.67 per 100 against 1.0) has a new R2 problem of one teacher.
"""

from __future__ import annotations

import pytest

from junheng.core.evaluate import evaluate
from junheng.rectification.problems import (
    CATEGORY_MISSING,
    CLOSURE_REASON,
    SOURCE_INSPECTION,
    ProblemDraft,
    ProblemState,
    passes_in,
    problems_from_evaluation,
    reconcile,
)
from junheng.standards import load_standard
from tests.builders import dataset, school, segment
from tests.rectification.stored import as_stored

STANDARD = load_standard()


def _entry(year: int) -> dict:
    if year == 1:
        p1 = segment("P1", students=500, teaching_aux_area_m2=2000.0)
        p2 = segment("P2", students=400, max_class_size=50)
        p3 = segment("P3", students=300)
    else:
        p1 = segment("P1", students=500)
        p2 = segment("P2", students=400, max_class_size=48)
        p3 = segment("P3", students=300, backbone_teachers=2)
    data = dataset(
        [school("P1"), school("P2"), school("P3")],
        [p1, p2, p3],
        facts={"special_ed_funds_per_student_yuan": 5000.0},
    )
    return evaluate(data, STANDARD).to_dict()["counties"][0]


@pytest.fixture(scope="module")
def first() -> list[ProblemDraft]:
    return problems_from_evaluation(_entry(1), STANDARD)


@pytest.fixture(scope="module")
def second() -> list[ProblemDraft]:
    return problems_from_evaluation(_entry(2), STANDARD)


def test_first_year_problems_carry_the_engines_numbers_and_gaps(first):
    by_key = {d.key: d for d in first}
    assert sorted(by_key) == ["G5/P2", "G7", "R4/primary/P1"]
    r4 = by_key["R4/primary/P1"]
    assert r4.category == "资源配置" and r4.school_name == "P1学校" and r4.level == "primary"
    assert r4.value == pytest.approx(4.0) and r4.threshold == 4.5
    assert r4.gap == pytest.approx(250.0) and r4.gap_unit == "㎡"
    assert r4.title == "P1学校（小学）R4 生均教学及辅助用房面积未达标：4.00，标准 4.5"
    assert "需新建教学及辅助用房 250 ㎡" in r4.description
    assert "不低于标准的 85%，该学段仍可达标" in r4.description
    g5 = by_key["G5/P2"]
    assert (g5.gap, g5.gap_unit, g5.category) == (5, "人", "政府保障程度")
    assert g5.description.endswith("最大班额超出 5 人")
    g7 = by_key["G7"]
    assert (g7.gap, g7.gap_unit) == (1000.0, "元")
    assert g7.description.endswith("特殊教育学校生均公用经费差 1,000 元")


def test_second_generation_updates_creates_and_proposes_closure_without_duplicates(first, second):
    recorded = [as_stored(d, pk) for pk, d in enumerate(first, 1)]
    inspection = ProblemState(key=None, source=SOURCE_INSPECTION, title="食堂台账不全", id=99)
    result = reconcile([*recorded, inspection], second, snapshot_id="2025-snap")

    assert [d.key for d in result.create] == ["R2/primary/P3"]
    assert result.create[0].gap == 1 and result.create[0].gap_unit == "人"
    assert [(s.key, d.value["class_size"]) for s, d in result.update] == [("G5/P2", 48)]
    assert [s.key for s in result.unchanged] == ["G7"]
    (closure,) = result.propose_closure
    assert closure.state.id == 1 and closure.state.key == "R4/primary/P1"
    assert closure.reason == CLOSURE_REASON == "数据已达标"
    assert closure.snapshot_id == "2025-snap"
    assert result.untouched == [inspection]
    assert result.reopen == [] and result.undecided == [] and result.missing_data == []

    # Applying the result and generating again from the same snapshot adds nothing.
    after = [s for s, _ in result.update] + result.unchanged
    after += [as_stored(d, 10 + i) for i, d in enumerate(result.create)]
    after = [as_stored(next(d for d in second if d.key == s.key), s.id) for s in after]
    again = reconcile([*after, inspection], second, snapshot_id="2025-snap")
    assert again.create == [] and again.update == [] and again.propose_closure == []
    assert sorted(s.key for s in again.unchanged) == ["G5/P2", "G7", "R2/primary/P3"]


def test_a_closed_problem_that_fails_again_is_reopened_not_duplicated(first):
    closed = ProblemState(key="G7", closed=True, id=5)
    result = reconcile([closed], first, snapshot_id=3)
    assert [(s.id, d.key) for s, d in result.reopen] == [(5, "G7")]
    assert "G7" not in [d.key for d in result.create]


def test_missing_data_makes_no_problem_and_blocks_closure():
    data = dataset(
        [school("P1"), school("P2")],
        [segment("P1", students=500, equipment_value_yuan=None), segment("P2", students=400)],
    )
    entry = evaluate(data, STANDARD).to_dict()["counties"][0]
    drafts = problems_from_evaluation(entry, STANDARD)
    missing = [d for d in drafts if d.missing]
    assert [d for d in drafts if not d.missing] == []
    assert {d.key for d in missing} == {"NA/primary/P1", "NA/CV/primary/R6"}
    segment_gap = next(d for d in missing if d.key == "NA/primary/P1")
    assert segment_gap.category == CATEGORY_MISSING and segment_gap.item == "R6"
    assert "教学仪器设备值" in segment_gap.description
    recorded = ProblemState(key="R6/primary/P1", id=7)
    result = reconcile([recorded], drafts, snapshot_id=4)
    assert result.propose_closure == []
    assert [(s.id, d.key) for s, d in result.undecided] == [(7, "NA/primary/P1")]
    assert passes_in(entry, "R6/primary/P1") is None
    assert passes_in(entry, "R4/primary/P1") is True


def test_passes_in_tells_closure_evidence(first, second):
    one, two = _entry(1), _entry(2)
    assert passes_in(one, "R4/primary/P1") is False
    assert passes_in(two, "R4/primary/P1") is True
    assert passes_in(two, "G5/P2") is False
    assert passes_in(two, "G5/P1") is True
    assert passes_in(two, "R4/primary/NOSCHOOL") is None
    assert passes_in(two, "CV/primary/R4") is True


def test_demo_county_cv_problem_names_its_top_contributors():
    from junheng.demo import demo_county

    entry = evaluate(demo_county(), STANDARD).to_dict()["counties"][0]
    cv = next(d for d in problems_from_evaluation(entry, STANDARD) if d.key == "CV/junior/R2")
    assert cv.title.endswith("校际差异系数超标：0.487550，上限 0.45")
    assert len(cv.schools) == 3
    assert "拉高差异系数最多的学校：示范县实验中学（22.5%）" in cv.description


def test_a_school_missing_from_the_newer_snapshot_is_not_proposed_for_closure():
    entry = _entry(2)
    drafts = problems_from_evaluation(entry, STANDARD)
    gone = ProblemState(key="R4/primary/P9", id=9)
    fixed = ProblemState(key="R4/primary/P1", id=1)
    result = reconcile([gone, fixed], drafts, snapshot_id=2, county_entry=entry)
    assert [c.state.id for c in result.propose_closure] == [1]
    assert result.undecided == [(gone, None)]
    # Without the entry only the drafts speak: a vanished key reads as passing.
    assert len(reconcile([gone], drafts, snapshot_id=2).propose_closure) == 1


def test_both_levels_of_a_nine_year_school_make_one_class_size_problem_and_a_veto_its_own():
    data = dataset(
        [school("N1", kind="nine_year")],
        [
            segment("N1", "primary", max_class_size=50),
            segment("N1", "junior", max_class_size=57),
        ],
        facts={"veto_key_classes": True},
    )
    entry = evaluate(data, STANDARD).to_dict()["counties"][0]
    by_key = {d.key: d for d in problems_from_evaluation(entry, STANDARD)}
    assert sorted(by_key) == ["G5/N1", "V3"]
    g5 = by_key["G5/N1"]
    assert g5.level is None and g5.gap == 7
    assert g5.description == (
        "最大班额：50人（要求 ≤ 45人），未达到要求；"
        "最大班额：57人（要求 ≤ 50人），未达到要求；最大班额超出 7 人"
    )
    veto = by_key["V3"]
    assert (veto.kind, veto.category) == ("veto", "一票否决")
    assert veto.title.startswith("一票否决 V3 ") and veto.title.endswith("：存在该情形")
