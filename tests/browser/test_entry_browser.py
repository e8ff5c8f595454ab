"""Data entry and review in Chromium: a school fills in its form (an error shown inline, fixed),
submits; the county returns it with a comment; the school fixes and resubmits; the county
approves and the form is locked; the history shows every step. And two editors at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from junheng.demo import demo_county_before
from junheng.web.collection.models import SchoolYearData, SegmentData, Status
from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
from junheng.web.services import load_dataset
from tests.browser.browsing import SCREENSHOTS, login, screenshot
from tests.browser.conftest import OFFICE, PHONE
from tests.web import conftest as web_fixtures
from tests.web import test_entry_fixtures as fixtures
from tests.web.test_entry_fixtures import OWN, PASSWORD

# The demo county as 2026 with one user per role, as in the web tests.
demo, loaded, site = web_fixtures.demo, web_fixtures.loaded, fixtures.site
pytestmark = pytest.mark.django_db(transaction=True)

DEGREE_ERROR = "各学历专任教师数之和（4 + 80 + 22 + 2 = 108）不等于专任教师数，应等于专任教师数 113"


def _open_form(page: Page, base: str) -> None:
    page.goto(f"{base}/schools/{OWN}/2026/")
    page.get_by_role("link", name="填报 / 修改数据").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("学年数据填报")


def _field(page: Page, name: str):
    return page.locator(f'[name="{name}"]')


def _review(page: Page, base: str, county_id: int, status: str) -> None:
    page.goto(f"{base}/counties/{county_id}/2026/review/?status={status}")


def test_fill_submit_return_resubmit_approve_locked(page, phone, browser, live_server, site):
    base, county_id = live_server.url, site["county"].pk

    # The school fills in the form; a wrong degree count is shown under 专任教师数.
    login(page, base, "school", PASSWORD)
    _open_form(page, base)
    screenshot(page, "entry-form")
    _field(page, "primary__teachers_bachelor").fill("80")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".entry-field.has-error").filter(has_text=DEGREE_ERROR)
    expect(error).to_be_visible()
    expect(error.locator("label")).to_have_text("专任教师数")
    expect(page.locator(".form-errors")).to_contain_text("数据尚未保存")
    screenshot(page, "entry-error")
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "entry-error-view.png"))

    # Fixed, and a real change made; saving lands on the school page with the change logged.
    _field(page, "primary__teachers_bachelor").fill("85")
    _field(page, "primary__students").fill("2270")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message.success")).to_contain_text("已保存，共修改 1 项")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#data-entry .badge")).to_have_text("已提交")
    expect(page.get_by_role("link", name="填报 / 修改数据")).to_have_count(0)

    # The county administrator returns it with a comment from the review list.
    admin_context = browser.new_context(viewport=OFFICE, locale="zh-CN")
    admin = admin_context.new_page()
    login(admin, base, "cadmin", PASSWORD)
    _review(admin, base, county_id, "submitted")
    row = admin.locator("table.review tbody tr").filter(has_text="城关第一小学")
    expect(row).to_have_count(1)
    screenshot(admin, "review-submitted")
    row.get_by_placeholder("退回意见（必填）").fill("在校生数与学籍系统不一致，请核对")
    row.get_by_role("button", name="退回修改").click()
    expect(admin.locator(".message.success")).to_contain_text("城关第一小学：已退回修改")

    # The school sees the comment, corrects and resubmits.
    page.reload()
    expect(page.locator(".review-comment")).to_contain_text("在校生数与学籍系统不一致，请核对")
    expect(page.locator("#data-entry .badge")).to_have_text("退回")
    _open_form(page, base)
    expect(page.locator(".review-comment")).to_contain_text("在校生数与学籍系统不一致")
    _field(page, "primary__students").fill("2268")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#data-entry .badge")).to_have_text("已提交")

    # Approved: the year is locked, the form is read-only.
    _review(admin, base, county_id, "submitted")
    admin.locator("table.review tbody tr").filter(has_text="城关第一小学").get_by_role(
        "button", name="审核通过"
    ).click()
    expect(admin.locator(".message.success")).to_contain_text("已审核通过")
    _review(admin, base, county_id, "")
    screenshot(admin, "review-all")
    admin_context.close()

    page.reload()
    expect(page.locator("#data-entry .badge")).to_have_text("已审核")
    page.get_by_role("link", name="查看填报内容").click()
    expect(page.locator("#notice")).to_contain_text("已审核锁定，不能修改")
    expect(_field(page, "primary__students")).to_be_disabled()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    screenshot(page, "entry-locked")

    # The history on the school page: every value change and every step, newest first.
    page.goto(f"{base}/schools/{OWN}/2026/")
    history = page.locator("#data-entry .history-entry")
    expect(history).to_have_count(6)
    expect(history.nth(0)).to_contain_text("状态：已提交 → 已审核")
    expect(history.nth(1)).to_contain_text("状态：退回 → 已提交")
    expect(history.nth(2)).to_contain_text("小学 · 在校生数（人）：2270 → 2268")
    expect(history.nth(3)).to_contain_text("意见：在校生数与学籍系统不一致，请核对")
    expect(history.nth(5)).to_contain_text("小学 · 在校生数（人）：2260 → 2270")
    expect(history.nth(5)).to_contain_text("李填报")
    page.locator("#data-entry").scroll_into_view_if_needed()
    screenshot(page, "entry-history")

    data = SchoolYearData.objects.get(school=site["own"], year=site["year"])
    assert data.status == Status.APPROVED
    assert SegmentData.objects.get(school=site["own"], level="primary").students == 2268

    # The same form on a phone (read-only now), and the review list.
    login(phone, base, "cadmin", PASSWORD)
    _review(phone, base, county_id, "")
    screenshot(phone, "review-phone")
    phone.goto(f"{base}/schools/{OWN}/2026/")
    screenshot(phone, "entry-history-phone")


def test_form_and_error_on_a_phone(phone, live_server, site):
    login(phone, live_server.url, "school", PASSWORD)
    _open_form(phone, live_server.url)
    screenshot(phone, "entry-form-phone")
    _field(phone, "primary__students").fill("2270人")
    phone.get_by_role("button", name="保存").click()
    message = "值“2270人”带了单位，应只填数字 2270；单位（人）已在表头中"
    expect(phone.locator(".field-error").filter(has_text=message)).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    screenshot(phone, "entry-error-phone")
    phone.locator(".has-error").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(SCREENSHOTS / "entry-error-phone-view.png"))


def test_two_editors_in_two_browsers(browser: Browser, live_server, site):
    base = live_server.url
    contexts = [browser.new_context(viewport=OFFICE, locale="zh-CN") for _ in range(2)]
    school, admin = (c.new_page() for c in contexts)
    login(school, base, "school", PASSWORD)
    login(admin, base, "cadmin", PASSWORD)
    for page in (school, admin):
        page.goto(f"{base}/schools/{OWN}/2026/edit/")

    _field(school, "primary__students").fill("2270")
    school.get_by_role("button", name="保存").click()
    expect(school.locator(".message.success")).to_be_visible()

    _field(admin, "primary__students").fill("2300")
    _field(admin, "primary__classes").fill("55")
    admin.get_by_role("button", name="保存").click()
    notice = admin.locator("#notice")
    expect(notice).to_contain_text("保存失败：在您打开本页之后，李填报于")
    expect(_field(admin, "primary__students")).to_have_value("2300")
    expect(_field(admin, "primary__classes")).to_have_value("55")
    expect(admin.locator(".current").filter(has_text="当前值：2270")).to_be_visible()
    expect(admin.locator(".current").filter(has_text="当前值：54")).to_be_visible()
    screenshot(admin, "entry-conflict")
    assert SegmentData.objects.get(school=site["own"], level="primary").students == 2270

    # Having compared, the administrator saves again on purpose.
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".message.success")).to_contain_text("共修改 2 项")
    assert SegmentData.objects.get(school=site["own"], level="primary").students == 2300
    for context in contexts:
        context.close()


def test_county_facts_form(page, phone, live_server, site):
    base, county_id = live_server.url, site["county"].pk
    login(page, base, "cadmin", PASSWORD)
    page.goto(f"{base}/counties/{county_id}/2026/review/")
    page.get_by_role("link", name="填报县级指标").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("县级指标填报")
    expect(_field(page, "fact__layout_plan_ok")).to_have_value("是")
    screenshot(page, "entry-county")
    _field(page, "fact__rotation_rate").fill("1.2")
    page.get_by_role("button", name="保存").click()
    message = "值“1.2”无效，「符合交流条件教师年交流轮岗比例」应填 0 到 1 之间的小数或百分数"
    expect(page.locator(".field-error").filter(has_text=message)).to_be_visible()
    page.locator(".has-error").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "entry-county-error-view.png"))
    _field(page, "fact__rotation_rate").fill("15%")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message.success")).to_contain_text("县级指标已保存，共修改 1 项")
    expect(_field(page, "fact__rotation_rate")).to_have_value("0.15")
    expect(page.locator(".history-entry").first).to_contain_text(
        "符合交流条件教师年交流轮岗比例：0.12 → 0.15"
    )
    login(phone, base, "cadmin", PASSWORD)
    phone.goto(f"{base}/counties/{county_id}/2026/facts/")
    screenshot(phone, "entry-county-phone")


def test_older_history_loads_in_place(page, live_server, site):
    from junheng.web.collection.models import ChangeLog
    from junheng.web.workflow import HISTORY_PAGE

    ChangeLog.objects.bulk_create(
        ChangeLog(
            user=site["users"]["school"],
            model="SegmentData",
            object_id=f"{OWN}/小学",
            field="classes",
            old_value=str(i),
            new_value=str(i + 1),
            school=site["own"],
            county=site["county"],
            year=site["year"],
        )
        for i in range(HISTORY_PAGE + 3)
    )
    login(page, live_server.url, "school", PASSWORD)
    page.goto(f"{live_server.url}/schools/{OWN}/2026/")
    entries = page.locator("#data-entry .history-entry")
    expect(entries).to_have_count(HISTORY_PAGE)
    url = page.url
    page.get_by_role("link", name="更早的修改记录").click()
    expect(entries).to_have_count(HISTORY_PAGE + 3)
    expect(entries.last).to_contain_text("小学 · 班级数（个）：0 → 1")
    assert page.url == url


def test_last_years_values_beside_the_fields(page, live_server, site):
    load_dataset(demo_county_before(1), "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    login(page, live_server.url, "school", PASSWORD)
    _open_form(page, live_server.url)
    expect(page.get_by_text("2025 学年：7480110")).to_be_visible()
    screenshot(page, "entry-form-last-year")
