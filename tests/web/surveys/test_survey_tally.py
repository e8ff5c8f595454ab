"""Results from tallies kept in the database: the same numbers as scoring every response, the
tallies added to only once, responses left out after review taken off, flags judged on arrival."""

from __future__ import annotations

import pytest
from django.utils import timezone

from junheng.web.surveys import services, tally
from junheng.web.surveys.models import Response, Tally
from tests.web.surveys.test_survey_services import _hand_computed_set, answers, one_code

pytestmark = pytest.mark.django_db


def _tallied():
    """(answers counted by place, answers counted by question, responses counted)."""
    rows = list(Tally.objects.values_list("question", "value", "count"))
    by_place = sum(n for q, v, n in rows if not q and v)
    by_question = sum(n for q, v, n in rows if q)
    return by_place, by_question, sum(n for q, v, n in rows if not v)


def _same(fast, full):
    assert fast.by_group == full.by_group
    assert fast.by_school == full.by_school and list(fast.by_school) == list(full.by_school)
    assert fast.by_area == full.by_area and list(fast.by_area) == list(full.by_area)
    assert fast.pooled == full.pooled
    assert fast.by_question == full.by_question
    assert fast.response_count == full.response_count
    assert fast.excluded_count == full.excluded_count


def test_flags_are_judged_when_a_response_arrives(survey, schools):
    responses = _hand_computed_set(survey, schools)
    # R4: 20 s for 14 answers (< 3 s × 14 = 42 s); R5: fourteen 4s (≥ 10 alike)
    assert [r.flags for r in responses] == ["", "", "", "too_fast", "straight_lining"]
    assert not any(r.tallied for r in responses)


def test_tallies_give_the_rates_of_scoring_every_response(survey, schools):
    _hand_computed_set(survey, schools)
    fast = tally.score(survey)
    # counted R1, R2, R3: 14 + 0 + 7 = 21 favourable of 42; R4 and R5 left out by the rules
    assert (fast.pooled.favourable, fast.pooled.valid) == (21, 42)
    assert (fast.response_count, fast.excluded_count) == (5, 2)
    _same(fast, services.score(survey))
    # every response is tallied once: 5 responses × 14 answers = 70 answers, by place and by
    # question, and the 5 responses
    assert _tallied() == (70, 70, 5)
    assert not Response.objects.filter(tallied=False).exists()
    # read again: nothing is added twice
    again = tally.score(survey)
    assert _tallied() == (70, 70, 5)
    _same(again, fast)
    # parents at school A counted: R1 (seven 5s, seven 4s); R4 (seven 4s, seven 3s) is too fast
    a = schools[0]
    counted = dict(
        Tally.objects.filter(school_pk=a.pk, group="parents", flags="").values_list(
            "value", "count"
        )
    )
    assert counted == {5: 7, 4: 7}
    too_fast = Tally.objects.filter(school_pk=a.pk, group="parents", flags="too_fast")
    assert dict(too_fast.values_list("value", "count")) == {4: 7, 3: 7}
    # P01 of the parents' questionnaire: R1 and R2 chose 5 and 3, R4 (too fast) 4, R5 4 (all)
    p01 = Tally.objects.filter(question="P01").values_list("flags", "value", "count")
    assert sorted(p01) == [("", 3, 1), ("", 5, 1), ("straight_lining", 4, 1), ("too_fast", 4, 1)]


def test_flags_counted_when_the_survey_says_so_and_review_takes_answers_off(survey, schools):
    responses = _hand_computed_set(survey, schools)
    tally.score(survey)
    # counting the flagged ones: + R4 (7 of 14) + R5 (14 of 14) → 42 of 70
    counted = tally.score(survey, exclude_flags=[])
    assert (counted.pooled.favourable, counted.pooled.valid) == (42, 70)
    _same(counted, services.score(survey, exclude_flags=[]))
    # R2 (0 of 14) left out after review: 21 of 28 = 75%
    services.set_excluded(survey, responses[1].pk, True)
    fast = tally.score(survey)
    assert fast.pooled.rate == pytest.approx(0.75)
    assert (fast.response_count, fast.excluded_count) == (5, 3)
    _same(fast, services.score(survey))
    # R4 (too fast, left out by the rules anyway) also left out after review: not taken off twice
    services.set_excluded(survey, responses[3].pk, True)
    _same(tally.score(survey), services.score(survey))
    _same(tally.score(survey, exclude_flags=[]), services.score(survey, exclude_flags=[]))


def test_responses_arriving_later_are_added_to_the_tallies(survey, schools):
    _hand_computed_set(survey, schools)
    tally.score(survey)
    # R6 parent at B: fourteen answers 5,4 → 14 of 14; pooled 21 + 14 = 35 of 56
    code = one_code(survey, school=schools[1])
    services.submit(code, "6", answers(*[5, 4] * 7), 100, timezone.now())
    fast = tally.score(survey)
    assert (fast.pooled.favourable, fast.pooled.valid) == (35, 56)
    _same(fast, services.score(survey))


def test_the_progress_box_brings_tallies_up_to_date(client, survey, schools, users):
    from django.urls import reverse

    _hand_computed_set(survey, schools)
    client.force_login(users["admin"])
    response = client.get(reverse("survey_progress", args=[survey.pk]))
    assert response.status_code == 200
    assert _tallied() == (70, 70, 5)
