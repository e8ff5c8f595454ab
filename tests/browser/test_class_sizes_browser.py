"""班额 in Chromium at office width and on a phone: the short columns (学段, 结论, the year
header) on one line at 1366 px, and on a phone the band tables as one card per row inside the
screen (they were 1,235 px wide in a 322 px box). Screenshots for a person to look at."""

from __future__ import annotations

import polars as pl
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
from junheng.web.registry.models import County
from junheng.web.services import load_dataset
from tests.browser.browsing import FINDINGS, OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-班额-2026"
# Lines a cell's text takes: an inline span wrapped over n lines has n client rectangles.
LINES = "el => el.querySelector('.c') ? el.querySelector('.c').getClientRects().length : 1"
# How far a table sticks out of its scroll box (0 when it fits).
SIDEWAYS = "el => el.scrollWidth - el.clientWidth"


@pytest.fixture(name="url")
def url_fixture(django_user_model) -> str:
    load_dataset(
        with_plans(demo_county(with_grades=True), int(DEMO_YEAR)),
        DEMO_YEAR,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    county = County.objects.get(name=DEMO_COUNTY)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    return reverse("class_sizes", args=[county.pk, DEMO_YEAR])


def test_class_sizes_at_office_width(page, live_server, url):
    login(page, live_server.url, "leader", PASSWORD)
    page.goto(live_server.url + url)
    expect(page.locator(".class-targets-unmet")).to_contain_text(
        "目标“到2025年秋季，56人以上大班额为 0 个”：2025—2026 年秋季均未实现"
    )
    bands = page.locator("#table-class-bands")
    # 学段 ("小学") and the header 学年（秋季） each on one line, not one character per line.
    assert bands.locator("tbody tr").first.locator("td").first.evaluate(LINES) == 1
    assert bands.locator("thead th").first.evaluate("el => el.getClientRects().length") == 1
    header_height = bands.locator("thead th").first.evaluate("el => el.scrollHeight")
    line = bands.locator("thead th").first.evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)"
    )
    assert header_height < 2 * line + 20
    # 结论 ("已实现") on one line in the targets table.
    verdict = page.locator("#table-class-targets tbody tr").first.locator("td").nth(1)
    assert verdict.evaluate(LINES) == 1
    # Student totals with thousands separators: the first row is 2022 小学, whose pupils are the
    # students of the classes of grades 1–6 in 2022 (formatted here, not read off the page).
    classes = with_plans(demo_county(with_grades=True), int(DEMO_YEAR)).classes
    pupils = classes.filter((pl.col("year") == 2022) & (pl.col("grade") <= 6))["students"].sum()
    assert pupils >= 1000
    expect(bands.locator("tbody tr").first).to_contain_text(f"{pupils:,}")
    screenshot(page, "class-sizes-office")
    assert page.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("class-sizes-")}


def test_class_sizes_on_a_phone(phone, live_server, url):
    login(phone, live_server.url, "leader", PASSWORD)
    phone.goto(live_server.url + url)
    for key in ("class-bands", "class-townships", "class-large-schools", "class-targets"):
        table = phone.locator(f"#table-{key}")
        expect(table).to_be_visible()
        # Cards: the table fits its box, nothing to scroll sideways.
        assert table.evaluate(SIDEWAYS) <= 0, key
        assert phone.locator(f"#table-{key} >> xpath=..").evaluate(SIDEWAYS) <= 0, key
    # Each value carries its column's name on the card.
    first = phone.locator("#table-class-bands tbody tr").first
    expect(first.locator("td").first).to_have_attribute("data-label", "学段")
    screenshot(phone, "class-sizes-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("class-sizes-")}
