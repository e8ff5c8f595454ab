"""The demo's creation work in Chromium: the township's office and the 责任督学 find their work
in 我的待办, and the county's administrator corrects a meeting and its decisions on a phone and
at the office (screenshots at 360 and 1366 px under output/screenshots/)."""

from __future__ import annotations

import pytest

from junheng.web.appraisal.models import Meeting
from junheng.web.registry.management.commands.junheng_demo import set_up_demo
from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("JUNHENG_DEMO_PASSWORD", "演示-口令-2026")
    monkeypatch.setenv("JUNHENG_ADMIN_PASSWORD", "演示-口令-2026")
    set_up_demo()
    return "演示-口令-2026"


def test_township_and_duxue_find_their_work_in_the_todo_list(page, phone, live_server, demo):
    for viewer, size in ((page, "1366"), (phone, "360")):
        login(viewer, live_server.url, "township", demo)
        viewer.goto(f"{live_server.url}/todo/")
        text = viewer.locator("main").inner_text()
        assert "整改任务：石桥镇中心小学 G5" in text and "整改任务：石桥镇中心小学 G3" in text
        assert viewer.evaluate(FITS)
        screenshot(viewer, f"demo-todo-township-{size}")
        viewer.context.clear_cookies()
        login(viewer, live_server.url, "duxue", demo)
        viewer.goto(f"{live_server.url}/todo/")
        text = viewer.locator("main").inner_text()
        assert "督导检查（1 项）" in text and "督导检查：石桥镇中心小学（常规督导" in text
        assert viewer.evaluate(FITS)
        screenshot(viewer, f"demo-todo-duxue-{size}")
        viewer.context.clear_cookies()


def test_a_meeting_is_corrected_on_a_phone(page, phone, live_server, demo):
    meeting = Meeting.objects.get()
    url = f"{live_server.url}/meetings/{meeting.pk}/edit/"
    login(page, live_server.url, "county_admin", demo)
    page.goto(url)
    assert page.evaluate(FITS)
    assert "该事项已转为整改台账问题" in page.locator("main").inner_text()
    screenshot(page, "demo-meeting-edit-1366")
    login(phone, live_server.url, "county_admin", demo)
    phone.goto(url)
    assert phone.evaluate(FITS)
    screenshot(phone, "demo-meeting-edit-360")
    second = meeting.decisions.get(order=2)
    phone.fill(f"#id_e{second.pk}-text", "县财政局12月20日前拨付音乐器材购置经费")
    phone.fill(f"#id_e{second.pk}-deadline", f"{second.deadline.year}-12-20")
    phone.get_by_role("button", name="保存修改").click()
    phone.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    text = phone.locator("main").inner_text()
    assert "已保存会议“优质均衡创建工作推进会”的修改" in text
    assert "县财政局12月20日前拨付音乐器材购置经费" in text
    assert f"拟完成时限 {second.deadline.year}-12-20" in text
    screenshot(phone, "demo-meeting-saved-360")
