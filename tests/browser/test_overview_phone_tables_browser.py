"""The county overview's 校际差异系数 and 历年 tables (评估结论, each level's CVs) on a 360 px
phone: one card per row, every value with its column's name and nothing scrolled out of sight;
on a 1366 px screen they stay tables. The demo county (`./run demo`, three school years).
Screenshots: output/screenshots/overview-tables-{phone,office}.png, and of the two sections
alone overview-tables-{cv,trend}-{phone,office}.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.registry.management.commands.junheng_demo import set_up_demo
from junheng.web.registry.models import County
from tests.browser.browsing import SCREENSHOTS, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def passwords(monkeypatch) -> dict[str, str]:
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)
    return {done.account.username: done.password for done in set_up_demo()}


# Of a table's cells: how many stick out of the card's box (are cut off or need scrolling).
_HIDDEN_CELLS = """(id) => {
  const table = document.getElementById(id);
  const box = table.closest('.table-wrap').getBoundingClientRect();
  return [...table.querySelectorAll('tbody th, tbody td')]
    .filter(c => c.getBoundingClientRect().right > box.right + 0.5).length;
}"""
_DISPLAY = "(id) => getComputedStyle(document.querySelector('#' + id + ' tbody tr')).display"
_LABELS = """(id) => [...document.querySelectorAll('#' + id + ' tbody tr:first-child td')]
  .map(c => getComputedStyle(c, '::before').content)"""


def test_cv_and_trend_tables_are_cards_on_a_phone(page, phone, live_server, passwords):
    county = County.objects.get(name="示范县")
    url = live_server.url + reverse("county", args=[county.pk, "2026"])
    for viewer, size in ((page, "office"), (phone, "phone")):
        login(viewer, live_server.url, "county_admin", passwords["county_admin"])
        viewer.goto(url)
        for table in ("table-cv", "table-trend", "table-trend_primary", "table-trend_junior"):
            assert viewer.evaluate(_HIDDEN_CELLS, table) == 0, (size, table)
            assert viewer.evaluate(_DISPLAY, table) == ("block" if size == "phone" else "table-row")
        if size == "phone":
            # each value says what it is: the CV's first row (R1) reads 小学差异系数：…, 小学上限：…
            labels = viewer.evaluate(_LABELS, "table-cv")
            assert labels[:4] == [
                '"指标名称："',
                '"小学差异系数："',
                '"小学上限："',
                '"小学结论："',
            ]
            assert viewer.evaluate(_LABELS, "table-trend")[0] == '"结论："'
            assert viewer.evaluate(_LABELS, "table-trend_primary")[6] == '"R7："'
            first = viewer.locator("#table-cv tbody tr").first
            assert first.locator("td").nth(2).inner_text().startswith("≤ ")
            assert first.locator("td").nth(2).is_visible()
        screenshot(viewer, f"overview-tables-{size}")
        # the two sections alone, for a person to look at without scrolling the whole page
        for section in ("cv", "trend"):
            viewer.locator(f"#{section}").screenshot(
                path=str(SCREENSHOTS / f"overview-tables-{section}-{size}.png")
            )
