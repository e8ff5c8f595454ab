"""A school's clerk reads their 待办 at 1366 px and on a 360-px phone: overdue first, each item
with its link and deadline, the header's count; then their messages on the phone. No page
scrolls sideways; screenshots of each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import SchoolYearData, Status
from junheng.web.notifications.models import Notification
from junheng.web.rectification.models import Problem, ProblemSource, Task, Unit, UnitKind
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.browser.browsing import OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"
MORNING = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 on 7 December in Beijing


@pytest.fixture
def clerk(django_user_model, monkeypatch):
    real = timezone.now
    offset = MORNING - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)
    city = City.objects.create(province=Province.objects.create(name="示范省"), name="示范市")
    county = County.objects.create(city=city, name="示范县")
    year = SchoolYear.objects.create(label="2026")
    school = School.objects.create(
        school_id="2152100001", name="石桥镇中心小学", county=county, kind="小学", township="石桥镇"
    )
    SchoolYearData.objects.create(school=school, year=year, status=Status.RETURNED)
    unit = Unit.objects.create(county=county, kind=UnitKind.SCHOOL, name=school.name, school=school)
    for title, deadline in (
        ("生均体育运动场馆面积低于标准，需扩建运动场并补齐器材配备", dt.date(2026, 12, 1)),
        ("音乐、美术专用教室不足", dt.date(2026, 12, 7)),
        ("每百名学生拥有网络多媒体教室数不达标", dt.date(2026, 12, 12)),
    ):
        problem = Problem.objects.create(
            county=county, year=year, source=ProblemSource.SELF_CHECK, title=title
        )
        Task.objects.create(
            problem=problem, lead_unit=unit, measures="按标准补齐", deadline=deadline
        )
    user = django_user_model.objects.create_user(
        "school1", password=PASSWORD, first_name="李老师", email="li@example.cn"
    )
    Profile.objects.create(user=user, role=Role.SCHOOL_USER, school=school)
    Notification.objects.create(
        user=user,
        kind="digest",
        title="【均衡】2026年12月7日待办提醒（4 项）",
        text="李老师，2026年12月7日您有 4 项待办，其中 1 项已逾期：\n"
        "· 整改任务：生均体育运动场馆面积低于标准（已逾期，时限 2026-12-01）",
        url="/todo/",
    )
    return user


def test_todo_at_the_office_and_on_a_phone(page: Page, phone: Page, live_server, clerk):
    base = live_server.url
    for shot, tab, width in ((page, "office", 1366), (phone, "phone", 360)):
        login(shot, base, "school1", PASSWORD)
        shot.goto(f"{base}/todo/")
        expect(shot.get_by_role("heading", name="我的待办")).to_be_visible()
        groups = shot.locator("section.todo-group h2").all_inner_texts()
        assert groups == ["已逾期（1 项）", "整改任务（2 项）", "数据填报（1 项）"]
        expect(shot.get_by_role("link", name="待办 4")).to_be_visible()
        expect(shot.get_by_text("已逾期 · 时限 2026-12-01")).to_be_visible()
        assert shot.evaluate(OVERFLOW) == 0, f"{width} px 宽时页面横向滚动"
        screenshot(shot, f"todo-{tab}-{width}")
    phone.get_by_role("link", name="消息（1 条未读）").click()
    expect(phone.get_by_role("heading", name="消息", exact=True)).to_be_visible()
    assert phone.evaluate(OVERFLOW) == 0
    screenshot(phone, "todo-messages-phone-360")
    with phone.expect_navigation(wait_until="load"):
        phone.get_by_role("button", name="标为已读", exact=True).click()
    expect(phone.get_by_text("未读（0）")).to_be_visible()
    assert Notification.objects.get().read_at is not None
    phone.get_by_role("link", name="提醒设置").click()
    assert phone.evaluate(OVERFLOW) == 0
    screenshot(phone, "todo-settings-phone-360")


def test_a_county_admin_lands_on_the_overview_with_their_todo(
    page: Page, phone: Page, live_server, clerk, django_user_model
):
    from junheng.web.collection.models import SchoolYearData

    county = clerk.profile.school.county
    SchoolYearData.objects.update(status="submitted")
    admin = django_user_model.objects.create_user("cadmin", password=PASSWORD, first_name="张主任")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    base = live_server.url
    login(page, base, "cadmin", PASSWORD)
    panel = page.locator("section.todo-panel")
    expect(panel.get_by_role("heading")).to_have_text("我的待办（2 项，1 项已逾期）")
    expect(panel.get_by_role("link", name="审核 1 所学校提交的 2026 学年数据")).to_be_visible()
    assert page.evaluate(OVERFLOW) == 0
    screenshot(page, "todo-county-panel-1366")
    login(phone, base, "cadmin", PASSWORD)
    phone.goto(f"{base}/notifications/counties/{county.pk}/")
    expect(phone.get_by_role("heading", name="示范县 · 群机器人与逾期督办")).to_be_visible()
    assert phone.evaluate(OVERFLOW) == 0
    screenshot(phone, "todo-county-robot-phone-360")
