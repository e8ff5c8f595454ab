"""The queue's one task: run a document job by its id (the job row holds everything else)."""

from __future__ import annotations

from django_tasks import task

from junheng.web.documents import services


@task()
def run_document_job(job_id: int) -> None:
    services.run_job(job_id)
