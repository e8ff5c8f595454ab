"""The 乡镇 filter of the county overview in Chromium: a county admin chooses 石桥镇 in the select
on a 1366×768 screen and on a 360 px phone, sees its 6 schools with the county-wide note and the
township's subtotal, and follows an indicator link that keeps the township; the township's own
user (学区) reads the township page on a phone. No sideways scrolling anywhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
SHIQIAO = "石桥镇"


@pytest.fixture
def site(django_user_model):
    load_dataset(demo_county(), "2026", province="示范省", city="示范市")
    county = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(county, SchoolYear.objects.get(label="2026"), None)
    for name, role, scope in (
        ("cadmin", Role.COUNTY_ADMIN, {}),
        ("xuequ", Role.TOWNSHIP_USER, {"township": SHIQIAO}),
    ):
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=user, role=role, county=county, **scope)
    return county


def _choose_shiqiao(page, live_server, county, name: str) -> None:
    login(page, live_server.url, "cadmin", PASSWORD)
    page.goto(live_server.url + reverse("county", args=[county.pk, "2026"]))
    page.get_by_label("乡镇（学区）").select_option(SHIQIAO)
    with page.expect_navigation():
        page.get_by_role("button", name="查看", exact=True).click()
    assert "township=" in page.url
    page.wait_for_selector("#chart-cv[data-chart-ready='true'] canvas")
    assert page.locator("#table-schools tbody tr").count() == 6
    assert "只列出 石桥镇 的 6 所学校" in page.locator("#township-note").text_content()
    assert page.locator("#table-township tbody tr").count() == 7  # R1–R7
    assert page.get_by_label("乡镇（学区）").input_value() == SHIQIAO
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, name)


def test_filtered_overview_on_a_wide_screen_and_a_phone(page, phone, live_server, site):
    _choose_shiqiao(page, live_server, site, "dashboard-township-1366")
    # an indicator of the subtotal keeps the township
    page.locator("#table-township a", has_text="R5").click()
    page.wait_for_url("**/indicators/R5/primary/?township=*")
    page.wait_for_selector("#chart-indicator[data-chart-ready='true'] canvas")
    assert page.locator("#table-schools tbody tr").count() == 4  # 石桥镇's primary segments
    assert "全县差异系数" in page.content()
    screenshot(page, "dashboard-township-indicator-1366")

    _choose_shiqiao(phone, live_server, site, "dashboard-township-360")


def test_township_user_reads_the_township_page_on_a_phone(phone, live_server, site):
    login(phone, live_server.url, "xuequ", PASSWORD)
    phone.goto(live_server.url + reverse("county", args=[site.pk, "2026"]))
    # no county overview for a township's office: its township's page instead
    assert phone.url.endswith(reverse("township_overview", args=[site.pk, "2026", SHIQIAO]))
    phone.wait_for_selector("#chart-cv[data-chart-ready='true'] canvas")
    assert phone.locator("#table-schools tbody tr").count() == 6
    assert phone.locator("#township-select").count() == 0
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "dashboard-township-user-360")
