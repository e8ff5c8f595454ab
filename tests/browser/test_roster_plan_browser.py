"""交流轮岗与教师补充规划 in Chromium: from the roster page's link, the limits, a run with the
engine's figures before and after, the moves and the tasks button, at office width and on a
phone (no sideways overflow); the reconcile page's 以名册为准更新 section on both. Screenshots
for a person to look at; no page shows a full ID number."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from junheng.web.rectification.models import Unit, UnitKind
from junheng.web.registry.management.commands.junheng_demo import DEMO_YEAR
from tests.browser.browsing import FINDINGS, OVERFLOW, login, screenshot
from tests.browser.test_roster_browser import PASSWORD, _county, _no_full_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_at_office_and_phone_width(page, phone, live_server, django_user_model, tmp_path):
    county = _county(django_user_model, tmp_path)
    Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    base = live_server.url
    login(page, base, "county_admin", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/")
    page.get_by_role("link", name="交流轮岗与教师补充规划").click()
    expect(page.locator("h1")).to_contain_text("交流轮岗与教师补充规划")
    page.get_by_label("新招聘教师名额（全县）").fill("6")
    page.get_by_label("其中体育最多").fill("2")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="运行规划").click()
    expect(page.locator(".roster-plan-status h2")).to_contain_text("最优")
    expect(page.locator("table.plan-balance tbody tr")).to_have_count(6)
    expect(page.locator(".roster-plan-moves h2")).to_contain_text("交流名单")
    _no_full_id(page)
    screenshot(page, "roster-plan-office")
    assert page.evaluate(OVERFLOW) <= 0
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="生成整改台账任务").click()
    expect(page.locator(".messages")).to_contain_text("已在整改台账登记问题")
    screenshot(page, "roster-plan-tasks-office")

    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/reconcile/")
    expect(page.locator(".roster-adopt h2")).to_contain_text("以名册为准更新填报数据")
    screenshot(page, "roster-adopt-office")

    login(phone, base, "county_admin", PASSWORD)
    phone.goto(
        f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/plan/?scope=county&max_hires=6&hires_pe=2"
    )
    expect(phone.locator(".roster-plan-status h2")).to_contain_text("最优")
    _no_full_id(phone)
    screenshot(phone, "roster-plan-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/reconcile/")
    screenshot(phone, "roster-adopt-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("roster-")}
