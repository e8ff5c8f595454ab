"""目标年预测 on a phone with the demo county's creation plan: the stacked tables' message cell
of an empty table reads "全部学段达标。" without a stray "：" (site.css prefixes each stacked cell
with its column name, and a message cell has none), the reasons name their items, and a school
leaving the scope says why. A screenshot for a person to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.demo_plans import with_plans
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

PASSWORD = "pw-预测-2026"
BEFORE = "el => getComputedStyle(el, '::before').content"


def test_forecast_with_the_plan_on_a_phone(phone, live_server, django_user_model):
    load_dataset(
        with_plans(demo_county(with_grades=True), int(DEMO_YEAR)),
        DEMO_YEAR,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    county = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), None)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    login(phone, live_server.url, "leader", PASSWORD)
    # With the plan every in-scope segment meets the standard in 2027 (median): the segment
    # table is its one message cell.
    url = reverse("forecast", args=[county.pk, DEMO_YEAR]) + "?target=2027&scenario=median"
    phone.goto(live_server.url + url)
    empty = phone.locator("table.forecast-segments tbody td").first
    expect(empty).to_have_text("全部学段达标。")
    assert empty.evaluate(BEFORE) == "none"
    # A labelled cell keeps its column name before the value.
    label = phone.locator("table.forecast-parts tbody td[data-label='结论']").first
    assert "结论" in label.evaluate(BEFORE)
    expect(phone.locator("table.forecast-parts")).to_contain_text("G3 音乐美术专用教室（不符合）")
    expect(phone.locator(".forecast-changes")).to_contain_text("白马镇孙家庄教学点（小学）")
    expect(phone.locator(".forecast-changes")).to_contain_text("不在评估范围内（预测：教学点在校生")
    expect(phone.locator(".forecast-places caption")).to_contain_text("不含特殊教育学校、职业学校")
    screenshot(phone, "forecast-plan-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("forecast-plan-")}
