"""The 待办, 消息 and 提醒设置 pages: each user's own, per role; the header's count and the
panel on the start pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.notifications.models import Notification, Preference
from tests.web.notifications.conftest import UTC, make_task
from tests.web.sites import PASSWORD

# 2026-12-07 02:00 UTC is 10:00 on 12-07 in Beijing
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def site(county_site, freeze):
    freeze(NOW)
    s = county_site
    s["late"] = make_task(s["units"]["school"], s["problem"]("体育场地不足"), dt.date(2026, 12, 6))
    s["soon"] = make_task(s["units"]["dept"], s["problem"]("功能室不足"), dt.date(2026, 12, 9))
    return s


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_school_users_todo_lists_overdue_first_with_links_and_dates(client, site):
    html = _page(client, site["users"]["school"], reverse("notifications:todo"))
    assert "<h1>我的待办</h1>" in html
    assert "2026-12-07（北京时间）· 共 2 项" in html
    overdue = html.index("已逾期（1 项）")
    fill = html.index("数据填报（1 项）")
    assert overdue < fill
    task_url = reverse("rectification_task", args=[site["late"].pk])
    assert f'<a href="{task_url}">整改任务：体育场地不足</a>' in html
    assert "已逾期 · 时限 2026-12-06" in html
    assert "填报 2026 学年本校数据并提交审核" in html
    assert "功能室不足" not in html  # the department's task
    # the header counts the items
    assert '<a class="user-role" href="/todo/">待办 2</a>' in html


@pytest.mark.parametrize(
    ("who", "present", "absent"),
    [
        ("department", ["整改任务（1 项）", "功能室不足", "时限 2026-12-09"], ["体育场地不足"]),
        (
            "admin",
            ["督办：本县 1 项整改任务已逾期", "审核 1 所学校提交的 2026 学年数据"],
            ["功能室不足"],
        ),
        ("leader", ["督办：本县 1 项整改任务已逾期"], ["审核"]),
        ("township", ["目前没有待办事项"], ["整改任务："]),
        ("other_admin", ["审核 1 所学校提交的 2026 学年数据"], ["督办"]),
    ],
)
def test_each_role_sees_its_own_work(client, site, who, present, absent):
    html = _page(client, site["users"][who], reverse("notifications:todo"))
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_a_system_admin_has_no_todo_count_in_the_header(client, site):
    html = _page(client, site["users"]["sysadmin"], reverse("notifications:todo"))
    assert "目前没有待办事项" in html
    assert 'class="user-role" href="/todo/"' not in html


def test_pages_need_a_login(client, site):
    for name in ("notifications:todo", "notifications:inbox", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_reads_only_their_own_notifications(client, site):
    users = site["users"]
    mine = Notification.objects.create(
        user=users["school"], kind="digest", title="我的提醒", text="第一行\n第二行", url="/todo/"
    )
    theirs = Notification.objects.create(
        user=users["department"], kind="digest", title="别人的提醒", text="x"
    )
    html = _page(client, users["school"], reverse("notifications:inbox"))
    assert "我的提醒" in html and "别人的提醒" not in html
    assert "第一行<br>第二行" in html
    assert "未读（1）" in html
    # someone else's, or an unknown one: the same 404, nothing changed
    for pk in (theirs.pk, theirs.pk + 1000):
        assert client.post(reverse("notifications:read", args=[pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at == NOW
    html = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "没有未读消息" in html


def test_mark_all_read_touches_only_the_users_own(client, site):
    users = site["users"]
    for n in range(3):
        Notification.objects.create(
            user=users["leader"], kind="escalation", title=f"督办{n}", text="x"
        )
    other = Notification.objects.create(user=users["admin"], kind="digest", title="a", text="x")
    client.force_login(users["leader"])
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 3 条消息标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=users["leader"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_settings_are_the_users_own_and_checked(client, site):
    users = site["users"]
    html = _page(client, users["school"], reverse("notifications:preferences"))
    assert "每天早上发送我的待办" in html and "发往账号中登记的邮箱" in html
    response = client.post(
        reverse("notifications:preferences"),
        {"in_app": "on", "email": "", "robot": "on", "digest": "", "webhook_url": "不是网址"},
    )
    assert "请填写完整的网址，以 https:// 或 http:// 开头" in response.content.decode()
    assert not Preference.objects.exists()
    response = client.post(
        reverse("notifications:preferences"),
        {"in_app": "on", "robot": "on", "webhook_url": "https://robot.example.cn/send?key=1"},
        follow=True,
    )
    assert "提醒设置已保存" in response.content.decode()
    saved = Preference.objects.get()
    assert saved.user == users["school"]
    assert (saved.in_app, saved.email, saved.robot, saved.digest) == (True, False, True, False)
    # another user still has the defaults, and sees none of the school's address
    html = _page(client, users["department"], reverse("notifications:preferences"))
    assert "robot.example.cn" not in html
    assert 'id="id_digest" checked>' in html


def test_the_school_page_shows_the_users_todo_panel(client, site):
    users = site["users"]
    client.login(username="school1", password=PASSWORD)
    html = client.get(reverse("school", args=["2100000001", "2026"])).content.decode()
    panel = html[html.index('class="card todo-panel"') :]
    assert "我的待办（2 项，1 项已逾期）" in panel
    assert "整改任务：体育场地不足" in panel
    assert users["school"].notifications.count() == 0


def test_the_county_page_shows_the_admins_todo_panel(client, site):
    client.force_login(site["users"]["admin"])
    html = client.get(reverse("county", args=[site["county"].pk, "2026"])).content.decode()
    panel = html[html.index('class="card todo-panel"') :]
    assert "审核 1 所学校提交的 2026 学年数据" in panel
    # a system admin has no panel
    client.force_login(site["users"]["sysadmin"])
    html = client.get(reverse("county", args=[site["county"].pk, "2026"])).content.decode()
    assert "todo-panel" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("sysadmin", 200),
        ("other_admin", 404),
        ("leader", 404),
        ("inspector", 404),
        ("school", 404),
        ("township", 404),
        ("department", 404),
    ],
)
def test_a_countys_robot_page_is_its_admins(client, site, who, status):
    client.force_login(site["users"][who])
    url = reverse("notifications:county", args=[site["county"].pk])
    assert client.get(url).status_code == status
    # a post (here an invalid one, shown again) is refused alike
    assert client.post(url, {"template": "{}"}).status_code == status
    if status == 404:
        assert "<h1>页面不存在</h1>" in client.get(url).content.decode()


def test_a_countys_robot_template_is_checked_and_saved(client, site):
    from junheng.web.notifications.models import CountyChannel

    client.force_login(site["users"]["admin"])
    url = reverse("notifications:county", args=[site["county"].pk])
    assert client.get(reverse("notifications:county", args=[999])).status_code == 404
    html = client.get(url).content.decode()
    assert "石桥县 · 群机器人与逾期督办" in html and "系统默认值（7 天）" in html
    bad = client.post(url, {"webhook_url": "https://qyapi.example.cn/send", "template": '{"a": 1}'})
    assert "消息模板中没有 {标题}、{内容} 或 {链接}" in bad.content.decode()
    assert not CountyChannel.objects.exists()
    good = client.post(
        url,
        {
            "webhook_url": "https://qyapi.example.cn/send",
            "template": '{"msgtype": "markdown", "markdown": {"content": "{内容}"}}',
            "escalate_after_days": "3",
        },
        follow=True,
    )
    assert "石桥县的提醒渠道已保存" in good.content.decode()
    saved = CountyChannel.objects.get()
    assert (saved.county, saved.escalate_after_days) == (site["county"], 3)
    # the county's admin finds the page from their own settings
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert f'href="{url}">石桥县</a>' in html


def test_the_header_counts_again_after_the_users_own_change(client, site):
    """The header's count is kept for two minutes; a change made elsewhere shows within that
    time, the user's own successful POST drops what is kept at once."""
    school = site["users"]["school"]
    settings_url = reverse("notifications:preferences")
    header = '<a class="user-role" href="/todo/">待办 {}</a>'
    # the overdue task and the school's data to fill: 2 items
    assert header.format(2) in _page(client, school, settings_url)
    # someone else closes the overdue task: the kept count still says 2 for this user …
    site["late"].status = "已完成"
    site["late"].save()
    assert header.format(2) in _page(client, school, settings_url)
    # … until their own change: the saved settings drop what is kept
    response = client.post(settings_url, {"digest": "on", "in_app": "on"})
    assert response.status_code == 302
    assert header.format(1) in _page(client, school, settings_url)
