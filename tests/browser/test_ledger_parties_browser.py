"""一校一案 and 一镇一册 in Chromium. A school's clerk on a 360-px phone opens the school's plan
from the header, reports progress on the school's task with a photo and sees it listed on the
plan; the township's office opens its 一镇一册 at 1366 px and on the phone. No page scrolls
sideways.

The site's clock starts at 07:30 on Monday 2026-12-07 in Beijing, so the school's task due
2026-11-30 is 逾期 whatever day the test runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from junheng.demo import demo_county
from junheng.web.accounts.models import Role
from junheng.web.rectification import services
from junheng.web.rectification.models import Problem, Unit, UnitKind
from junheng.web.rectification.parties import unit_for_school
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import OVERFLOW, SCREENSHOTS, login, screenshot
from tests.web.sites import PASSWORD, add_user

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY_MORNING = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # Monday 2026-12-07 07:30 Beijing
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def monday_morning(monkeypatch):
    real = timezone.now
    offset = MONDAY_MORNING - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)


@pytest.fixture
def site(django_user_model, settings, tmp_path, monday_morning):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get()
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    admin = add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county)
    services.generate_problems(county, year, run_evaluation(county, year, admin), admin)
    school = School.objects.get(county=county, name="城关第一小学")
    add_user(django_user_model, "clerk", Role.SCHOOL_USER, school=school)
    add_user(django_user_model, "town", Role.TOWNSHIP_USER, county=county, township="城关镇")
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    town = Unit.objects.create(
        county=county, kind=UnitKind.TOWN, name="城关镇人民政府", township="城关镇"
    )
    problem = Problem.objects.get(county=county, school_id=school.school_id)

    def task(lead, measures, deadline, responsible=()):
        return services.save_task(
            problem,
            services.TaskFields(
                lead_unit=lead,
                responsible_units=list(responsible),
                person="王校长",
                leader="",
                measures=measures,
                deadline=deadline,
                budget_wan=None,
            ),
            admin,
        )

    own = task(unit_for_school(school), "分流新生，控制学校规模", dt.date(2026, 11, 30))
    task(edu, "新建城关第七小学，分担城关第一小学的学位", dt.date(2027, 8, 31))
    task(town, "调整城关镇小学学区划分", dt.date(2027, 3, 31), [unit_for_school(school)])
    return {"county": county, "school": school, "own": own}


def _fits(page: Page) -> None:
    assert page.evaluate(OVERFLOW) == 0


def test_a_school_reports_progress_on_a_phone(phone, live_server, site, tmp_path):
    base = live_server.url
    login(phone, base, "clerk", PASSWORD)
    # the header's 一校一案 (behind the phone's menu button when there is one)
    menu = phone.get_by_role("button", name="菜单")
    if menu.count() and menu.is_visible():
        menu.click()
    phone.get_by_role("link", name="一校一案", exact=True).click()
    expect(phone.locator("h1")).to_have_text("城关第一小学 · 2026 学年一校一案")
    expect(phone.locator("tr.overdue")).to_have_count(1)
    expect(phone.locator(".rect-summary")).to_contain_text(
        "整改任务 3 项，已销号 0 项（0.0%），逾期 1 项"
    )
    _fits(phone)
    screenshot(phone, "ledger-school-plan-phone")

    phone.get_by_role("link", name="分流新生，控制学校规模").click()
    expect(phone.get_by_role("button", name="提交进展")).to_be_visible()
    expect(phone.locator(".badge.big")).to_have_text("逾期")
    phone.get_by_label("本次进展").fill("已与县教育局商定新生分流方案，12 月 15 日前公示")
    photo = tmp_path / "分流方案公示.png"
    photo.write_bytes(PNG)
    phone.locator('input[name="files"]').set_input_files(str(photo))
    phone.get_by_role("button", name="提交进展").click()
    expect(phone.locator(".message.success")).to_contain_text("已记录进展")
    expect(phone.get_by_role("link", name="分流方案公示.png")).to_be_visible()
    # never the approval: no 验收 button, no edit of the task
    expect(phone.get_by_role("button", name="验收销号")).to_have_count(0)
    expect(phone.get_by_role("link", name="修改任务")).to_have_count(0)
    _fits(phone)
    screenshot(phone, "ledger-school-progress-phone")

    phone.locator("nav.crumbs").get_by_role("link", name="一校一案").click()
    row = phone.locator("tr", has_text="分流新生，控制学校规模")
    expect(row).to_contain_text("已与县教育局商定新生分流方案")
    expect(row).to_contain_text("2026-12-07")
    expect(row).to_contain_text("逾期")
    _fits(phone)
    screenshot(phone, "ledger-school-plan-after-phone")
    assert (SCREENSHOTS / "ledger-school-plan-after-phone.png").exists()


@pytest.mark.parametrize("size", ["office", "phone"])
def test_a_townships_book_on_a_desk_and_a_phone(page, phone, live_server, site, size):
    view = page if size == "office" else phone
    base = live_server.url
    login(view, base, "town", PASSWORD)
    # home leads the township's office to its 一镇一册
    expect(view.locator("h1")).to_have_text("城关镇 · 2026 学年一镇一册")
    assert view.url.endswith(
        reverse("rectification_township", args=[site["county"].pk, DEMO_YEAR, "城关镇"])
    )
    expect(view.locator(".rect-summary")).to_contain_text("城关镇共有学校 12 所")
    row = view.locator("tbody tr", has_text="城关第一小学").first
    expect(row.locator('td[data-label="逾期"]')).to_have_text("1")
    # the school with work is open with its gap and tasks; the eleven others in one sentence
    details = view.locator("details", has_text="城关第一小学")
    expect(details).to_have_attribute("open", "")
    expect(details.get_by_text("义务教育阶段在校生数超出 260 人")).to_be_visible()
    expect(details.get_by_role("link", name="分流新生，控制学校规模")).to_be_visible()
    expect(view.locator("details")).to_have_count(1)
    expect(view.get_by_text("城关第二小学、城关第三小学")).to_be_visible()
    _fits(view)
    screenshot(view, f"ledger-township-{size}")
