"""Starting, running, settling and publishing document jobs.

The queue is the database (django-tasks with its database backend): `start_job` records the job
and enqueues its task when the transaction commits; the worker process (`junheng_worker`) runs
`run_job`, which claims the job, runs its kind's runner in a private work folder and publishes
the files only when the runner returns. A job whose worker died is marked failed with its reason
the next time anyone looks (`settle_interrupted`) and when a worker starts.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from junheng.web.documents.models import ACTIVE, Document, Job, JobKind, JobStatus
from junheng.web.documents.runner import JobContext, JobFailed, Produced, runner_for
from junheng.web.evaluation.models import Snapshot
from junheng.web.imports.services import process_marker, worker_gone
from junheng.web.registry.models import County, SchoolYear

log = logging.getLogger(__name__)

BEAT_KEY = "documents:worker-beat"
STALLED_AFTER = timedelta(hours=2)
"""A running job older than this has certainly lost its worker (400 school books take minutes)."""
BEAT_EVERY = 15
"""Seconds between the worker's signs of life; a page says no worker runs after four missed."""

INTERRUPTED = (
    "生成没有完成：处理这项任务的后台进程已经停止（服务重启或进程被终止），没有生成任何文件。"
    "请重新生成；如果再次出现，请把时间告诉系统管理员，以便查看后台任务的日志。"
)
UNEXPECTED = (
    "生成时出现意外错误，没有生成任何文件。请稍后重试；如果再次出现，"
    "请把时间告诉系统管理员，以便查看后台任务的日志。"
)


class JobRefused(Exception):
    """A job that may not start now; the message is for the user."""


def documents_root() -> Path:
    """Where published documents and work folders live (`JUNHENG_DOCUMENTS_DIR`, else
    var/documents); readable by the server's user only."""
    configured = getattr(settings, "JUNHENG_DOCUMENTS_DIR", None)
    root = Path(configured or Path(settings.VAR_DIR) / "documents")
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


def start_job(
    county: County,
    year: SchoolYear,
    kind: str,
    user: AbstractBaseUser | None,
    *,
    snapshot: Snapshot | None = None,
    params: dict[str, Any] | None = None,
) -> Job:
    """Record a job and queue it; refused while a job of the kind runs for the county."""
    from junheng.web.documents.tasks import run_document_job

    label = JobKind(kind).label
    try:
        with transaction.atomic():
            job = Job.objects.create(
                county=county,
                year=year,
                kind=kind,
                snapshot=snapshot,
                params=params or {},
                requested_by=user,
            )
    except IntegrityError:
        running = Job.objects.filter(county=county, kind=kind, status__in=ACTIVE).first()
        who = ""
        if running is not None and running.requested_by is not None:
            user_name = running.requested_by.get_full_name() or running.requested_by.get_username()
            who = f"（{user_name} 发起）"
        raise JobRefused(f"{county.name}的{label}正在生成{who}，请等它完成后再生成。") from None
    transaction.on_commit(lambda: run_document_job.enqueue(job.pk))
    return job


def run_job(job_id: int) -> None:
    """Run one job in this process (the worker): claim, run, publish or record the failure."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=process_marker()
    )
    if not claimed:
        return  # settled meanwhile, or run by another worker
    job = Job.objects.select_related("county", "year", "snapshot", "requested_by").get(pk=job_id)
    workdir = documents_root() / "work" / f"job-{job.pk}-{uuid.uuid4().hex[:8]}"
    workdir.mkdir(parents=True)
    try:
        produced = runner_for(job.kind)(JobContext(job, workdir))
        _publish(job, produced)
    except JobFailed as exc:
        _fail(job, str(exc))
    except Exception:
        log.exception("文件生成任务 %s 出错", job.pk)
        _fail(job, UNEXPECTED)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, message=message, finished_at=timezone.now()
    )


def _publish(job: Job, produced: list[Produced]) -> None:
    """Move the files into the documents folder and list them, all or none."""
    folder = documents_root() / str(job.county_id)
    folder.mkdir(exist_ok=True)
    moved: list[Path] = []
    try:
        with transaction.atomic():
            for n, item in enumerate(produced, start=1):
                target = folder / f"{job.pk}-{n}-{uuid.uuid4().hex[:8]}{item.path.suffix}"
                os.replace(item.path, target)
                moved.append(target)
                Document.objects.create(
                    county=job.county,
                    year=job.year,
                    kind=job.kind,
                    job=job,
                    snapshot=job.snapshot,
                    data_fingerprint=job.snapshot.data_fingerprint if job.snapshot else "",
                    filename=item.filename,
                    label=item.label,
                    path=str(target.relative_to(documents_root())),
                    size=target.stat().st_size,
                    created_by=job.requested_by,
                )
            updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.DONE,
                finished_at=timezone.now(),
                done=job.total,
                step="已完成",
            )
            if not updated:
                # settled as interrupted while it ran (a clock far off, a stalled disk): the
                # user was told it failed, so nothing may appear
                raise JobFailed(INTERRUPTED)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


def document_path(document: Document) -> Path:
    return documents_root() / document.path


def _interrupted(job: Job, now: datetime) -> bool:
    if job.status != JobStatus.RUNNING:
        return False
    if job.worker and worker_gone(job.worker):
        return True
    # a worker on another host cannot be looked up: past any real job's length, it is gone
    return job.started_at is not None and job.started_at < now - STALLED_AFTER


def settle_interrupted(jobs: Iterable[Job]) -> None:
    """Mark running jobs whose worker process has ended as failed, with the reason."""
    now = timezone.now()
    for job in jobs:
        if not _interrupted(job, now):
            continue
        if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, message=INTERRUPTED, finished_at=timezone.now()
        ):
            job.status, job.message = JobStatus.FAILED, INTERRUPTED


def settle_all() -> None:
    """What a starting worker does first: every running job of a dead worker is failed, and a
    waiting job whose queue entry was taken by a worker that died before starting it is queued
    again (a restart loses no waiting job)."""
    from junheng.web.documents.tasks import run_document_job

    settle_interrupted(Job.objects.filter(status=JobStatus.RUNNING))
    _remove_orphaned_work()
    waiting = set(Job.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True))
    if not waiting:
        return
    for task in DBTaskResult.objects.ready().only("args_kwargs"):
        args = (task.args_kwargs or {}).get("args") or []
        waiting.discard(args[0] if args else None)
    for job_id in sorted(waiting):
        run_document_job.enqueue(job_id)


def _remove_orphaned_work() -> None:
    """Work folders of jobs that no longer run (a worker killed in the middle leaves its
    half-written files there; they were never published)."""
    work = documents_root() / "work"
    if not work.is_dir():
        return
    running = set(Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True))
    for folder in work.iterdir():
        job_id = folder.name.split("-")[1] if folder.name.startswith("job-") else ""
        if not (job_id.isdigit() and int(job_id) in running):
            shutil.rmtree(folder, ignore_errors=True)


def beat() -> None:
    """The worker's sign of life, read by `worker_running`."""
    cache.set(BEAT_KEY, timezone.now().isoformat(), timeout=BEAT_EVERY * 4)


def worker_running() -> bool:
    return cache.get(BEAT_KEY) is not None
