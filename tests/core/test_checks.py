"""Parts G, Q, S and the vetoes, on hand-made counties."""

import pytest

from junheng.core.evaluate import evaluate
from junheng.standards import load_standard
from tests.builders import dataset, school, segment


def _county(facts=None, schools=None, segments=None, survey=None, standard="national-2017"):
    data = dataset(
        schools or [school("a"), school("b"), school("j", kind="junior")],
        segments or [segment("a"), segment("b"), segment("j", "junior")],
        facts=facts,
        survey=survey,
    )
    return evaluate(data, load_standard(standard))


def test_a_county_meeting_everything_passes():
    evaluation = _county()
    verdict = evaluation.verdicts["甲县"]
    assert {k: p.passes for k, p in verdict.parts.items()} == dict.fromkeys("RGQSV", True)
    assert verdict.passes is True


@pytest.mark.parametrize(
    ("fact", "value", "item"),
    [
        ("training_360h_rate", 0.99, "G9"),
        ("rotation_backbone_share", 0.19, "G11"),
        ("nearby_admission_rate_junior", 0.949, "G13"),
        ("quota_allocation_rate", 0.49, "G14"),
        ("junior_retention_rate", 0.949, "Q1"),
        ("monitoring_school_diff_rate", 0.15, "Q9"),
        ("monitoring_level_min", 2, "Q9"),
        ("teacher_avg_pay_yuan", 94999.0, "G8"),
        ("layout_plan_ok", False, "G1"),
        ("veto_key_classes", True, "V3"),
    ],
)
def test_one_fact_below_its_requirement_fails_its_item_and_the_county(fact, value, item):
    evaluation = _county({fact: value})
    result = evaluation.item("甲县", item)
    assert result.passes is False
    assert evaluation.verdicts["甲县"].passes is False
    others = [r for r in evaluation.items["甲县"] if r.item != item]
    assert all(r.passes for r in others)


def test_values_exactly_at_the_threshold_pass():
    evaluation = _county(
        {"rotation_rate": 0.10, "quota_allocation_rate": 0.5, "teacher_avg_pay_yuan": 95000.0}
    )
    assert evaluation.item("甲县", "G11").passes is True
    assert evaluation.item("甲县", "G14").passes is True
    assert evaluation.item("甲县", "G8").passes is True


def test_missing_fact_is_unknown_with_its_chinese_name():
    evaluation = _county({"certified_teacher_rate": None})
    result = evaluation.item("甲县", "G12")
    assert result.passes is None
    assert "专任教师持有教师资格证比例" in result.reason
    assert evaluation.verdicts["甲县"].passes is None
    assert any("数据不完整" in r for r in evaluation.verdicts["甲县"].reasons)


def test_g3_needs_one_music_and_art_room_per_twelve_classes():
    # 25 classes need ceil(25 / 12) = 3 rooms of each kind
    segments = [segment("a", classes=25, music_rooms=2, art_rooms=3), segment("b")]
    evaluation = _county(segments=segments)
    result = evaluation.item("甲县", "G3")
    assert result.passes is False
    assert result.failing[0]["school_id"] == "a"
    assert result.failing[0]["thresholds"]["music_rooms"] == 3
    gaps = evaluation.gaps.filter(evaluation.gaps["item"] == "G3")
    assert gaps["shortfall"].to_list() == [1.0]
    assert gaps["what"].to_list() == ["音乐专用教室"]


def test_g3_room_area_minimums():
    evaluation = _county(segments=[segment("a", music_room_min_area_m2=95.9), segment("b")])
    assert evaluation.item("甲县", "G3").passes is False
    evaluation = _county(segments=[segment("a", music_room_min_area_m2=96.0), segment("b")])
    assert evaluation.item("甲县", "G3").passes is True


def test_g4_size_limit_depends_on_school_kind():
    schools = [school("a"), school("n", kind="nine_year")]
    segments = [
        segment("a", students=2001),
        segment("n", "primary", 1300),
        segment("n", "junior", 1200),
    ]
    result = _county(schools=schools, segments=segments).item("甲县", "G4")
    assert result.passes is False
    assert [f["school_id"] for f in result.failing] == ["a"]  # 2500 is allowed for 九年一贯制


def test_g5_largest_class_per_level():
    segments = [segment("a", max_class_size=46), segment("b", max_class_size=45)]
    result = _county(segments=segments).item("甲县", "G5")
    assert result.passes is False and result.value == 1
    segments = [segment("a"), segment("b"), segment("j", "junior", max_class_size=50)]
    assert _county(segments=segments).item("甲县", "G5").passes is True


def test_a_county_without_junior_schools_is_judged_on_its_primary_schools():
    # Part R of a county with primary schools only: the junior level is 不适用, not undecided,
    # and its reason is given once (not once per indicator).
    evaluation = _county(schools=[school("a")], segments=[segment("a")])
    reasons = evaluation.verdicts["甲县"].parts["R"].reasons
    assert evaluation.verdicts["甲县"].parts["R"].passes is True
    junior = [r for r in reasons if "初中" in r]
    assert junior == ["初中不适用：县内没有纳入评估范围的初中学段，资源配置按小学判定"]


def test_q6_rating_must_be_good_or_better():
    evaluation = _county()
    assert evaluation.item("甲县", "Q6").passes is True


def test_s1_from_survey_answers_with_two_favourable_options():
    survey = [
        {
            "county": "甲县",
            "group": "家长",
            "answers_5": 300,
            "answers_4": 120,
            "answers_3": 50,
            "answers_2": 20,
            "answers_1": 10,
        },
        {
            "county": "甲县",
            "group": "教师",
            "answers_5": 50,
            "answers_4": 30,
            "answers_3": 15,
            "answers_2": 5,
            "answers_1": 0,
        },
    ]
    evaluation = _county({"recognition_rate": 0.5}, survey=survey)
    result = evaluation.item("甲县", "S1")
    # (300 + 120 + 50 + 30) / 600 = 0.8333 < 0.85, whatever the reported fact says
    assert result.value == pytest.approx(500 / 600)
    assert result.passes is False
    assert "600 份有效答卷中 500 份认可" in result.reason
    strict = load_standard().with_policies({"survey_favourable_options": "1"})
    data = dataset([school("a")], [segment("a")], survey=survey)
    assert evaluate(data, strict).item("甲县", "S1").value == pytest.approx(350 / 600)


def test_variants_change_only_their_thresholds():
    facts = {"quota_allocation_rate": 0.55, "special_ed_funds_per_student_yuan": 7000.0}
    national = _county(facts)
    assert national.item("甲县", "G14").passes and national.item("甲县", "G7").passes
    chongqing = _county(facts, standard="chongqing-quota-60")
    assert chongqing.item("甲县", "G14").passes is False
    assert chongqing.item("甲县", "G7").passes is True
    liaoning = _county(facts, standard="liaoning")
    assert liaoning.item("甲县", "G7").passes is False
    assert liaoning.item("甲县", "G14").passes is True


def test_many_counties_are_judged_independently():
    schools = [school("a", county="甲县"), school("b", county="乙县")]
    data = dataset(schools, [segment("a"), segment("b", max_class_size=60)])
    evaluation = evaluate(data, load_standard())
    assert evaluation.counties == ["甲县", "乙县"]
    assert evaluation.item("甲县", "G5").passes is True
    assert evaluation.item("乙县", "G5").passes is False
