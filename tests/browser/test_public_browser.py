"""The public progress page in Chromium, as a parent opens it on a 360-px phone and a reporter
on a 1366-px screen: no login, Chinese throughout, no sideways scrolling, no name or phone; and
the county admin's settings page and the bulletin's publish button on both widths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.browsing import OVERFLOW, login, screenshot
from tests.web.public.conftest import NAMES, PHONES, make_site
from tests.web.sites import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
MARCH_10 = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 on 10 March in Beijing


@pytest.fixture
def site(django_user_model, monkeypatch):
    real = timezone.now
    offset = MARCH_10 - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)
    data = make_site(django_user_model)
    data["page"].show_schools = True
    data["page"].save()
    return data


def _publish_and_open(page: Page, base: str, site: dict, name: str) -> None:
    login(page, base, "cadmin", PASSWORD)
    page.goto(f"{base}/counties/{site['county'].pk}/2026/rectification/bulletin/?period=month")
    page.get_by_role("button", name="公开本期全县通报").click()
    expect(page.locator(".messages")).to_contain_text("已公开")
    screenshot(page, f"public-bulletin-published-{name}")
    page.goto(f"{base}/public/counties/{site['county'].pk}/")
    expect(page.get_by_role("heading", name="已公开的整改通报")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, f"public-settings-{name}")
    page.context.clear_cookies()
    page.goto(f"{base}/p/qinghe/")


@pytest.mark.parametrize("device", ["phone", "page"])
def test_public_page(request, live_server, site, device):
    page: Page = request.getfixturevalue(device)
    name = "360" if device == "phone" else "1366"
    _publish_and_open(page, live_server.url, site, name)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "清河县义务教育优质均衡发展创建工作进展"
    )
    expect(page.locator("#verdict")).to_contain_text("未达标")
    expect(page.locator("#table-schools")).to_contain_text("石桥中学")
    expect(page.locator("#bulletins")).to_contain_text("月通报")
    assert page.evaluate(OVERFLOW) <= 0
    text = page.evaluate("() => document.body.innerText")
    for secret in (*NAMES, *PHONES):
        assert secret not in text
    assert "退出登录" not in text  # no account on the public page
    screenshot(page, f"public-page-{name}")
