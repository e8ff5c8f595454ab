"""The 主要做法与成效 page in Chromium: the county admin puts the cursor inside a sentence of
their own, clicks 插入 beside an engine figure and the sentence lands at the cursor; the page
saves it. A screenshot at 1366×768 and one at 360 px; neither shows an internal identifier."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from junheng.web.accounts.models import Profile, Role
from junheng.web.practice.models import PracticeText
from junheng.web.services import run_evaluation
from tests.browser.browsing import login, screenshot
from tests.web import conftest as web_fixtures

demo, loaded = web_fixtures.demo, web_fixtures.loaded
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
G7 = "特殊教育学校生均公用经费6500元（要求不低于6000元），达到要求。"


@pytest.fixture
def admin(loaded, django_user_model):
    county, year = loaded
    run_evaluation(county, year, None)
    user = django_user_model.objects.create_user("cadmin", password=PASSWORD)
    Profile.objects.create(user=user, role=Role.COUNTY_ADMIN, county=county)
    return county, year


def test_insert_puts_the_figure_at_the_cursor_and_saves(page, live_server, admin):
    county, year = admin
    login(page, live_server.url, "cadmin", PASSWORD)
    page.goto(f"{live_server.url}/counties/{county.pk}/{year.label}/practice/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("主要做法与成效")
    box = page.locator("#text-funding")
    box.fill("近年来经费逐年增长。其中")
    # the cursor after 近年来经费逐年增长。 (10 characters), where a writer's click leaves it
    box.evaluate("el => { el.focus(); el.setSelectionRange(10, 10); }")
    page.locator("#section-funding").get_by_role("button", name="插入").nth(3).click()
    assert box.input_value() == f"近年来经费逐年增长。{G7}其中"
    screenshot(page, "practice-edit")
    page.locator("#section-funding").get_by_role("button", name="保存本节").click()
    expect(page.locator(".message.success")).to_contain_text("已保存：经费投入。")
    assert PracticeText.objects.get(key="funding").text == f"近年来经费逐年增长。{G7}其中"


def test_the_page_fits_a_phone(phone, live_server, admin):
    county, year = admin
    login(phone, live_server.url, "cadmin", PASSWORD)
    phone.goto(f"{live_server.url}/counties/{county.pk}/{year.label}/practice/")
    expect(phone.locator("#text-leadership")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "practice-edit-phone")
