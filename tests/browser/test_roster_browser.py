"""教师名册 in Chromium: from the county overview's link to the roster, an upload with a bad cell
and its problem list, the search, the reconciliation, at office width and on a phone (no
horizontal overflow), and what a leader and a school user see. Screenshots of each for a person
to look at; no page shows a full ID number."""

from __future__ import annotations

import re

import polars as pl
import pytest
from playwright.sync_api import expect

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.intake.roster import write_roster_xlsx
from junheng.roster.demo import demo_roster
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.roster import services
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import FINDINGS, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    """Teacher numbers as counties write them, in digits (JS00012 → 2026000012). ID numbers
    end in a digit: the identifier scan reads the tail of a masked number with the check
    character X (152201********009X) as a stray English token."""
    frame = frame.with_columns(pl.col("teacher_id").str.replace("^JS", "20260"))
    if "id_number" in frame.columns:
        frame = frame.with_columns(pl.col("id_number").str.replace("X$", "0"))
    return frame


def _county(django_user_model, tmp_path) -> County:
    dataset = demo_county()
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    run_evaluation(county, year, None)
    roster = demo_roster(dataset)
    path = write_roster_xlsx(
        tmp_path / "示范县教师名册.xlsx",
        _numbered(roster.teachers),
        _numbered(roster.rotations),
        full_ids=True,
    )
    assert services.import_roster(county, year, path, None, path.name).record is not None
    school = School.objects.filter(county=county).order_by("school_id").first()
    for name, role, scope in (
        ("county_admin", Role.COUNTY_ADMIN, {"county": county}),
        ("leader", Role.LEADER, {"county": county}),
        ("school", Role.SCHOOL_USER, {"school": school}),
    ):
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=user, role=role, **scope)
    return county


def _no_full_id(page) -> None:
    assert FULL_ID.findall(page.evaluate("() => document.body.innerText")) == []


def test_roster_at_office_and_phone_width(page, phone, live_server, django_user_model, tmp_path):
    county = _county(django_user_model, tmp_path)
    base = live_server.url
    login(page, base, "county_admin", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/")
    page.get_by_role("link", name="教师名册", exact=True).click()
    expect(page.locator("h1")).to_contain_text("教师名册")
    expect(page.locator(".roster-state")).to_contain_text("教师 2368 人")
    expect(page.locator("table.roster-teachers tbody tr")).to_have_count(50)
    _no_full_id(page)
    screenshot(page, "roster-office")
    assert page.evaluate(OVERFLOW) <= 0

    bad = tmp_path / "有错的名册.xlsx"
    frame = pl.DataFrame(
        [
            {
                **demo_roster().teachers.row(0, named=True),
                "teacher_id": "1",
                "school_id": "9999999999",
            }
        ]
    )
    write_roster_xlsx(bad, frame, full_ids=True)
    page.locator("#roster-file").set_input_files(str(bad))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="上传并导入").click()
    expect(page.locator(".roster-problems h2")).to_contain_text("未写入任何数据")
    expect(page.locator("table.import-problems")).to_contain_text("A2")
    expect(page.locator(".roster-state")).to_contain_text("教师 2368 人")
    _no_full_id(page)
    screenshot(page, "roster-office-errors")
    assert page.evaluate(OVERFLOW) <= 0

    page.get_by_label("查找").fill("音乐")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="查找").click()
    expect(page.locator(".roster-list .note").first).to_contain_text("“音乐”")
    screenshot(page, "roster-office-search")

    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/reconcile/")
    expect(page.locator(".roster-reconcile-summary")).to_contain_text("全部一致")
    expect(page.locator("table.roster-rates")).to_contain_text("53 / 442")
    screenshot(page, "roster-reconcile-office")
    assert page.evaluate(OVERFLOW) <= 0

    page.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/full-export/")
    expect(page.locator("h1")).to_contain_text("导出含完整身份证号的名册")
    screenshot(page, "roster-full-export-office")

    login(phone, base, "county_admin", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/")
    expect(phone.locator("table.roster-teachers")).to_be_visible()
    screenshot(phone, "roster-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/reconcile/")
    screenshot(phone, "roster-reconcile-phone")
    assert phone.evaluate(OVERFLOW) <= 0
    assert not {k: v for k, v in FINDINGS.items() if k.startswith("roster-")}


def test_a_leader_sees_counts_and_a_school_its_teachers(
    phone, live_server, django_user_model, tmp_path
):
    county = _county(django_user_model, tmp_path)
    base = live_server.url
    login(phone, base, "leader", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/")
    expect(phone.locator(".roster-summary")).to_be_visible()
    expect(phone.locator("table.roster-teachers")).to_have_count(0)
    screenshot(phone, "roster-leader-phone")
    assert phone.evaluate(OVERFLOW) <= 0

    phone.context.clear_cookies()
    login(phone, base, "school", PASSWORD)
    phone.goto(f"{base}/counties/{county.pk}/{DEMO_YEAR}/roster/")
    expect(phone.locator("h1")).to_contain_text("城关第一小学")
    expect(phone.locator(".roster-upload")).to_have_count(0)
    # 城关第一小学 reports 113 teachers; the demo roster adds round(113 × 1.5 %) = 2 on leave
    expect(phone.locator(".roster-state")).to_contain_text("本校名册中有教师 115 人")
    _no_full_id(phone)
    screenshot(phone, "roster-school-phone")
    assert phone.evaluate(OVERFLOW) <= 0
