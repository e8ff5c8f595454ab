"""An import whose server process died (a timeout, a restart) must not show 正在校验 forever:
the next look at it marks it failed, with the reason in Chinese. A run another live process is
still checking is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from junheng.web.imports import services
from junheng.web.imports.models import ImportRun, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_superuser("clerk", "", "pw-均衡-2026")


def _run(user, worker: str, age: timedelta = timedelta(0)) -> ImportRun:
    run = ImportRun.objects.create(
        user=user,
        province="示范省",
        city="示范市",
        county_name="示范县",
        year="2026",
        files=["一校一册.xlsx"],
        worker=worker,
    )
    if age:
        ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - age)
        run.refresh_from_db()
    return run


def _ended_process_marker() -> str:
    """The marker of a process that ran on this host and has ended."""
    child = subprocess.Popen(["sleep", "30"])
    marker = f"{socket.gethostname()}:{child.pid}:{services._process_start(child.pid)}"
    child.kill()
    child.wait()
    return marker


def test_the_marker_names_this_host_and_process():
    host, pid, started = services.process_marker().split(":")
    assert host == socket.gethostname() and pid == str(os.getpid())
    assert started.isdigit()
    assert not services.worker_gone(services.process_marker())


def test_a_run_whose_process_ended_is_failed_with_a_chinese_reason(clerk):
    run = _run(clerk, _ended_process_marker())
    services.settle_interrupted([run])
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.get_status_display() == "处理中断，未导入"
    assert run.message.startswith("校验没有完成：处理这次上传的服务进程已经停止")
    assert run.finished_at is not None


def test_a_run_a_live_process_is_checking_is_left_alone(clerk):
    run = _run(clerk, services.process_marker())
    services.settle_interrupted([run])
    run.refresh_from_db()
    assert run.status == RunStatus.CHECKING and run.message == ""


def test_a_run_older_than_any_request_is_failed_whoever_checked_it(clerk, monkeypatch):
    monkeypatch.setenv("JUNHENG_TIMEOUT", "120")
    # 120 s of timeout + 60 s for the worker to be ended = 180 s; a process on another host
    # cannot be looked at, so only the age decides.
    elsewhere = "other-host:123:456"
    young = _run(clerk, elsewhere, age=timedelta(seconds=170))
    old = _run(clerk, elsewhere, age=timedelta(seconds=190))
    services.settle_interrupted([young, old])
    young.refresh_from_db()
    old.refresh_from_db()
    assert young.status == RunStatus.CHECKING
    assert old.status == RunStatus.FAILED


def test_a_finished_run_is_never_changed(clerk):
    run = _run(clerk, _ended_process_marker(), age=timedelta(days=1))
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.BLOCKED)
    run.refresh_from_db()
    services.settle_interrupted([run])
    run.refresh_from_db()
    assert run.status == RunStatus.BLOCKED


def test_the_run_page_shows_the_interruption_and_offers_a_new_upload(clerk):
    run = _run(clerk, _ended_process_marker())
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert "处理中断，未导入" in page
    assert "校验没有完成" in page and "未写入任何数据" in page
    assert "重新上传" in page
    assert "正在校验" not in page
