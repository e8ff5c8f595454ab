"""The real worker process (`junheng_worker`, as `junheng web` and the production unit start it)
on a database of its own: a job whose worker is killed with SIGKILL in the middle is failed
with its Chinese reason by the next worker and publishes nothing; a job that was waiting survives
the restart and is done by the next worker."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SET_UP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from junheng.demo import demo_county
from junheng.web.documents import services
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
load_dataset(demo_county(), "2026", province="示范省", city="示范市")
county, year = County.objects.get(), SchoolYear.objects.get()
user = get_user_model().objects.create_user("cadmin")
snapshot = run_evaluation(county, year, user)
books = services.start_job(county, year, "school_books", user, snapshot=snapshot)
tables = services.start_job(county, year, "tables", user, snapshot=snapshot)
print(json.dumps({"books": books.pk, "tables": tables.pk}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("JUNHENG_", "DATABASE_URL"))}
    return keep | {
        "DJANGO_SETTINGS_MODULE": "junheng.web.settings",
        "JUNHENG_SECRET_KEY": "worker-process-test-key-" + "x" * 40,
        "JUNHENG_VAR_DIR": str(tmp_path),
    }


def _worker(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "junheng.web.manage", "junheng_worker", "--verbosity", "0"]
    return subprocess.Popen(
        [*command, "--no-startup-delay", "--no-reload", *extra],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _job(db: Path, job_id: int) -> tuple[str, int, str]:
    with sqlite3.connect(db, timeout=30) as connection:
        row = connection.execute(
            "SELECT status, done, message FROM documents_job WHERE id = ?", (job_id,)
        ).fetchone()
    return row


def test_a_killed_worker_fails_its_job_and_the_next_worker_does_the_waiting_one(tmp_path):
    set_up = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SET_UP],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert set_up.returncode == 0, set_up.stderr
    jobs = json.loads(set_up.stdout.strip().splitlines()[-1])
    db = tmp_path / "junheng.sqlite3"

    worker = _worker(tmp_path)
    try:
        deadline = time.monotonic() + 180
        # killed while it writes the books: some schools done, not all
        while True:
            status, done, _ = _job(db, jobs["books"])
            if status == "running" and done >= 1:
                break
            assert worker.poll() is None, worker.stdout.read()
            assert status in ("queued", "running"), status
            assert time.monotonic() < deadline
            time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert _job(db, jobs["tables"])[0] == "queued"

    # the next worker: takes what is queued and ends (--batch)
    after = _worker(tmp_path, "--batch")
    output, _ = after.communicate(timeout=300)
    assert after.returncode == 0, output
    status, _, message = _job(db, jobs["books"])
    assert status == "failed"
    assert message.startswith("生成没有完成：处理这项任务的后台进程已经停止")
    assert _job(db, jobs["tables"])[0] == "done"
    with sqlite3.connect(db) as connection:
        published = connection.execute("SELECT job_id, path FROM documents_document").fetchall()
    assert [job for job, _ in published] == [jobs["tables"]]
    assert (tmp_path / "documents" / published[0][1]).is_file()
    # the killed job's half-written books were cleared with its work folder
    assert list((tmp_path / "documents" / "work").iterdir()) == []
