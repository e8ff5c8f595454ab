"""Public progress page benchmark: 50 concurrent visitors on `/p/<address>/`, served from the
cache by the deployment's gunicorn, against the login page in the same run.

Run from the project root:

    .venv/bin/python benchmarks/public_page.py [--requests 3000] [--concurrency 50]
        [--workers N] [--database-url URL] [--keep-db] [--quick] [--json]

What it does, in order:

1. Database: drops and recreates `junheng_public_bench` on the local PostgreSQL server (never the
   test database), migrates it and loads the demo county; evaluates it, draws its problem list,
   gives it an organisation with people (names and phones), a task per problem with a 责任人
   and a 包保领导, every third problem closed, a plan with three phases and milestones; the
   county publishes its page with per-school figures and its weekly and monthly bulletins.
2. In this process (Django's test client, same database and cache folder as the server): the
   SQL queries of a first and a second request (the second must make none), the page checked
   for every name and phone of the organisation; then the page rendered anew (`render_page`,
   what a visitor waits for after a change) against the cached answer (`cached_page`),
   sequential medians.
3. Load: gunicorn with the project's configuration (`junheng/web/gunicorn.conf.py`, sync
   workers, two per core plus one) on a free loopback port, as `benchmarks/web.py` starts it;
   `--concurrency` client threads with keep-alive connections request the login page (the
   floor: a template, no database work, through the same middleware) and the public page,
   `--requests` measured requests each after a warm-up. Per page: p50, p95 (next to the 50 ms
   target), max, requests per second, errors; the public page's p95 as a ratio of the login
   page's.

Exit status 0 when every request succeeded, the second request made no query and no name or
phone was found; the timings are reported, never asserted (they depend on the machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the sibling benchmark is a script, found through sys.path
from web import (
    PageRun,
    Server,
    _free_port,
    _recreate_database,
    _setup_django,
    _stats,
    drop_database,
    load_page,
    postgres_reachable,
)

DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/junheng_public_bench"
TARGET_P95_MS = 50.0
SLUG = "demo-county"
PEOPLE = (("欧阳明珠", "13912345678"), ("司马光辉", "0731-88886666"), ("诸葛县长", "18800001111"))
LEADER = "上官婉清"
READING_SECONDS = (0.5, 1.5)
"""How long a visitor reads between two requests (uniformly drawn): 50 visitors ask for about 50
pages a second."""


def build_county(log: Callable[[str], None]) -> dict[str, Any]:
    """The demo county evaluated, with its ledger, plan, organisation and published page."""
    from django.contrib.auth import get_user_model

    from junheng.demo import DEMO_COUNTY, demo_county
    from junheng.web import clock
    from junheng.web.public import services as public
    from junheng.web.public.models import PublicPage
    from junheng.web.rectification import reports
    from junheng.web.rectification import services as ledger
    from junheng.web.rectification.models import (
        Milestone,
        Person,
        Phase,
        PhaseKind,
        Plan,
        Problem,
        ProblemStatus,
        Task,
        Unit,
        UnitKind,
    )
    from junheng.web.registry.management.commands.junheng_demo import (
        DEMO_CITY,
        DEMO_PROVINCE,
        DEMO_YEAR,
    )
    from junheng.web.registry.models import County, School, SchoolYear
    from junheng.web.services import load_dataset, run_evaluation

    started = time.perf_counter()
    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    snapshot = run_evaluation(county, year, None)
    admin = get_user_model().objects.create_user("bench-public-admin", first_name=LEADER)
    ledger.generate_problems(county, year, snapshot, admin)
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    for name, phone in PEOPLE:
        Person.objects.create(unit=unit, name=name, post="干部", phone=phone)
    problems = list(Problem.objects.filter(county=county, year=year).order_by("pk"))
    today = clock.today()
    for i, problem in enumerate(problems):
        closed = i % 3 == 0
        Task.objects.create(
            problem=problem,
            lead_unit=unit,
            person=PEOPLE[i % 2][0],
            leader=PEOPLE[2][0],
            measures=f"联系{PEOPLE[0][0]}（{PEOPLE[0][1]}）",
            deadline=today + dt.timedelta(days=30 * (i % 5) - 40),
            status="已销号" if closed else "进行中",
        )
        if closed:
            problem.status = ProblemStatus.CLOSED
            problem.closed_at = problem.created_at
            problem.save()
    plan = Plan.objects.create(county=county, target_year=today.year + 1)
    for k, (kind, name) in enumerate(
        (
            (PhaseKind.DEPLOY, "动员部署"),
            (PhaseKind.IMPLEMENT, "全面整改"),
            (PhaseKind.INSPECTION, "迎检"),
        )
    ):
        start = today + dt.timedelta(days=200 * (k - 1))
        phase = Phase.objects.create(
            plan=plan, kind=kind, name=name, start=start, end=start + dt.timedelta(days=199)
        )
        for m in range(3):
            Milestone.objects.create(
                phase=phase,
                name=f"{name}第{m + 1}个节点",
                day=start + dt.timedelta(days=60 * m),
                done=k == 0,
            )
    PublicPage.objects.create(
        county=county, slug=SLUG, published=True, show_schools=True, intro="欢迎社会监督。"
    )
    for period in ("week", "month"):
        data = reports.bulletin_for(county, year, period, today)
        public.publish_bulletin(county, year, data, admin)
    seconds = time.perf_counter() - started
    log(f"  demo county with {len(problems)} problems and tasks, published ({seconds:.1f} s)")
    return {"problems": len(problems), "schools": School.objects.filter(county=county).count()}


def in_process(views: int) -> dict[str, Any]:
    """Queries of a first and a second request, the scan for names and phones, and the page
    rendered anew against the cached answer (sequential medians)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from junheng.web.public import services

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    path = f"/p/{SLUG}/"
    cache.delete(services.page_key(SLUG))
    with CaptureQueriesContext(connection) as first:
        response = client.get(path)
    with CaptureQueriesContext(connection) as second:
        again = client.get(path)
    html = response.content.decode()
    leaks = [s for pair in PEOPLE for s in pair if s in html] + ([LEADER] if LEADER in html else [])
    rendered, cached = [], []
    for _ in range(views):
        started = time.perf_counter()
        services.render_page(SLUG)
        rendered.append(time.perf_counter() - started)
        started = time.perf_counter()
        services.cached_page(SLUG)
        cached.append(time.perf_counter() - started)
    return {
        "status": (response.status_code, again.status_code),
        "bytes": len(response.content),
        "queries_first": len(first),
        "queries_second": len(second),
        "leaks": leaks,
        "render_median_ms": statistics.median(rendered) * 1000,
        "cached_median_ms": statistics.median(cached) * 1000,
        "render_over_cached": statistics.median(rendered) / statistics.median(cached),
    }


def server_cpu_seconds(server: Server) -> float:
    """CPU time (user and system) of gunicorn's master and workers so far, with the workers it
    reaped, from /proc: steadier than latencies on a shared machine (as `survey.py` measures)."""
    assert server.process is not None
    master = server.process.pid
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue  # a process that ended meanwhile
        if pid == master or int(fields[1]) == master:
            total += sum(int(f) for f in fields[11:15])
    return total / ticks


def visit_page(port: int, path: str, visitors: int, requests: int, warmup: int) -> PageRun:
    """`visitors` concurrent clients, each reading for READING_SECONDS between two requests of
    `path` (a new connection each time, as a sync worker closes it); `requests` measured after
    `warmup`."""
    lock = threading.Lock()
    count = 0
    run = PageRun()
    first: list[float] = []

    def visitor(seed: int) -> None:
        nonlocal count
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, READING_SECONDS[1]))  # visitors arrive spread out
        while True:
            with lock:
                if count >= warmup + requests:
                    return
                index = count
                count += 1
                if index == warmup:
                    first.append(time.perf_counter())
            started = time.perf_counter()
            problem = None
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    problem = f"{path} → HTTP {response.status}"
            except (OSError, http.client.HTTPException) as error:
                problem = f"{path} → {type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            if index >= warmup:
                with lock:
                    run.seconds.append(elapsed)
                    if problem is not None:
                        run.errors += 1
                        if len(run.error_samples) < 3:
                            run.error_samples.append(problem)
            time.sleep(rng.uniform(*READING_SECONDS))

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - (first[0] if first else time.perf_counter())
    return run


def run_benchmark(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    if urlsplit(args.database_url).path.lstrip("/") in ("test", "postgres"):
        raise SystemExit("refusing to use the test database; choose a benchmark database")
    if not postgres_reachable(args.database_url):
        raise SystemExit(f"PostgreSQL is not reachable at {args.database_url}")
    _recreate_database(args.database_url)
    _setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    log(f"Building the demo county in {args.database_url}")
    built = build_county(log)
    log("Queries and rendering in this process")
    local = in_process(args.render_views)
    connections.close_all()

    cores = os.cpu_count() or 1
    server = Server(
        port=_free_port(),
        workers=args.workers or min(2 * cores + 1, 8),
        worker_class="sync",
        threads=1,
    )
    pages: dict[str, Any] = {}
    load_start = os.getloadavg()
    server.start(args.database_url)
    paths = {"login": "/login/", "public": f"/p/{SLUG}/"}
    saturated: dict[str, Any] = {}
    try:
        for name, path in paths.items():
            log(f"  {name}: {args.concurrency} visitors reading between requests")
            cpu = server_cpu_seconds(server)
            run = visit_page(server.port, path, args.concurrency, args.requests, args.warmup)
            pages[name] = _stats(run)
            pages[name]["cpu_ms_per_request"] = (
                (server_cpu_seconds(server) - cpu) * 1000 / max(1, args.warmup + args.requests)
            )
        for name, path in paths.items():
            log(f"  {name}: {args.concurrency} clients without pause (saturation)")
            jobs: list[tuple[str, str | None]] = [(path, None)] * (args.warmup + args.requests)
            saturated[name] = _stats(load_page(server.port, jobs, args.concurrency, args.warmup))
    finally:
        server.stop()
    load_end = os.getloadavg()
    if not args.keep_db:
        drop_database(args.database_url)
    public, login = pages["public"], pages["login"]
    public["ratio_to_login_p95"] = public["p95_ms"] / login["p95_ms"]
    public["ratio_to_login_cpu"] = public["cpu_ms_per_request"] / login["cpu_ms_per_request"]
    public["under_target"] = public["p95_ms"] < TARGET_P95_MS
    saturated["public"]["ratio_to_login_p95"] = (
        saturated["public"]["p95_ms"] / saturated["login"]["p95_ms"]
    )
    errors = sum(p["errors"] for p in (*pages.values(), *saturated.values()))
    ok = (
        errors == 0
        and local["queries_second"] == 0
        and not local["leaks"]
        and local["status"] == (200, 200)
    )
    return {
        "county": built,
        "cpus": cores,
        "workers": server.workers,
        "concurrency": args.concurrency,
        "load_average_start": list(load_start),
        "load_average_end": list(load_end),
        "in_process": local,
        "pages": pages,
        "saturated": saturated,
        "errors": errors,
        "ok": ok,
    }


def format_report(result: dict[str, Any]) -> str:
    local, pages = result["in_process"], result["pages"]
    public, login = pages["public"], pages["login"]
    lines = [
        f"Public progress page: demo county, {result['county']['schools']} schools, "
        f"{result['county']['problems']} problems; gunicorn {result['workers']} sync workers on "
        f"{result['cpus']} CPUs, {result['concurrency']} concurrent clients",
        f"  load average {result['load_average_start'][0]:.2f} → "
        f"{result['load_average_end'][0]:.2f}",
        f"  queries: first request {local['queries_first']}, second {local['queries_second']} "
        f"{'✓' if local['queries_second'] == 0 else '✗'}; page {local['bytes']:,} bytes; "
        f"names or phones found: {'、'.join(local['leaks']) or 'none ✓'}",
        f"  rendered anew {local['render_median_ms']:.1f} ms, from the cache "
        f"{local['cached_median_ms']:.2f} ms (median, in process): "
        f"{local['render_over_cached']:.0f}× ",
    ]
    low, high = READING_SECONDS
    lines.append(
        f"  {result['concurrency']} visitors, each reading {low:g}–{high:g} s between requests:"
    )
    for name, row in (("login page (baseline)", login), ("public page (cached)", public)):
        lines.append(
            f"    {name:<22} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
            f"max {row['max_ms']:6.1f} ms  {row['requests_per_second']:5.0f} req/s  "
            f"server CPU {row['cpu_ms_per_request']:.2f} ms/request  errors {row['errors']}"
        )
    lines.append(
        f"    public/login: p95 {public['ratio_to_login_p95']:.2f}, server CPU "
        f"{public['ratio_to_login_cpu']:.2f}; target p95 < {TARGET_P95_MS:.0f} ms: "
        f"{'✓' if public['under_target'] else '✗'}"
    )
    lines.append(f"  {result['concurrency']} clients without pause (the server saturated):")
    saturated = result["saturated"]
    for name, key in (("login page (baseline)", "login"), ("public page (cached)", "public")):
        row = saturated[key]
        lines.append(
            f"    {name:<22} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
            f"max {row['max_ms']:6.1f} ms  {row['requests_per_second']:5.0f} req/s  "
            f"errors {row['errors']}"
        )
    lines.append(f"    public/login p95 {saturated['public']['ratio_to_login_p95']:.2f}")
    for row in (*pages.values(), *saturated.values()):
        for sample in row["error_samples"]:
            lines.append(f"  error: {sample}")
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per page")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=None, help="unmeasured requests per page")
    parser.add_argument("--render-views", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--quick", action="store_true", help="a small run")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.concurrency, args.render_views = 100, 10, 3
    if args.warmup is None:
        args.warmup = max(args.concurrency * 2, args.requests // 10)
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)

    def log(message: str) -> None:
        if not args.json:
            print(message, flush=True)

    result = run_benchmark(args, log)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_report(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
