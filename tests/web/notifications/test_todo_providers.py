"""The system's 待办 providers on a hand-made county, decided by the Beijing date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.notifications.todo import TodoItem, register, todo_for
from junheng.web.rectification.models import ProgressUpdate
from tests.web.notifications.conftest import UTC, make_task


def _titles(found, user):
    return [(i.kind, i.title, i.due, i.overdue) for i in found.get(user.pk, [])]


@pytest.fixture
def tasks(county_site):
    s = county_site
    units, problem = s["units"], s["problem"]
    # Beijing 2026-12-07: tomorrow 12-08, today 12-07, yesterday 12-06
    made = {
        "tomorrow": make_task(units["dept"], problem("功能室不足"), dt.date(2026, 12, 8)),
        "today": make_task(units["school"], problem("体育场地不足"), dt.date(2026, 12, 7)),
        "yesterday": make_task(units["town"], problem("教师交流不足"), dt.date(2026, 12, 6)),
        # 7 days ahead is the last day "due soon"; 8 days is not yet
        "in7": make_task(units["dept"], problem("图书不足"), dt.date(2026, 12, 14), "未开始"),
        "in8": make_task(units["dept"], problem("音乐器材不足"), dt.date(2026, 12, 15)),
        "closed": make_task(units["dept"], problem("已整改"), dt.date(2026, 12, 1), "已销号"),
        "waiting": make_task(units["dept"], problem("待验收的"), dt.date(2026, 12, 2), "待验收"),
        "elsewhere": make_task(
            units["other"], problem("邻县问题", s["other"]), dt.date(2026, 12, 1)
        ),
    }
    # the school is also a responsible unit of the department's "tomorrow" task
    made["tomorrow"].responsible_units.add(units["school"])
    return made


@pytest.mark.parametrize(
    ("instant", "today"),
    [
        # 2026-12-06 16:30 UTC is 12-07 00:30 in Beijing: already the 7th
        (dt.datetime(2026, 12, 6, 16, 30, tzinfo=UTC), dt.date(2026, 12, 7)),
        # 2026-12-07 15:30 UTC is 12-07 23:30 in Beijing: still the 7th
        (dt.datetime(2026, 12, 7, 15, 30, tzinfo=UTC), dt.date(2026, 12, 7)),
    ],
)
def test_units_get_tasks_due_today_and_tomorrow_and_overdue_since_yesterday(
    county_site, tasks, freeze, instant, today
):
    from junheng.web import clock

    freeze(instant)
    assert clock.today() == today
    users = county_site["users"]
    found = todo_for(list(users.values()), clock.today())
    # the department leads tomorrow (12-08), in7 (12-14); not in8, closed, waiting
    assert _titles(found, users["department"]) == [
        ("task_due", "整改任务：功能室不足", dt.date(2026, 12, 8), False),
        ("task_due", "整改任务：图书不足", dt.date(2026, 12, 14), False),
    ]
    # the school's unit: today's task (not overdue on its deadline day) and tomorrow's as a
    # responsible unit; plus its 2026 data still in 填报中
    school = found[users["school"].pk]
    assert [(i.kind, i.due, i.overdue) for i in school] == [
        ("task_due", dt.date(2026, 12, 7), False),
        ("task_due", dt.date(2026, 12, 8), False),
        ("school_data_fill", None, False),
    ]
    assert school[0].url == reverse("rectification_task", args=[tasks["today"].pk])
    assert school[2].url == reverse("school", args=["2100000001", "2026"]) + "#data-entry"
    # the township's unit: yesterday's deadline passed — overdue, listed first
    assert _titles(found, users["township"]) == [
        ("task_overdue", "整改任务：教师交流不足", dt.date(2026, 12, 6), True)
    ]
    # a submitted school has nothing to fill
    assert users["school2"].pk not in found


def test_the_day_after_in_beijing_moves_tasks_to_overdue(county_site, tasks, freeze):
    from junheng.web import clock

    # 2026-12-07 16:30 UTC is 12-08 00:30 in Beijing: "today" (12-07) is now yesterday
    freeze(dt.datetime(2026, 12, 7, 16, 30, tzinfo=UTC))
    users = county_site["users"]
    found = todo_for([users["school"]], clock.today())
    assert [(i.due, i.overdue) for i in found[users["school"].pk]] == [
        (dt.date(2026, 12, 7), True),
        (dt.date(2026, 12, 8), False),
        (None, False),
    ]


def test_county_heads_get_approvals_and_the_overdue_count(county_site, tasks):
    users = county_site["users"]
    today = dt.date(2026, 12, 7)
    found = todo_for(list(users.values()), today)
    # overdue on 12-07, not closed: yesterday (12-06), waiting (12-02, 待验收) → 2
    assert _titles(found, users["admin"]) == [
        ("task_overdue_county", "督办：本县 2 项整改任务已逾期（2026 学年）", None, True),
        ("school_data_review", "审核 1 所学校提交的 2026 学年数据", None, False),
        ("task_approval", "验收销号：1 项整改任务已提交验收（2026 学年）", None, False),
    ]
    assert _titles(found, users["leader"]) == [
        ("task_overdue_county", "督办：本县 2 项整改任务已逾期（2026 学年）", None, True)
    ]
    # the neighbour's admin: its own submitted school and its own overdue task only
    assert [i.title for i in found[users["other_admin"].pk]] == [
        "督办：本县 1 项整改任务已逾期（2026 学年）",
        "审核 1 所学校提交的 2026 学年数据",
    ]
    for nobody in ("sysadmin", "inspector", "duxue"):
        assert users[nobody].pk not in found


def test_returned_data_is_a_school_users_to_do(county_site):
    from junheng.web.collection.models import SchoolYearData, Status

    users = county_site["users"]
    SchoolYearData.objects.filter(school=county_site["schools"][1]).update(status=Status.RETURNED)
    found = todo_for([users["school2"]], dt.date(2026, 12, 7))
    assert _titles(found, users["school2"]) == [
        ("school_data_returned", "2026 学年本校数据被退回：请按退回意见修改后重新提交", None, False)
    ]
    assert ProgressUpdate.objects.count() == 0


def test_providers_read_a_county_in_a_few_queries_whatever_its_users(
    county_site, tasks, django_assert_max_num_queries
):
    users = list(county_site["users"].values())
    with django_assert_max_num_queries(14):
        todo_for(users, dt.date(2026, 12, 7))


def test_a_registered_provider_adds_its_items_in_order(county_site):
    user = county_site["users"]["duxue"]

    def visits(users, today):
        return {
            u.pk: [TodoItem("visit_planned", "督导：石桥镇中心小学", "/v/1/", today)]
            for u in users
            if u.username == "duxue"
        }

    register(visits)
    register(visits)  # registering twice changes nothing
    try:
        found = todo_for([user], dt.date(2026, 12, 7))
        assert [i.title for i in found[user.pk]] == ["督导：石桥镇中心小学"]
    finally:
        from junheng.web.notifications import todo

        todo._providers.remove(visits)


def test_links_from_a_pattern_equal_reverse(db):
    from junheng.web.notifications.sources import link

    for name, args in (
        ("school", ["2100000001", "2026"]),
        ("school", ["21 0学校", "2026"]),
        ("rectification_task", [42]),
        ("county_review", [7, "2026"]),
    ):
        assert link(name, *args) == reverse(name, args=args)
