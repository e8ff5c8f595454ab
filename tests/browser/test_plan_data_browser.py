"""规划数据 in Chromium: from the county overview's link to the list of tables, the 建设项目 grid
at office width (a bad cell refused at the cell, then saved), one school's 班级学生数 and the
县级教育经费 grid on a phone: no horizontal overflow of the page (the grid scrolls inside its
wrapper) and no column collapsed. Screenshots of each for a person to look at."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import stored_rows
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import FINDINGS, OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
NARROWEST = """() => Math.min(...[...document.querySelectorAll('table.plan-grid thead th')]
    .map(th => th.getBoundingClientRect().width))"""
"""The narrowest header cell of the grid in CSS pixels: a collapsed column would be a few."""
FIRST = "2152010001"


def _county(django_user_model) -> County:
    name = DEMO_COUNTY
    plans = Dataset.build(
        pl.DataFrame(),
        pl.DataFrame(),
        finance=pl.DataFrame(
            {"county": [name], "year": [2025], "education_expenditure_yuan": [1.625e8]}
        ),
        classes=pl.DataFrame(
            {
                "school_id": [FIRST, FIRST],
                "year": [2026, 2026],
                "grade": [1, 1],
                "class_name": ["一（1）班", "一（2）班"],
                "students": [45, 44],
            }
        ),
        projects=pl.DataFrame(
            {
                "project_id": ["2026-01"],
                "county": [name],
                "name": ["城关一小综合楼"],
                "kind": ["expand"],
                "school_id": [FIRST],
                "planned_finish": ["2027-08-31"],
                "status": ["building"],
            }
        ),
    )
    dataset = replace(
        demo_county(), finance=plans.finance, classes=plans.classes, projects=plans.projects
    )
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), None)
    admin = django_user_model.objects.create_user("county_admin", password=PASSWORD)
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    return county


def _no_overflow_nor_collapse(page: Page) -> None:
    assert page.evaluate(OVERFLOW) <= 0
    if page.locator("table.plan-grid").count():
        # 3em at 16px is 48px; every input column is wider still.
        assert page.evaluate(NARROWEST) >= 40


def test_plan_data_from_the_overview_at_office_and_phone_width(
    page, phone, live_server, django_user_model
):
    county = _county(django_user_model)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    base = live_server.url
    login(page, base, "county_admin", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/")
    page.get_by_role("link", name="规划数据").click()
    expect(page.locator("h1")).to_contain_text("规划数据")
    expect(page.locator("table.plan-tables")).to_contain_text("编制与招聘计划")
    screenshot(page, "plan-data-office")
    _no_overflow_nor_collapse(page)

    page.locator("table.plan-tables tr", has_text="建设项目").get_by_role(
        "link", name="查看和修改"
    ).click()
    expect(page.locator("h1")).to_contain_text("建设项目")
    expect(page.locator("table.plan-grid thead")).to_contain_text("新增教学及辅助用房面积（㎡）")
    screenshot(page, "plan-data-projects-office")
    _no_overflow_nor_collapse(page)
    # The last columns, reached by scrolling the grid's wrapper.
    page.locator(".plan-wrap").evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    screenshot(page, "plan-data-projects-office-right")

    # A new project in the first blank row, its progress over 100 %.
    row = page.locator("table.plan-grid tbody tr").nth(1)
    row.locator("input[name$='-project_id']").fill("2026-02")
    row.locator("input[name$='-name']").fill("城南新区小学")
    row.locator("select[name$='-kind']").select_option("新建")
    row.locator("input[name$='-new_school_name']").fill("城南新区小学")
    row.locator("input[name$='-township']").fill("城南镇")
    row.locator("input[name$='-planned_finish']").fill("2028年8月")
    row.locator("input[name$='-progress_pct']").fill("120")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="保存").click()
    expect(page.locator(".form-errors")).to_contain_text("数据尚未保存")
    expect(page.locator("td.plan-cell-error")).to_have_count(1)
    expect(page.locator("td.plan-cell-error")).to_contain_text("大于上限")
    screenshot(page, "plan-data-projects-error-office")
    _no_overflow_nor_collapse(page)
    assert len(stored_rows(county, year, "projects")) == 1

    page.locator("table.plan-grid tbody tr").nth(1).locator("input[name$='-progress_pct']").fill("")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("建设项目已保存")
    expect(page.locator(".plan-history")).to_contain_text("项目名称")
    screenshot(page, "plan-data-projects-saved-office")
    assert [r["project_id"] for r in stored_rows(county, year, "projects")] == [
        "2026-01",
        "2026-02",
    ]

    login(phone, base, "county_admin", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/plan-data/")
    screenshot(phone, "plan-data-phone")
    _no_overflow_nor_collapse(phone)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/plan-data/classes/")
    expect(phone.locator("table.plan-schools")).to_contain_text("城关第一小学")
    screenshot(phone, "plan-data-classes-schools-phone")
    _no_overflow_nor_collapse(phone)
    with phone.expect_navigation(wait_until="load"):
        phone.locator("table.plan-schools tr", has_text="城关第一小学").get_by_role(
            "link", name="2026 年（2 行）"
        ).click()
    expect(phone.locator("h1")).to_contain_text("城关第一小学 · 2026 年")
    screenshot(phone, "plan-data-classes-phone")
    _no_overflow_nor_collapse(phone)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/plan-data/finance/")
    screenshot(phone, "plan-data-finance-phone")
    _no_overflow_nor_collapse(phone)
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("plan-data-")}


def test_a_leader_reads_the_projects_on_a_phone(phone, live_server, django_user_model):
    county = _county(django_user_model)
    base = live_server.url
    login(phone, base, "leader", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/plan-data/projects/")
    expect(phone.locator("table.plan-read")).to_contain_text("城关一小综合楼")
    expect(phone.locator("table.plan-read")).to_contain_text("改扩建")
    assert phone.locator("table.plan-read input").count() == 0
    screenshot(phone, "plan-data-projects-leader-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("plan-data-")}
