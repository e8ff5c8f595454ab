"""Survey benchmark: many respondents answering the public form on PostgreSQL, and a server
killed in the middle.

Run from the project root:

    .venv/bin/python benchmarks/survey.py [--responses 20000] [--concurrency 500] [--quick]
        [--workers N] [--database-url URL] [--keep-db] [--json]

What it does, in order:

1. Database: drops and recreates `junheng_survey_bench` on the local PostgreSQL server (never
   the test database), migrates it, loads the demo county and creates an open survey with
   `--responses` access codes in batches of school × group (parents, students, teachers) and
   area × group (other residents), so all three questionnaires are answered.
2. Server: gunicorn with the deployment's configuration (`junheng/web/gunicorn.conf.py`, sync
   workers) on a free loopback port, in its own process group, as `benchmarks/web.py` starts it.
3. Baseline: the same number of concurrent clients request the page where a code is typed
   (no database work) — the floor of what the server can answer.
4. Respondents: `--concurrency` concurrent clients (asyncio streams), each with its own
   address in X-Forwarded-For as nginx would pass it, take codes from a common queue; for each
   one they GET the form, then POST answers drawn from the code (so they are known later).
   When half of the responses are accepted the whole gunicorn process group is killed with
   SIGKILL and started again. A request that gets no answer (connection refused, reset, cut
   off) is retried: a GET is opened again, a POST is sent again unchanged (same ticket, so the
   same nonce), which the form answers with "已收到" whether the first one was stored or not.
5. Parents' meeting: `--meeting` phones (by default one per 40 responses, 500 for 20,000;
   none in a run of under 1,000 unless asked for)
   arrive over `--meeting-seconds` (60 s for 500: a hall scanning the QR code on the screen),
   open loop — each phone arrives at its own time whatever the server is doing, GETs the
   form, reads for a few seconds and POSTs. Their codes are the survey's last ones.
6. Results: every response tallied at once (as when nobody watched the progress while they
   arrived), then the results page of the survey as a county administrator opens it (in this
   process, on the same database): the median of later views after a first one; beside it
   the time of scoring every response (`services.score`, what the export and the feed do).
7. Check, on the database: every code has exactly one response, its answers equal what was
   sent and its questionnaire is the group's; used flags agree with the responses; no response
   other than 200 "已收到" arrived (connection failures, all retried, are counted apart).

Prints p50 and p95 latency of the form and of the submission, throughput (responses per
second), the same for the baseline and their ratio, the meeting's latencies, the results page's
times, and what the kill cost (downtime, retries). Exit status 0 when the check passes; timings
are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the sibling benchmark is a script, found through sys.path
from web import (
    ROOT,
    _environment,
    _free_port,
    _percentile,
    _recreate_database,
    _setup_django,
    postgres_reachable,
)

DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/junheng_survey_bench"
THANKS = "已收到"
GROUPS = ("parents", "students", "teachers")
AREA_GROUP = ("residents", "urban")
QUESTION = re.compile(r'name="(q_[A-Za-z0-9_]+)" value="(\d)"')
TICKET = re.compile(r'name="ticket" value="([^"]+)"')
REQUEST_TIMEOUT = 120.0
"""Seconds a client waits for one answer: long, since 500 clients queue for a few workers."""
RETRY_PAUSE = 0.2
START_SECONDS = 120
RESPONSES_PER_PHONE_AT_THE_MEETING = 40
"""The meeting's size by default: 500 phones for the 20,000 responses of the default run."""
SMALLEST_MEETING = 25
"""Below this the default run has no meeting (a small run is a test of correctness)."""
MEETING_PHONES_PER_MINUTE = 500
READING_SECONDS = (2.0, 5.0)
"""How long a phone at the meeting shows the form before sending it (uniformly drawn)."""
RESULT_VIEWS = 5


# ---- the survey ------------------------------------------------------------------------------


def build_survey(responses: int, log: Callable[[str], None]) -> tuple[int, list[str]]:
    """The demo county with an open survey and `responses` codes; returns its id and codes."""
    from datetime import timedelta

    from django.utils import timezone

    from junheng.demo import DEMO_COUNTY, demo_county
    from junheng.survey.loader import load_rules
    from junheng.web.registry.management.commands.junheng_demo import (
        DEMO_CITY,
        DEMO_PROVINCE,
        DEMO_YEAR,
    )
    from junheng.web.registry.models import County, School, SchoolYear
    from junheng.web.services import load_dataset
    from junheng.web.surveys import services
    from junheng.web.surveys.models import AccessCode, SurveyStatus

    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    now = timezone.now()
    survey = services.create_survey(
        county,
        year,
        None,
        title="基准调查",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        population=352_000,
    )
    services.set_status(survey, SurveyStatus.OPEN)
    schools = list(School.objects.filter(county=county).exclude(kind="special").order_by("pk"))
    # batches of school × group round the schools, then one area batch, until all are made
    batches = [(g, s) for s in schools for g in GROUPS] + [AREA_GROUP]
    size = max(1, min(load_rules().distribution.max_batch, responses // len(batches) or 1))
    made, i = 0, 0
    started = time.perf_counter()
    while made < responses:
        group, place = batches[i % len(batches)]
        count = min(size, responses - made)
        if isinstance(place, str):
            services.generate_codes(survey, group, count, area_type=place)
        else:
            services.generate_codes(survey, group, count, school=place)
        made += count
        i += 1
    codes = list(AccessCode.objects.filter(survey=survey).values_list("code", flat=True))
    seconds = time.perf_counter() - started
    log(f"  survey {survey.pk}: {len(codes):,} codes in {i} batches ({seconds:.1f} s)")
    return survey.pk, codes


def answers_for(code: str, questions: list[str]) -> dict[str, str]:
    """The answers a respondent with this code gives: drawn from the code, so they can be
    checked afterwards, and varied (no straight lines)."""
    rng = random.Random(code)
    return {q: str(rng.choice((5, 5, 4, 4, 4, 3, 2, 1))) for q in questions}


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def filled_form(
    code: str, html: str, cookies: Any
) -> tuple[dict[str, str], dict[str, str], str | None] | None:
    """(the POST's body, the answers in it, the CSRF cookie to send back) of a form page, as a
    phone fills it; None when the page holds no form. The form's ticket is its protection
    against forgery; a CSRF token and cookie, should a server still send them, are returned."""
    questions = list(dict.fromkeys(name for name, _ in QUESTION.findall(html)))
    ticket = TICKET.search(html)
    if ticket is None or not questions:
        return None
    answers = answers_for(code, questions)
    body = {"ticket": ticket.group(1), **answers}
    token = CSRF_TOKEN.search(html)
    cookie = cookies.get("csrftoken")
    if token is not None and cookie is not None:
        body["csrfmiddlewaretoken"] = token.group(1)
    return body, answers, cookie.value if cookie is not None else None


# ---- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn with the deployment's configuration, in a process group of its own so that the
    master and every worker can be killed at once."""

    port: int
    workers: int
    database_url: str
    process: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> None:
        """Start; with `wait`, until it answers.

        After the kill the respondents themselves find out when it is back: a probe of ours
        would queue behind their hundreds of retried connections.
        """
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {
            **os.environ,
            **_environment(self.database_url),
            "JUNHENG_BIND": f"127.0.0.1:{self.port}",
            "JUNHENG_WORKERS": str(self.workers),
            "JUNHENG_ACCESS_LOG": "",
            "JUNHENG_LOG_LEVEL": "warning",
        }
        command = [str(gunicorn), "--config", str(ROOT / "junheng" / "web" / "gunicorn.conf.py")]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        if not wait:
            return
        import http.client

        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/s/", headers={"X-Forwarded-Proto": "https"})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer within {START_SECONDS} s")

    def kill(self) -> None:
        """SIGKILL to the whole process group: the master and all workers die mid-request."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def server_cpu_seconds(server: Server) -> float:
    """CPU time (user and system) of the server's process group so far: the master, its
    workers, and the workers it has reaped (recycled after `max_requests`), from /proc.

    Unlike requests per second this hardly depends on what else the machine runs, so the CPU a
    respondent costs against the CPU a code page costs, both under the same closed-loop load,
    is the steadier ratio on a shared machine. The database's own processes are not included.
    """
    assert server.process is not None
    group = os.getpgid(server.process.pid)
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[2]) == group:
            total += sum(int(f) for f in fields[11:15])
    return total / ticks


# ---- the clients -----------------------------------------------------------------------------


@dataclass
class Run:
    form_seconds: list[float] = field(default_factory=list)
    submit_seconds: list[float] = field(default_factory=list)
    accepted: dict[str, dict[str, str]] = field(default_factory=dict)
    """Code → the answers sent, for every code answered with 已收到."""
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    connection_failures: int = 0
    retried_posts: int = 0
    wall: float = 0.0
    kill_at: int | None = None
    killed: float | None = None
    """perf_counter() of the kill."""
    back: float | None = None
    """perf_counter() of the first answer after the kill."""
    cpu_ms_per_respondent: float = float("nan")
    client_cpu_ms_per_respondent: float = float("nan")
    """What the load itself (this process) spent per accepted response, before the kill: CPU
    the server could not have on a machine that runs both."""
    """The server's CPU per accepted response (form and submission), before the kill."""

    def answered(self) -> None:
        if self.killed is not None and self.back is None:
            self.back = time.perf_counter()

    @property
    def downtime(self) -> float:
        if self.killed is None or self.back is None:
            return 0.0
        return self.back - self.killed


class _Failed(Exception):
    """No answer at all (refused, reset, cut off): the request is sent again."""


def _address(number: int) -> str:
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def _headers(port: int, address: str, cookie: str | None = None) -> dict[str, str]:
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": address,
        # A browser names the origin of a POST; the form refuses one of another site.
        "Origin": f"https://127.0.0.1:{port}",
        "Accept-Encoding": "identity",
    }
    if cookie:
        headers["Cookie"] = f"csrftoken={cookie}"
    return headers


class _Cookie:
    def __init__(self, value: str) -> None:
        self.value = value


class _Phones:
    """The clients' HTTP: one connection per request, as phones reaching a sync worker have.

    Written on asyncio's streams rather than taken from an HTTP client library: the load runs on
    the machine under test, and every millisecond of CPU the clients spend is one the server
    cannot (a general client costs about as much per request as the code page itself). HTTP/1.0
    asks the server to end each answer by closing, which is what gunicorn's sync workers do.
    """

    async def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> tuple[int, str, dict[str, _Cookie]]:
        parts = urlsplit(url)
        body = urlencode(data).encode() if data is not None else b""
        lines = [f"{method} {parts.path} HTTP/1.0", f"Host: {parts.netloc}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if data is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(head + body)
            raw = await reader.read(-1)
        finally:
            writer.close()
        header, _, content = raw.partition(b"\r\n\r\n")
        if not header.startswith(b"HTTP/"):
            raise ConnectionResetError("no HTTP answer")
        status_line, *fields = header.decode("latin-1").split("\r\n")
        cookies = {}
        for f in fields:
            name, _, value = f.partition(":")
            if name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                cookies[key] = _Cookie(rest.split(";", 1)[0])
            elif name.lower() == "content-length" and len(content) < int(value):
                # a worker killed while sending closes the connection as if it had finished:
                # only the length tells a page cut off, which a phone would load again
                raise ConnectionResetError("answer cut off")
        return int(status_line.split()[1]), content.decode("utf-8", "replace"), cookies


async def _request(
    session: _Phones, method: str, url: str, **kw: Any
) -> tuple[int, str, dict[str, _Cookie]]:
    try:
        return await asyncio.wait_for(session.request(method, url, **kw), REQUEST_TIMEOUT)
    except (TimeoutError, OSError, ValueError, IndexError) as e:
        raise _Failed(f"{type(e).__name__}: {e}") from None


async def _respondents(
    port: int,
    codes: list[str],
    concurrency: int,
    run: Run,
    on_accepted: Callable[[int], None],
) -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for code in codes:
        queue.put_nowait(code)
    base = f"http://127.0.0.1:{port}"

    def error(problem: str) -> None:
        run.errors += 1
        if len(run.error_samples) < 5:
            run.error_samples.append(problem)

    async def respondent(session: _Phones) -> None:
        while not queue.empty():
            code = queue.get_nowait()
            # each code is a different person on a different phone
            address = _address(len(codes) - queue.qsize())
            url = f"{base}/s/{code}/"
            # GET the form (again, until it answers)
            while True:
                started = time.perf_counter()
                try:
                    status, html, cookies = await _request(
                        session, "GET", url, headers=_headers(port, address)
                    )
                    run.answered()
                    break
                except _Failed:
                    run.connection_failures += 1
                    await asyncio.sleep(RETRY_PAUSE)
            if status != 200:
                error(f"GET {code} → HTTP {status}")
                continue
            run.form_seconds.append(time.perf_counter() - started)
            form = filled_form(code, html, cookies)
            if form is None:
                error(f"GET {code}: no form in the page")
                continue
            body, answers, csrf = form
            # POST the answers; the very same body again when no answer came back
            attempts = 0
            while True:
                started = time.perf_counter()
                attempts += 1
                try:
                    status, html, _ = await _request(
                        session, "POST", url, data=body, headers=_headers(port, address, csrf)
                    )
                    run.answered()
                    break
                except _Failed:
                    run.connection_failures += 1
                    await asyncio.sleep(RETRY_PAUSE)
            if attempts > 1:
                run.retried_posts += 1
            if status != 200 or THANKS not in html:
                error(f"POST {code} → HTTP {status}: {html[:200]!r}")
                continue
            run.submit_seconds.append(time.perf_counter() - started)
            run.accepted[code] = answers
            on_accepted(len(run.accepted))

    session = _Phones()
    await asyncio.gather(*(respondent(session) for _ in range(concurrency)))


async def _baseline(port: int, requests: int, concurrency: int) -> dict[str, Any]:
    """The same number of clients on the code page (no database): the floor."""
    seconds: list[float] = []
    errors = 0
    left = requests

    async def client(number: int, session: _Phones) -> None:
        nonlocal left, errors
        address = _address(number)
        while left > 0:
            left -= 1
            started = time.perf_counter()
            try:
                status, _, _ = await _request(
                    session, "GET", f"http://127.0.0.1:{port}/s/", headers=_headers(port, address)
                )
            except _Failed:
                errors += 1
                continue
            if status != 200:
                errors += 1
            seconds.append(time.perf_counter() - started)

    started = time.perf_counter()
    session = _Phones()
    await asyncio.gather(*(client(n, session) for n in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "requests": len(seconds),
        "p50_ms": _percentile(seconds, 0.50) * 1000,
        "p95_ms": _percentile(seconds, 0.95) * 1000,
        "requests_per_second": len(seconds) / wall if wall else float("nan"),
        "errors": errors,
    }


async def _load(server: Server, codes: list[str], concurrency: int, kill: bool) -> Run:
    run = Run()
    kill_at = len(codes) // 2 if kill else None
    run.kill_at = kill_at

    cpu_at_start = server_cpu_seconds(server)
    client_at_start = time.process_time()

    def on_accepted(count: int) -> None:
        if kill_at is not None and count == kill_at and run.killed is None:
            # the killed workers' CPU is lost with them: the cost per respondent is read here
            run.cpu_ms_per_respondent = (server_cpu_seconds(server) - cpu_at_start) * 1000 / count
            run.client_cpu_ms_per_respondent = (
                (time.process_time() - client_at_start) * 1000 / count
            )
            run.killed = time.perf_counter()
            server.kill()
            server.start(wait=False)

    started = time.perf_counter()
    await _respondents(server.port, codes, concurrency, run, on_accepted)
    run.wall = time.perf_counter() - started
    if kill_at is None and run.accepted:
        run.cpu_ms_per_respondent = (
            (server_cpu_seconds(server) - cpu_at_start) * 1000 / len(run.accepted)
        )
        run.client_cpu_ms_per_respondent = (
            (time.process_time() - client_at_start) * 1000 / len(run.accepted)
        )
    return run


async def _meeting(port: int, codes: list[str], seconds: float, run: Run) -> None:
    """Open loop: phone i arrives at its own time (spread evenly over `seconds` with a random
    jitter), GETs the form, reads, POSTs; a phone never waits for another."""
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(2027)
    started = time.perf_counter()

    def error(problem: str) -> None:
        run.errors += 1
        if len(run.error_samples) < 5:
            run.error_samples.append(problem)

    async def phone(n: int, code: str, arrival: float, reading: float) -> None:
        await asyncio.sleep(max(0.0, started + arrival - time.perf_counter()))
        address = _address(1_000_000 + n)
        url = f"{base}/s/{code}/"
        t0 = time.perf_counter()
        try:
            status, html, cookies = await _request(
                session, "GET", url, headers=_headers(port, address)
            )
        except _Failed as failed:
            error(f"meeting GET {code}: {failed}")
            return
        run.form_seconds.append(time.perf_counter() - t0)
        form = filled_form(code, html, cookies) if status == 200 else None
        if form is None:
            error(f"meeting GET {code} → HTTP {status}")
            return
        body, answers, csrf = form
        await asyncio.sleep(reading)
        t0 = time.perf_counter()
        try:
            status, html, _ = await _request(
                session, "POST", url, data=body, headers=_headers(port, address, csrf)
            )
        except _Failed as failed:
            error(f"meeting POST {code}: {failed}")
            return
        if status != 200 or THANKS not in html:
            error(f"meeting POST {code} → HTTP {status}: {html[:200]!r}")
            return
        run.submit_seconds.append(time.perf_counter() - t0)
        run.accepted[code] = answers

    step = seconds / len(codes) if codes else 0.0
    session = _Phones()
    await asyncio.gather(
        *(
            phone(n, code, (n + rng.random()) * step, rng.uniform(*READING_SECONDS))
            for n, code in enumerate(codes)
        )
    )
    run.wall = time.perf_counter() - started


def results_page(survey_id: int) -> dict[str, Any]:
    """The results page as a county administrator opens it: the first view (tallying every
    response not yet counted), the median of later ones, and the full scoring beside them."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    from junheng.web.accounts.models import Profile, Role
    from junheng.web.surveys import services
    from junheng.web.surveys.models import Response, Survey

    connections.close_all()
    survey = Survey.objects.get(pk=survey_id)
    user = get_user_model().objects.create_user("bench-admin")
    Profile.objects.create(user=user, role=Role.COUNTY_ADMIN, county=survey.county)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    url = f"/surveys/{survey_id}/results/"

    def view() -> float:
        started = time.perf_counter()
        page = client.get(url, secure=True)
        seconds = time.perf_counter() - started
        if page.status_code != 200 or "全县认可度" not in page.content.decode():
            raise SystemExit(f"results page answered HTTP {page.status_code}")
        return seconds

    from junheng.web.surveys import tally

    # the responses arrived with nobody watching: all of them are tallied at once here
    started = time.perf_counter()
    tally.bring_up_to_date(survey)
    tallying = time.perf_counter() - started
    first = view()  # also this process's first page: templates compiled, modules loaded
    later = [view() for _ in range(RESULT_VIEWS)]
    started = time.perf_counter()
    services.score(survey)
    full = time.perf_counter() - started
    return {
        "responses": Response.objects.filter(survey=survey).count(),
        "tallying_ms": tallying * 1000,
        "first_ms": first * 1000,
        "median_ms": statistics.median(later) * 1000,
        "full_scoring_ms": full * 1000,
    }


# ---- the check -------------------------------------------------------------------------------


def check(survey_id: int, codes: list[str], run: Run) -> dict[str, Any]:
    """Every code answered exactly once with what was sent; used flags agree."""
    from django.db import connections
    from django.db.models import Count

    from junheng.web.surveys import services
    from junheng.web.surveys.models import AccessCode, Response, Survey

    connections.close_all()
    survey = Survey.objects.get(pk=survey_id)
    questionnaires = services.questionnaires_of(survey)
    stored = {
        r["code__code"]: r
        for r in Response.objects.filter(survey=survey).values(
            "code__code", "answers", "version", "group"
        )
    }
    duplicates = (
        Response.objects.filter(survey=survey)
        .values("code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    missing = [c for c in run.accepted if c not in stored]
    unexpected = [c for c in stored if c not in run.accepted]
    different = [
        c
        for c, sent in run.accepted.items()
        if c in stored and stored[c]["answers"] != {k[2:]: int(v) for k, v in sent.items()}
    ]
    wrong_version = [
        c
        for c, r in stored.items()
        if r["version"] not in questionnaires
        or r["group"] not in questionnaires[r["version"]].respondents
    ]
    used = AccessCode.objects.filter(survey=survey, used=True).count()
    ok = (
        not missing
        and not unexpected
        and not different
        and not wrong_version
        and duplicates == 0
        and used == len(stored)
        and len(run.accepted) == len(codes)
        and run.errors == 0
    )
    return {
        "codes": len(codes),
        "accepted": len(run.accepted),
        "stored": len(stored),
        "used_flags": used,
        "duplicates": duplicates,
        "missing": len(missing),
        "unexpected": len(unexpected),
        "different_content": len(different),
        "wrong_questionnaire": len(wrong_version),
        "ok": ok,
    }


# ---- the benchmark ---------------------------------------------------------------------------


def run_benchmark(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    if not postgres_reachable(args.database_url):
        raise SystemExit(f"PostgreSQL is not reachable at {args.database_url}")
    if urlsplit(args.database_url).path.lstrip("/") in ("test", "postgres"):
        raise SystemExit("refusing to use the test database; choose a benchmark database")
    _recreate_database(args.database_url)
    _setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    meeting = args.meeting
    if meeting is None:
        meeting = args.responses // RESPONSES_PER_PHONE_AT_THE_MEETING
        meeting = meeting if meeting >= SMALLEST_MEETING else 0
    meeting_seconds = (
        meeting * 60 / MEETING_PHONES_PER_MINUTE
        if args.meeting_seconds is None
        else args.meeting_seconds
    )
    log(f"Survey with {args.responses + meeting:,} codes in {args.database_url}")
    survey_id, every_code = build_survey(args.responses + meeting, log)
    random.Random(2026).shuffle(every_code)
    codes, meeting_codes = every_code[: args.responses], every_code[args.responses :]
    connections.close_all()

    cores = os.cpu_count() or 1
    server = Server(_free_port(), args.workers or min(2 * cores + 1, 8), args.database_url)
    server.start()
    try:
        log(f"Baseline: {args.concurrency} clients on the code page")
        cpu = server_cpu_seconds(server)
        baseline = asyncio.run(_baseline(server.port, args.responses, args.concurrency))
        baseline["cpu_ms_per_request"] = (
            (server_cpu_seconds(server) - cpu) * 1000 / max(1, baseline["requests"])
        )
        log(
            f"Respondents: {args.concurrency} concurrent, {len(codes):,} responses, "
            f"gunicorn with {server.workers} workers killed after half"
        )
        run = asyncio.run(_load(server, codes, args.concurrency, kill=not args.no_kill))
        met = Run()
        met_cpu_ms = float("nan")
        if meeting_codes:
            log(
                f"Parents' meeting: {len(meeting_codes):,} phones arriving over "
                f"{meeting_seconds:.0f} s, each reading {READING_SECONDS[0]:.0f}–"
                f"{READING_SECONDS[1]:.0f} s before sending"
            )
            cpu = server_cpu_seconds(server)
            asyncio.run(_meeting(server.port, meeting_codes, meeting_seconds, met))
            met_cpu_ms = (server_cpu_seconds(server) - cpu) * 1000 / max(1, len(met.accepted))
        # the code page again: the machine may be busier or idler than at the start
        log("Baseline again")
        cpu = server_cpu_seconds(server)
        after = asyncio.run(_baseline(server.port, args.responses, args.concurrency))
        after["cpu_ms_per_request"] = (
            (server_cpu_seconds(server) - cpu) * 1000 / max(1, after["requests"])
        )
    finally:
        server.stop()
    log("Results page")
    page = results_page(survey_id)
    both = Run(accepted={**run.accepted, **met.accepted}, errors=run.errors + met.errors)
    verdict = check(survey_id, every_code, both)
    if not args.keep_db:
        connections.close_all()
        _drop_database(args.database_url)

    def stats(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": _percentile(values, 0.50) * 1000,
            "p95_ms": _percentile(values, 0.95) * 1000,
            "max_ms": max(values, default=float("nan")) * 1000,
        }

    throughput = len(run.accepted) / run.wall if run.wall else float("nan")
    submit = stats(run.submit_seconds)
    return {
        "responses": args.responses,
        "concurrency": args.concurrency,
        "workers": server.workers,
        "form": stats(run.form_seconds),
        "submit": submit,
        "responses_per_second": throughput,
        "cpu_ms_per_respondent": run.cpu_ms_per_respondent,
        "client_cpu_ms_per_respondent": run.client_cpu_ms_per_respondent,
        "wall_seconds": run.wall,
        "baseline": baseline,
        "baseline_after": after,
        "ratio": {
            "submit_p95_over_baseline_p95": submit["p95_ms"] / baseline["p95_ms"],
            "baseline_requests_per_response": baseline["requests_per_second"] / throughput,
            "baseline_after_requests_per_response": after["requests_per_second"] / throughput,
            "cpu_per_respondent_over_code_page": run.cpu_ms_per_respondent
            / ((baseline["cpu_ms_per_request"] + after["cpu_ms_per_request"]) / 2),
        },
        "kill": {
            "after_accepted": run.kill_at,
            "downtime_seconds": run.downtime,
            "connection_failures": run.connection_failures,
            "retried_posts": run.retried_posts,
        },
        "meeting": {
            "phones": len(meeting_codes),
            "seconds": meeting_seconds,
            "accepted": len(met.accepted),
            "cpu_ms_per_respondent": met_cpu_ms,
            "form": stats(met.form_seconds),
            "submit": stats(met.submit_seconds),
        },
        "results_page": page,
        "errors": run.errors + met.errors,
        "error_samples": run.error_samples + met.error_samples,
        "check": verdict,
    }


def _drop_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _report(result: dict[str, Any]) -> str:
    c, k, b = result["check"], result["kill"], result["baseline"]
    lines = [
        "",
        f"{result['responses']:,} responses, {result['concurrency']} concurrent respondents, "
        f"{result['workers']} gunicorn workers",
        f"{'':24}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'per s':>10}",
    ]
    for name, s, rate in (
        ("form (GET)", result["form"], None),
        ("submission (POST)", result["submit"], result["responses_per_second"]),
    ):
        per = f"{rate:10.1f}" if rate is not None else f"{'':10}"
        lines.append(f"{name:24}{s['p50_ms']:10.0f}{s['p95_ms']:10.0f}{s['max_ms']:10.0f}{per}")
    for name, base in (("baseline (code page)", b), ("baseline again", result["baseline_after"])):
        lines.append(
            f"{name:24}{base['p50_ms']:10.0f}{base['p95_ms']:10.0f}{'':10}"
            f"{base['requests_per_second']:10.1f}"
        )
    m = result["meeting"]
    if m["phones"]:
        lines.append(
            f"{'meeting form (GET)':24}{m['form']['p50_ms']:10.0f}{m['form']['p95_ms']:10.0f}"
            f"{m['form']['max_ms']:10.0f}"
        )
        lines.append(
            f"{'meeting submission':24}{m['submit']['p50_ms']:10.0f}"
            f"{m['submit']['p95_ms']:10.0f}{m['submit']['max_ms']:10.0f}"
        )
    r = result["ratio"]
    p = result["results_page"]
    lines += [
        f"ratio: submission p95 / baseline p95 = {r['submit_p95_over_baseline_p95']:.1f}×; "
        f"baseline requests per second / responses per second = "
        f"{r['baseline_requests_per_response']:.1f}× (baseline again: "
        f"{r['baseline_after_requests_per_response']:.1f}×)",
        f"server CPU: {b['cpu_ms_per_request']:.2f} ms per code page (again: "
        f"{result['baseline_after']['cpu_ms_per_request']:.2f} ms), "
        f"{result['cpu_ms_per_respondent']:.2f} ms per respondent (form and submission, "
        f"before the kill) = {r['cpu_per_respondent_over_code_page']:.1f}× a code page; "
        f"{m['cpu_ms_per_respondent']:.2f} ms at the meeting (few at a time: cold caches); "
        f"the load's own CPU: {result['client_cpu_ms_per_respondent']:.2f} ms per respondent",
        f"throughput: {result['responses_per_second']:.1f} responses/s "
        f"({result['wall_seconds']:.1f} s in all, kill included)",
        f"kill: SIGKILL to the process group after {k['after_accepted']} accepted; "
        f"no answer for {k['downtime_seconds']:.1f} s; "
        f"{k['connection_failures']} connection failures retried, "
        f"{k['retried_posts']} submissions sent again",
        f"meeting: {m['phones']} phones over {m['seconds']:.0f} s (open loop), "
        f"{m['accepted']} accepted, submission p95 {m['submit']['p95_ms']:.0f} ms",
        f"results page with {p['responses']:,} responses: {p['median_ms']:.0f} ms (median of "
        f"{RESULT_VIEWS} views; the process's first view {p['first_ms']:.0f} ms); tallying all "
        f"of them at once {p['tallying_ms']:.0f} ms; scoring every response (export, feed) "
        f"{p['full_scoring_ms']:.0f} ms = {p['full_scoring_ms'] / p['median_ms']:.1f}× the page",
        f"errors (HTTP answers other than 已收到): {result['errors']}"
        + (f" e.g. {result['error_samples'][0]}" if result["error_samples"] else ""),
        f"check: {c['stored']:,} stored of {c['codes']:,} codes, {c['accepted']:,} accepted, "
        f"{c['duplicates']} duplicated, {c['missing']} missing, {c['unexpected']} unexpected, "
        f"{c['different_content']} with other content, {c['wrong_questionnaire']} on another "
        f"questionnaire, {c['used_flags']:,} codes marked used → "
        + ("exactly once ✓" if c["ok"] else "FAILED"),
    ]
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-kill", action="store_true", help="do not kill the server")
    parser.add_argument(
        "--meeting", type=int, default=None, help="phones at the meeting (responses / 40)"
    )
    parser.add_argument(
        "--meeting-seconds", type=float, default=None, help="over how long they arrive"
    )
    parser.add_argument("--quick", action="store_true", help="a small run for the test suite")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.responses = min(args.responses, 300)
        args.concurrency = min(args.concurrency, 30)
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)

    def log(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    result = run_benchmark(args, log)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_report(result))
    return 0 if result["check"]["ok"] and result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
