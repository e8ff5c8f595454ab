"""What browser tests do again and again: log in through the site's form, save screenshots.

Screenshots go to `output/screenshots/` so that a person can look at every page after a run.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under output/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
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
