"""教育经费保障 in Chromium at office width and on a phone: no sideways scrolling of the page,
no column squeezed to nothing, a cell's reason opened from its 说明, and the page without finance
rows. Screenshots of each for a person to look at."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import expect

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.demo_plans import with_plans
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County
from junheng.web.services import load_dataset
from tests.browser.browsing import FINDINGS, OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-经费-2026"
NARROWEST = (
    "() => Math.min(...[...document.querySelectorAll('#table-finance tbody :is(th, td)')]"
    ".map(e => e.getBoundingClientRect().width))"
)
"""The narrowest cell of the table's body, in CSS pixels (on a phone its header row is hidden:
each cell names its year)."""


def _county(dataset: Dataset, django_user_model) -> County:
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    return county


def _planned() -> Dataset:
    return with_plans(demo_county(with_grades=True), int(DEMO_YEAR))


def test_finance_at_office_and_phone_width(page, phone, live_server, django_user_model):
    county = _county(_planned(), django_user_model)
    base = live_server.url
    url = f"{base}/counties/{county.pk}/{DEMO_YEAR}/finance/"
    login(page, base, "leader", PASSWORD)
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("教育经费保障")
    summary = page.locator(".finance-summary")
    expect(summary).to_contain_text("土地出让收益计提教育资金少 2,852,000.00 元")
    reason = page.locator("#table-finance details").first
    reason.locator("summary").click()
    expect(reason.locator("p")).to_be_visible()
    screenshot(page, "finance-office")
    assert page.evaluate(OVERFLOW) <= 0
    # A year's column keeps room for its verdict and figure (about six characters at least).
    assert page.evaluate(NARROWEST) >= 80

    login(phone, base, "leader", PASSWORD)
    phone.goto(url)
    expect(phone.locator(".finance-summary")).to_contain_text("1 个年度有未达标项")
    screenshot(phone, "finance-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    # Stacked: every cell is a line of the card as wide as the card, not a squeezed column.
    assert phone.evaluate(NARROWEST) >= 250
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("finance-")}


def test_finance_without_rows_says_what_is_missing(phone, live_server, django_user_model):
    planned = _planned()
    county = _county(replace(planned, finance=planned.finance.clear()), django_user_model)
    base = live_server.url
    login(phone, base, "leader", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/finance/")
    expect(phone.locator(".finance-missing")).to_contain_text("缺少“县级教育经费”数据")
    screenshot(phone, "finance-no-data-phone")
    assert phone.evaluate(OVERFLOW) <= 0
