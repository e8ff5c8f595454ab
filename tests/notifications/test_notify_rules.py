"""The reminder rules and message texts, without Django."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from junheng.notifications import messages
from junheng.notifications.rules import RulesError, escalates, overdue_days, parse, rules


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    due: date | None = None
    overdue: bool = False


def test_the_rules_file_loads_with_its_defaults():
    r = rules()
    assert (r.digest_hour, r.due_soon_days, r.escalate_after_days) == (7, 7, 7)
    assert r.due_horizon(date(2026, 12, 7)) == date(2026, 12, 14)


def test_backoff_grows_and_gives_up_after_the_last_attempt():
    r = parse(
        {
            "digest_hour": 7,
            "due_soon_days": 7,
            "escalate_after_days": 7,
            "retry": {"backoff_minutes": [5, 30], "max_attempts": 4},
        }
    )
    # attempts 1, 2 use their own step, 3 reuses the last step, 4 is the limit
    assert [r.retry_after(n) for n in (1, 2, 3)] == [
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(minutes=30),
    ]
    assert r.retry_after(4) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_soon_days": -1}, "“due_soon_days”应为不小于 0 的整数"),
        ({"digest_hour": 24}, "“digest_hour”应为 0 到 23 的整数"),
        ({"retry": {"backoff_minutes": [], "max_attempts": 3}}, "retry.backoff_minutes"),
        ({"colour": 1}, "无法识别的项“colour”"),
    ],
)
def test_a_malformed_rule_is_named_in_chinese(data, message):
    good = {
        "digest_hour": 7,
        "due_soon_days": 7,
        "escalate_after_days": 7,
        "retry": {"backoff_minutes": [5], "max_attempts": 3},
    }
    with pytest.raises(RulesError, match=message):
        parse(good | data)


def test_escalation_counts_whole_days_past_the_deadline():
    deadline = date(2026, 11, 30)
    # 12-07 is 7 days past 11-30: not more than 7; 12-08 is 8 days past: escalated
    assert overdue_days(deadline, date(2026, 12, 7)) == 7
    assert not escalates(deadline, date(2026, 12, 7), 7)
    assert escalates(deadline, date(2026, 12, 8), 7)
    assert overdue_days(deadline, date(2026, 11, 30)) == 0
    assert overdue_days(deadline, date(2026, 11, 1)) == 0


def test_digest_text_counts_items_and_overdue_ones():
    items = [
        Item("整改任务：功能室不足", "/rectification/tasks/3/", date(2026, 12, 1), True),
        Item("填报 2026 学年本校数据并提交审核", "/schools/1/2026/#data-entry"),
    ]
    m = messages.digest("王老师", date(2026, 12, 7), items, "https://jh.example.cn")
    assert m.subject == "【均衡】2026年12月7日待办提醒（2 项）"
    assert m.text.splitlines() == [
        "王老师，2026年12月7日您有 2 项待办，其中 1 项已逾期：",
        "· 整改任务：功能室不足（已逾期，时限 2026-12-01） "
        "https://jh.example.cn/rectification/tasks/3/",
        "· 填报 2026 学年本校数据并提交审核 https://jh.example.cn/schools/1/2026/#data-entry",
    ]
    assert m.url == "https://jh.example.cn/todo/"


def test_escalation_lists_tasks_under_their_county():
    head = messages.escalation_header("石桥县", 7)
    line = messages.escalation_line(
        messages.OverdueTask("功能室不足 · 县教育局", date(2026, 11, 20), 17, "/t/1/")
    )
    m = messages.escalation([(head, line), (head, line)])
    assert m.subject == "【均衡】整改任务逾期督办（2 项）"
    assert m.text.splitlines()[0] == "石桥县以下整改任务逾期超过 7 天，请督办："
    assert m.text.count("已逾期 17 天") == 2


def test_robot_body_fills_slots_inside_json_strings():
    m = messages.Message('通知"一"', "第一行\n第二行", "https://x/todo/")
    body = json.loads(messages.robot_body(messages.DEFAULT_TEMPLATE, m))
    assert body == {"msgtype": "text", "text": {"content": '通知"一"\n第一行\n第二行'}}
    custom = '{"msg_type": "post", "title": "{标题}", "links": ["{链接}"], "n": 1}'
    assert json.loads(messages.robot_body(custom, m)) == {
        "msg_type": "post",
        "title": '通知"一"',
        "links": ["https://x/todo/"],
        "n": 1,
    }


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{"text": "{内容}"', "消息模板格式有误（第 1 行附近）"),
        ('["{内容}"]', "应以 { 开头、以 } 结尾"),
        ('{"text": "hello"}', "没有 {标题}、{内容} 或 {链接}"),
    ],
)
def test_a_bad_robot_template_is_refused_in_chinese(template, message):
    with pytest.raises(messages.TemplateError, match=message):
        messages.check_template(template)
