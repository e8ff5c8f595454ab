"""A parents' meeting in Chromium: 50 phones (360 px) open their forms, answer, and send them
all at once; every phone is told 已收到 and every response is stored once with its answers.

On PostgreSQL, the production database: the tests' SQLite database lives in memory, shared
between the live server's threads by table locks that fail at once instead of waiting, which a
deployment's SQLite file (write-ahead log, a busy timeout) does not do.
"""

from __future__ import annotations

import pytest
from django.db import connection
from playwright.sync_api import expect

from junheng.web.surveys import services
from junheng.web.surveys.models import AccessCode, Response
from tests.browser.browsing import screenshot
from tests.browser.conftest import PHONE
from tests.web import conftest as web_fixtures
from tests.web.surveys import conftest as survey_fixtures

demo, loaded = web_fixtures.demo, web_fixtures.loaded
survey, schools = survey_fixtures.survey, survey_fixtures.schools
_fresh_rate_limit = survey_fixtures._fresh_rate_limit
pytestmark = pytest.mark.django_db(transaction=True)

PHONES = 50
SEND_AHEAD_MS = 10_000
"""Time to tell 50 pages when to send, on a shared and busy machine."""

# phone n answers question q with ANSWERS[(n + q) % 5]: varied, never one option throughout
ANSWERS = "54321"


def test_fifty_phones_send_within_the_same_second(browser, live_server, survey, schools):
    if connection.vendor != "postgresql":
        pytest.skip("50 concurrent submissions need PostgreSQL (see the module's note)")
    batch = services.generate_codes(survey, "parents", PHONES, school=schools[0])
    codes = list(batch.codes.order_by("pk").values_list("code", flat=True))
    contexts = [
        browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        for _ in codes
    ]
    try:
        phones = [c.new_page() for c in contexts]
        for n, (phone, code) in enumerate(zip(phones, codes, strict=True)):
            phone.goto(f"{live_server.url}/s/{code}/")
            expect(phone.get_by_role("heading", level=1)).to_contain_text("家长及社会公众卷")
            # each phone chooses its answers (quicker than 14 taps; the taps are tried in
            # test_survey_browser.py)
            phone.evaluate(
                """([n, answers]) => document.querySelectorAll("fieldset.q").forEach((f, q) =>
                    f.querySelector(`input[value="${answers[(n + q) % 5]}"]`).checked = true)""",
                [n, ANSWERS],
            )
        # all at once: every phone is told the same instant of the browser's clock (far enough
        # ahead for all of them to be told) and keeps when it sent, across the page change
        at = phones[0].evaluate("Date.now()") + SEND_AHEAD_MS
        for phone in phones:
            phone.evaluate(
                """at => setTimeout(() => {
                    sessionStorage.setItem("sent", Date.now());
                    document.querySelector("form").requestSubmit();
                }, at - Date.now())""",
                at,
            )
        for phone in phones:
            expect(phone.get_by_role("heading", level=1)).to_have_text("已收到", timeout=60_000)
        sent = [int(phone.evaluate('sessionStorage.getItem("sent")')) for phone in phones]
        # the premise of the test, not a speed: all 50 left within the same second
        assert max(sent) - min(sent) < 1000, sent
        screenshot(phones[-1], "survey-phone-burst-received")
        assert phones[-1].evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        for c in contexts:
            c.close()
    stored = {r.code.code: r.answers for r in Response.objects.select_related("code")}
    assert len(stored) == PHONES == Response.objects.count()
    for n, code in enumerate(codes):
        # question q (P01 … P14, q from 0) was answered ANSWERS[(n + q) % 5]
        assert stored[code] == {f"P{q + 1:02d}": int(ANSWERS[(n + q) % 5]) for q in range(14)}
    assert AccessCode.objects.filter(used=True).count() == PHONES
