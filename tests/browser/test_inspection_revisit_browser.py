"""The county admin assigns a 责任督学 to a school and plans a 回头看 visit at 1366 px; the 督学
re-checks the school's closed problems on a 360-px phone: one 巩固, one 反弹 (a new problem of the
ledger). Screenshots of each page; none scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from junheng.inspections import kinds
from junheng.web.accounts.models import Profile, Role
from junheng.web.inspections.models import Recheck, Visit
from junheng.web.rectification.models import Problem, ProblemSource, ProblemStatus
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.browser.browsing import OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"
MORNING = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 on 7 December in Beijing


@pytest.fixture
def county(django_user_model, settings, tmp_path, monkeypatch):
    real = timezone.now
    offset = MORNING - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    city = City.objects.create(province=Province.objects.create(name="示范省"), name="示范市")
    county = County.objects.create(city=city, name="示范县")
    year = SchoolYear.objects.create(label="2026")
    for n, name in enumerate(["石桥镇中心小学", "石桥镇后营小学", "城关第一小学"], start=1):
        School.objects.create(
            school_id=f"215210000{n}",
            name=name,
            county=county,
            kind="primary",
            township=name[:3] if name.startswith("石桥镇") else "城关镇",
        )
    school = School.objects.get(name="石桥镇后营小学")
    for title in ("音乐专用教室不足", "运动场未硬化"):
        Problem.objects.create(
            county=county,
            year=year,
            source=ProblemSource.SELF_CHECK,
            title=title,
            item="G3" if "音乐" in title else "R5",
            school_id=school.school_id,
            school_name=school.name,
            status=ProblemStatus.CLOSED,
            closed_at=dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC),
        )
    duxue = django_user_model.objects.create_user("duxue", password=PASSWORD, first_name="王督学")
    Profile.objects.create(user=duxue, role=Role.SCHOOL_INSPECTOR, county=county)
    admin = django_user_model.objects.create_user(
        "cadmin", password=PASSWORD, first_name="县管理员"
    )
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    return county


def _no_sideways(page: Page) -> None:
    assert page.evaluate(OVERFLOW) <= 0


def test_assign_plan_and_revisit(page: Page, phone: Page, live_server, county):
    base = live_server.url
    login(page, base, "cadmin", PASSWORD)
    page.goto(f"{base}/counties/{county.pk}/inspections/assign/")
    page.get_by_role("button", name="选择").click()
    page.get_by_label("石桥镇中心小学").check()
    page.get_by_label("石桥镇后营小学").check()
    screenshot(page, "inspection-office-assign-form")
    page.get_by_role("button", name="保存分配").click()
    expect(page.locator(".message.success")).to_have_text("已保存王督学负责的学校（2 所）。")
    expect(page.locator("#table-assignment")).to_contain_text("王督学")
    screenshot(page, "inspection-office-assign")
    _no_sideways(page)

    page.goto(f"{base}/inspections/plan/")
    page.get_by_label("学校").select_option(label="石桥镇后营小学（石桥镇）")
    page.get_by_label("责任督学").select_option(label="王督学")
    page.get_by_label("计划日期").fill("2026-12-07")
    page.get_by_label("督导类型").select_option(label="回头看")
    screenshot(page, "inspection-office-plan")
    page.get_by_role("button", name="保存计划").click()
    expect(page.get_by_role("heading", name="石桥镇后营小学 · 回头看")).to_be_visible()
    visit = Visit.objects.get()
    assert (visit.kind, visit.planned_on) == (kinds.REVISIT, dt.date(2026, 12, 7))

    login(phone, base, "duxue", PASSWORD)
    phone.goto(f"{base}/inspections/visits/{visit.pk}/#rechecks")
    expect(phone.get_by_role("heading", name="回头看：本校已销号问题")).to_be_visible()
    expect(phone.locator("#rechecks")).to_contain_text("2026-10-09 销号")
    music = phone.locator(".insp-finding", has_text="音乐专用教室不足")
    music.get_by_text("巩固").click()
    music.get_by_role("button", name="保存复查结果").click()
    expect(phone.locator(".message.success")).to_have_text("已记录“音乐专用教室不足”整改成果巩固。")
    ground = phone.locator(".insp-finding", has_text="运动场未硬化")
    ground.get_by_text("反弹").click()
    ground.get_by_placeholder("说明（选填）").fill("雨后操场积水，硬化面开裂")
    ground.get_by_role("button", name="保存复查结果").click()
    expect(phone.locator(".message.success")).to_contain_text("已记录反弹，并登记新问题")
    new = Recheck.objects.get(result=kinds.REBOUND).new_problem
    assert new.title == "整改反弹：运动场未硬化" and new.status == ProblemStatus.OPEN
    phone.goto(f"{base}/inspections/visits/{visit.pk}/#rechecks")
    screenshot(phone, "inspection-phone-revisit")
    _no_sideways(phone)
