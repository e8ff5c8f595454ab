"""The public form's short path: the statements a form and a submission cost, the parsed
questionnaire kept per process yet never stale after an edit, the tallies added to once even
when two readers race, and the flags of responses stored before flags were kept."""

from __future__ import annotations

import importlib
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from junheng.web.surveys import services, tally
from junheng.web.surveys.models import AccessCode, Response, Tally
from junheng.web.surveys.services import Outcome
from tests.web.surveys.test_survey_services import answers, one_code


def _statements(captured):
    """The statements that did work (savepoints of the test's own transaction left out)."""
    kinds = [q["sql"].split()[0].upper() for q in captured]
    return [k for k in kinds if k not in ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")]


@pytest.mark.django_db
def test_a_form_is_one_query_and_a_submission_one(survey, schools):
    client = Client()
    first, second = one_code(survey, school=schools[0]), one_code(survey, school=schools[0])
    client.get(reverse("survey_form", args=[first]))  # the process parses the questionnaire
    url = reverse("survey_form", args=[second])
    with CaptureQueriesContext(connection) as opened:
        page = client.get(url)
    assert page.status_code == 200 and "家长及社会公众卷" in page.content.decode()
    # the code with its batch, survey, county, questionnaire versions and the address's count
    assert _statements(opened) == ["SELECT"]
    # no session, no account and no CSRF cookie: the signed ticket stands for the token
    assert set(page.cookies) == set()
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.content.decode()).group(1)
    with CaptureQueriesContext(connection) as sent:
        done = client.post(url, {"ticket": ticket, **answers(*[5, 4] * 7)})
    assert "已收到" in done.content.decode()
    # the signed ticket says what the form showed, so the code is not looked up again: mark
    # it used unless it is (survey open, version current) and insert the response — on
    # PostgreSQL one statement (the INSERT reads the UPDATE's row), elsewhere two
    taking = ["WITH"] if connection.vendor == "postgresql" else ["UPDATE", "INSERT"]
    assert _statements(sent) == taking
    stored = Response.objects.get()
    assert stored.code.code == second and stored.school_id == schools[0].pk
    assert stored.group == "parents" and stored.answers["P01"] == 5 and stored.answers["P02"] == 4


def _opened(client, code):
    page = client.get(reverse("survey_form", args=[code])).content.decode()
    return re.search(r'name="ticket" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_a_form_sent_after_the_survey_closed_is_refused_though_its_ticket_says_open(
    survey, schools
):
    from junheng.web.surveys.models import Survey

    client = Client()
    code = one_code(survey, school=schools[0])
    ticket = _opened(client, code)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    done = client.post(
        reverse("survey_form", args=[code]), {"ticket": ticket, **answers(*[5] * 14)}
    )
    assert done.status_code == 410 and "调查已结束" in done.content.decode()
    assert not Response.objects.exists()
    assert AccessCode.objects.get(code=code).used is False


@pytest.mark.django_db
def test_a_form_sent_twice_is_stored_once_and_thanked_twice(survey, schools):
    client = Client()
    code = one_code(survey, school=schools[0])
    # two forms of one code: the same phone opened it twice (two tabs), both before sending
    body = {"ticket": _opened(client, code), **answers(*[5, 4] * 7)}
    other = {"ticket": _opened(client, code), **answers(*[1] * 14)}
    url = reverse("survey_form", args=[code])
    assert "已收到" in client.post(url, body).content.decode()
    # the same form again finds the code taken, and the full path sees its nonce: a retry
    assert "已收到" in client.post(url, body).content.decode()
    assert Response.objects.count() == 1
    # the other form is "already used"
    refused = client.post(url, other)
    assert refused.status_code == 409 and "访问码已使用" in refused.content.decode()
    assert Response.objects.get().answers["P01"] == 5


@pytest.mark.django_db
def test_a_form_of_a_replaced_questionnaire_is_judged_against_the_new_one(survey, schools):
    client = Client()
    code = one_code(survey, school=schools[0])
    ticket = _opened(client, code)
    stored = services.edit_questionnaire(
        survey,
        "public",
        title="示范县家长问卷",
        intro="您好！",
        texts={f"P{i:02d}": f"第{i}个问题？" for i in range(1, 15)},
        now=timezone.now(),
    )
    done = client.post(
        reverse("survey_form", args=[code]), {"ticket": ticket, **answers(*[4] * 14)}
    )
    assert "已收到" in done.content.decode()
    # the version answered is gone: stored under the survey's questionnaire as it is now
    assert Response.objects.get().version == stored.version


@pytest.mark.django_db
def test_invalid_answers_on_the_short_path_get_the_form_back_with_the_message(survey, schools):
    client = Client()
    code = one_code(survey, school=schools[0])
    partial = answers(*[5] * 14)
    del partial["q_P03"]
    page = client.post(
        reverse("survey_form", args=[code]), {"ticket": _opened(client, code), **partial}
    )
    assert page.status_code == 400 and "第 3 题" in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_refused_insert_takes_no_code_and_leaves_the_callers_transaction_usable(survey, schools):
    # a code whose response exists though its flag was cleared: the one-to-one key refuses
    code = one_code(survey, school=schools[0])
    now = timezone.now()
    first = services.submit(code, "first", answers(*[5, 4] * 7), 100, now)
    assert first.outcome is Outcome.ACCEPTED
    AccessCode.objects.filter(code=code).update(used=False)
    again = services.submit(code, "second", answers(*[1, 2] * 7), 100, now)
    assert again.outcome is Outcome.USED
    # the test's own transaction still answers, the first answers stand and the flag is unchanged
    assert Response.objects.get().nonce == "first"
    assert AccessCode.objects.get(code=code).used is False


@pytest.mark.django_db
def test_an_edited_questionnaire_is_served_at_once_though_the_old_one_was_parsed(survey, schools):
    client = Client()
    before = one_code(survey, school=schools[0])
    assert "第7个问题？" not in client.get(reverse("survey_form", args=[before])).content.decode()
    stored = services.edit_questionnaire(
        survey,
        "public",
        title="示范县家长问卷",
        intro="您好！",
        texts={f"P{i:02d}": f"第{i}个问题？" for i in range(1, 15)},
        now=timezone.now(),
    )
    # the next lookup names the new version, so no process serves the old wording
    after = one_code(survey, school=schools[0])
    page = client.get(reverse("survey_form", args=[after])).content.decode()
    assert "示范县家长问卷" in page and "第7个问题？" in page
    services.submit(after, "n", answers(*[5, 4] * 7), 100, timezone.now())
    assert Response.objects.get().version == stored.version


@pytest.mark.django_db(transaction=True)
def test_two_readers_racing_tally_each_response_once(survey, schools):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")
    now = timezone.now()
    for n in range(12):
        code = one_code(survey, school=schools[n % 2])
        services.submit(code, str(n), answers(*[5, 4] * 7), 100, now)
    start = threading.Barrier(4)

    def read() -> None:
        try:
            start.wait()
            tally.bring_up_to_date(survey)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 12 responses × 14 answers, each counted once by place and once by question
    rows = list(Tally.objects.values_list("question", "value", "count"))
    assert sum(n for q, v, n in rows if not q and v) == 12 * 14
    assert sum(n for q, v, n in rows if q) == 12 * 14
    assert sum(n for q, v, n in rows if not v) == 12
    assert not Response.objects.filter(tallied=False).exists()


@pytest.mark.django_db
def test_responses_stored_before_flags_were_kept_are_judged_by_the_migration(survey, schools):
    from django.apps import apps

    now = timezone.now()
    services.submit(one_code(survey, school=schools[0]), "1", answers(*[5, 4] * 7), 100, now)
    services.submit(one_code(survey, school=schools[0]), "2", answers(*[4] * 14), 100, now)
    services.submit(one_code(survey, school=schools[0]), "3", answers(*[5, 4] * 7), 20, now)
    Response.objects.update(flags="")
    migration = importlib.import_module(
        "junheng.web.surveys.migrations.0003_tally_flags_rate_count"
    )
    migration._flags_of_earlier_responses(apps, None)
    # 14 alike (≥ 10) → straight-lining; 20 s < 3 s × 14 = 42 s → too fast
    assert list(Response.objects.order_by("nonce").values_list("flags", flat=True)) == [
        "",
        "straight_lining",
        "too_fast",
    ]


@pytest.mark.django_db
def test_the_form_page_kept_per_version_shows_a_new_title_and_closing_time_at_once(survey, schools):
    from junheng.web.surveys.models import Survey

    client = Client()
    first, second = one_code(survey, school=schools[0]), one_code(survey, school=schools[0])
    page = client.get(reverse("survey_form", args=[first])).content.decode()
    # each page carries its own code, printed in groups, and its own ticket
    printed = f"{first[:5]}-{first[5:]}"
    assert f"访问码 {printed}" in page and f'action="/s/{first}/"' in page
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    closes = timezone.localtime(survey.closes_at) + timedelta(days=3)
    services.set_dates(survey, survey.opens_at, closes)
    Survey.objects.filter(pk=survey.pk).update(title="改名后的调查")
    again = client.get(reverse("survey_form", args=[second])).content.decode()
    assert "改名后的调查" in again and f"{closes:%Y}年{closes.month}月{closes.day}日" in again
    assert f"/s/{second}/" in again and f"/s/{first}/" not in again
    assert re.search(r'name="ticket" value="([^"]+)"', again).group(1) != ticket


@pytest.mark.django_db
def test_a_title_holding_the_pages_slot_mark_is_still_shown_whole(survey, schools):
    from junheng.web.surveys.models import Survey

    # the mark that cuts the kept page, typed into a title, must not cut the page wrongly
    Survey.objects.filter(pk=survey.pk).update(title="甲\x1fticket\x1f乙")
    code = one_code(survey, school=schools[0])
    page = Client().get(reverse("survey_form", args=[code]))
    html = page.content.decode()
    assert page.status_code == 200 and "甲\x1fticket\x1f乙" in html
    assert f'action="/s/{code}/"' in html and re.search(r'name="ticket" value="[^"]+"', html)
