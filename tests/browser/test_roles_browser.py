"""Each demo account in Chromium: where it lands after logging in, what it sees there, and what it
is refused. The data and accounts are those `./run demo` sets up (`junheng_demo`), three school
years of 示范县. Screenshots at 1366×768 and 360 px of the login page, the 404 page and each
role's start page go to output/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.management.commands.junheng_demo import DEMO_SCHOOL, set_up_demo
from junheng.web.registry.models import County, School
from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site(monkeypatch):
    """The demo set-up; username → password of each demo account."""
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)
    logins = set_up_demo()
    county = County.objects.get(name="示范县")
    return {
        "passwords": {login.account.username: login.password for login in logins},
        "county": county,
        "own": School.objects.get(name=DEMO_SCHOOL),
        "other": School.objects.get(name="城关第一小学"),
    }


def _fits_the_screen(page: Page) -> bool:
    """Nothing of the page sticks out sideways (tables may scroll inside their own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _header_fits(page: Page) -> bool:
    return page.evaluate(
        "[...document.querySelectorAll('.header-bar, .header-bar > *')]"
        ".every(e => e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
    )


def _nav(page: Page) -> list[str]:
    return page.locator(".site-nav a").all_inner_texts()


def _current(page: Page) -> str | None:
    links = page.locator('.site-nav a[aria-current="page"]')
    return links.inner_text() if links.count() else None


def _log_in_on_both(page, phone, url, username, password, name) -> None:
    for viewer, size in ((page, "office"), (phone, "phone")):
        login(viewer, url, username, password)
        assert "/login/" not in viewer.url, username
        assert _header_fits(viewer), (username, size)
        screenshot(viewer, f"start-{name}-{size}")


def test_login_page_in_chinese_on_office_screen_and_phone(page, phone, live_server):
    for viewer, size in ((page, "office"), (phone, "phone")):
        viewer.goto(f"{live_server.url}/")
        assert viewer.url.endswith("/login/?next=/")
        assert viewer.locator("html").get_attribute("lang") == "zh-Hans"
        assert viewer.get_by_label("用户名").is_visible()
        assert viewer.get_by_label("密码").is_visible()
        assert viewer.get_by_role("button", name="登录").is_visible()
        assert viewer.locator(".site-nav").count() == 0
        assert _fits_the_screen(viewer), size
        screenshot(viewer, f"login-{size}")
    # The login box is not wider than the phone.
    box = phone.locator(".login").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_system_admin_starts_at_the_county_list(page, phone, live_server, demo_site):
    _log_in_on_both(page, phone, live_server.url, "admin", demo_site["passwords"]["admin"], "admin")
    assert page.url.endswith("/counties/")
    assert page.locator("h1").inner_text() == "县区列表"
    row = page.locator("tr", has_text="示范县")
    assert "示范市" in row.inner_text() and "2026" in row.inner_text()
    assert "系统管理员" in page.locator(".user").inner_text()
    nav = _nav(page)
    assert nav[:2] == ["县区列表", "县域对比"] and "系统管理" in nav and "本校数据" not in nav
    assert _current(page) == "县区列表"
    row.get_by_role("link", name="示范县").click()
    assert page.get_by_role("link", name="重新评估").is_visible()


def test_county_admin_starts_at_the_overview_and_may_evaluate(page, phone, live_server, demo_site):
    county = demo_site["county"]
    password = demo_site["passwords"]["county_admin"]
    _log_in_on_both(page, phone, live_server.url, "county_admin", password, "county-admin")
    assert page.url.endswith(f"/counties/{county.pk}/2026/")
    assert "示范县" in page.locator("h1").inner_text()
    assert "示范县教育局" in page.locator(".user").inner_text()
    assert "县级管理员" in page.locator(".user").inner_text()
    assert "系统管理" not in _nav(page)
    before = Snapshot.objects.filter(county=county, year__label="2026").count()
    with page.expect_navigation():
        page.get_by_role("link", name="重新评估").click()
    assert page.url.endswith(f"/counties/{county.pk}/2026/evaluate/")
    assert Snapshot.objects.filter(county=county, year__label="2026").count() == before
    page.get_by_label("使用全部数据").check()
    with page.expect_navigation():
        page.get_by_role("button", name="开始评估").click()
    assert f"/counties/{county.pk}/2026/evaluate/" in page.url
    assert Snapshot.objects.filter(county=county, year__label="2026").count() == before + 1


def test_school_user_sees_only_their_school(page, phone, live_server, demo_site):
    own, other = demo_site["own"], demo_site["other"]
    password = demo_site["passwords"]["school"]
    _log_in_on_both(page, phone, live_server.url, "school", password, "school")
    assert page.url.endswith(f"/schools/{own.school_id}/2026/")
    assert DEMO_SCHOOL in page.locator("h1").inner_text()
    assert _nav(page)[0] == "本校数据" and "县区列表" not in _nav(page)
    assert _current(page) == "本校数据"

    county = demo_site["county"]
    for viewer, size in ((page, "office"), (phone, "phone")):
        for url in (f"/schools/{other.school_id}/2026/", f"/counties/{county.pk}/2026/"):
            response = viewer.goto(f"{live_server.url}{url}")
            assert response.status == 404, url
            assert viewer.locator("h1").inner_text() == "页面不存在"
            assert other.name not in viewer.content()
            assert other.school_id not in viewer.locator("main").inner_text()
        assert _fits_the_screen(viewer), size
        screenshot(viewer, f"not-found-{size}")
    page.get_by_role("link", name="返回首页").click()
    assert page.url.endswith(f"/schools/{own.school_id}/2026/")


def test_leader_reads_the_overview_without_evaluating(page, phone, live_server, demo_site):
    county = demo_site["county"]
    password = demo_site["passwords"]["leader"]
    _log_in_on_both(page, phone, live_server.url, "leader", password, "leader")
    assert page.url.endswith(f"/counties/{county.pk}/2026/")
    assert "评估结论" in page.content()
    assert page.get_by_role("link", name="重新评估").count() == 0
    assert "数据导入" not in _nav(page)
    # A re-evaluation posted by hand is refused with the Chinese 403 page.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    before = Snapshot.objects.count()
    response = page.request.post(
        f"{live_server.url}/counties/{county.pk}/2026/evaluate/", headers={"X-CSRFToken": token}
    )
    assert response.status == 403
    assert "只有本县管理员或系统管理员可以重新评估。" in response.text()
    assert Snapshot.objects.count() == before


def test_inspector_sees_the_citys_counties_read_only(page, phone, live_server, demo_site):
    county = demo_site["county"]
    password = demo_site["passwords"]["inspector"]
    _log_in_on_both(page, phone, live_server.url, "inspector", password, "inspector")
    assert page.url.endswith("/counties/")
    assert page.locator("tr", has_text="示范县").count() == 1
    assert "督导检查人员" in page.locator(".user").inner_text()
    assert "数据导入" not in _nav(page)
    page.goto(f"{live_server.url}/counties/{county.pk}/2026/")
    assert "示范县" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="重新评估").count() == 0
    response = page.goto(f"{live_server.url}/schools/{demo_site['other'].school_id}/2026/")
    assert response.status == 200
