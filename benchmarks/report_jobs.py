"""Report jobs benchmark: the 自评报告 and 一校一册 of a 400-school county through the web's job
queue, against the command line's writers in the same run, and the county overview's response
times while 一校一册 is generated.

Run from the project root:

    .venv/bin/python benchmarks/report_jobs.py [--segments 420] [--requests 200]
        [--concurrency 4] [--no-pdf] [--quick] [--database-url URL] [--json]

What it does, in order:

1. Database: SQLite in a temporary data folder (or `--database-url`, e.g. PostgreSQL, recreated
   and dropped afterwards as benchmarks/web.py does). The synthetic county of
   benchmarks/reports.py (`national_dataset(counties=1, segments_per_county=420, seed=5)`, about
   400 schools) is loaded with `load_dataset`, evaluated with `run_evaluation` (a snapshot), its
   boards rendered as after an evaluation, and a county administrator given a session.
2. Command-line baseline, in this process on the snapshot's evaluation: `write_self_evaluation`
   (Word only; with LibreOffice installed also Word then PDF) and `write_school_books` on both
   cores, timed.
3. Through the queue: `start_job` as the county administrator, then a worker process
   (`junheng_worker --batch`, as the site's worker runs it, lower priority included); the time
   runs from the enqueue to the job read back as 已完成. The 自评报告 without PDF (target 15 s),
   with PDF when LibreOffice is installed, and 一校一册 (target 90 s). Each time is printed with
   its part waiting for the worker to start, its target and its ratio to the command line's.
4. Responsiveness: gunicorn with the deployment's configuration on a free loopback port, the
   county overview requested by `--concurrency` clients of the logged-in administrator: first
   with no job (baseline), then while a 一校一册 job runs in a worker. p50 and p95 of both and
   the ratio of the p95s.

Exit status 0 when every job finished (已完成, with its documents) and every request answered 200;
the timings are reported, never asserted (they depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import archive as bench_archive  # benchmarks/ is not a package
import web as bench_web

ROOT = bench_web.ROOT
TARGETS_S = {
    "self_evaluation": 15.0,
    "self_evaluation_pdf": None,
    "school_books": 90.0,
    "archive": 60.0,
}
LABELS = {
    "self_evaluation": "自评报告 (Word)",
    "self_evaluation_pdf": "自评报告 (Word + PDF)",
    "school_books": "一校一册, both cores",
    "archive": "创建档案",
}
UPLOAD_BATCH = 10  # files per upload, the evidence limit
CITY = "基准市01"
YEAR = str(bench_web.FIRST_YEAR)
POLL_S = 0.1
JOB_TIMEOUT_S = 900

Log = Callable[[str], None]


# ---- the county ----------------------------------------------------------------------------


def build_county(segments: int, log: Log) -> dict[str, Any]:
    """Load and evaluate the synthetic county; its snapshot and administrator's session."""
    from junheng.demo import national_dataset
    from junheng.web.registry.models import County, School, SchoolYear
    from junheng.web.services import load_dataset, run_evaluation

    dataset = national_dataset(counties=1, segments_per_county=segments, seed=5)
    started = time.perf_counter()
    load_dataset(dataset, YEAR, province=bench_web.PROVINCE, city=CITY)
    load_s = time.perf_counter() - started
    county = County.objects.get(city__province__name=bench_web.PROVINCE)
    year = SchoolYear.objects.get(label=YEAR)
    started = time.perf_counter()
    snapshot = run_evaluation(county, year, None)
    evaluate_s = time.perf_counter() - started
    schools = School.objects.filter(county=county).count()
    log(f"  loaded {schools} schools in {load_s:.1f} s, evaluated in {evaluate_s:.1f} s")
    bench_web.warm_all_boards(log)
    sessions = bench_web.create_sessions()
    user, session = sessions["admins"][county.pk]
    return {
        "county": county,
        "year": year,
        "snapshot": snapshot,
        "user": user,
        "session": session,
        "schools": schools,
        "load_s": load_s,
        "evaluate_s": evaluate_s,
    }


# ---- the command line's writers --------------------------------------------------------------


def cli_baseline(built: dict[str, Any], work: Path, pdf: bool, log: Log) -> dict[str, Any]:
    """The report writers as the command line calls them, on the snapshot's evaluation."""
    from junheng.reports.pdf import to_pdf
    from junheng.reports.school_book import write_school_books
    from junheng.reports.self_evaluation import write_self_evaluation
    from junheng.web.documents.generate import snapshot_evaluation

    started = time.perf_counter()
    dataset, evaluation = snapshot_evaluation(built["snapshot"])
    reevaluate_s = time.perf_counter() - started
    name = built["county"].name
    steps = {
        "self_evaluation": lambda: write_self_evaluation(
            evaluation, name, work / "自评报告.docx", dataset=dataset
        ),
        "self_evaluation_pdf": lambda: to_pdf(
            write_self_evaluation(evaluation, name, work / "自评报告.docx", dataset=dataset),
            work / "pdf",
        ),
        "school_books": lambda: write_school_books(
            evaluation, name, work / "books", dataset=dataset, workers=2
        ),
    }
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    books: Any = []
    for key, step in steps.items():
        if key == "self_evaluation_pdf" and not pdf:
            continue
        started, cpu_started = time.perf_counter(), cpu_seconds()
        books = step()
        times[key] = time.perf_counter() - started
        cpu[key] = cpu_seconds() - cpu_started
    log(f"  command line: {', '.join(f'{k} {v:.1f} s' for k, v in times.items())}")
    return {"seconds": times, "cpu_seconds": cpu, "books": len(books), "reevaluate_s": reevaluate_s}


def cpu_seconds(*, children_only: bool = False) -> float:
    """CPU time (user + system) of this process and of its children that have ended (the book
    writers' pool, LibreOffice, a worker): unlike the wall time, not stretched by other work on
    the machine, nor by the worker's lower priority."""
    total = 0.0
    for who in (
        (resource.RUSAGE_CHILDREN,)
        if children_only
        else (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    ):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


# ---- jobs through the queue ------------------------------------------------------------------


def _worker_environment(database_url: str) -> dict[str, str]:
    return {**os.environ, **bench_web._environment(database_url)}


def start_worker(database_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    """The site's worker as its unit runs it, taking what is queued and then ending."""
    command = [
        sys.executable,
        "-m",
        "junheng.web.manage",
        "junheng_worker",
        "--batch",
        "--no-startup-delay",
        "--verbosity",
        "0",
    ]
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=_worker_environment(database_url),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def _finished(job_id: int) -> bool:
    from junheng.web.documents.models import ACTIVE, Job

    return not Job.objects.filter(pk=job_id, status__in=ACTIVE).exists()


def wait_for(job_id: int, worker: subprocess.Popen[bytes], statuses: set[str]) -> float:
    """Poll the job's row until its status is one of `statuses` or it is finished (a job may
    pass through a status between two polls); the time it was seen."""
    from junheng.web.documents.models import ACTIVE, Job

    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        ended = worker.poll() is not None
        status = Job.objects.values_list("status", flat=True).get(pk=job_id)
        if status in statuses or status not in ACTIVE:
            return time.perf_counter()
        if ended:  # read before the status: a worker that ended after finishing is no error
            raise SystemExit(f"the worker ended ({worker.returncode}) with job {job_id} unfinished")
        time.sleep(POLL_S)
    raise SystemExit(f"job {job_id} did not finish within {JOB_TIMEOUT_S} s")


def enqueue(built: dict[str, Any], kind: str, params: dict[str, Any]) -> Any:
    from junheng.web.documents import services

    return services.start_job(
        built["county"],
        built["year"],
        kind,
        built["user"],
        snapshot=built["snapshot"],
        params=params,
    )


def _files_in(document: Any) -> int:
    """Files packed in a published zip (the books of 一校一册), 1 for any other document."""
    from junheng.web.documents.services import document_path

    path = document_path(document)
    if path.suffix != ".zip":
        return 1
    with zipfile.ZipFile(path) as archive:
        return sum(1 for info in archive.infolist() if not info.is_dir())


def job_result(job_id: int, seconds: float) -> dict[str, Any]:
    """What the job's row and its documents say, with the time measured from outside."""
    from junheng.web.documents.models import Document, Job, JobStatus

    job = Job.objects.get(pk=job_id)
    documents = list(Document.objects.filter(job=job).order_by("pk"))
    return {
        "job": job.pk,
        "status": job.get_status_display(),
        "done": job.status == JobStatus.DONE and bool(documents),
        "message": job.message,
        "seconds": seconds,
        "waiting_s": (job.started_at - job.created_at).total_seconds() if job.started_at else None,
        "running_s": (
            (job.finished_at - job.started_at).total_seconds()
            if job.started_at and job.finished_at
            else None
        ),
        "documents": [
            {"filename": d.filename, "label": d.label, "size": d.size, "files": _files_in(d)}
            for d in documents
        ],
    }


def upload_evidence(built: dict[str, Any], count: int, work: Path) -> dict[str, Any]:
    """`count` made-up evidence files (PDF, JPEG, Word) uploaded through the archive's own upload
    (the evidence checks and store), spread over every requirement of the standard, ten at a
    time; and a plain zip of the same files as the archive's baseline."""
    import random

    from junheng.web.archive import services as archive

    rng = random.Random(11)
    slots = [
        (item, requirement.key)
        for item in archive.requirement_set(built["county"], built["year"]).items.values()
        for requirement in item.requirements
    ]
    made = []
    for i in range(count):
        size = rng.randint(2048, 8192)
        if i % 3 == 0:
            data, suffix = bench_archive._pdf(rng.randint(1, 12), size), "pdf"
        elif i % 3 == 1:
            data, suffix = bench_archive._jpeg(rng, size), "jpg"
        else:
            data, suffix = (
                bench_archive._docx(rng.randint(1, 30), "佐证材料" * (size // 12)),
                "docx",
            )
        made.append((f"材料{i:04d}.{suffix}", data))
    started = time.perf_counter()
    for n in range(0, count, UPLOAD_BATCH):
        batch = made[n : n + UPLOAD_BATCH]
        item, key = slots[(n // UPLOAD_BATCH) % len(slots)]
        files = [_Upload(name, data) for name, data in batch]
        archive.upload(built["county"], built["year"], item, key, files, "", built["user"])
    uploaded_s = time.perf_counter() - started
    started = time.perf_counter()
    with zipfile.ZipFile(work / "plain.zip", "w", zipfile.ZIP_DEFLATED) as plain:
        for name, data in made:
            plain.writestr(name, data)
    return {"files": count, "upload_s": uploaded_s, "plain_zip_s": time.perf_counter() - started}


class _Upload:
    """An uploaded file as the evidence store reads it (Django's UploadedFile offers the same)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.size, self._data = name, len(data), data

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return [self._data]


def run_queued(
    built: dict[str, Any], kind: str, params: dict[str, Any], database_url: str, var: Path
) -> dict[str, Any]:
    """One job from its enqueue to 已完成 (or 失败), in a worker started after the enqueue."""
    from junheng.web.documents.models import JobStatus

    started, cpu_started = time.perf_counter(), cpu_seconds(children_only=True)
    job = enqueue(built, kind, params)
    worker = start_worker(database_url, var / "worker.log")
    seen = wait_for(job.pk, worker, {JobStatus.DONE, JobStatus.FAILED})
    worker.wait(timeout=120)
    # the worker's CPU, its start (Django, imports) and its pool's included
    return job_result(job.pk, seen - started) | {
        "cpu_seconds": cpu_seconds(children_only=True) - cpu_started
    }


# ---- responsiveness --------------------------------------------------------------------------


def deployment_workers() -> int:
    """gunicorn's workers on this machine by default (junheng/web/gunicorn.conf.py)."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def _merge(runs: list[bench_web.PageRun]) -> bench_web.PageRun:
    merged = bench_web.PageRun()
    for run in runs:
        merged.seconds += run.seconds
        merged.errors += run.errors
        merged.error_samples += run.error_samples[: max(0, 3 - len(merged.error_samples))]
        merged.connections += run.connections
        merged.wall += run.wall
    return merged


def responsiveness(
    built: dict[str, Any], args: argparse.Namespace, database_url: str, var: Path, log: Log
) -> dict[str, Any]:
    """The overview's p50/p95 without a job, then while a 一校一册 job runs."""
    from django.db import connections

    from junheng.web.documents.models import JobStatus

    path = bench_web._page_paths(built["county"].pk, YEAR)["overview"] or ""
    request = (path, built["session"])
    server = bench_web.Server(
        port=bench_web._free_port(),
        workers=deployment_workers(),
        worker_class="sync",
        threads=1,
    )
    connections.close_all()

    def rounds(count: int | None, until: Callable[[], bool] = lambda: False) -> bench_web.PageRun:
        # every client asks for the page at once, then all read it for `--think` seconds: the
        # same pattern with and without the job, so the two p95 compare
        runs: list[bench_web.PageRun] = []
        while (count is None or len(runs) < count) and not until():
            runs.append(
                bench_web.load_page(server.port, [request] * args.concurrency, args.concurrency, 0)
            )
            time.sleep(args.think)
        return _merge(runs)

    server.start(database_url)
    try:
        # each gunicorn worker's first views load the code and the boards: not measured
        bench_web.load_page(server.port, [request] * args.warmup, args.concurrency, args.warmup)
        idle = rounds(-(-args.requests // args.concurrency))
        log(f"  overview without a job: {len(idle.seconds)} requests")
        started = time.perf_counter()
        job = enqueue(built, "school_books", {})
        worker = start_worker(database_url, var / "worker.log")
        # measured from the moment the worker has claimed the job until it is finished
        wait_for(job.pk, worker, {JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED})
        busy = rounds(None, until=lambda: _finished(job.pk))
        seen = time.perf_counter()
        worker.wait(timeout=120)
        log(f"  overview during 一校一册: {len(busy.seconds)} requests")
    finally:
        server.stop()
    idle_stats, busy_stats = bench_web._stats(idle), bench_web._stats(busy)
    return {
        "path": path,
        "workers": server.workers,
        "concurrency": args.concurrency,
        "think_s": args.think,
        "idle": idle_stats,
        "during_job": busy_stats,
        "p95_ratio": busy_stats["p95_ms"] / idle_stats["p95_ms"],
        "job": job_result(job.pk, seen - started),
    }


# ---- the benchmark ---------------------------------------------------------------------------


def run_benchmark(args: argparse.Namespace, var: Path, log: Log) -> dict[str, Any]:
    from junheng.reports.pdf import pdf_available

    database_url = args.database_url or f"sqlite:///{var / 'bench.sqlite3'}"
    bench_web._recreate_database(database_url)
    shutil.rmtree(bench_web.cache_dir(database_url), ignore_errors=True)
    bench_web._setup_django(database_url)
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        log(f"Building the county ({args.segments} segments) in {urlsplit(database_url).scheme}")
        built = build_county(args.segments, log)
        pdf = not args.no_pdf and pdf_available()
        load_start = os.getloadavg()
        cli = cli_baseline(built, var / "cli", pdf, log)
        jobs: dict[str, Any] = {}
        kinds = [("self_evaluation", "self_evaluation", {"pdf": False})]
        if pdf:
            kinds.append(("self_evaluation_pdf", "self_evaluation", {"pdf": True}))
        kinds.append(("school_books", "school_books", {}))
        for key, kind, params in kinds:
            jobs[key] = run_queued(built, kind, params, database_url, var)
            jobs[key]["target_s"] = TARGETS_S[key]
            jobs[key]["cli_s"] = cli["seconds"][key]
            jobs[key]["ratio"] = jobs[key]["seconds"] / cli["seconds"][key]
            jobs[key]["cli_cpu_s"] = cli["cpu_seconds"][key]
            jobs[key]["cpu_ratio"] = jobs[key]["cpu_seconds"] / cli["cpu_seconds"][key]
            log(f"  job {key}: {jobs[key]['status']} in {jobs[key]['seconds']:.1f} s")
        log(f"Uploading {args.evidence} evidence files to the archive")
        evidence = upload_evidence(built, args.evidence, var)
        # the 一校一册 published above is reused; the job writes the 自评报告 and 附表 again
        archived = run_queued(built, "archive", {}, database_url, var)
        archived |= {"target_s": TARGETS_S["archive"], "evidence": evidence}
        archived["ratio"] = archived["seconds"] / evidence["plain_zip_s"]
        log(f"  job archive: {archived['status']} in {archived['seconds']:.1f} s")
        responsive = responsiveness(built, args, database_url, var, log)
    finally:
        bench_web.drop_database(database_url)
    responsive["job"]["alone_s"] = jobs["school_books"]["seconds"]
    worker_log = (var / "worker.log").read_text(errors="replace")
    all_jobs = [*jobs.values(), responsive["job"], archived]
    errors = responsive["idle"]["errors"] + responsive["during_job"]["errors"]
    load = os.getloadavg()
    return {
        "database": urlsplit(database_url).scheme,
        "cpus": os.cpu_count(),
        "load_average_start": list(load_start),
        "load_average_end": list(load),
        "schools": built["schools"],
        "books": cli["books"],
        "build": {"load_s": built["load_s"], "evaluate_s": built["evaluate_s"]},
        "reevaluate_s": cli["reevaluate_s"],
        "pdf": pdf,
        "pdf_available": pdf_available(),
        "jobs": jobs,
        "archive": archived,
        "responsiveness": responsive,
        "worker_log": worker_log[-2000:],
        "errors": errors,
        "ok": errors == 0 and all(j["done"] for j in all_jobs),
    }


def _pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def format_report(result: dict[str, Any]) -> str:
    start = " / ".join(f"{x:.2f}" for x in result["load_average_start"])
    load = " / ".join(f"{x:.2f}" for x in result["load_average_end"])
    build = result["build"]
    lines = [
        f"Report jobs benchmark ({result['database']}): one county of {result['schools']} schools, "
        f"{result['books']} with a 一校一册",
        f"Machine: {result['cpus']} CPUs; load average (1/5/15 min) {start} at start, "
        f"{load} at end",
        f"County build: load_dataset {build['load_s']:.1f} s, run_evaluation "
        f"{build['evaluate_s']:.1f} s; the snapshot re-evaluated in {result['reevaluate_s']:.1f} s "
        "(each job does it before writing)",
        "",
        "Through the queue (enqueue → 已完成, worker started after the enqueue) against the "
        "command line's writer in this process; wall time, of which the worker's start, and CPU "
        "time (the worker at its lower priority waits for any other work on the machine; CPU "
        "time does not):",
        f"{'':24}{'web':>9}{'start':>9}{'target':>12}{'CLI':>9}{'web/CLI':>9}"
        f"{'CPU web':>11}{'CPU CLI':>10}{'web/CLI':>9}",
    ]
    for key, job in result["jobs"].items():
        target = job["target_s"]
        mark = f"< {target:.0f} s {_mark(job['seconds'] < target)}" if target else "—"
        lines.append(
            f"{_pad(LABELS[key], 24)}{job['seconds']:>7.1f} s{job['waiting_s'] or 0:>7.1f} s"
            f"{mark:>12}{job['cli_s']:>7.1f} s{job['ratio']:>8.2f}×"
            f"{job['cpu_seconds']:>9.1f} s{job['cli_cpu_s']:>8.1f} s{job['cpu_ratio']:>8.2f}×"
            f"   {job['status']}"
        )
        if job["message"]:
            lines.append(f"    {job['message']}")
    if not result["pdf"]:
        reason = "LibreOffice is not installed" if not result["pdf_available"] else "--no-pdf"
        lines.append(f"自评报告 with PDF not timed: {reason}")
    else:
        lines.append("自评报告 with PDF: LibreOffice (soffice) converts the Word file in both runs")
    archived = result["archive"]
    evidence = archived["evidence"]
    lines += [
        "",
        f"创建档案 of {evidence['files']} evidence files (uploaded through the archive's checks in "
        f"{evidence['upload_s']:.1f} s; the published 一校一册 reused, the 自评报告 and 附表 "
        "written again):",
        f"{_pad(LABELS['archive'], 24)}{archived['seconds']:>7.1f} s   target < "
        f"{archived['target_s']:.0f} s {_mark(archived['seconds'] < archived['target_s'])}   "
        f"{archived['status']}",
        f"plain zip of the same files {evidence['plain_zip_s']:.2f} s; archive job / plain zip "
        f"{archived['ratio']:.0f}×",
    ]
    if archived["message"]:
        lines.append(f"    {archived['message']}")
    responsive = result["responsiveness"]
    idle, busy, job = responsive["idle"], responsive["during_job"], responsive["job"]
    lines += [
        "",
        f"County overview over HTTP (gunicorn, {responsive['workers']} sync workers, "
        f"{responsive['concurrency']} clients of the county's administrator, each every "
        f"{responsive['think_s']:g} s after its answer):",
        f"{'':22}{'requests':>9}{'p50':>10}{'p95':>10}{'max':>10}{'errors':>8}",
    ]
    for label, stats in (("no job (baseline)", idle), ("during 一校一册", busy)):
        lines.append(
            f"{_pad(label, 22)}{stats['requests']:>9}{stats['p50_ms']:>8.1f}ms"
            f"{stats['p95_ms']:>8.1f}ms{stats['max_ms']:>8.0f}ms{stats['errors']:>8}"
        )
        for sample in stats["error_samples"]:
            lines.append(f"    e.g. {sample}")
    lines += [
        f"p95 during the job / baseline: {responsive['p95_ratio']:.2f}×",
        f"一校一册 while the overview is requested: {job['seconds']:.1f} s "
        f"({job['status']}; alone {job['alone_s']:.1f} s, "
        f"{job['seconds'] / job['alone_s']:.2f}×)",
    ]
    if not result["ok"]:
        lines += ["", "Worker log (end):", result["worker_log"]]
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--segments", type=int, default=420, help="segments of the county")
    parser.add_argument("--requests", type=int, default=200, help="measured baseline requests")
    parser.add_argument("--concurrency", type=int, default=4, help="clients at once")
    parser.add_argument(
        "--think", type=float, default=0.5, help="seconds between a client's requests"
    )
    parser.add_argument("--warmup", type=int, default=None, help="unmeasured requests")
    parser.add_argument("--no-pdf", action="store_true", help="do not time the PDF conversion")
    parser.add_argument("--evidence", type=int, default=1000, help="evidence files archived")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument("--quick", action="store_true", help="a small run for the test suite")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.segments, args.requests, args.concurrency, args.no_pdf = 40, 20, 2, True
        args.evidence = 30
        args.think = 0.2
    if args.warmup is None:
        # a few views per gunicorn worker (the deployment's count on this machine)
        args.warmup = 3 * deployment_workers() + 2 * args.concurrency
    if min(args.segments, args.requests, args.concurrency) < 1:
        parser.error("sizes and counts must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every job finished and every request answered 200."""
    args = _parse(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    var = Path(tempfile.mkdtemp(prefix="junheng-report-jobs-"))
    # the worker and the server read the same data folder (documents, secret-less settings)
    os.environ["JUNHENG_VAR_DIR"] = str(var)
    try:
        result = run_benchmark(args, var, log)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    print(json.dumps(result, indent=2, default=str) if args.json else format_report(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
