"""Two workers running the daily reminders at the same moment, each with its own database
connection (threads on PostgreSQL; two real command processes on an SQLite database file):
every digest is queued once and sent once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from junheng.web.notifications import delivery
from junheng.web.notifications.models import CountyChannel, Delivery, Notification
from tests.web.notifications.conftest import UTC, make_task
from tests.web.notifications.robot_server import Robot

ROOT = Path(__file__).resolve().parents[3]
MORNING = dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 07:30 on 12-07 in Beijing


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_digest_once(county_site, freeze):
    if connections["default"].vendor != "postgresql":
        pytest.skip(
            "SQLite's in-memory test database locks whole tables between connections; "
            "two processes on a database file are tested below"
        )
    s = county_site
    make_task(s["units"]["dept"], s["problem"]("功能室不足"), dt.date(2026, 12, 8))
    freeze(MORNING)
    errors: list[BaseException] = []
    with Robot() as robot:
        CountyChannel.objects.create(county=s["county"], webhook_url=robot.url)
        start = threading.Barrier(2)

        def worker() -> None:
            try:
                start.wait()
                delivery.run()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    # 石桥县: dept (task), school1 (data), cadmin (review) → in-app, e-mail and the county's
    # robot; leader has nothing overdue. 邻县: oadmin (review) → in-app and e-mail.
    per_user = sorted(
        Delivery.objects.values_list("user__username", "channel").order_by("user__username")
    )
    assert len(per_user) == len(set(per_user)) == 3 * 3 + 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(robot.received) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cadmin@example.cn",
        "dept@example.cn",
        "oadmin@example.cn",
        "school1@example.cn",
    ]
    assert Notification.objects.count() == 4


SET_UP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import datetime as dt
from django.contrib.auth import get_user_model
from junheng.web.accounts.models import Profile
from junheng.web.notifications.models import CountyChannel
from junheng.web.rectification.models import Problem, Task, Unit, UnitMember
from junheng.web.registry.models import City, County, Province, SchoolYear
county = County.objects.create(
    city=City.objects.create(province=Province.objects.create(name="甲省"), name="甲市"),
    name="石桥县",
)
year = SchoolYear.objects.create(label="2026")
CountyChannel.objects.create(county=county, webhook_url="{robot}")
for n in range(20):
    unit = Unit.objects.create(county=county, kind="department", name=f"单位{{n}}")
    user = get_user_model().objects.create_user(f"u{{n}}")
    UnitMember.objects.create(user=user, unit=unit)
    problem = Problem.objects.create(
        county=county, year=year, source="self_check", title=f"问题{{n}}"
    )
    Task.objects.create(
        problem=problem, lead_unit=unit, measures="补齐", deadline=dt.date(2026, 12, 8)
    )
"""

RUN = """
import datetime as dt
import django
from django.utils import timezone
timezone.now = lambda: dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
django.setup()
from django.core.management import call_command
call_command("junheng_notify")
"""


def _env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("JUNHENG_", "DATABASE_URL"))}
    return keep | {
        "DJANGO_SETTINGS_MODULE": "junheng.web.settings",
        "JUNHENG_SECRET_KEY": "notify-process-test-key-" + "x" * 40,
        "JUNHENG_VAR_DIR": str(tmp_path),
    }


def test_two_command_processes_on_one_sqlite_file_send_each_digest_once(tmp_path):
    with Robot() as robot:
        set_up = subprocess.run(
            [sys.executable, "-c", SET_UP.format(robot=robot.url)],
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert set_up.returncode == 0, set_up.stderr
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", RUN],
                cwd=ROOT,
                env=_env(tmp_path),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    # 20 users, each with one task due tomorrow: one robot message each, however the two
    # processes shared the work
    assert len(robot.received) == 20
    names = sorted(json.dumps(r, ensure_ascii=False).split("，")[0][-3:] for r in robot.received)
    assert len(set(names)) == 20
    sent = [int(out.split("发送成功 ")[1].split(" ")[0]) for out, _ in outputs]
    # in-app and robot for each of the 20 users
    assert sum(sent) == 40
