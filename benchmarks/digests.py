"""Daily digest benchmark: every user's 待办 of a province built at once, against a naive
per-user baseline measured in the same run.

Run from the project root:

    .venv/bin/python benchmarks/digests.py [--counties 100] [--schools 20000] [--tasks 50000]
        [--baseline-users 300] [--database-url URL] [--keep-db] [--json]

What it does, in order:

1. Database: recreates the benchmark database (an SQLite file under var/ unless
   `--database-url` names another, e.g. postgres://postgres@127.0.0.1:5432/junheng_digest_bench;
   never the test database) and migrates it.
2. A province: `--counties` counties in cities of ten, `--schools` schools spread over them
   (ten townships a county), one 学校填报员 per school; per county a 县级管理员, a 县级领导,
   ten departments with a user each and ten township offices with a user each; ledger units for
   every department, township and school; the year's data of each school in 填报中, 退回,
   已提交 or 已审核; `--tasks` tasks (one problem each) led by a school, a township or a
   department, every fifth shared with a second unit, deadlines from 60 days ago to 60 days on,
   statuses mixed.
3. The build: `delivery.build_digests(all users, today)` — every provider in bulk, then each
   user's digest text (nothing queued, nothing sent); its wall time, its SQL queries.
4. The baseline: the same call for one user at a time over `--baseline-users` users spread over
   the roles, the time per user extrapolated to all users; each of those users' digest compared
   with the bulk one (they must be equal).

Exit status 0 when the baseline's digests equal the bulk ones; the timings are reported next to
the 30 s target, never asserted (they depend on the machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import _recreate_database, _setup_django, drop_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = f"sqlite:///{ROOT / 'var' / 'bench-digests.sqlite3'}"
TARGET_SECONDS = 30.0
TODAY = dt.date(2026, 12, 7)
STATUS_MIX = ("draft", "returned", "submitted", "approved", "approved", "approved", "approved")
TASK_STATUSES = ("未开始", "进行中", "进行中", "待验收", "已销号")


def build_province(counties: int, schools: int, tasks: int, log: Any) -> None:
    """The province of the docstring, in bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from junheng.web.accounts.models import Profile, Role
    from junheng.web.collection.models import SchoolYearData
    from junheng.web.rectification.models import Problem, Task, Unit, UnitKind, UnitMember
    from junheng.web.registry.models import City, County, Province, School, SchoolYear

    rng = random.Random(18)
    user_model = get_user_model()
    with transaction.atomic():
        province = Province.objects.create(name="基准省")
        cities = City.objects.bulk_create(
            [City(province=province, name=f"第{i + 1}市") for i in range((counties + 9) // 10)]
        )
        county_rows = County.objects.bulk_create(
            [County(city=cities[i // 10], name=f"第{i + 1}县") for i in range(counties)]
        )
        year = SchoolYear.objects.create(label="2026")
        school_rows = School.objects.bulk_create(
            [
                School(
                    school_id=f"{3_000_000_000 + i}",
                    name=f"第{i + 1}学校",
                    county=county_rows[i % counties],
                    kind="小学",
                    township=f"第{(i // counties) % 10 + 1}镇",
                )
                for i in range(schools)
            ],
            batch_size=2000,
        )
        SchoolYearData.objects.bulk_create(
            [
                SchoolYearData(school=s, year=year, status=STATUS_MIX[i % len(STATUS_MIX)])
                for i, s in enumerate(school_rows)
            ],
            batch_size=2000,
        )
        log(f"{counties} counties, {schools} schools")
        units: list[Unit] = []
        for county in county_rows:
            units += [
                Unit(county=county, kind=UnitKind.DEPARTMENT, name=f"部门{d + 1}")
                for d in range(10)
            ]
            units += [
                Unit(
                    county=county, kind=UnitKind.TOWN, name=f"第{t + 1}镇", township=f"第{t + 1}镇"
                )
                for t in range(10)
            ]
        units += [
            Unit(county=s.county, kind=UnitKind.SCHOOL, name=s.name, school=s) for s in school_rows
        ]
        units = Unit.objects.bulk_create(units, batch_size=2000)
        by_county: dict[int, list[Unit]] = {}
        for unit in units:
            by_county.setdefault(unit.county_id, []).append(unit)
        # users: one per school; per county an admin, a leader, ten departments, ten townships
        people: list[tuple[str, dict[str, Any], Unit | None]] = []
        for i, s in enumerate(school_rows):
            people.append((f"s{i}", {"role": Role.SCHOOL_USER, "school": s}, None))
        for c, county in enumerate(county_rows):
            people.append((f"a{c}", {"role": Role.COUNTY_ADMIN, "county": county}, None))
            people.append((f"l{c}", {"role": Role.LEADER, "county": county}, None))
            for u in by_county[county.pk]:
                if u.kind == UnitKind.DEPARTMENT:
                    people.append((f"d{u.pk}", {}, u))
                elif u.kind == UnitKind.TOWN:
                    people.append(
                        (
                            f"t{u.pk}",
                            {"role": Role.TOWNSHIP_USER, "county": county, "township": u.township},
                            None,
                        )
                    )
        made = user_model.objects.bulk_create(
            [
                user_model(username=name, password="!", email=f"{name}@example.cn")
                for name, _, _ in people
            ],
            batch_size=2000,
        )
        Profile.objects.bulk_create(
            [
                Profile(user=u, **scope)
                for u, (_, scope, _) in zip(made, people, strict=True)
                if scope
            ],
            batch_size=2000,
        )
        UnitMember.objects.bulk_create(
            [
                UnitMember(user=u, unit=unit)
                for u, (_, _, unit) in zip(made, people, strict=True)
                if unit
            ],
            batch_size=2000,
        )
        log(f"{len(made)} users")
        problems = Problem.objects.bulk_create(
            [
                Problem(
                    county=county_rows[i % counties],
                    year=year,
                    source="self_check",
                    title=f"问题{i + 1}：功能室不足",
                )
                for i in range(tasks)
            ],
            batch_size=2000,
        )
        task_rows = []
        for i, problem in enumerate(problems):
            lead = rng.choice(by_county[problem.county_id])
            task_rows.append(
                Task(
                    problem=problem,
                    lead_unit=lead,
                    measures="补齐",
                    deadline=TODAY + dt.timedelta(days=rng.randint(-60, 60)),
                    status=TASK_STATUSES[i % len(TASK_STATUSES)],
                )
            )
        task_rows = Task.objects.bulk_create(task_rows, batch_size=2000)
        through = Task.responsible_units.through
        through.objects.bulk_create(
            [
                through(task_id=t.pk, unit_id=rng.choice(by_county[t.problem.county_id]).pk)
                for t in task_rows[::5]
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        log(f"{tasks} tasks")


def _digest_map(built: dict[int, Any]) -> dict[int, tuple[str, str]]:
    return {pk: (m.subject, m.text) for pk, (_, m) in built.items()}


def measure(baseline_users: int, log: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from junheng.web.notifications import delivery

    users = delivery.recipients()
    delivery.build_digests(users[:1], TODAY)  # warm: URL resolver, rules file, templates
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        built = delivery.build_digests(users, TODAY)
    bulk_seconds = time.perf_counter() - started
    log(f"bulk: {len(built)} digests of {len(users)} users in {bulk_seconds:.2f} s")
    step = max(1, len(users) // baseline_users)
    sample = users[::step][:baseline_users]
    started = time.perf_counter()
    naive: dict[int, Any] = {}
    for user in sample:
        naive.update(delivery.build_digests([user], TODAY))
    naive_seconds = time.perf_counter() - started
    per_user = naive_seconds / len(sample)
    extrapolated = per_user * len(users)
    bulk = _digest_map(built)
    agrees = _digest_map(naive) == {pk: bulk[pk] for pk in (u.pk for u in sample) if pk in bulk}
    return {
        "users": len(users),
        "digests": len(built),
        "items": sum(m.text.count("\n") for _, m in built.values()),
        "bulk_seconds": round(bulk_seconds, 3),
        "bulk_queries": len(queries),
        "target_seconds": TARGET_SECONDS,
        "baseline": {
            "users": len(sample),
            "seconds": round(naive_seconds, 3),
            "seconds_per_user": round(per_user, 5),
            "extrapolated_seconds": round(extrapolated, 1),
        },
        "speedup": round(extrapolated / bulk_seconds, 1) if bulk_seconds else None,
        "agrees": agrees,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--schools", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--baseline-users", type=int, default=300)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure a database kept by --keep-db again"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if not args.reuse_db:
        _recreate_database(args.database_url)
    _setup_django(args.database_url)
    from django.core.management import call_command

    if not args.reuse_db:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_province(args.counties, args.schools, args.tasks, log)
        log(f"set-up {time.perf_counter() - started:.1f} s")
    try:
        result = measure(args.baseline_users, log)
    finally:
        if not args.keep_db:
            drop_database(args.database_url)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        b = result["baseline"]
        print(
            f"users {result['users']}, digests {result['digests']}, items {result['items']}\n"
            f"bulk build: {result['bulk_seconds']:.2f} s, {result['bulk_queries']} queries "
            f"(target {TARGET_SECONDS:.0f} s: "
            f"{'met' if result['bulk_seconds'] < TARGET_SECONDS else 'NOT met'})\n"
            f"naive per user: {b['seconds_per_user'] * 1000:.1f} ms × {result['users']} users "
            f"= {b['extrapolated_seconds']:.1f} s (EXTRAPOLATED from {b['users']} users)\n"
            f"ratio naive / bulk: {result['speedup']}×\n"
            f"digests {'agree' if result['agrees'] else 'DIFFER'} with the baseline's"
        )
    return 0 if result["agrees"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
