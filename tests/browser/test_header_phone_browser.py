"""The site header of every demo account at 360 px and 1366 px: the bar fits the screen, nothing
in it is cut off, and 待办 and 退出登录 each stay on one line. Screenshots of the start pages'
headers go to output/screenshots/header-<account>-<size>.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from junheng.web.registry.management.commands.junheng_demo import DEMO_ACCOUNTS, set_up_demo
from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# For each element of the header's user area that is shown: on how many lines its text runs and
# whether its box cuts the text off (an ellipsis or a hidden overflow).
_USER_AREA = """() => [...document.querySelectorAll('.user > *, .user-name, .user-role')]
  .filter(e => e.getClientRects().length > 0)
  .map(e => {
    // lines of its longest-wrapping piece of text (a button's own box is not a line)
    let lines = 0;
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      lines = Math.max(lines, tops.size);
    }
    return {text: e.innerText, lines: lines, cut: e.scrollWidth > e.clientWidth + 0.5};
  })"""

_FITS = """() => [...document.querySelectorAll('.header-bar, .header-bar *')]
  .every(e => e.getBoundingClientRect().right <= window.innerWidth + 0.5)"""


@pytest.fixture
def passwords(monkeypatch) -> dict[str, str]:
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)
    return {done.account.username: done.password for done in set_up_demo()}


def _user_area(viewer: Page) -> list[dict]:
    return viewer.evaluate(_USER_AREA)


def test_every_accounts_header_fits_a_phone_and_an_office_screen(
    page, phone, live_server, passwords
):
    for account in DEMO_ACCOUNTS:
        for viewer, size in ((page, "office"), (phone, "phone")):
            login(viewer, live_server.url, account.username, passwords[account.username])
            assert "/login/" not in viewer.url, account.username
            screenshot(viewer, f"header-{account.username}-{size}")
            shown = _user_area(viewer)
            texts = " ".join(e["text"] for e in shown)
            assert "退出登录" in texts, (account.username, size)
            for element in shown:
                assert element["lines"] == 1, (account.username, size, element)
                assert not element["cut"], (account.username, size, element)
            assert viewer.evaluate(_FITS), (account.username, size)
            # the name is always shown; the role beside it on an office screen
            assert account.full_name in texts, (account.username, size)
            if size == "office":
                assert account.role.label in texts, account.username
            viewer.context.clear_cookies()
