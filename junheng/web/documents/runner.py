"""What a document job runs: the runners by kind, the context they get and what they return.

A runner is `runner(ctx) -> list[Produced]`: it writes files into `ctx.workdir`, reports its
progress through `ctx.progress` and returns the files to publish. `JobFailed` carries a reason for
the user; any other exception is logged and shown as a general failure. Nothing a runner wrote is
published unless it returns.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from junheng.web.documents.models import Job, JobKind

KINDS: dict[str, str] = {
    JobKind.SELF_EVALUATION: "junheng.web.documents.generate:self_evaluation",
    JobKind.SCHOOL_BOOKS: "junheng.web.documents.generate:school_books",
    JobKind.TABLES: "junheng.web.documents.generate:tables",
    JobKind.BULLETIN: "junheng.web.documents.generate:bulletin",
    JobKind.ARCHIVE: "junheng.web.archive.build:build_archive",
}
"""Kind → "module:function" of its runner (imported when a job of the kind runs)."""

# Progress is written at most this often (seconds): a job over 400 schools would otherwise
# write a row per school while the pages read it.
PROGRESS_INTERVAL = 0.5


class JobFailed(Exception):
    """A job that cannot produce its documents; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Produced:
    path: Path
    """A file the runner wrote inside its work folder."""
    filename: str
    """The name users download it as."""
    label: str
    """What it is, e.g. 自评报告（Word）."""


Runner = Callable[["JobContext"], list[Produced]]


def runner_for(kind: str) -> Runner:
    module, _, name = KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class JobContext:
    """A running job as its runner sees it."""

    def __init__(self, job: Job, workdir: Path) -> None:
        self.job = job
        self.workdir = workdir
        self._written = 0.0

    def progress(self, done: int, total: int, step: str = "") -> None:
        """Record how far the job is ("step：done / total" on the page); throttled."""
        now = time.monotonic()
        if done < total and now - self._written < PROGRESS_INTERVAL and step == self.job.step:
            return
        self._written = now
        self.job.done, self.job.total, self.job.step = done, total, step[:200]
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, step=step[:200])
