"""Digests and escalations: queued once per user and day (or task), sent once, retried after a
failing robot, never sent to a user who switched them off."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.management import call_command

from junheng.web.notifications import delivery
from junheng.web.notifications.models import (
    CountyChannel,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)
from tests.web.notifications.conftest import UTC, make_task
from tests.web.notifications.robot_server import Robot

# 2026-12-06 23:30 UTC is 12-07 07:30 in Beijing: past the digest hour (7) of the 7th
MORNING = dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


@pytest.fixture
def work(county_site):
    """One task due tomorrow for the department; one overdue 4 days for the school (on 12-07:
    not yet escalated)."""
    s = county_site
    make_task(s["units"]["dept"], s["problem"]("功能室不足"), dt.date(2026, 12, 8))
    late = make_task(s["units"]["school"], s["problem"]("体育场地不足"), dt.date(2026, 12, 3))
    return {"late": late}


def _rows(**kw):
    return sorted(Delivery.objects.filter(**kw).values_list("user__username", "channel", "key"))


def test_digest_is_queued_from_the_digest_hour_of_the_beijing_day(county_site, work, freeze):
    # 22:59 UTC on 12-06 is 06:59 on 12-07 in Beijing: before the digest hour
    freeze(dt.datetime(2026, 12, 6, 22, 59, tzinfo=UTC))
    digests, _, _ = delivery.run()
    assert digests == 0
    # 23:00 UTC is 07:00 in Beijing: the digest of the 7th, though the UTC day is the 6th
    freeze(dt.datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    digests, _, _ = delivery.run()
    keys = set(Delivery.objects.filter(kind="digest").values_list("key", flat=True))
    assert keys == {"digest:2026-12-07"}
    # users with something to do, on in-app and e-mail (no robot configured): department,
    # school (tasks, data), township? no (its unit has no task), admin (review, overdue),
    # leader (overdue), other_admin (review of 邻县一小) → 5 users × 2 channels
    assert digests == 10
    assert {u for u, _, _ in _rows(kind="digest")} == {
        "dept",
        "school1",
        "cadmin",
        "leader",
        "oadmin",
    }


def test_a_digest_goes_once_per_day_per_user(county_site, work, freeze):
    freeze(MORNING)
    first = delivery.run()
    assert first[2].sent == 10
    assert len(mail.outbox) == 5
    # run again the same day (another timer tick): nothing new, nothing sent again
    freeze(MORNING + dt.timedelta(hours=3))
    again = delivery.run()
    assert (again[0], again[2].sent) == (0, 0)
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(kind="digest").count() == 5
    school = county_site["users"]["school"]
    note = Notification.objects.get(user=school, kind="digest")
    assert note.title == "【均衡】2026年12月7日待办提醒（2 项）"
    assert "其中 1 项已逾期" in note.text and note.url == "/todo/"
    # the next Beijing day is a new digest
    freeze(MORNING + dt.timedelta(days=1))
    assert delivery.run()[2].sent == 10


def test_a_failing_robot_is_retried_after_the_backoff_and_delivered_once(county_site, work, freeze):
    users = county_site["users"]
    for name in ("department", "admin", "leader", "school", "other_admin"):
        Preference.objects.create(user=users[name], in_app=False, email=False, robot=False)
    Preference.objects.filter(user=users["department"]).update(robot=True)
    with Robot([500, 200]) as robot:
        CountyChannel.objects.create(county=county_site["county"], webhook_url=robot.url)
        freeze(MORNING)
        _, _, outcome = delivery.run()
        assert (outcome.sent, outcome.failed) == (0, 1)
        row = Delivery.objects.get(user=users["department"])
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
        assert row.last_error == "群机器人返回错误（HTTP 500）"
        # the first backoff is 5 minutes: at +4 min nothing is tried
        freeze(MORNING + dt.timedelta(minutes=4))
        assert delivery.run()[2].sent == 0
        assert len(robot.received) == 1
        freeze(MORNING + dt.timedelta(minutes=5))
        assert delivery.run()[2].sent == 1
        freeze(MORNING + dt.timedelta(minutes=30))
        assert delivery.run()[2].sent == 0
    assert len(robot.received) == 2
    assert robot.received[0] == robot.received[1]
    content = robot.received[1]["text"]["content"]
    assert content.startswith("【均衡】2026年12月7日待办提醒（1 项）\n")
    assert "整改任务：功能室不足（时限 2026-12-08）" in content
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


def test_a_robot_that_keeps_failing_is_given_up_after_the_last_attempt(county_site, work, freeze):
    user = county_site["users"]["department"]
    with Robot([500]) as robot:
        Preference.objects.create(user=user, in_app=False, email=False, webhook_url=robot.url)
        at = MORNING
        freeze(at)
        delivery.run()
        # backoff 5, 30, 120, 480 minutes; the 5th attempt is the last
        for minutes in (5, 30, 120, 480):
            at += dt.timedelta(minutes=minutes)
            freeze(at)
            delivery.run()
        freeze(at + dt.timedelta(hours=1))
        delivery.run()
        row = Delivery.objects.get(user=user, channel="robot")
        assert (row.status, row.attempts) == (DeliveryStatus.GIVEN_UP, 5)
        assert len(robot.paths) == 5


def test_a_robot_answering_an_error_code_is_a_failure(county_site, work, freeze):
    user = county_site["users"]["department"]
    with Robot([200], answer={"errcode": 93000, "errmsg": "invalid webhook url"}) as robot:
        Preference.objects.create(user=user, in_app=False, email=False, webhook_url=robot.url)
        freeze(MORNING)
        assert delivery.run()[2].failed == 1
    row = Delivery.objects.get(user=user, channel="robot")
    assert row.last_error == "群机器人拒收（错误码 93000：invalid webhook url）"


def test_the_countys_template_and_a_users_own_robot(county_site, work, freeze):
    users = county_site["users"]
    with Robot() as county_robot, Robot() as own:
        CountyChannel.objects.create(
            county=county_site["county"],
            webhook_url=county_robot.url,
            template='{"msg_type": "text", "content": {"text": "{内容}"}, "at": "{链接}"}',
        )
        Preference.objects.create(
            user=users["department"], in_app=False, email=False, webhook_url=own.url
        )
        freeze(MORNING)
        delivery.run()
    # the department's digest went to its own robot, in the county's template
    assert len(own.received) == 1
    assert own.received[0]["msg_type"] == "text"
    assert own.received[0]["at"] == "/todo/"
    assert own.received[0]["content"]["text"].startswith("dept，2026年12月7日您有 1 项待办")
    # admin, leader and school1 of 石桥县 went to the county robot (邻县 has none)
    assert len(county_robot.received) == 3


def test_never_sent_to_a_user_who_switched_it_off(county_site, work, freeze):
    users = county_site["users"]
    Preference.objects.create(user=users["department"], digest=False)
    Preference.objects.create(user=users["school"], email=False)
    freeze(MORNING)
    delivery.run()
    assert _rows(user=users["department"]) == []
    assert _rows(user=users["school"], kind="digest") == [
        ("school1", "in_app", "digest:2026-12-07")
    ]
    # switched off after the digest was queued but before it was sent: cancelled, not sent
    Delivery.objects.filter(user=users["leader"]).update(status=DeliveryStatus.PENDING)
    Notification.objects.filter(user=users["leader"]).delete()
    Preference.objects.create(user=users["leader"], in_app=False, email=False)
    outcome = delivery.send_due(MORNING + dt.timedelta(minutes=1))
    assert outcome.cancelled == 2
    assert not Notification.objects.filter(user=users["leader"]).exists()
    assert set(Delivery.objects.filter(user=users["leader"]).values_list("status", flat=True)) == {
        DeliveryStatus.CANCELLED
    }
    # the one mail the leader had is the first run's, before the switch
    assert [m.to for m in mail.outbox].count(["leader@example.cn"]) == 1


def test_escalation_goes_to_the_countys_leaders_and_admins_only(county_site, work, freeze):
    users = county_site["users"]
    s = county_site
    make_task(s["units"]["other"], s["problem"]("邻县逾期", s["other"]), dt.date(2026, 11, 1))
    # the late task's deadline 12-03: on 12-10 it is 7 days late (not more than 7), on 12-11 8
    freeze(dt.datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    # 邻县's task only: its admin and leader, in-app and e-mail each
    assert delivery.queue_escalations(dt.date(2026, 12, 10)) == 4
    assert {u for u, _, _ in _rows(kind="escalation")} == {"oadmin", "oleader"}
    Delivery.objects.all().delete()
    freeze(dt.datetime(2026, 12, 11, 2, 0, tzinfo=UTC))  # 10:00 in Beijing, 12-11
    delivery.run()
    mine = _rows(kind="escalation", county=s["county"])
    key = f"escalation:task:{work['late'].pk}:2026-12-03"
    assert mine == [
        ("cadmin", "email", key),
        ("cadmin", "in_app", key),
        ("leader", "email", key),
        ("leader", "in_app", key),
    ]
    note = Notification.objects.get(user=users["leader"], kind="escalation")
    assert note.title == "【均衡】整改任务逾期督办（1 项）"
    assert note.text.splitlines() == [
        "石桥县以下整改任务逾期超过 7 天，请督办：",
        "· 体育场地不足 · 石桥镇中心小学（时限 2026-12-03，已逾期 8 天） "
        f"/rectification/tasks/{work['late'].pk}/",
    ]
    # escalated once: the next days add nothing for the same deadline
    freeze(dt.datetime(2026, 12, 12, 2, 0, tzinfo=UTC))
    assert delivery.queue_escalations(dt.date(2026, 12, 12)) == 0
    for nobody in ("department", "school", "township", "inspector", "duxue", "sysadmin"):
        assert not Delivery.objects.filter(user=users[nobody], kind="escalation").exists()


def test_a_countys_own_escalation_days(county_site, work):
    CountyChannel.objects.create(county=county_site["county"], escalate_after_days=3)
    # 12-03 + 3 days = 12-06 is not more than 3 days late; 12-07 is 4: admin and leader,
    # in-app and e-mail each
    assert delivery.queue_escalations(dt.date(2026, 12, 6)) == 0
    assert delivery.queue_escalations(dt.date(2026, 12, 7)) == 4


def test_the_command_reports_in_chinese(county_site, work, freeze, capsys):
    freeze(MORNING)
    call_command("junheng_notify")
    out = capsys.readouterr().out
    assert "新增每日提醒 10 条" in out and "发送成功" in out
    assert json.dumps(out, ensure_ascii=False).isprintable()


def test_no_mail_for_a_user_without_an_address(county_site, work, freeze):
    school = county_site["users"]["school"]
    school.email = ""
    school.save()
    freeze(MORNING)
    delivery.run()
    assert _rows(user=school) == [("school1", "in_app", "digest:2026-12-07")]
    assert "school1@example.cn" not in [m.to[0] for m in mail.outbox]
