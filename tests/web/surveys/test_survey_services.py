"""The survey services on the database: quotas from the plan, codes, exactly-once submission,
scoring of a hand-computed set, and the pooled counts written into the county's data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from junheng.survey.loader import load_rules
from junheng.web.collection.models import SurveyCount
from junheng.web.registry.models import CountyYear
from junheng.web.selectors import dataset_for
from junheng.web.surveys import services
from junheng.web.surveys.models import AccessCode, Quota, Response, SurveyStatus
from junheng.web.surveys.services import Outcome

pytestmark = pytest.mark.django_db


def answers(*values):
    """Form fields of the 14 questions of a bundled questionnaire, from their values in order."""
    assert len(values) == 14
    return {f"q_P{i:02d}": str(v) for i, v in enumerate(values, start=1)}


def staff_answers(*values):
    return {f"q_T{i:02d}": str(v) for i, v in enumerate(values, start=1)}


def one_code(survey, group="parents", school=None, **kw):
    batch = services.generate_codes(survey, group, 1, school=school, **kw)
    return batch.codes.get().code


def test_quotas_are_the_sampling_plan(survey):
    county, year = survey.county, survey.year
    plan = services.plan_for(county, year, 352_000)
    # 352,000 × 1.5‰ = 528 < 600 → 600, parents at least half
    assert plan.total == 600
    assert sum(q.count for q in Quota.objects.filter(survey=survey)) == 600
    parents = Quota.objects.filter(survey=survey, group="parents")
    assert sum(q.count for q in parents) == 300
    assert {q.school.school_id: q.count for q in parents} == {
        s.school_id: s.quotas["parents"] for s in plan.schools
    }
    deputies = {q.area_type: q.count for q in Quota.objects.filter(survey=survey, group="deputies")}
    assert deputies == {a: c["deputies"] for a, c in plan.areas.items()}
    # each questionnaire is stored as the county's copy with its own version
    stored = services.questionnaires_of(survey)
    assert len(stored) == 3 and all(q.county == county.name for q in stored.values())


def test_codes_are_unique_and_of_the_rules_alphabet(survey, schools):
    rules = load_rules()
    batch = services.generate_codes(survey, "parents", 200, school=schools[0])
    codes = list(batch.codes.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 200
    assert all(len(c) == 10 and set(c) <= set(rules.distribution.code_alphabet) for c in codes)
    with pytest.raises(services.SurveyError, match="按学校发放"):
        services.generate_codes(survey, "teachers", 5)
    with pytest.raises(services.SurveyError, match="1 到 2,000"):
        services.generate_codes(survey, "parents", 2001, school=schools[0])


def test_code_reuse_is_refused_and_a_retry_of_the_same_form_is_accepted(survey, schools):
    code = one_code(survey, school=schools[0])
    now = timezone.now()
    form = answers(5, 4, 4, 5, 3, 4, 5, 4, 4, 5, 3, 4, 5, 4)
    assert services.submit(code, "nonce-1", form, 120, now).outcome is Outcome.ACCEPTED
    # the same form again (the connection broke before the answer arrived)
    assert services.submit(code, "nonce-1", form, 130, now).outcome is Outcome.REPEATED
    # another form with the same code
    other = answers(*[1] * 14)
    assert services.submit(code, "nonce-2", other, 120, now).outcome is Outcome.USED
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.answers == {k[2:]: int(v) for k, v in form.items()}
    assert stored.seconds == 120 and stored.school == schools[0] and stored.group == "parents"
    assert AccessCode.objects.get(code=code).used


def test_closed_and_not_yet_open_surveys_refuse(survey, schools):
    code = one_code(survey, school=schools[0])
    form = answers(5, 4, 4, 5, 3, 4, 5, 4, 4, 5, 3, 4, 5, 4)
    later = survey.closes_at + timedelta(seconds=1)
    assert services.submit(code, "n", form, 100, later).outcome is Outcome.CLOSED
    services.set_status(survey, SurveyStatus.CLOSED)
    assert services.submit(code, "n", form, 100, timezone.now()).outcome is Outcome.CLOSED
    services.set_status(survey, SurveyStatus.DRAFT)
    assert services.submit(code, "n", form, 100, timezone.now()).outcome is Outcome.NOT_OPEN
    assert Response.objects.count() == 0 and not AccessCode.objects.get(code=code).used


def test_unknown_code_and_incomplete_answers(survey, schools):
    now = timezone.now()
    form = answers(5, 4, 4, 5, 3, 4, 5, 4, 4, 5, 3, 4, 5, 4)
    assert services.submit("ABCDEFGHJK", "n", form, 100, now).outcome is Outcome.UNKNOWN
    code = one_code(survey, school=schools[0])
    partial = {k: v for k, v in form.items() if k not in ("q_P03", "q_P07")}
    result = services.submit(code, "n", partial, 100, now)
    assert result.outcome is Outcome.INVALID and result.message == "还有题目没有作答：第 3、7 题"
    bad = {**form, "q_P02": "6"}
    assert services.submit(code, "n", bad, 100, now).message == "第 2 题的选项无效，请重新选择"
    assert not AccessCode.objects.get(code=code).used


def _hand_computed_set(survey, schools):
    now = timezone.now()
    a, b = schools
    # R1 parent at A: seven 5s and seven 4s → 14 favourable of 14
    services.submit(one_code(survey, school=a), "1", answers(*[5, 4] * 7), 100, now)
    # R2 parent at B: seven 3s and seven 2s → 0 of 14
    services.submit(one_code(survey, school=b), "2", answers(*[3, 2] * 7), 100, now)
    # R3 teacher at A: 5,1 alternating → 7 of 14
    code = one_code(survey, "teachers", school=a)
    services.submit(code, "3", staff_answers(*[5, 1] * 7), 100, now)
    # R4 parent at A, answered in 20 s (< 3 s × 14): too fast, excluded by the rules
    services.submit(one_code(survey, school=a), "4", answers(*[4, 3] * 7), 20, now)
    # R5 resident (urban area), 14 times 4: straight-lining, excluded by the rules
    code = one_code(survey, "residents", area_type="urban")
    services.submit(code, "5", answers(*[4] * 14), 100, now)
    return Response.objects.order_by("pk")


def test_scoring_of_a_hand_computed_set(survey, schools):
    responses = _hand_computed_set(survey, schools)
    result = services.score(survey)
    # counted: R1, R2, R3 → 14 + 0 + 7 = 21 favourable of 42 answers
    assert result.pooled.valid == 42 and result.pooled.favourable == 21
    assert result.pooled.rate == pytest.approx(0.5)
    assert result.by_group["家长"].favourable == 14 and result.by_group["家长"].valid == 28
    assert result.by_group["教师"].rate == pytest.approx(0.5)
    assert result.by_group["其他群众"].valid == 0
    a, b = schools
    assert result.by_school[a.school_id].favourable == 21
    assert result.by_school[b.school_id].rate == 0
    flagged = {r.response.id: r.flags for r in result.flagged}
    assert flagged == {
        str(responses[3].pk): ("too_fast",),
        str(responses[4].pk): ("straight_lining",),
    }
    # counting the flagged ones: + R4 (7 favourable of 14) + R5 (14 of 14) → 42 of 70
    counted = services.score(survey, exclude_flags=[])
    assert (counted.pooled.favourable, counted.pooled.valid) == (42, 70)
    # R2 excluded after review: 21 of 28
    services.set_excluded(survey, responses[1].pk, True)
    assert services.score(survey).pooled.rate == pytest.approx(0.75)


def test_feeding_s1_writes_the_pooled_counts_and_moves_the_data_revision(survey, schools):
    _hand_computed_set(survey, schools)
    county, year = survey.county, survey.year
    before = CountyYear.objects.get(county=county, year=year).data_revision
    result = services.feed_evaluation(survey, None, timezone.now(), accept_missing=600)
    counts = {
        c.group: (c.answers_5, c.answers_4, c.answers_3, c.answers_2, c.answers_1)
        for c in SurveyCount.objects.filter(county=county, year=year)
    }
    # R1: 7×5 7×4; R2: 7×3 7×2 → 家长; R3: 7×5 7×1 → 教师; the demo's other groups are replaced
    assert counts == {"家长": (7, 7, 7, 7, 0), "教师": (7, 0, 0, 0, 7)}
    assert CountyYear.objects.get(county=county, year=year).data_revision > before
    # the evaluation's S1 input is now the survey's pooled rate
    survey_table = dataset_for(county, year).survey
    assert survey_table.height == 2
    assert result.pooled.favourable == 21


def test_an_evaluation_after_feeding_uses_the_survey_rate_for_s1(survey, schools):
    from junheng.web.services import run_evaluation

    _hand_computed_set(survey, schools)
    result = services.feed_evaluation(survey, None, timezone.now(), accept_missing=600)
    snapshot = run_evaluation(survey.county, survey.year, None)
    s1 = snapshot.result["items"]["S1"]
    # 21 favourable of 42 → 50%, below the standard's 85%
    assert s1["value"] == pytest.approx(0.5) == pytest.approx(result.pooled.rate)
    assert s1["passes"] is False
