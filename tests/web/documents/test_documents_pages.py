"""The 报告 page: who sees it, who may generate, what it lists (progress, failures, documents and
whether newer data exist), and downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web import clock
from junheng.web.accounts.models import Profile, Role
from junheng.web.documents import services
from junheng.web.documents.models import Document, Job, JobKind, JobStatus
from junheng.web.services import run_evaluation


def _url(ledger, name="documents:reports"):
    return reverse(name, args=[ledger["county"].pk, ledger["year"].label])


def _client(client, ledger, who):
    client.force_login(ledger["users"][who])
    return client


@pytest.mark.parametrize(
    ("who", "status", "manage"),
    [
        ("admin", 200, True),
        ("sysadmin", 200, True),
        ("leader", 200, False),
        ("inspector", 200, False),
        ("other_admin", 404, False),
        ("school", 404, False),
        ("edu", 404, False),
        ("nobody", 404, False),
    ],
)
def test_who_sees_the_page_and_who_may_generate(client, ledger, who, status, manage):
    response = _client(client, ledger, who).get(_url(ledger))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "示范县 2026学年 报告" in text
        assert ("生成自评报告" in text) is manage
        assert ("生成一校一册" in text) is manage
    posted = client.post(_url(ledger, "documents:generate"), {"kind": "tables"})
    if manage:
        assert posted.status_code == 302
        assert Job.objects.filter(kind=JobKind.TABLES, status=JobStatus.QUEUED).count() == 1
    else:
        assert posted.status_code == 404
        assert not Job.objects.exists()


def test_generate_runs_and_the_document_is_listed_and_downloaded(client, ledger):
    c = _client(client, ledger, "admin")
    response = c.post(_url(ledger, "documents:generate"), {"kind": "tables"}, follow=True)
    text = response.content.decode()
    assert "已开始生成评估附表" in text
    assert "排队中" in text and "等待后台进程处理" in text
    job = Job.objects.get()
    # the worker's side
    services.run_job(job.pk)
    text = c.get(_url(ledger)).content.decode()
    assert "示范县2026学年评估附表.xlsx" in text and "数据已更新" not in text
    # the evaluation it rests on, by time and data; the fingerprint is printed in the file only
    assert f"{clock.local(ledger['snapshot'].created_at):%Y-%m-%d %H:%M}" in text
    assert ledger["snapshot"].data_fingerprint[:8] not in text
    document = Document.objects.get()
    # a leader downloads it; a school user and another county's admin get 404
    download = reverse("documents:download", args=[document.pk])
    leader = _client(client, ledger, "leader").get(download)
    assert leader.status_code == 200
    assert "attachment" in leader["Content-Disposition"]
    assert b"".join(leader.streaming_content)[:2] == b"PK"
    for who in ("school", "other_admin", "edu"):
        denied = _client(client, ledger, who).get(download)
        assert denied.status_code == 404
    # a newer evaluation marks it: its numbers are no longer the latest
    run_evaluation(ledger["county"], ledger["year"], None)
    assert "数据已更新" in _client(client, ledger, "admin").get(_url(ledger)).content.decode()


def test_a_second_start_while_running_is_refused_in_chinese(client, ledger):
    c = _client(client, ledger, "admin")
    c.post(_url(ledger, "documents:generate"), {"kind": "school_books"})
    text = c.post(
        _url(ledger, "documents:generate"), {"kind": "school_books"}, follow=True
    ).content.decode()
    assert "示范县的一校一册正在生成（cadmin 发起），请等它完成后再生成。" in text
    assert Job.objects.count() == 1


def test_progress_failure_and_the_missing_worker_are_shown(client, ledger):
    c = _client(client, ledger, "admin")
    job = services.start_job(
        ledger["county"], ledger["year"], JobKind.SCHOOL_BOOKS, None, snapshot=ledger["snapshot"]
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        done=12,
        total=48,
        step="正在生成一校一册（学校）",
        worker=services.process_marker(),
    )
    fragment = c.get(_url(ledger, "documents:jobs")).content.decode()
    # 12 of 48 schools: a quarter
    assert "正在生成一校一册（学校）：12 / 48" in fragment
    assert 'value="25"' in fragment
    assert "hx-trigger" in fragment  # still polling
    assert "后台任务进程没有运行" in fragment  # no worker has signalled in this test
    services.beat()
    assert "后台任务进程没有运行" not in c.get(_url(ledger, "documents:jobs")).content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="数据已修改，请重新评估")
    last = c.get(_url(ledger, "documents:jobs"))
    assert "数据已修改，请重新评估" in last.content.decode()
    assert last["HX-Refresh"] == "true"  # the page reloads once to list the outcome


def test_without_a_snapshot_generation_says_to_evaluate_first(client, loaded, django_user_model):
    county, year = loaded
    user = django_user_model.objects.create_user("admin2", password="x-均衡-2026")
    Profile.objects.create(user=user, role=Role.COUNTY_ADMIN, county=county)
    client.force_login(user)
    c = client
    ledger = {"county": county, "year": year}
    text = c.get(_url(ledger)).content.decode()
    assert "本学年还没有评估结果" in text
    text = c.post(_url(ledger, "documents:generate"), {"kind": "tables"}, follow=True)
    assert "还没有评估结果：请先“重新评估”，再生成评估附表。" in text.content.decode()
    assert not Job.objects.exists()


def test_the_start_page_leads_a_county_user_to_their_county(client, ledger):
    response = _client(client, ledger, "leader").get(reverse("documents:start"))
    assert response.status_code == 302
    assert response["Location"] == _url(ledger)
    assert _client(client, ledger, "school").get(reverse("documents:start")).status_code == 404
