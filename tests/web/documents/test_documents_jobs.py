"""Document jobs: started once per kind and county, run by the worker's function, published only
on success, failed with a Chinese reason when the data moved or the worker died, and exact: the
published 附表 holds the snapshot's own numbers."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import docx
import openpyxl
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from junheng.core.schema import LEVEL_ZH
from junheng.web.collection.models import SchoolYearData, SegmentData, Status
from junheng.web.documents import generate, services
from junheng.web.documents.models import Document, Job, JobKind, JobStatus
from junheng.web.services import run_evaluation


def _start(ledger, kind, **kw):
    return services.start_job(
        ledger["county"], ledger["year"], kind, ledger["users"]["admin"], **kw
    )


def test_a_job_is_queued_once_per_kind_and_county(ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(ledger, JobKind.TABLES, snapshot=ledger["snapshot"])
    assert job.status == JobStatus.QUEUED
    # the queue holds one task naming the job
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [job.pk]
    with pytest.raises(services.JobRefused, match="评估附表正在生成（cadmin 发起）"):
        _start(ledger, JobKind.TABLES, snapshot=ledger["snapshot"])
    # another kind may run beside it
    _start(ledger, JobKind.BULLETIN)
    services.run_job(job.pk)
    # finished: the same kind may start again
    again = _start(ledger, JobKind.TABLES, snapshot=ledger["snapshot"])
    assert again.pk != job.pk


def test_tables_hold_the_snapshots_numbers(ledger, documents_dir):
    snapshot = ledger["snapshot"]
    job = _start(ledger, JobKind.TABLES, snapshot=snapshot)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    document = Document.objects.get(job=job)
    assert document.filename == "示范县2026学年评估附表.xlsx"
    assert document.snapshot == snapshot
    assert document.data_fingerprint == snapshot.data_fingerprint
    path = services.document_path(document)
    assert path.is_file() and path.stat().st_size == document.size
    sheet = openpyxl.load_workbook(path)["差异系数表"]
    rows = list(sheet.iter_rows(values_only=True))
    # the title lines name the evaluation and the data's fingerprint
    header = " ".join(str(v) for r in rows[:3] for v in r if v)
    assert f"数据指纹 {snapshot.data_fingerprint[:8]}" in header
    assert "的评估结果（全部数据）" in header
    head_at = next(i for i, r in enumerate(rows) if r and "差异系数" in r and "学段" in r)
    columns = rows[head_at]
    level_col, item_col, cv_col = (columns.index(h) for h in ("学段", "指标", "差异系数"))
    found = {(r[level_col], r[item_col]): r[cv_col] for r in rows[head_at + 1 :] if r[item_col]}
    expected = {
        (LEVEL_ZH[level], item): cv["cv"]
        for level, items in snapshot.result["balance"].items()
        for item, cv in items.items()
        if cv.get("applicable", True)
    }
    # Excel keeps 15-16 significant digits (0.19793808888388714 is written 0.1979380888838871)
    assert expected and {k: found[k] for k in expected} == pytest.approx(expected, rel=1e-15)
    # the work folder is gone, only the published file stays
    assert sorted(p.name for p in documents_dir.iterdir()) == [str(ledger["county"].pk), "work"]
    assert list((documents_dir / "work").iterdir()) == []


def test_data_changed_after_the_snapshot_fails_the_job_and_publishes_nothing(ledger):
    snapshot = ledger["snapshot"]
    row = SegmentData.objects.filter(year=ledger["year"], school__county=ledger["county"])
    row = row.order_by("school_id", "level").first()
    # one more student in one segment after the run: not the data that were evaluated
    SegmentData.objects.filter(pk=row.pk).update(students=row.students + 1)
    job = _start(ledger, JobKind.TABLES, snapshot=snapshot)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == generate.CHANGED.format(county="示范县", year="2026")
    assert "重新评估" in job.message
    assert not Document.objects.exists()


def test_an_approved_only_snapshot_is_reproduced_exactly(ledger):
    data = SchoolYearData.objects.filter(year=ledger["year"], school__county=ledger["county"])
    data.update(status=Status.APPROVED)
    # two schools without a central school or teaching points are left unapproved
    waiting = list(
        data.filter(school__parent__isnull=True, school__teaching_points__isnull=True)
        .order_by("school_id")
        .values_list("school__school_id", flat=True)[:2]
    )
    data.filter(school__school_id__in=waiting).update(status=Status.SUBMITTED)
    snapshot = run_evaluation(ledger["county"], ledger["year"], None, approved_only=True)
    assert {r["school_id"] for r in snapshot.unapproved} == set(waiting)
    dataset, evaluation = generate.snapshot_evaluation(snapshot)
    assert set(waiting).isdisjoint(set(dataset.schools.get_column("school_id")))
    assert dataset.schools.height == data.count() - 2
    assert evaluation.counties == ["示范县"]


def test_a_runner_error_fails_the_job_with_a_general_reason(ledger, monkeypatch):
    def broken(ctx):
        (ctx.workdir / "half.docx").write_bytes(b"half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "runner_for", lambda kind: broken)
    job = _start(ledger, JobKind.TABLES, snapshot=ledger["snapshot"])
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == services.UNEXPECTED
    assert "disk on fire" not in job.message
    assert not Document.objects.exists()


def test_a_job_whose_worker_died_is_failed_with_the_reason(ledger):
    job = _start(ledger, JobKind.SCHOOL_BOOKS, snapshot=ledger["snapshot"])
    # a process of this host that has ended: pid 1's start time never matches "1"
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=f"{os.uname().nodename}:999999999:1"
    )
    services.settle_all()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == services.INTERRUPTED
    # a running job of a live worker (this process) is left alone
    live = _start(ledger, JobKind.SCHOOL_BOOKS, snapshot=ledger["snapshot"])
    Job.objects.filter(pk=live.pk).update(
        status=JobStatus.RUNNING, worker=services.process_marker()
    )
    services.settle_all()
    live.refresh_from_db()
    assert live.status == JobStatus.RUNNING


def test_school_books_report_progress_per_school(ledger, monkeypatch):
    seen = []
    original = services.JobContext.progress

    def spy(self, done, total, step=""):
        seen.append((done, total))
        original(self, done, total, step)

    monkeypatch.setattr(services.JobContext, "progress", spy)
    job = _start(ledger, JobKind.SCHOOL_BOOKS, snapshot=ledger["snapshot"])
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    document = Document.objects.get(job=job)
    books = zipfile.ZipFile(io.BytesIO(services.document_path(document).read_bytes()))
    names = books.namelist()
    # every book names the evaluation and the data it was made from
    first = docx.Document(io.BytesIO(books.read(names[0])))
    text = "\n".join(p.text for p in first.paragraphs)
    assert f"数据指纹 {ledger['snapshot'].data_fingerprint[:8]}" in text
    in_scope = {s["school_id"] for s in ledger["snapshot"].result["segments"] if s.get("in_scope")}
    assert len(names) == len(in_scope) > 0
    # one progress call per school, ending at total
    school_steps = [d for d, t in seen if t == len(in_scope)]
    assert school_steps[-1] == len(in_scope) and school_steps[0] == 0
    assert (job.done, job.total) == (len(in_scope), len(in_scope))


def test_a_waiting_job_whose_queue_entry_was_lost_is_queued_again(
    ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(ledger, JobKind.TABLES, snapshot=ledger["snapshot"])
        kept = _start(ledger, JobKind.BULLETIN)
    # a worker took the first job's entry and died before starting it
    DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).update(status="RUNNING")
    services.settle_all()
    ready = sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.ready())
    assert ready == sorted([job.pk, kept.pk])
    services.settle_all()  # nothing queued twice
    assert DBTaskResult.objects.ready().count() == 2


def test_a_job_running_far_too_long_on_another_host_is_failed(ledger):
    job = _start(ledger, JobKind.SCHOOL_BOOKS, snapshot=ledger["snapshot"])
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker="another-host:1234:999",
        started_at=now - services.STALLED_AFTER + dt.timedelta(minutes=1),
    )
    services.settle_all()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # a minute short of the limit: still running
    Job.objects.filter(pk=job.pk).update(
        started_at=now - services.STALLED_AFTER - dt.timedelta(minutes=1)
    )
    services.settle_all()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == services.INTERRUPTED
