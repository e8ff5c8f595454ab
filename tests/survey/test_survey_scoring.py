"""Recognition rates on a hand-computed set of 20 responses, two of them flagged."""

import pytest

from junheng.core.evaluate import evaluate
from junheng.standards import load_standard
from junheng.survey.loader import bundled_questionnaires, load_rules
from junheng.survey.scoring import (
    POOLED,
    Response,
    SurveyResponseError,
    quality_flags,
    score_counts,
    score_responses,
)
from tests.builders import dataset, school, segment

RULES = load_rules()
STANDARD = load_standard()
QUESTIONNAIRES = {q.id: q for q in bundled_questionnaires()}
FORM = {"parents": "public", "deputies": "public", "cppcc": "public", "residents": "public"}
FORM |= {"students": "student", "teachers": "staff", "principals": "staff"}

# Answer patterns over the 14 questions, and their counts of options 5, 4, 3, 2, 1:
A = "55554444333221"  # 4, 4, 3, 2, 1 → 8 favourable of 14
B = "54545454545454"  # 7, 7, 0, 0, 0 → 14 of 14
C = "33332222114455"  # 2, 2, 4, 4, 2 → 4 of 14
A_SKIP = "5555444433322-"  # A without its last answer: 4, 4, 3, 2, 0 → 8 of 13
STRAIGHT = "5" * 14  # straight-lining (14 identical answers ≥ 10)

# id, group, school, area, pattern, seconds
ROWS = [
    ("r01", "parents", "a", "urban", A, 120),
    ("r02", "parents", "a", "urban", A, 300),
    ("r03", "parents", "a", "urban", B, None),
    ("r04", "parents", "b", "rural", B, 95),
    ("r05", "parents", "b", "rural", C, 60),
    ("r06", "parents", "b", "rural", A_SKIP, 80),
    ("r07", "parents", "a", "urban", B, 75),
    ("r08", "parents", "b", "rural", A, 200),
    ("r09", "parents", "a", "urban", STRAIGHT, 100),  # flagged: straight-lining
    ("r10", "students", "a", "urban", B, 90),
    ("r11", "students", "a", "urban", A, 90),
    ("r12", "students", "b", "rural", C, 90),
    ("r13", "students", "b", "rural", B, 90),
    ("r14", "students", "b", "rural", B, 20),  # flagged: 20 s < 3 s × 14 answers = 42 s
    ("r15", "teachers", "a", "urban", A, 150),
    ("r16", "teachers", "b", "rural", B, 150),
    ("r17", "principals", "a", "urban", B, 150),
    ("r18", "deputies", None, "urban", C, 150),
    ("r19", "residents", None, "rural", A, 150),
    ("r20", "cppcc", None, "urban", B, 150),
]


def _response(rid, group, school_id, area, pattern, seconds):
    questionnaire = QUESTIONNAIRES[FORM[group]]
    answers = {
        q.id: (None if ch == "-" else int(ch))
        for q, ch in zip(questionnaire.questions, pattern, strict=True)
    }
    return Response(
        id=rid,
        group=group,
        answers=answers,
        version=questionnaire.version,
        seconds=seconds,
        school_id=school_id,
        area_type=area,
    )


RESPONSES = [_response(*row) for row in ROWS]
BY_VERSION = {q.version: q for q in QUESTIONNAIRES.values()}


def _score(**kwargs):
    return score_responses(
        RESPONSES,
        "甲县",
        kwargs.pop("standard", STANDARD),
        RULES,
        questionnaires=BY_VERSION,
        **kwargs,
    )


def test_quality_flags():
    result = _score()
    assert {r.response.id: r.flags for r in result.flagged} == {
        "r09": ("straight_lining",),
        "r14": ("too_fast",),
    }
    assert [r.response.id for r in result.excluded] == ["r09", "r14"]
    assert result.flagged[1].explain() == "答题过快"
    # 42 s for 14 answers is exactly 3 s each: not too fast; 41 s is
    fast = RESPONSES[13]
    assert quality_flags(Response(**{**fast.__dict__, "seconds": 42}), RULES) == ()
    assert quality_flags(Response(**{**fast.__dict__, "seconds": 41}), RULES) == ("too_fast",)
    # nine identical answers are below the ten the rules ask for straight-lining
    nine = Response("x", "students", {f"S0{i}": 4 for i in range(1, 10)})
    assert quality_flags(nine, RULES) == ()


def test_rates_per_group_school_area_and_pooled():
    result = _score()
    got = {name: (r.counts, r.favourable, r.valid) for name, r in result.by_group.items()}
    # parents (r09 left out): A ×3, A_SKIP, B ×3, C
    #   5: 3·4 + 4 + 3·7 + 2 = 39; 4: 39; 3: 3·3 + 3 + 4 = 16; 2: 3·2 + 2 + 4 = 12; 1: 3 + 2 = 5
    #   valid 111, favourable 78 → 70.27 %
    assert got["家长"] == ((39, 39, 16, 12, 5), 78, 111)
    # students (r14 left out): B, A, C, B → 20, 20, 7, 6, 3; 40 of 56
    assert got["学生"] == ((20, 20, 7, 6, 3), 40, 56)
    assert got["教师"] == ((11, 11, 3, 2, 1), 22, 28)  # A + B
    assert got["校长"] == ((7, 7, 0, 0, 0), 14, 14)  # B
    assert got["人大代表"] == ((2, 2, 4, 4, 2), 4, 14)  # C
    assert got["政协委员"] == ((7, 7, 0, 0, 0), 14, 14)  # B
    assert got["其他群众"] == ((4, 4, 3, 2, 1), 8, 14)  # A
    assert result.by_group["家长"].rate == pytest.approx(78 / 111)
    # pooled: 78 + 40 + 22 + 14 + 4 + 14 + 8 = 180 of 111 + 56 + 28 + 14 · 4 = 251
    assert (result.pooled.favourable, result.pooled.valid) == (180, 251)
    assert result.pooled.rate == pytest.approx(180 / 251)
    assert result.pooled.explain() == "251 个有效答案中 180 个认可，认可度 71.71%"
    # school a: r01 r02 r03 r07 r10 r11 r15 r17 = A ×4, B ×4 → 4·8 + 4·14 = 88 of 112
    # school b: r04 r05 r06 r08 r12 r13 r16 = B, C, A_SKIP, A, C, B, B → 66 of 97
    assert {k: (r.favourable, r.valid) for k, r in result.by_school.items()} == {
        "a": (88, 112),
        "b": (66, 97),
    }
    # urban: school a + r18 (C) + r20 (B) = 106 of 140; rural: school b + r19 (A) = 74 of 111
    assert {k: (r.favourable, r.valid) for k, r in result.by_area.items()} == {
        "urban": (106, 140),
        "rural": (74, 111),
    }


def test_flagged_responses_counted_when_asked_and_excluded_by_id():
    result = _score(exclude_flags=())
    # r09 adds 14 favourable answers to the parents, r14 (B) 14 to the students
    assert (result.by_group["家长"].favourable, result.by_group["家长"].valid) == (92, 125)
    assert (result.pooled.favourable, result.pooled.valid) == (208, 279)
    result = _score(exclude_ids=["r18", "r99"])
    # without the deputy's C: 176 of 237, and no deputies row at all
    assert (result.pooled.favourable, result.pooled.valid) == (176, 237)
    assert result.by_group["人大代表"].rate is None
    assert "人大代表" not in result.survey_table()["group"].to_list()
    assert result.notes == ("要排除的答卷不存在：r99",)


def test_favourable_options_policy():
    one = STANDARD.with_policies({"survey_favourable_options": "1"})
    result = _score(standard=one)
    # only 非常满意: 39 + 20 + 11 + 7 + 2 + 7 + 4 = 90 of 251
    assert (result.pooled.favourable, result.pooled.valid) == (90, 251)
    assert result.favourable_options == 1


def test_pooled_rate_is_what_s1_computes_from_the_survey_table():
    result = _score()
    table = result.survey_table()
    assert table.columns == ["county", "group", *[f"answers_{i}" for i in (5, 4, 3, 2, 1)]]
    assert table.height == 7 and table["answers_5"].sum() == 90
    data = dataset(
        [school("a"), school("b")], [segment("a"), segment("b")], survey=table.to_dicts()
    )
    s1 = evaluate(data, STANDARD).item("甲县", "S1")
    assert s1.value == pytest.approx(result.pooled.rate)
    assert s1.passes is False  # 71.7 % < 85 %
    assert "251 份有效答卷中 180 份认可" in s1.reason
    counts = score_counts(table, "甲县", STANDARD)
    assert counts[POOLED] == result.pooled
    assert counts["家长"] == result.by_group["家长"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"group": "principals"}, "不使用问卷"),
        ({"version": "000000000000"}, "找不到版本"),
        ({"answers": {"P01": 6}}, "选项取值应为 5、4、3、2、1"),
        ({"answers": {"S01": 5}}, "问卷中没有题号 S01"),
        ({"group": "aliens"}, "调查规则中没有调查对象"),
    ],
)
def test_responses_must_fit_their_questionnaire(change, message):
    bad = Response(**{**RESPONSES[0].__dict__, **change})
    with pytest.raises(SurveyResponseError, match=message):
        score_responses([bad], "甲县", STANDARD, RULES, questionnaires=BY_VERSION)
    with pytest.raises(SurveyResponseError, match="答卷编号重复"):
        score_responses(RESPONSES[:2] * 2, "甲县", STANDARD, RULES)


def test_result_tables_for_the_export():
    from junheng.reports.tables import Note
    from junheng.survey.tables import result_tables

    groups, schools, areas, quality = result_tables(_score(), {"a": "甲小学"})
    rows = [[c.value for c in r] for r in groups.rows if not isinstance(r, Note)]
    assert rows[0] == ["家长", 111, 78, pytest.approx(78 / 111), 39, 39, 16, 12, 5]
    assert rows[-1][:3] == ["全县", 251, 180]
    assert [[c.value for c in r][:3] for r in schools.rows[:2]] == [
        ["甲小学", 112, 88],
        ["b", 97, 66],
    ]
    assert [r[0].value for r in areas.rows[:2]] == ["城区", "乡村"]
    assert [[c.value for c in r] for r in quality.rows[:2]] == [
        ["r09", "家长", "甲小学", 100, "所有题目选同一项", "不计入"],
        ["r14", "学生", "b", 20, "答题过快", "不计入"],
    ]
    assert quality.rows[-1].text == "共 20 份答卷，不计入 2 份"


def test_requirement_is_the_standards_check_on_the_recognition_rate():
    from dataclasses import replace

    from junheng.survey.scoring import recognition_requirement

    rule = recognition_requirement(STANDARD)
    assert rule.item.id == "S1" and rule.text == "社会认可度 ≥ 85%"
    # ≥ as S1 compares: 17 of 20 = 85 % passes, 16 of 20 = 80 % and just under 85 % fail
    assert rule.passes(17 / 20) is True and rule.passes(16 / 20) is False
    assert rule.passes(0.8499) is False and rule.passes(None) is None
    # the threshold is the standard's: a standard asking 90 % judges 85 % a failure
    s1 = STANDARD.items["S1"]
    stricter = replace(s1.checks[0], threshold=replace(s1.checks[0].threshold, constant=0.9))
    standard = replace(STANDARD, items={**STANDARD.items, "S1": replace(s1, checks=(stricter,))})
    rule = recognition_requirement(standard)
    assert rule.text == "社会认可度 ≥ 90%" and rule.passes(0.85) is False


def test_question_rates_count_only_the_responses_counted():
    from junheng.survey.scoring import question_rates

    rows = question_rates(_score(), BY_VERSION, STANDARD, RULES)
    public = [r for r in rows if r.questionnaire_id == "public"]
    assert [r.number for r in public] == list(range(1, 15))
    # question 1 of the public form, counted responses r01–r08, r18–r20 (r09 straight-lined):
    # A, A, B, B, C, A_SKIP, B, A, C, A, B → 5 ×9, 3 ×2 → 9 of 11
    first = public[0]
    assert first.rate.counts == (9, 0, 2, 0, 0) and first.rate.favourable == 9
    assert first.topic == "教育公平政策落实"
    # question 14: A 1, B 4, C 5, A_SKIP unanswered → 5 ×2, 4 ×4, 1 ×4 → 6 of 10 = 60 %
    last = public[-1]
    assert last.rate.counts == (2, 4, 0, 0, 4) and last.rate.rate == pytest.approx(0.6)
    # the staff form: r15 A, r16 B, r17 B → question 1: 5 ×3
    staff = [r for r in rows if r.questionnaire_id == "staff"]
    assert staff[0].rate.counts == (3, 0, 0, 0, 0)
