"""A response keeps only the day it was given (no exact time), and that day is Beijing's:

    2026-12-06 15:59 UTC = Sunday 2026-12-06 23:59 in Beijing
    2026-12-06 16:00 UTC = Monday 2026-12-07 00:00 in Beijing (the UTC date is still the 6th)

The instant is what `submit` receives (the public form passes `timezone.now()`); the survey is
open from a day before it to a day after it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.web.surveys import services
from junheng.web.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db

SUNDAY_LAST_MINUTE = dt.datetime(2026, 12, 6, 15, 59, tzinfo=dt.UTC)
MONDAY_MIDNIGHT = dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("instant", "day"),
    [(SUNDAY_LAST_MINUTE, dt.date(2026, 12, 6)), (MONDAY_MIDNIGHT, dt.date(2026, 12, 7))],
)
def test_a_response_is_dated_by_the_beijing_day(survey, schools, instant, day):
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=instant - dt.timedelta(days=1), closes_at=instant + dt.timedelta(days=1)
    )
    survey.refresh_from_db()
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get()
    answers = {f"q_P{i:02d}": "5" for i in range(1, 15)}
    outcome = services.submit(code.code, "nonce", answers, 100, instant)
    assert outcome.outcome is services.Outcome.ACCEPTED
    assert Response.objects.get(code=code).submitted_on == day
