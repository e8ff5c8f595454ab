"""The demo county's problem list and 一镇一册 in Chromium at 1366 and 360 px: only links to
files carry the download mark ⬇ (the ledger's workbook, the township's Word book), links to
pages (考核排名 · 表彰与问责 · 会议, 石桥镇一镇一册, the township's results) do not; 考核与会议
is a tab of the ledger and its ranking marks 整改台账 in the header. Screenshots:
output/screenshots/ledger-links-{list,township,appraisal}-{office,phone}.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.registry.management.commands.junheng_demo import set_up_demo
from junheng.web.registry.models import County
from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# Each link of the page's main part with the mark its style puts before it.
_MARKS = """() => Object.fromEntries([...document.querySelectorAll('main a')]
  .map(a => [a.innerText.trim(), getComputedStyle(a, '::before').content]))"""
DOWNLOAD = '"⬇ "'


@pytest.fixture
def passwords(monkeypatch) -> dict[str, str]:
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)
    return {done.account.username: done.password for done in set_up_demo()}


def test_only_files_are_marked_as_downloads(page, phone, live_server, passwords):
    county = County.objects.get(name="示范县")
    ledger = live_server.url + reverse("rectification", args=[county.pk, "2026"])
    book = live_server.url + reverse("rectification_township", args=[county.pk, "2026", "石桥镇"])
    for viewer, size in ((page, "office"), (phone, "phone")):
        login(viewer, live_server.url, "county_admin", passwords["county_admin"])
        viewer.goto(ledger + "?township=石桥镇")
        marks = viewer.evaluate(_MARKS)
        assert marks["下载整改台账（Excel）"] == DOWNLOAD
        for name in ("考核排名", "表彰与问责", "会议", "石桥镇一镇一册"):
            assert marks[name] == "none", (size, name)
        screenshot(viewer, f"ledger-links-list-{size}")

        viewer.goto(book)
        marks = viewer.evaluate(_MARKS)
        assert marks["下载一镇一册（Word）"] == DOWNLOAD
        assert marks["本乡镇学校的评估结果（各指标达标情况）"] == "none"
        screenshot(viewer, f"ledger-links-township-{size}")

        viewer.goto(ledger)
        with viewer.expect_navigation():
            viewer.locator(".rect-tabs").get_by_role("link", name="考核与会议").click()
        assert viewer.url.endswith(reverse("appraisal", args=[county.pk, "2026"]))
        current = viewer.locator('.site-nav a[aria-current="page"]')
        assert current.inner_text() == "整改台账"
        assert viewer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(viewer, f"ledger-links-appraisal-{size}")
