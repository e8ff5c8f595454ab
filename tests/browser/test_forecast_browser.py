"""目标年预测 in Chromium: from the county overview's link to the forecast, a second target year
and scenario chosen in the form, at office width and on a phone (no horizontal overflow), and
the page without grade enrolment. Screenshots of each for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import FINDINGS, OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"


def _county(with_grades: bool, django_user_model) -> County:
    load_dataset(
        demo_county(with_grades=with_grades), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY
    )
    county = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), None)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    return county


def test_forecast_from_the_overview_at_office_and_phone_width(
    page, phone, live_server, django_user_model
):
    county = _county(True, django_user_model)
    base = live_server.url
    login(page, base, "leader", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/")
    page.get_by_role("link", name="目标年预测").click()
    expect(page.locator("h1")).to_contain_text("目标年预测")
    expect(page.locator(".forecast-summary h2")).to_contain_text("2027 年秋季预测（中方案）")
    expect(page.locator("table.forecast-levels")).to_contain_text("2026 年实际")
    screenshot(page, "forecast-office")
    assert page.evaluate(OVERFLOW) <= 0

    page.get_by_label("目标年份（秋季学期）").select_option("2030")
    page.get_by_label("预测方案").select_option(label="低")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="预测").click()
    expect(page.locator(".forecast-summary h2")).to_contain_text("2030 年秋季预测（低方案）")
    expect(page.locator(".forecast-changes")).to_contain_text("2026 年")
    screenshot(page, "forecast-office-2030-low")

    login(phone, base, "leader", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/forecast/?target=2030&scenario=low")
    expect(phone.locator(".forecast-summary h2")).to_contain_text("2030 年秋季预测（低方案）")
    screenshot(phone, "forecast-phone")
    assert phone.evaluate(OVERFLOW) <= 0

    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/forecast/?target=2026")
    expect(phone.locator(".form-errors")).to_contain_text("目标年份应晚于")
    screenshot(phone, "forecast-phone-error")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("forecast-")}


def test_forecast_without_grades_says_what_is_missing(phone, live_server, django_user_model):
    county = _county(False, django_user_model)
    base = live_server.url
    login(phone, base, "leader", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/forecast/")
    expect(phone.locator(".forecast-missing")).to_contain_text("缺少“年级在校生”数据")
    screenshot(phone, "forecast-no-grades-phone")
    assert phone.evaluate(OVERFLOW) <= 0
