"""Web benchmark: a province on PostgreSQL, 20 concurrent users on the county pages.

Run from the project root:

    .venv/bin/python benchmarks/web.py [--counties 100] [--schools 200] [--years 3]
        [--requests 1500] [--concurrency 20] [--keep-db] [--quick] [--database-url URL] [--json]

What it does, in order:

1. Database: drops and recreates `junheng_bench` on the local PostgreSQL server (never the test
   database), migrates it and builds the province: `--counties` counties in cities of ten,
   `--schools` schools per county on average (sizes range from a third to five thirds of it, so
   small and large counties can be compared), `--years` school years. Each city and year is one
   `load_dataset` call and each county and year one `run_evaluation` (a snapshot), both timed.
   With `--keep-db` a database of the same shape is reused and kept afterwards.
2. Users: a county administrator per county and an inspector of the province, logged in by
   creating their sessions directly.
3. SQL queries per page, with Django's test client against the same database, for the smallest
   and the largest county: the count must not grow with the number of schools.
4. Baseline of the change check, in this process: the county overview rendered sequentially
   with the current check ("did the data change since the snapshot?" read from the data
   revision) and with the former one (rebuild the county's Dataset and hash it on every view).
5. Load: starts gunicorn from the project's environment with the deployment's configuration
   (`junheng/web/gunicorn.conf.py`: sync workers, two per core plus one) on a free loopback
   port, then `--concurrency` client threads with keep-alive connections (a sync worker closes
   each connection after its response, as behind nginx) request, across random counties and
   years, the login page (the floor: no database work beyond the session), the county overview
   and the indicator page (R4, 小学), `--requests` measured requests per page after a warm-up.
   Per page: p50, p95 (next to the 200 ms target), max, requests per second, errors, and p95
   as a ratio of the login page's.

Exit status 0 when every request succeeded and the query counts do not depend on the county's
size; the timings are reported, never asserted (they depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/junheng_bench"
TARGET_P95_MS = 200.0
PROVINCE = "基准省"
CITY_SIZE = 10
FIRST_YEAR = 2024
INSPECTOR = "bench-inspector"
# Relative county sizes within each city (mean 1.0), from small rural counties to large
# districts; the extremes come early so that even a run of three counties has both.
SIZE_PROFILE = (1.0, 0.33, 1.67, 0.52, 1.48, 0.71, 1.29, 0.86, 1.14, 1.0)
SECRET_KEY = "junheng-benchmark-only-secret-key-0f3a9c1e7b5d2468ace13579bdf02468"
INDICATOR = ("R4", "primary")
CACHE_ROOT = ROOT / "var" / "bench-cache"


def cache_dir(database_url: str) -> Path:
    """The rendered boards' folder of one benchmark database: the smoke runs of the test suite
    (their own small databases, in parallel) never empty the folder of the province kept with
    `--keep-db`, nor each other's."""
    return CACHE_ROOT / hashlib.sha256(database_url.encode()).hexdigest()[:16]


# ---- settings for this process and the server ------------------------------------------------


def _environment(database_url: str) -> dict[str, str]:
    """The environment of a production-like deployment on loopback, for Django and gunicorn."""
    return {
        "DATABASE_URL": database_url,
        "JUNHENG_DEBUG": "0",
        "JUNHENG_SECRET_KEY": SECRET_KEY,
        "JUNHENG_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Behind nginx the TLS is terminated in front; on loopback there is none to redirect to.
        "JUNHENG_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "junheng.web.settings",
        # The server's workers and this process share the rendered boards, as in a deployment;
        # a folder of the benchmark's own, per database, emptied when the database is built.
        "JUNHENG_CACHE_DIR": str(cache_dir(database_url)),
    }


def _setup_django(database_url: str) -> None:
    os.environ.update(_environment(database_url))
    import django

    django.setup()


def _recreate_database(database_url: str) -> None:
    """Drop and create the benchmark database (PostgreSQL) or delete the file (SQLite)."""
    parts = urlsplit(database_url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if name in ("", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop the database {name!r}; choose a benchmark database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _database_exists(database_url: str) -> bool:
    parts = urlsplit(database_url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        return path.exists()
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parts.path.lstrip("/"),)
        ).fetchone()
    return row is not None


def drop_database(database_url: str) -> None:
    """Close this process's connections, drop the benchmark database (PostgreSQL) or delete its
    file (SQLite), and empty its rendered boards' folder."""
    from django.db import connections

    connections.close_all()
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    else:
        _recreate_database(database_url)
    shutil.rmtree(cache_dir(database_url), ignore_errors=True)


def postgres_reachable(database_url: str = DEFAULT_DATABASE) -> bool:
    """Whether the PostgreSQL server of `database_url` accepts connections."""
    try:
        import psycopg

        admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
        psycopg.connect(admin, connect_timeout=3).close()
    except Exception:
        return False
    return True


# ---- the province --------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    counties: int
    schools: int
    years: int

    @property
    def year_labels(self) -> list[str]:
        return [str(FIRST_YEAR + i) for i in range(self.years)]

    def segments_per_county(self, number: int) -> int:
        """Segments of county `number` (1-based): about 20 segments per 19 schools."""
        factor = SIZE_PROFILE[(number - 1) % len(SIZE_PROFILE)]
        return max(8, round(self.schools * factor * 20 / 19))

    def city_of(self, number: int) -> str:
        return f"基准市{(number - 1) // CITY_SIZE + 1:02d}"


def _county_dataset(number: int, segments: int, year_index: int) -> Any:
    """One synthetic county and school year, renamed to 县{number} with school ids that are
    unique province-wide. The schools (names, kinds, area types …) are the same every year;
    the yearly data (segments, facts, survey) differ from year to year."""
    import polars as pl

    from junheng.core.dataset import Dataset
    from junheng.demo import national_dataset

    registry = national_dataset(counties=1, segments_per_county=segments, seed=number)
    data = national_dataset(
        counties=1, segments_per_county=segments, seed=1000 * year_index + number
    )
    name, prefix = f"县{number:04d}", f"2{number:05d}"

    def ids(*columns: str) -> list[pl.Expr]:
        return [(pl.lit(prefix) + pl.col(c).str.slice(6)).alias(c) for c in columns]

    return Dataset.build(
        registry.schools.with_columns(*ids("school_id", "parent_id"), county=pl.lit(name)),
        data.segments.with_columns(*ids("school_id")),
        data.county_facts.with_columns(county=pl.lit(name)),
        data.school_facts.with_columns(*ids("school_id")),
        data.survey.with_columns(county=pl.lit(name)),
        data.notes.with_columns(*ids("school_id"), county=pl.lit(name)),
    )


def _concat(datasets: list[Any]) -> Any:
    import polars as pl

    from junheng.core.dataset import Dataset

    def frames(name: str) -> pl.DataFrame:
        return pl.concat([getattr(d, name) for d in datasets], how="vertical")

    return Dataset.build(
        frames("schools"),
        frames("segments"),
        frames("county_facts"),
        frames("school_facts"),
        frames("survey"),
        frames("notes"),
    )


def _stored_shape() -> dict[str, Any]:
    from junheng.web.evaluation.models import Snapshot
    from junheng.web.registry.models import County, School, SchoolYear

    counties = County.objects.filter(city__province__name=PROVINCE)
    return {
        "counties": counties.count(),
        "schools": School.objects.filter(county__in=counties).count(),
        "years": sorted(SchoolYear.objects.values_list("label", flat=True)),
        "snapshots": Snapshot.objects.filter(county__in=counties).count(),
    }


def _expected_shape(shape: Shape) -> dict[str, Any]:
    schools = 0
    for number in range(1, shape.counties + 1):
        segments = shape.segments_per_county(number)
        schools += segments - max(1, segments // 20)  # combined schools have two segments
    return {
        "counties": shape.counties,
        "schools": schools,
        "years": shape.year_labels,
        "snapshots": shape.counties * shape.years,
    }


def build_province(shape: Shape, log: Callable[[str], None]) -> dict[str, float]:
    """Load the province year by year, city by city, then evaluate every county and year."""
    from junheng.web.registry.models import County, SchoolYear
    from junheng.web.services import load_dataset, run_evaluation

    load_seconds = evaluate_seconds = 0.0
    loads = 0
    cities = sorted({shape.city_of(n) for n in range(1, shape.counties + 1)})
    for y, label in enumerate(shape.year_labels):
        for city in cities:
            numbers = [n for n in range(1, shape.counties + 1) if shape.city_of(n) == city]
            dataset = _concat(
                [_county_dataset(n, shape.segments_per_county(n), y) for n in numbers]
            )
            started = time.perf_counter()
            load_dataset(dataset, label, province=PROVINCE, city=city)
            load_seconds += time.perf_counter() - started
            loads += 1
        log(f"  {label}: loaded {len(cities)} cities ({load_seconds:.1f} s of loading so far)")
    counties = list(County.objects.filter(city__province__name=PROVINCE).order_by("pk"))
    for label in shape.year_labels:
        year = SchoolYear.objects.get(label=label)
        started = time.perf_counter()
        for county in counties:
            run_evaluation(county, year, None)
        evaluate_seconds += time.perf_counter() - started
        log(f"  {label}: evaluated {len(counties)} counties ({evaluate_seconds:.1f} s so far)")
    return {
        "load_seconds": load_seconds,
        "loads": loads,
        "evaluate_seconds": evaluate_seconds,
        "evaluations": len(counties) * shape.years,
    }


def warm_all_boards(log: Callable[[str], None]) -> dict[str, float]:
    """What each evaluation does after it is stored (the evaluate view): render the overview of
    every year and every indicator page, for every county's latest snapshots, so the pages are
    measured in the state the site is in after its evaluations. Boards kept from an earlier run
    on the same database are reused (their keys name the snapshot and the templates' version)."""
    from junheng.web.evaluation.models import Snapshot
    from junheng.web.pages.dashboards import warm_boards
    from junheng.web.registry.models import County, SchoolYear
    from junheng.web.selectors import latest_snapshot

    started = time.perf_counter()
    boards = 0
    years = list(
        SchoolYear.objects.filter(pk__in=Snapshot.objects.values("year")).order_by("label")
    )
    for county in County.objects.filter(city__province__name=PROVINCE).order_by("pk"):
        for year in years:
            snapshot = latest_snapshot(county, year)
            if snapshot is not None:
                boards += warm_boards(county, year, snapshot)
    seconds = time.perf_counter() - started
    log(f"  rendered {boards} boards after the evaluations in {seconds:.1f} s")
    return {"boards": boards, "seconds": seconds}


# ---- users and sessions ----------------------------------------------------------------------


def create_sessions() -> dict[str, Any]:
    """County administrators (one per county) and a province inspector, with live sessions."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from junheng.web.accounts.models import Profile, Role
    from junheng.web.registry.models import County, Province

    user_model = get_user_model()
    counties = list(County.objects.filter(city__province__name=PROVINCE).order_by("pk"))
    wanted = {f"bench-admin-{c.pk}": c for c in counties}
    existing = set(
        user_model.objects.filter(username__in=[*wanted, INSPECTOR]).values_list(
            "username", flat=True
        )
    )
    new_users = [user_model(username=name) for name in [*wanted, INSPECTOR] if name not in existing]
    for user in new_users:
        user.set_unusable_password()
    user_model.objects.bulk_create(new_users)
    users = {u.username: u for u in user_model.objects.filter(username__in=[*wanted, INSPECTOR])}
    with_profile = set(
        Profile.objects.filter(user__in=users.values()).values_list("user__username", flat=True)
    )
    Profile.objects.bulk_create(
        [
            Profile(user=users[name], role=Role.COUNTY_ADMIN, county=county)
            for name, county in wanted.items()
            if name not in with_profile
        ]
    )
    if INSPECTOR not in with_profile:
        profile = Profile.objects.create(user=users[INSPECTOR], role=Role.INSPECTOR)
        profile.inspected_provinces.add(Province.objects.get(name=PROVINCE))

    def session(user: Any) -> str:
        # The site's own session engine, as a login through the form would create it.
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        # the backend that keeps the user (the login throttle before it only refuses)
        store[BACKEND_SESSION_KEY] = "junheng.web.accounts.backends.ProfileBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key or ""

    return {
        "counties": counties,
        "admins": {c.pk: (users[name], session(users[name])) for name, c in wanted.items()},
        "inspector": (users[INSPECTOR], session(users[INSPECTOR])),
    }


# ---- query counts and the in-process baseline ------------------------------------------------


def _page_paths(county_id: int, year: str) -> dict[str, str | None]:
    from django.urls import NoReverseMatch, reverse

    paths: dict[str, str | None] = {"overview": reverse("county", args=[county_id, year])}
    try:
        paths["indicator"] = reverse("indicator", args=[county_id, year, *INDICATOR])
    except NoReverseMatch:
        paths["indicator"] = None
    return paths


def query_counts(sessions: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """SQL queries per page for the smallest and largest county, latest year, county admin."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from junheng.web.registry.models import School

    sizes = {c.pk: School.objects.filter(county=c).count() for c in sessions["counties"]}
    small, large = min(sizes, key=sizes.__getitem__), max(sizes, key=sizes.__getitem__)
    year = shape.year_labels[-1]
    result: dict[str, Any] = {
        "small": {"schools": sizes[small]},
        "large": {"schools": sizes[large]},
    }
    for which, county_id in (("small", small), ("large", large)):
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(sessions["admins"][county_id][0])
        for page, path in _page_paths(county_id, year).items():
            if path is None:
                result[which][page] = None
                continue
            client.get(path)  # caches warm, as for every view but the first after a start
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} in the test client")
            result[which][page] = len(captured)
    return result


def change_check_baseline(sessions: dict[str, Any], shape: Shape, views: int) -> dict[str, Any]:
    """The overview rendered sequentially with the revision check and with the former full
    rebuild-and-hash of the county's Dataset on every view (same counties, same order)."""
    from django.test import Client

    from junheng.web import selectors

    rng = random.Random(7)
    counties = sessions["counties"]
    picks = [(rng.choice(counties).pk, rng.choice(shape.year_labels)) for _ in range(views)]
    clients = {}
    for county_id, _ in picks:
        if county_id not in clients:
            client = Client(HTTP_X_FORWARDED_PROTO="https")
            client.force_login(sessions["admins"][county_id][0])
            clients[county_id] = client

    def run() -> tuple[list[float], list[float]]:
        seconds, cpu = [], []
        for county_id, year in picks:
            path = _page_paths(county_id, year)["overview"]
            started, cpu_started = time.perf_counter(), time.process_time()
            response = clients[county_id].get(path)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} in the test client")
        return seconds, cpu

    def rebuild_every_time(
        county_id: int, year_id: int, objects: Callable[[], Any], state: Any = None
    ) -> str:
        return selectors.fingerprint(selectors.dataset_for(*objects()))

    run()  # warm-up
    current, current_cpu = run()
    original = selectors._current_fingerprint
    selectors._current_fingerprint = rebuild_every_time
    try:
        former, former_cpu = run()
    finally:
        selectors._current_fingerprint = original
    return {
        "views": views,
        "current_median_ms": statistics.median(current) * 1000,
        "former_median_ms": statistics.median(former) * 1000,
        "current_cpu_median_ms": statistics.median(current_cpu) * 1000,
        "former_cpu_median_ms": statistics.median(former_cpu) * 1000,
        "ratio": statistics.median(former) / statistics.median(current),
    }


# ---- the server and the clients --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """gunicorn with the project's configuration (`junheng/web/gunicorn.conf.py`), as deployed."""

    port: int
    workers: int
    worker_class: str
    threads: int
    process: subprocess.Popen[bytes] | None = None

    def start(self, database_url: str) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "--config",
            str(ROOT / "junheng" / "web" / "gunicorn.conf.py"),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
        ]
        env = {
            **os.environ,
            **_environment(database_url),
            "JUNHENG_BIND": f"127.0.0.1:{self.port}",
            "JUNHENG_WORKERS": str(self.workers),
            "JUNHENG_ACCESS_LOG": "",
            "JUNHENG_LOG_LEVEL": "warning",
        }
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class PageRun:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    connections: int = 0
    wall: float = 0.0


def load_page(
    port: int, jobs: list[tuple[str, str | None]], concurrency: int, warmup: int
) -> PageRun:
    """Send `jobs` (path, session key) over `concurrency` keep-alive connections; the first
    `warmup` are not measured."""
    lock = threading.Lock()
    position = 0
    run = PageRun()
    measured_start: list[float] = []

    def next_job() -> tuple[int, tuple[str, str | None]] | None:
        nonlocal position
        with lock:
            if position >= len(jobs):
                return None
            index = position
            position += 1
            if index == warmup:
                measured_start.append(time.perf_counter())
            return index, jobs[index]

    def client() -> None:
        connection: http.client.HTTPConnection | None = None
        while (job := next_job()) is not None:
            index, (path, session) = job
            headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
            if session:
                headers["Cookie"] = f"sessionid={session}"
            started = time.perf_counter()
            problem = None
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    with lock:
                        run.connections += 1
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    problem = f"{path} → HTTP {response.status}"
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                problem = f"{path} → {type(error).__name__}: {error}"
                if connection is not None:
                    connection.close()
                connection = None
            elapsed = time.perf_counter() - started
            if index >= warmup:
                with lock:
                    run.seconds.append(elapsed)
                    if problem is not None:
                        run.errors += 1
                        if len(run.error_samples) < 3:
                            run.error_samples.append(problem)
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - (measured_start[0] if measured_start else time.perf_counter())
    return run


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def _stats(run: PageRun) -> dict[str, Any]:
    return {
        "requests": len(run.seconds),
        "p50_ms": _percentile(run.seconds, 0.50) * 1000,
        "p95_ms": _percentile(run.seconds, 0.95) * 1000,
        "max_ms": max(run.seconds, default=float("nan")) * 1000,
        "requests_per_second": len(run.seconds) / run.wall if run.wall > 0 else float("nan"),
        "errors": run.errors,
        "error_samples": run.error_samples,
        "connections": run.connections,
    }


# ---- the benchmark ---------------------------------------------------------------------------


def run_benchmark(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    shape = Shape(args.counties, args.schools, args.years)
    reuse = args.keep_db and _database_exists(args.database_url)
    if not reuse:
        _recreate_database(args.database_url)
        shutil.rmtree(cache_dir(args.database_url), ignore_errors=True)
    _setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build: dict[str, Any] | None = None
    if reuse and _stored_shape() == _expected_shape(shape):
        log(f"Reusing the province in {args.database_url}")
    else:
        if reuse:
            log("The kept database has another shape: rebuilding it")
            from django.db import connections

            connections.close_all()
            _recreate_database(args.database_url)
            shutil.rmtree(cache_dir(args.database_url), ignore_errors=True)
            call_command("migrate", verbosity=0)
        log(f"Building the province in {args.database_url}")
        build = build_province(shape, log)
    stored = _stored_shape()
    warmed = warm_all_boards(log)
    sessions = create_sessions()

    queries = query_counts(sessions, shape)
    baseline = change_check_baseline(sessions, shape, args.baseline_views)

    cores = os.cpu_count() or 1
    server = Server(
        port=_free_port(),
        # The deployment's default (gunicorn.conf.py): two sync workers per core plus one.
        workers=args.workers or min(2 * cores + 1, 8),
        worker_class=args.worker_class,
        threads=args.threads,
    )
    from django.db import connections

    connections.close_all()
    rng = random.Random(2026)
    counties = sessions["counties"]
    years = shape.year_labels
    has_indicator = _page_paths(counties[0].pk, years[0])["indicator"] is not None

    def jobs(page: str) -> list[tuple[str, str | None]]:
        chosen = []
        for _ in range(args.warmup + args.requests):
            county = rng.choice(counties)
            year = rng.choice(years)
            # One view in four is the inspector's (province scope), the rest the county's admin.
            who = sessions["inspector"] if rng.random() < 0.25 else sessions["admins"][county.pk]
            if page == "login":
                chosen.append(("/login/", None))
            else:
                chosen.append((_page_paths(county.pk, year)[page] or "", who[1]))
        return chosen

    pages: dict[str, Any] = {}
    load_start = os.getloadavg()
    server.start(args.database_url)
    try:
        for page in ("login", "overview", "indicator"):
            if page == "indicator" and not has_indicator:
                pages[page] = None
                continue
            run = load_page(server.port, jobs(page), args.concurrency, args.warmup)
            pages[page] = _stats(run)
            log(f"  {page}: {pages[page]['requests']} requests done")
    finally:
        server.stop()
    load_end = os.getloadavg()

    floor = pages["login"]["p95_ms"]
    for page in ("overview", "indicator"):
        if pages.get(page):
            pages[page]["ratio_to_login_p95"] = pages[page]["p95_ms"] / floor
            pages[page]["under_target"] = pages[page]["p95_ms"] < TARGET_P95_MS
    constant = all(
        queries["small"][page] == queries["large"][page] for page in ("overview", "indicator")
    )
    errors = sum(p["errors"] for p in pages.values() if p)
    return {
        "database": urlsplit(args.database_url).scheme,
        "shape": stored,
        "build": build,
        "cpus": cores,
        "server": {
            "workers": server.workers,
            "threads": server.threads,
            "class": server.worker_class,
        },
        "concurrency": args.concurrency,
        "load_average_start": list(load_start),
        "load_average_end": list(load_end),
        "queries": queries,
        "queries_constant": constant,
        "change_check": baseline,
        "warmed": warmed,
        "pages": pages,
        "indicator_available": has_indicator,
        "errors": errors,
        "ok": constant and errors == 0,
    }


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def format_report(result: dict[str, Any]) -> str:
    shape, build, queries = result["shape"], result["build"], result["queries"]
    load_start = " / ".join(f"{x:.2f}" for x in result["load_average_start"])
    load_end = " / ".join(f"{x:.2f}" for x in result["load_average_end"])
    server = result["server"]
    lines = [
        f"Web benchmark ({result['database']}): {shape['counties']:,} counties, "
        f"{shape['schools']:,} schools, {len(shape['years'])} school years "
        f"({', '.join(shape['years'])}), {shape['snapshots']:,} snapshots",
        f"Machine: {result['cpus']} CPUs; load average (1/5/15 min) {load_start} at start, "
        f"{load_end} at end",
        f"Server: gunicorn (junheng/web/gunicorn.conf.py), {server['workers']} {server['class']} "
        f"workers"
        + (f" × {server['threads']} threads" if server["class"] == "gthread" else "")
        + f"; {result['concurrency']} concurrent clients (keep-alive where the server allows)",
    ]
    if build is not None:
        lines.append(
            f"Province build: load_dataset {build['load_seconds']:.1f} s ({build['loads']} loads, "
            f"{shape['schools'] * len(shape['years']) / build['load_seconds']:,.0f} "
            "school-years/s); "
            f"run_evaluation {build['evaluate_seconds']:.1f} s ({build['evaluations']} snapshots, "
            f"{build['evaluate_seconds'] / build['evaluations'] * 1000:.0f} ms each)"
        )
    else:
        lines.append("Province build: reused (--keep-db)")
    warmed = result["warmed"]
    lines.append(
        f"Boards rendered after the evaluations (overviews, indicator pages; shared cache): "
        f"{warmed['boards']:,} in {warmed['seconds']:.1f} s"
    )
    lines += [
        "",
        "SQL queries per page (county admin, latest year):",
        f"{'':28}{'small county':>16}{'large county':>16}",
        f"{'  schools':28}{queries['small']['schools']:>16,}{queries['large']['schools']:>16,}",
    ]
    for page, label in (("overview", "  county overview"), ("indicator", "  indicator R4 primary")):
        small, large = queries["small"].get(page), queries["large"].get(page)
        if small is None:
            lines.append(f"{label:28}{'—':>16}{'—':>16}")
        else:
            lines.append(
                f"{label:28}{small:>16}{large:>16}   "
                f"{'constant ' + _mark(True) if small == large else 'GROWS ' + _mark(False)}"
            )
    check = result["change_check"]
    lines += [
        "",
        f"Change check baseline (in process, sequential, {check['views']} overview views; "
        "median time, and CPU of this process):",
        f"  former check (rebuild the Dataset and hash it)  {check['former_median_ms']:8.1f} ms"
        f"   CPU {check['former_cpu_median_ms']:6.1f} ms",
        f"  data revision check                             {check['current_median_ms']:8.1f} ms"
        f"   CPU {check['current_cpu_median_ms']:6.1f} ms",
        f"  ratio former / current                          {check['ratio']:8.1f}×",
        "",
        "Over HTTP (measured requests after a warm-up; floor = the login page):",
        f"{'':22}{'p50':>9}{'p95':>9}   {'target':<12}{'max':>9}{'req/s':>9}{'errors':>8}"
        f"{'p95 / floor':>13}",
    ]
    for page, label in (
        ("login", "login page (floor)"),
        ("overview", "county overview"),
        ("indicator", "indicator R4 primary"),
    ):
        stats = result["pages"].get(page)
        if stats is None:
            lines.append(
                f"{label:22}skipped: the URL name 'indicator' does not exist yet "
                "(re-run once the indicator page is there)"
            )
            continue
        target = "" if page == "login" else f"< 200 ms {_mark(stats['under_target'])}"
        ratio = "" if page == "login" else f"{stats['ratio_to_login_p95']:.1f}×"
        lines.append(
            f"{label:22}{stats['p50_ms']:>7.1f}ms{stats['p95_ms']:>7.1f}ms   {target:<12}"
            f"{stats['max_ms']:>7.0f}ms{stats['requests_per_second']:>9.1f}{stats['errors']:>8}"
            f"{ratio:>13}"
        )
        for sample in stats["error_samples"]:
            lines.append(f"    e.g. {sample}")
    connections = {p: s["connections"] for p, s in result["pages"].items() if s}
    lines += [
        "",
        "Connections opened per page (keep-alive): "
        + ", ".join(f"{p} {n}" for p, n in connections.items()),
    ]
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--schools", type=int, default=200, help="schools per county on average")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1500, help="measured requests per page")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=None, help="unmeasured requests per page")
    parser.add_argument("--baseline-views", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep-db", action="store_true", help="reuse and keep the database")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--quick", action="store_true", help="a small run for the test suite")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.counties, args.schools, args.years = 3, 12, 1
        args.requests, args.concurrency, args.baseline_views = 20, 4, 3
        args.workers = args.workers or 2
    if args.warmup is None:
        args.warmup = 2 * args.concurrency
    if min(args.counties, args.schools, args.years, args.requests, args.concurrency) < 1:
        parser.error("sizes and counts must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when no request failed and query counts do not grow with size."""
    args = _parse(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run_benchmark(args, log)
    print(json.dumps(result, indent=2, default=str) if args.json else format_report(result))
    if not args.keep_db:
        drop_database(args.database_url)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
