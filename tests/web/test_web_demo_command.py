"""`junheng_demo`: a ready system on the first run, nothing changed on the next."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from junheng.web.collection.models import ChangeLog, SchoolYearData
from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.models import County, School

pytestmark = pytest.mark.django_db(transaction=True)


def _run() -> str:
    out = io.StringIO()
    call_command("junheng_demo", stdout=out)
    return out.getvalue()


def test_demo_command_is_idempotent(demo, monkeypatch):
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    first = _run()
    assert "已载入" in first
    assert "已完成评估" in first
    password_lines = [line for line in first.splitlines() if line.startswith("密码：")]
    password = password_lines[0].removeprefix("密码：").split("（")[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert admin.profile.role == "system_admin"

    second = _run()
    assert "保留现有数据" in second
    assert "未重新评估" in second
    assert password not in second
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert County.objects.count() == 1
    assert School.objects.count() == demo.schools.height
    assert SchoolYearData.objects.count() == demo.schools.height
    assert Snapshot.objects.count() == 1
    assert ChangeLog.objects.count() == 0


def test_demo_command_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("JUNHENG_ADMIN_PASSWORD", "示范-口令-2026")
    output = _run()
    assert "密码：示范-口令-2026" in output
    assert get_user_model().objects.get(username="admin").check_password("示范-口令-2026")
