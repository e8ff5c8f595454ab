"""The rectification walk-through in Chromium: the county evaluates its data of a year behind,
generates the problem list, gives a problem a task; the education bureau reports progress with
a PDF and asks for acceptance; new data are loaded and evaluated again, the problem shows
"数据已达标（建议销号）", the approver sees the passing snapshot and closes it; the bulletin shows
the closure. Screenshots at 1366×768 and on a phone.

The site's clock starts at 23:30 UTC on a Sunday, 07:30 on Monday in Beijing: the closure made
then belongs to Monday's week, whatever hour the test runs at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from junheng.demo import demo_county, demo_county_before
from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification import services
from junheng.web.rectification.models import (
    Evidence,
    Person,
    Problem,
    Task,
    Unit,
    UnitKind,
    UnitMember,
)
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import SCREENSHOTS, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"
KEY = "R5/primary/2152100002"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MONDAY_MORNING = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # Monday 2026-12-07 07:30 Beijing


@pytest.fixture
def monday_morning(monkeypatch):
    """The site's clock (the live server runs in this process) set to start at MONDAY_MORNING and
    run on from there, so timestamps keep their order and every date the pages show is fixed."""
    real = timezone.now
    offset = MONDAY_MORNING - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)


@pytest.fixture
def county(django_user_model, settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    load_dataset(demo_county_before(1), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get()
    admin = django_user_model.objects.create_user(
        "cadmin", password=PASSWORD, first_name="县管理员"
    )
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    edu = Unit.objects.create(
        county=county, kind=UnitKind.DEPARTMENT, name="县教育局", duties="牵头学校建设与配置"
    )
    Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局")
    Person.objects.create(unit=edu, name="王明", post="副局长", phone="0731-1234567")
    clerk = django_user_model.objects.create_user("edu", password=PASSWORD, first_name="教育局干事")
    UnitMember.objects.create(user=clerk, unit=edu)
    return county


def _as(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def _evaluate(county: County) -> None:
    # The evaluation's own pages have their tests; this walk-through starts from its result.
    admin = Profile.objects.get(role=Role.COUNTY_ADMIN).user
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), admin)


def _columns_side_by_side(page: Page) -> None:
    """The problem list's five columns stand side by side and each header is one line."""
    lines = page.locator("table.cards thead th").evaluate_all(
        """ths => ths.map(th => {
            const range = document.createRange();
            range.selectNodeContents(th);
            return range.getClientRects().length;
        })"""
    )
    assert lines == [1, 1, 1, 1, 1]
    lefts = (
        page.locator("table.cards tbody tr")
        .first.locator("td")
        .evaluate_all("tds => tds.map(td => td.getBoundingClientRect().left)")
    )
    assert len(lefts) == 5 and lefts == sorted(set(lefts))


def _go(page: Page, base: str, name: str, *args) -> None:
    page.goto(base + reverse(name, args=args))


def test_evaluation_to_problems_to_task_to_evidence_to_closure_to_bulletin(
    page, phone, live_server, county, tmp_path, monday_morning
):
    base = live_server.url
    login(page, base, "cadmin", PASSWORD)
    _evaluate(county)

    _go(page, base, "rectification", county.pk, DEMO_YEAR)
    page.get_by_role("button", name="根据最新评估结果生成问题").click()
    expect(page.locator(".message.success")).to_contain_text("新增问题 27 个")
    screenshot(page, "rectification-problems")
    _columns_side_by_side(page)
    page.get_by_role("link", name="单项未达标（不影响学校达标）").click()
    expect(page.locator("tbody .badge.single")).to_have_count(7)
    screenshot(page, "rectification-problems-single")

    problem = Problem.objects.get(key=KEY)
    page.get_by_role("link", name=problem.title).click()
    page.get_by_role("link", name="新建整改任务").click()
    page.get_by_label("牵头单位").select_option(label="县教育局")
    page.get_by_label("县财政局").check()
    page.get_by_label("责任人").fill("张三")
    page.get_by_label("包保县级领导").fill("李副县长")
    page.get_by_label("整改措施").fill("为该校小学部购置教学仪器设备，补足生均教学仪器设备值")
    page.get_by_label("完成时限").fill("2027-06-30")
    page.get_by_label("预算（万元）").fill("12.5")
    screenshot(page, "rectification-task-form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message.success")).to_contain_text("已保存整改任务")
    task = Task.objects.get(problem=problem)

    # The education bureau reports progress with a PDF and asks for acceptance.
    _as(page, base, "edu")
    _go(page, base, "rectification_task", task.pk)
    page.get_by_label("本次进展").fill("设备已招标采购，首批到校并验收")
    pdf = tmp_path / "验收单.pdf"
    pdf.write_bytes(PDF)
    page.locator('input[name="files"]').set_input_files(str(pdf))
    page.get_by_role("button", name="提交进展").click()
    expect(page.locator(".message.success")).to_contain_text("已记录进展")
    expect(page.get_by_role("link", name="验收单.pdf")).to_be_visible()
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator(".badge.big")).to_have_text("待验收")
    screenshot(page, "rectification-task")
    assert Evidence.objects.get().kind == "pdf"
    phone_login = phone
    login(phone_login, base, "edu", PASSWORD)
    _go(phone_login, base, "rectification_task", task.pk)
    screenshot(phone_login, "rectification-task-phone")

    # Still failing in the latest evaluation: the approver is told why 销号 must wait.
    _as(page, base, "cadmin")
    _go(page, base, "rectification_approve", task.pk)
    expect(page.get_by_role("button", name="确认验收并销号")).to_be_disabled()
    expect(page.locator("#closure-missing")).to_contain_text(
        "暂不能销号，还缺：显示该指标已达标的评估结果"
    )
    screenshot(page, "rectification-approve-blocked")
    _as(phone_login, base, "cadmin")
    _go(phone_login, base, "rectification_approve", task.pk)
    expect(phone_login.get_by_role("button", name="确认验收并销号")).to_be_disabled()
    screenshot(phone_login, "rectification-approve-blocked-phone")
    _as(phone_login, base, "edu")

    # New data, evaluated again: the problem passes and is proposed for closure.
    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    _as(page, base, "cadmin")
    _evaluate(county)
    _go(page, base, "rectification", county.pk, DEMO_YEAR)
    page.get_by_role("button", name="根据最新评估结果生成问题").click()
    expect(page.locator(".message.success")).to_contain_text("数据已达标、建议销号 8 个")
    _go(page, base, "rectification_problem", problem.pk)
    expect(page.locator(".badge.proposal")).to_have_text("数据已达标（建议销号）")

    _go(page, base, "rectification_task", task.pk)
    page.get_by_role("link", name="验收销号").click()
    expect(page.locator(".passes")).to_contain_text("该评估结果显示此项已达标，可以销号")
    screenshot(page, "rectification-approve")
    expect(page.get_by_role("button", name="确认验收并销号")).to_be_enabled()
    page.get_by_role("button", name="确认验收并销号").click()
    expect(page.locator(".message.success")).to_contain_text("已销号")
    expect(page.locator(".badge.big")).to_have_text("已销号")

    _go(page, base, "rectification_bulletin", county.pk, DEMO_YEAR)
    expect(page.get_by_text("2026年12月07日至2026年12月07日")).to_be_visible()
    expect(page.get_by_role("heading", name="本期销号问题（1 个）")).to_be_visible()
    screenshot(page, "rectification-bulletin")
    _go(page, base, "rectification_organisation", county.pk, DEMO_YEAR)
    screenshot(page, "rectification-organisation")
    page.get_by_role("link", name="修改或删除人员 王明").click()
    expect(page.get_by_role("heading", name="修改人员：王明")).to_be_visible()
    screenshot(page, "rectification-person-edit")
    _go(page, base, "rectification_organisation", county.pk, DEMO_YEAR)
    page.locator("section").filter(has_text="县财政局").get_by_role(
        "link", name="修改或删除单位"
    ).click()
    expect(page.get_by_role("button", name="删除单位“县财政局”")).to_be_enabled()
    screenshot(page, "rectification-unit-edit")

    # The plan: target, three phases, a milestone; the forecast uses the closure made above.
    _go(page, base, "rectification_plan", county.pk, DEMO_YEAR)
    page.get_by_label("目标年份").fill("2027")
    page.get_by_label("迎检日期").fill("2027-09-01")
    page.get_by_role("button", name="保存").click()
    for kind, name, start, end in [
        ("部署", "动员部署", "2026-09-01", "2026-10-31"),
        ("实施", "整改实施", "2026-11-01", "2027-06-30"),
        ("迎检", "迎接省级评估", "2027-07-01", "2027-09-01"),
    ]:
        form = page.locator("form").filter(has_text="添加阶段")
        form.get_by_label("阶段").select_option(label=kind)
        form.get_by_label("名称").fill(name)
        form.get_by_label("开始日期").fill(start)
        form.get_by_label("结束日期").fill(end)
        form.get_by_role("button", name="添加阶段").click()
        expect(page.locator(".message.success")).to_contain_text(name)
    form = page.locator("form").filter(has_text="添加节点")
    form.get_by_label("所属阶段").select_option(label="整改实施")
    form.get_by_label("节点").fill("完成全部设备采购")
    form.get_by_label("日期").fill("2027-03-31")
    form.get_by_role("button", name="添加节点").click()
    expect(page.locator(".timeline-bar")).to_have_count(3)
    expect(page.locator(".forecast")).to_contain_text(
        "近 4 周销号 1 项，平均每周 0.25 项；尚余 26 项"
    )
    screenshot(page, "rectification-plan")

    _go(page, base, "rectification_policies", county.pk, DEMO_YEAR)
    screenshot(page, "rectification-policies")
    # Two more tasks, one due in five days and one a day late, for the list of tasks due.
    admin = Profile.objects.get(role=Role.COUNTY_ADMIN).user
    finance = Unit.objects.get(name="县财政局")
    today = services.today()
    for key, days, measures in [
        ("R2/junior/2152020002", 5, "核定并拨付骨干教师培养经费"),
        ("G5/2152040002", -1, "分流超额学生，消除大班额"),
    ]:
        services.save_task(
            Problem.objects.get(key=key),
            services.TaskFields(
                finance, [], "孙三", "", measures, today + dt.timedelta(days=days), None
            ),
            admin,
        )
    _go(page, base, "rectification_due", county.pk, DEMO_YEAR)
    expect(page.get_by_role("heading", name="已逾期（1 项）")).to_be_visible()
    screenshot(page, "rectification-due")
    _go(page, base, "rectification_problem", Problem.objects.get(key="G5/2152040002").pk)
    screenshot(page, "rectification-problem")
    _go(phone_login, base, "rectification", county.pk, DEMO_YEAR)
    phone_login.screenshot(path=str(SCREENSHOTS / "rectification-problems-phone.png"))
    _go(phone_login, base, "rectification_bulletin", county.pk, DEMO_YEAR)
    phone_login.screenshot(path=str(SCREENSHOTS / "rectification-bulletin-phone.png"))
    _as(phone_login, base, "cadmin")
    _go(phone_login, base, "rectification_organisation", county.pk, DEMO_YEAR)
    screenshot(phone_login, "rectification-organisation-phone")
    _go(phone_login, base, "rectification", county.pk, DEMO_YEAR)
    screenshot(phone_login, "rectification-problems-admin-phone")
    with page.expect_download() as download:
        page.goto(base + reverse("rectification_bulletin", args=[county.pk, DEMO_YEAR]))
        page.get_by_role("link", name="下载通报（Word）").click()
    target = tmp_path / "bulletin.docx"
    download.value.save_as(target)
    assert target.stat().st_size > 5000
