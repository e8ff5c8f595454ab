"""Which problems do not fail their school, and the numbers people read for problem keys.

Built on tests/builders.py, where every other number is twice its threshold:
- P1, primary, 500 students, 2,150 m² of teaching space: R4 = 4.30 m² per student against 4.5
  (95.6 %): the only unmet indicator, above 85 %, so the segment passes 每所学校至少 6 项达标、其余
  不低于 85% and the problem is tolerated.
- P2, primary, 500 students, 1,900 m²: R4 = 3.80 (84.4 %), just below the 85 % floor (3.825):
  the segment fails, so the problem fails the school.
- P3, primary, 500 students, 2,150 m² and 2 backbone teachers: R4 4.30 (above 85 %) but also R2
  0.40 per 100 against 1.0: two indicators unmet, the segment fails on the count.
"""

from __future__ import annotations

from junheng.core.evaluate import evaluate
from junheng.rectification.problems import problem_number, problems_from_evaluation
from junheng.standards import load_standard
from tests.builders import dataset, school, segment

STANDARD = load_standard()


def _drafts() -> dict[str, bool]:
    data = dataset(
        [school("P1"), school("P2"), school("P3")],
        [
            segment("P1", students=500, teaching_aux_area_m2=2150.0),
            segment("P2", students=500, teaching_aux_area_m2=1900.0),
            segment("P3", students=500, teaching_aux_area_m2=2150.0, backbone_teachers=2),
        ],
    )
    entry = evaluate(data, STANDARD).to_dict()["counties"][0]
    return {
        d.key: d.tolerated
        for d in problems_from_evaluation(entry, STANDARD)
        if d.key.startswith(("R4/", "R2/"))
    }


def test_only_an_indicator_that_leaves_its_school_passing_is_tolerated():
    assert _drafts() == {
        "R4/primary/P1": True,
        "R4/primary/P2": False,
        "R4/primary/P3": False,
        "R2/primary/P3": False,
    }


def test_problem_numbers_name_year_item_level_and_school():
    assert problem_number("R5/primary/2152080001", "2026", "城关一小") == "2026-R5-小学-城关一小"
    assert problem_number("R2/junior/2152070002", "2026", "梨园乡初级中学") == (
        "2026-R2-初中-梨园乡初级中学"
    )
    assert problem_number("CV/junior/R2", "2026") == "2026-R2-初中-校际差异系数"
    assert problem_number("G3/2152020001", "2027", "石桥镇中心小学") == "2027-G3-石桥镇中心小学"
    assert problem_number("G11", "2026") == "2026-G11"
    # without a name the school's identification code stands in, never the level's English name
    assert problem_number("R4/primary/2152080001", "2026") == "2026-R4-小学-2152080001"


def test_numbers_of_undecided_verdicts_say_data_is_missing():
    # the 数据缺失 sheet's keys, NA/<level>/<school> and NA/CV/<level>/<indicator>
    assert (
        problem_number("NA/junior/2152080001", "2026", "城关中学") == "2026-数据缺失-初中-城关中学"
    )
    assert problem_number("NA/CV/primary/R4", "2026") == "2026-数据缺失-R4-小学-校际差异系数"
