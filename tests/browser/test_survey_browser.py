"""The survey in Chromium: a respondent on a 360 px phone types a code, answers the whole
questionnaire and is told it arrived; the code then refuses a second response. The county
admin's survey page, the results page (1366×768 and 360 px), the new-survey and date forms, the
not-yet-open page and a QR code sheet are saved as screenshots, and none shows an internal
identifier or English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from junheng.web.surveys import services
from junheng.web.surveys.models import Response
from tests.browser.browsing import SCREENSHOTS, login, screenshot
from tests.browser.identifiers import unexpected_identifiers
from tests.web import conftest as web_fixtures
from tests.web.surveys import conftest as survey_fixtures

demo, loaded = web_fixtures.demo, web_fixtures.loaded
survey, schools, users = survey_fixtures.survey, survey_fixtures.schools, survey_fixtures.users
_fresh_rate_limit = survey_fixtures._fresh_rate_limit
pytestmark = pytest.mark.django_db(transaction=True)


def test_phone_respondent_fills_the_questionnaire(phone, live_server, survey, schools):
    base = live_server.url
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    phone.goto(f"{base}/s/")
    screenshot(phone, "survey-phone-code")
    phone.get_by_label("访问码").fill(f"{code[:5].lower()}-{code[5:].lower()}")
    phone.get_by_role("button", name="打开问卷").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("家长及社会公众卷")
    # nothing wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    questions = phone.locator("fieldset.q")
    assert questions.count() == 14
    screenshot(phone, "survey-phone-form-empty")
    choices = ["非常满意", "满意", "一般", "满意", "非常满意", "不满意", "满意"] * 2
    for i, label in enumerate(choices):
        questions.nth(i).get_by_label(label, exact=True).check()
    screenshot(phone, "survey-phone-form-filled")
    phone.get_by_role("button", name="提交答卷").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("已收到")
    screenshot(phone, "survey-phone-received")
    stored = Response.objects.get()
    assert list(stored.answers.values()) == [5, 4, 3, 4, 5, 2, 4] * 2
    assert stored.group == "parents" and stored.school == schools[0]
    # the code is used now
    phone.goto(f"{base}/s/{code}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("访问码已使用")
    screenshot(phone, "survey-phone-used")


def _readable(page, username="cadmin"):
    """What the page shows a person has no English words or internal identifiers."""
    text = page.locator("body").inner_text()
    assert unexpected_identifiers(text, allowed=[username]) == [], page.url
    return text


def _charts_drawn(page):
    page.wait_for_selector("[data-chart-ready]")
    expect(page.locator("[data-chart]")).to_have_count(page.locator("[data-chart-ready]").count())


def test_admin_pages_and_qr_sheet(page, live_server, survey, schools, users):
    base = live_server.url
    now = timezone.now()
    batch = services.generate_codes(survey, "parents", 12, school=schools[0])
    services.generate_codes(survey, "residents", 4, area_type="urban")
    values = [[5, 4] * 7, [3, 4] * 7, [2, 3] * 7, [4] * 14]
    for code, answers in zip(batch.codes.all(), values, strict=False):
        form = {f"q_P{i:02d}": str(v) for i, v in enumerate(answers, start=1)}
        services.submit(code.code, code.code, form, 100, now)
    login(page, base, "cadmin", survey_fixtures.PASSWORD)
    page.goto(f"{base}/surveys/")
    expect(page.get_by_role("link", name=survey.title)).to_be_visible()
    screenshot(page, "survey-list")
    page.get_by_role("link", name=survey.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    # one click makes every batch of the plan; the versions read 第 1 版
    page.get_by_role("button", name="按配额生成全部访问码").click()
    expect(page.locator(".message.success")).to_contain_text("已按配额生成")
    text = _readable(page)
    assert "第 1 版（" in text
    screenshot(page, "survey-detail")
    page.get_by_role("link", name="查看结果").first.click()
    expect(page.locator("h2").first).to_contain_text("42 个有效答案中 21 个认可")
    _charts_drawn(page)
    text = _readable(page)
    assert "要求：社会认可度 ≥ 85%" in text and "未达标" in text
    assert "还差 597 份" in text
    # the review buttons are links in the table's colour, not white on white
    review = page.locator("table.survey-review button.link").first
    expect(review).to_have_text("排除此答卷")
    assert review.evaluate("e => getComputedStyle(e).color") == "rgb(11, 92, 173)"
    page.screenshot(path=str(SCREENSHOTS / "survey-results-view.png"))
    screenshot(page, "survey-results")
    sheet = page.request.get(f"{base}/surveys/{survey.pk}/batches/{batch.pk}/sheet.png")
    assert sheet.ok and sheet.headers["content-type"] == "image/png"
    (SCREENSHOTS / "survey-qr-sheet.png").write_bytes(sheet.body())
    page.goto(f"{base}/surveys/new/{survey.county.pk}/")
    _readable(page)
    screenshot(page, "survey-new-form")
    page.get_by_label("全县常住人口").fill("三十万")
    closes = timezone.localdate() + timedelta(days=20)
    page.get_by_label("截止时间").fill(f"{closes:%Y-%m-%d}T18:00")
    page.get_by_role("button", name="计算抽样方案").click()
    expect(page.locator("#population-error")).to_contain_text("请填写正整数")
    screenshot(page, "survey-new-errors")
    page.get_by_label("全县常住人口").fill("352000")
    page.get_by_role("button", name="计算抽样方案").click()
    expect(page.locator("h2").first).to_contain_text("样本 600 人")
    screenshot(page, "survey-new-plan")
    page.goto(f"{base}/surveys/{survey.pk}/dates/")
    page.get_by_label("截止时间").fill("2020-01-01T08:00")
    page.get_by_role("button", name="保存调查时间").click()
    expect(page.locator(".field-error")).to_contain_text("截止时间应晚于开始时间")
    _readable(page)
    screenshot(page, "survey-dates-error")


def test_phone_admin_results_and_forms(phone, live_server, survey, schools, users):
    base = live_server.url
    now = timezone.now()
    batch = services.generate_codes(survey, "parents", 4, school=schools[0])
    values = [[5, 4] * 7, [3, 4] * 7, [2, 3] * 7, [4] * 14]
    for code, answers in zip(batch.codes.all(), values, strict=True):
        form = {f"q_P{i:02d}": str(v) for i, v in enumerate(answers, start=1)}
        services.submit(code.code, code.code, form, 100, now)
    login(phone, base, "cadmin", survey_fixtures.PASSWORD)
    phone.goto(f"{base}/surveys/{survey.pk}/results/")
    _charts_drawn(phone)
    _readable(phone)
    review = phone.locator("table.survey-review button.link").first
    review.scroll_into_view_if_needed()
    expect(review).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "survey-phone-results")
    phone.goto(f"{base}/surveys/new/{survey.county.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "survey-phone-new-form")
    phone.goto(f"{base}/surveys/{survey.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "survey-phone-detail")


def test_phone_not_yet_open_page(phone, live_server, survey, schools):
    opens = timezone.now() + timedelta(days=3)
    services.set_dates(survey, opens, opens + timedelta(days=10))
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    phone.goto(f"{live_server.url}/s/{code}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("调查尚未开始")
    local = timezone.localtime(opens)
    expected = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    expect(phone.locator(".survey-public")).to_contain_text(f"本次调查将于 {expected} 开始")
    _readable(phone)
    screenshot(phone, "survey-phone-not-open")
