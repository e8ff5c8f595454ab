"""What browser tests do again and again: log in through the site's form, save screenshots.

Screenshots go to `output/screenshots/` so that a person can look at every page after a run.
Every screenshotted page is also scanned for internal identifiers and English a user should not
read (`identifiers.py`); see `screenshot`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.identifiers import unexpected_identifiers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "screenshots"

# Every page is strict: a page that shows an identifier fails its test (the findings are also
# written beside the screenshot, <name>.identifiers.txt). JUNHENG_STRICT_IDENTIFIERS=0 turns the
# failures into printed notes for one run, e.g. while reworking a page.
STRICT_PAGES: tuple[str, ...] = ("admin-site-",)
STRICT_ALL = os.environ.get("JUNHENG_STRICT_IDENTIFIERS", "1") == "1"

FINDINGS: dict[str, list[str]] = {}
"""Screenshot name → the identifiers its page showed, for this test process."""

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
"""Script giving how far the page is wider than the window, in CSS pixels (0: no sideways
scrolling)."""


def _usernames() -> set[str]:
    """Logins of the test's users: a page may show who is logged in (a name its owner chose)."""
    from django.contrib.auth.models import User

    from junheng.web.registry.management.commands.junheng_demo import DEMO_ACCOUNTS

    names = {account.username for account in DEMO_ACCOUNTS}
    # A test of a server in its own process has no database here: the demo's logins only.
    with contextlib.suppress(RuntimeError):
        names |= set(User.objects.values_list("username", flat=True))
    # innerText applies CSS text-transform: the admin header shows "欢迎，ROOT"
    return names | {n.upper() for n in names}


def scan(page: Page, name: str) -> list[str]:
    """The identifiers the page shows (its title and visible text); recorded under `name`."""
    text = page.evaluate("() => document.title + '\\n' + document.body.innerText")
    found = unexpected_identifiers(text, allowed=_usernames())
    report = SCREENSHOTS / f"{name}.identifiers.txt"
    if found:
        FINDINGS[name] = found
        report.write_text("\n".join(found) + "\n", encoding="utf-8")
    else:
        FINDINGS.pop(name, None)
        report.unlink(missing_ok=True)
    return found


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under output/screenshots/<name>.png and return its path.

    The page is scanned for identifiers a user should not see: on a strict page (STRICT_PAGES,
    or every page with STRICT_ALL) a finding fails the test; elsewhere it is printed.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    found = scan(page, name)
    if found:
        message = f"页面 {name}（{page.url}）显示了内部标识或英文：{'、'.join(found)}"
        if STRICT_ALL or name.startswith(STRICT_PAGES):
            raise AssertionError(message)
        print(message, file=sys.stderr)
    return path


def login(page: Page, live_server_url: str, username: str, password: str) -> None:
    """Log in through the site's own login form.

    Returns once the page the form leads to (the start page, or the login page again with its
    error) has loaded with its scripts and styles. No page requests anything after loading (the
    survey progress polls every 15 s), so waiting for the network to be idle would only add its
    half second of quiet to every login.
    """
    page.goto(f"{live_server_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="登录").click()
