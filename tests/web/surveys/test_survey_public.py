"""The public form over HTTP: no login, one response per code, retries, closing, rate limit,
the signed ticket in place of the CSRF token, and nothing about the respondent stored."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from junheng.web.surveys import services
from junheng.web.surveys.models import Response, SurveyStatus

pytestmark = pytest.mark.django_db


def _code(survey, school, group="parents"):
    return services.generate_codes(survey, group, 1, school=school).codes.get().code


def _open(client, code):
    page = client.get(reverse("survey_form", args=[code]))
    assert page.status_code == 200, page.content.decode()
    html = page.content.decode()
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    return html, ticket


def _answers(value="4"):
    return {f"q_P{i:02d}": value if i % 2 else "5" for i in range(1, 15)}


def test_form_needs_no_login_and_is_chinese_without_scripts(client, survey, schools):
    code = _code(survey, schools[0])
    html, _ = _open(client, code)
    assert "家长及社会公众卷" in html and "非常满意" in html and "提交答卷" in html
    assert html.count('type="radio"') == 14 * 5
    assert "<script" not in html and "echarts" not in html and "htmx" not in html
    # a code typed by hand in lower case with a dash finds the same form
    typed = f"{code[:5].lower()}-{code[5:].lower()}"
    response = client.get(reverse("survey_code"), {"code": typed})
    assert response.status_code == 302 and response.url == reverse("survey_form", args=[code])


def test_submit_once_then_the_code_is_refused(client, survey, schools):
    code = _code(survey, schools[0])
    _, ticket = _open(client, code)
    url = reverse("survey_form", args=[code])
    response = client.post(url, {"ticket": ticket, **_answers()})
    assert response.status_code == 200 and "已收到" in response.content.decode()
    stored = Response.objects.get()
    assert stored.answers == {f"P{i:02d}": 4 if i % 2 else 5 for i in range(1, 15)}
    # nothing about the respondent: only these fields exist on a response
    assert {f.name for f in Response._meta.concrete_fields} == {
        "id", "survey", "code", "version", "group", "school", "area_type", "answers",
        "seconds", "submitted_on", "nonce", "excluded", "flags", "tallied",
    }  # fmt: skip
    # the quality checks judged on the way in: 14 answers within a second is under 3 s × 14
    assert stored.flags == "too_fast" and not stored.tallied
    # the same form sent again (the answer was lost on the way): the same "received"
    again = client.post(url, {"ticket": ticket, **_answers()})
    assert again.status_code == 200 and "已收到" in again.content.decode()
    # a new form for the used code is refused on opening and on sending
    opened = client.get(url)
    assert opened.status_code == 409 and "已经提交过答卷" in opened.content.decode()
    other = Client()
    refused = other.post(url, {"ticket": _fresh_ticket(code), **_answers("1")})
    assert refused.status_code == 409 and "只能提交一次" in refused.content.decode()
    assert Response.objects.count() == 1


def _fresh_ticket(code):
    from junheng.web.surveys.public import _ticket

    return _ticket(code)


def test_missing_answers_are_named_and_kept(client, survey, schools):
    code = _code(survey, schools[0])
    _, ticket = _open(client, code)
    answers = _answers()
    del answers["q_P05"]
    response = client.post(reverse("survey_form", args=[code]), {"ticket": ticket, **answers})
    html = response.content.decode()
    assert response.status_code == 400 and "还有题目没有作答：第 5 题" in html
    assert 'name="q_P04" value="5" required checked' in html
    assert Response.objects.count() == 0


def test_closed_survey_unknown_code_and_tampered_form(client, survey, schools):
    code = _code(survey, schools[0])
    _, ticket = _open(client, code)
    services.set_status(survey, SurveyStatus.CLOSED)
    url = reverse("survey_form", args=[code])
    assert client.get(url).status_code == 410
    response = client.post(url, {"ticket": ticket, **_answers()})
    assert response.status_code == 410 and "调查已经结束" in response.content.decode()
    unknown = client.get(reverse("survey_form", args=["ABCDEFGHJK"]))
    assert unknown.status_code == 404 and "没有找到这个访问码" in unknown.content.decode()
    assert client.get(reverse("survey_form", args=["x"])).status_code == 404
    bad = client.get(reverse("survey_code"), {"code": "12"})
    assert bad.status_code == 400 and "10 位字母和数字" in bad.content.decode()
    services.set_status(survey, SurveyStatus.OPEN)
    forged = client.post(url, {"ticket": ticket + "x", **_answers()})
    assert forged.status_code == 400 and "表单内容不完整或已被改动" in forged.content.decode()
    assert Response.objects.count() == 0


def test_the_signed_ticket_guards_the_form_in_place_of_the_csrf_token(survey, schools):
    # Django's CSRF check on, as in production: the form's path relies on its ticket instead
    client = Client(enforce_csrf_checks=True)
    code, other = _code(survey, schools[0]), _code(survey, schools[0])
    html, ticket = _open(client, code)
    assert "csrfmiddlewaretoken" not in html and not client.cookies
    url = reverse("survey_form", args=[code])
    # without the ticket, or with the ticket of another code's form, nothing is stored
    missing = client.post(url, _answers())
    assert missing.status_code == 400 and "表单内容不完整或已被改动" in missing.content.decode()
    _, other_ticket = _open(client, other)
    assert client.post(url, {"ticket": other_ticket, **_answers()}).status_code == 400
    # a browser naming another site as where the post comes from is refused
    forged = client.post(
        url, {"ticket": ticket, **_answers()}, HTTP_ORIGIN="https://evil.example.com"
    )
    assert forged.status_code == 403 and "只能从本系统的问卷页面提交" in forged.content.decode()
    assert Response.objects.count() == 0
    # the site's own origin, or none at all (an old browser), with the code's ticket: stored
    ok = client.post(url, {"ticket": ticket, **_answers()}, HTTP_ORIGIN="http://testserver")
    assert ok.status_code == 200 and Response.objects.count() == 1
    _, ticket = _open(client, other)
    plain = client.post(reverse("survey_form", args=[other]), {"ticket": ticket, **_answers()})
    assert plain.status_code == 200 and Response.objects.count() == 2


def test_rate_limit_counts_unknown_codes_per_address_across_workers(
    client, survey, schools, monkeypatch
):
    from django.core.cache import cache

    from junheng.web.surveys import ratelimit
    from junheng.web.surveys.models import RateCount

    # within one window whatever the machine's speed: 142 requests may take longer than what
    # is left of a real minute
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000_030.0)

    code = _code(survey, schools[0])
    url = reverse("survey_form", args=[code])
    behind = {"HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.7"}
    # a parents' meeting behind one school network: known codes are never counted
    # (the rules allow 60 a minute; 80 opens of a known code from one address all succeed)
    assert {client.get(url, **behind).status_code for _ in range(80)} == {200}
    assert not RateCount.objects.exists()
    # guessing: the rules' 60 unknown codes a window are answered 404, the 61st 429
    guesses = [f"ABCDEFGH{a}{b}" for a in "23456789" for b in "ABCDEFGH"][:61]
    statuses = [client.get(reverse("survey_form", args=[g]), **behind).status_code for g in guesses]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429
    # past the limit a known code is refused too (otherwise a hit would still show)
    assert client.get(url, **behind).status_code == 429
    # another address is not affected
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    # the count lives in the database, shared by every worker: one row, 61 requests, and
    # neither the address nor a plain hash of it is stored; nothing in the site's file cache
    row = RateCount.objects.get()
    assert row.count == 61
    assert "203.0.113.7" not in row.key and "10.0.0.1" not in row.key
    import hashlib

    for digest in (hashlib.sha256, hashlib.md5, hashlib.blake2b):
        assert row.key not in digest(b"203.0.113.7").hexdigest()
    assert cache._cache == {}


def test_rate_limit_rows_of_past_windows_are_deleted(client, survey, monkeypatch):
    from junheng.web.surveys import ratelimit
    from junheng.web.surveys.models import RateCount

    unknown = reverse("survey_form", args=["ABCDEFGHJK"])
    clock = {"t": 1_000_000.0}
    monkeypatch.setattr(ratelimit, "_now", lambda: clock["t"])
    assert client.get(unknown).status_code == 404
    # window of 60 s: 1,000,000 // 60 = 16,666; 60 s later the next window, 16,667
    assert list(RateCount.objects.values_list("window", "count")) == [(16_666, 1)]
    clock["t"] += 60
    assert client.get(unknown).status_code == 404
    assert list(RateCount.objects.values_list("window", "count")) == [(16_667, 1)]
