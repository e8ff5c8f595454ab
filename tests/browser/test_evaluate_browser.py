"""重新评估 in Chromium: the confirmation names the schools not approved and asks which data to
use, the run shows what changed; the school page's 退回修改 form at office and phone widths; the
phone header's sections all reachable. Screenshots of each for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from junheng.web.collection.models import SchoolYearData, Status
from junheng.web.evaluation.models import Snapshot
from junheng.web.services import run_evaluation
from tests.browser.browsing import FINDINGS, OVERFLOW, SCREENSHOTS, login, screenshot
from tests.web import conftest as web_fixtures
from tests.web import test_entry_fixtures as fixtures
from tests.web.test_entry_fixtures import OTHER, OWN, PASSWORD

demo, loaded, site = web_fixtures.demo, web_fixtures.loaded, fixtures.site
pytestmark = pytest.mark.django_db(transaction=True)


def test_reevaluation_asks_which_data_and_shows_the_changes(page, phone, live_server, site):
    county, year = site["county"], site["year"]
    # Everything approved except 城关第一小学 (submitted) and 城关第二小学 (draft).
    SchoolYearData.objects.filter(school__county=county, year=year).update(status=Status.APPROVED)
    SchoolYearData.objects.filter(school__school_id=OWN).update(status=Status.SUBMITTED)
    SchoolYearData.objects.filter(school__school_id=OTHER).update(status=Status.DRAFT)
    run_evaluation(county, year, None)
    base = live_server.url

    login(page, base, "cadmin", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/2026/")
    page.get_by_role("link", name="重新评估").click()
    expect(page.locator("h1")).to_contain_text("重新评估")
    expect(page.locator(".warning")).to_contain_text("2 所学校的数据未审核")
    expect(page.locator(".pending-schools")).to_contain_text("城关第一小学")
    expect(page.locator(".pending-schools")).to_contain_text("城关第二小学")
    screenshot(page, "evaluate-confirm")
    assert page.evaluate(OVERFLOW) <= 0

    login(phone, base, "cadmin", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/2026/evaluate/")
    screenshot(phone, "evaluate-confirm-phone")
    assert phone.evaluate(OVERFLOW) <= 0

    page.get_by_label("只用已审核的数据").check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="开始评估").click()
    expect(page.locator("h1")).to_contain_text("评估完成")
    expect(page.locator(".scope-line")).to_contain_text("2 所学校未参加本次评估")
    expect(page.locator(".changes")).to_contain_text("未参加评估")
    screenshot(page, "evaluate-changes")
    latest = Snapshot.objects.latest("id")
    phone.goto(f"{base}/counties/{county.pk}/2026/evaluate/{latest.pk}/")
    screenshot(phone, "evaluate-changes-phone")
    assert phone.evaluate(OVERFLOW) <= 0

    # no internal identifier or English on the new pages (screenshot scans each)
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("evaluate-")}

    page.get_by_role("link", name="查看评估概况").click()
    expect(page.locator(".scope-line")).to_contain_text("城关第一小学、城关第二小学")
    page.locator(".scope-line").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "evaluate-overview.png"))


def test_the_return_form_has_room_to_write(page, phone, live_server, site):
    SchoolYearData.objects.filter(school__school_id=OWN).update(status=Status.SUBMITTED)
    base = live_server.url
    for view, name in ((page, "school-return"), (phone, "school-return-phone")):
        login(view, base, "cadmin", PASSWORD)
        view.goto(f"{base}/schools/{OWN}/2026/")
        box = view.get_by_label("退回意见")
        expect(box).to_be_visible()
        box.fill("在校生数与学籍系统不一致，请核对")
        width = box.bounding_box()["width"]
        # at least 16 characters of 16 px per line, on a phone the card's whole width
        assert width >= (300 if view is phone else 16 * 16), (name, width)
        # the button's words on one line, not one character a line
        button = view.get_by_role("button", name="退回修改").bounding_box()
        assert button["height"] < 48 and button["width"] > 4 * 14, (name, button)
        view.locator("#data-entry").screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        assert view.evaluate(OVERFLOW) <= 0


def test_the_phone_header_shows_every_section(phone, live_server, site):
    login(phone, live_server.url, "cadmin", PASSWORD)
    phone.goto(f"{live_server.url}/counties/{site['county'].pk}/2026/")
    links = phone.locator(".site-nav a")
    assert links.count() >= 4
    width = phone.evaluate("() => document.documentElement.clientWidth")
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, links.nth(i).inner_text()
    screenshot(phone, "phone-header")
    phone.locator(".site-header").screenshot(path=str(SCREENSHOTS / "phone-header-only.png"))
