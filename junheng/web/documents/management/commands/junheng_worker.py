"""`junheng_worker`: the background worker that produces documents (django-tasks' database
worker, plus what Junheng needs around it).

Before taking jobs it fails the jobs a previous worker left running, and while it lives it
leaves a sign of life the pages read ("后台任务进程没有运行" otherwise). It runs at a lower
priority than the web server, so pages stay quick while 400 school books are written.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from junheng.web.documents import services

# Added to the process's nice value: generation is background work; page requests come first.
NICENESS = 10


def _beat_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        services.beat()
        stop.wait(services.BEAT_EVERY)


class Command(DatabaseWorker):
    help = "运行后台任务进程：生成报告、一校一册和创建档案（与网页服务一起运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
        services.settle_all()
        stop = threading.Event()
        threading.Thread(target=_beat_forever, args=(stop,), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
