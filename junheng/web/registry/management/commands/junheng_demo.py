"""`python -m junheng.web.manage junheng_demo`: a ready-to-use system on the demo county.

Creates the database tables, loads the demo county 示范县 for the school years 2024, 2025 and
2026 (the earlier years derived from the current one by `junheng.demo.demo_county_before`, so
the pages have a trend to show; each year with the grade enrolment and births of
`demo_county(with_grades=True)` known by then, so the forecast page has data), evaluates each
year and creates one demo account per role.
Running it again changes nothing that exists: data already loaded is kept (it may have been
edited), passwords are not reset unless JUNHENG_ADMIN_PASSWORD or JUNHENG_DEMO_PASSWORD is
given, and a new snapshot is made only when the data changed.

Passwords are generated when an account is created and printed once; they are stored nowhere
but in the database's password hashes.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY, demo_county, demo_county_before
from junheng.demo_plans import with_plans
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import SchoolYearData, Status
from junheng.web.pages.dashboards import warm_boards
from junheng.web.registry.demo_work import ensure_creation_work, public_path
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import data_changed_since, latest_snapshot
from junheng.web.services import load_dataset, run_evaluation

DEMO_PROVINCE = "示范省"
DEMO_CITY = "示范市"
DEMO_YEAR = "2026"
DEMO_YEARS = ("2024", "2025", "2026")
"""Oldest first; the last one is the current year, the one `junheng demo` evaluates."""
DEMO_SCHOOL = "石桥镇中心小学"
DEMO_TOWNSHIP = "石桥镇"
"""The demo school user's school: a town school with gaps of its own (music room, class size)."""
DEMO_TARGET_YEAR = 2027
"""The year the demo county means to pass the state's evaluation (its plan's target)."""
DEMO_SUBMITTED = "城关第一小学"
"""A school whose data of the current year wait for the county's review in the demo."""
ADMIN_USERNAME = "admin"

# Letters and digits that cannot be mistaken for one another when read off a screen.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_LENGTH = 12

_VERDICT = {True: "达标", False: "未达标", None: "无法判定"}


@dataclass(frozen=True)
class DemoAccount:
    """One demo login: who it is and what it may see, as printed for the person trying it."""

    username: str
    role: Role
    full_name: str
    sees: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(ADMIN_USERNAME, Role.SYSTEM_ADMIN, "系统管理员", "全部县区和学校，系统管理后台"),
    DemoAccount(
        "county_admin", Role.COUNTY_ADMIN, "示范县教育局", f"{DEMO_COUNTY}全部学校，可重新评估"
    ),
    DemoAccount("school", Role.SCHOOL_USER, f"{DEMO_SCHOOL}填报员", f"只有{DEMO_SCHOOL}"),
    DemoAccount("leader", Role.LEADER, "示范县领导", f"{DEMO_COUNTY}评估概况（只读）"),
    DemoAccount("inspector", Role.INSPECTOR, "示范市督导室", f"{DEMO_CITY}所属各县（只读）"),
    DemoAccount(
        "township", Role.TOWNSHIP_USER, f"{DEMO_TOWNSHIP}中心校", f"{DEMO_TOWNSHIP}各学校（只读）"
    ),
    DemoAccount(
        "duxue", Role.SCHOOL_INSPECTOR, "责任督学", f"{DEMO_TOWNSHIP}各学校（挂牌督导，只读）"
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account after set-up; `password` is None when it was set on an earlier run."""

    account: DemoAccount
    password: str | None


def new_password() -> str:
    """A random password that is easy to read and type (about 68 bits)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))


def _wanted_password(account: DemoAccount) -> str | None:
    """The password asked for in the environment, if any."""
    if account.username == ADMIN_USERNAME and os.environ.get("JUNHENG_ADMIN_PASSWORD"):
        return os.environ["JUNHENG_ADMIN_PASSWORD"]
    return os.environ.get("JUNHENG_DEMO_PASSWORD") or None


def _scope(account: DemoAccount, county: County | None) -> dict[str, Any]:
    if account.role == Role.SYSTEM_ADMIN:
        return {}
    if county is None:
        raise ValueError(f"the demo account {account.username} needs the demo county")
    if account.role in (Role.COUNTY_ADMIN, Role.LEADER):
        return {"county": county}
    if account.role == Role.SCHOOL_USER:
        return {"school": School.objects.get(county=county, name=DEMO_SCHOOL)}
    if account.role == Role.TOWNSHIP_USER:
        return {"county": county, "township": DEMO_TOWNSHIP}
    if account.role == Role.SCHOOL_INSPECTOR:
        return {"county": county}
    return {}


def ensure_demo_accounts(
    county: County | None,
    echo: Callable[[str], None],
    accounts: Sequence[DemoAccount] = DEMO_ACCOUNTS,
) -> list[DemoLogin]:
    """Create the demo accounts that do not exist yet, each with its role and scope.

    An existing account keeps its password and profile (they may have been changed on purpose)
    unless the environment asks for a password, which is then set.
    """
    users = get_user_model()
    logins: list[DemoLogin] = []
    with transaction.atomic():
        for account in accounts:
            wanted = _wanted_password(account)
            user = users.objects.filter(username=account.username).first()
            password: str | None = None
            if user is None:
                password = wanted or new_password()
                if account.role == Role.SYSTEM_ADMIN:
                    user = users.objects.create_superuser(account.username, "", password)
                else:
                    user = users.objects.create_user(account.username, "", password)
                user.first_name = account.full_name
                user.save(update_fields=["first_name"])
                echo(f"已创建演示账号 {account.username}（{account.role.label}）。")
            elif wanted and not user.check_password(wanted):
                user.set_password(wanted)
                user.save(update_fields=["password"])
                password = wanted
                echo(f"已按环境变量重设 {account.username} 的密码。")
            profile, created = Profile.objects.get_or_create(
                user=user, defaults={"role": account.role, **_scope(account, county)}
            )
            if created and county is not None and account.role == Role.INSPECTOR:
                profile.inspected_cities.add(county.city)
            if created and county is not None and account.role == Role.SCHOOL_INSPECTOR:
                profile.supervised_schools.set(
                    School.objects.filter(county=county, township=DEMO_TOWNSHIP)
                )
            logins.append(DemoLogin(account, password))
    return logins


def with_history(dataset: Dataset, label: str, full: Dataset) -> Dataset:
    """`dataset` (the demo county of school year `label`) with the grade enrolment of the years
    up to `label` and the births of the years before it, as a county would know them then, and
    for the latest year the creation plan's tables (`junheng.demo_plans.with_plans`)."""
    year = int(label)
    known = replace(
        dataset,
        grades=full.grades.filter(pl.col("year") <= year),
        births=full.births.filter(pl.col("year") < year),
    )
    # The plan (classes by year, finance, projects, staffing) only with the latest year: the
    # county drew it up then, and its earlier years stay as they were loaded.
    return with_plans(known, year) if label == DEMO_YEAR else known


def ensure_demo_data(
    user: Any, echo: Callable[[str], None], years: Sequence[str] = DEMO_YEARS
) -> County:
    """Load each demo year that has no data yet; data already there is kept as it is."""
    full = demo_county(with_grades=True)
    for index, label in enumerate(DEMO_YEARS):
        if label not in years:
            continue
        years_before = len(DEMO_YEARS) - 1 - index
        existing = SchoolYearData.objects.filter(
            school__county__name=DEMO_COUNTY,
            school__county__city__name=DEMO_CITY,
            year__label=label,
        ).exists()
        if existing:
            echo(f"{DEMO_COUNTY} {label} 年数据已存在，保留现有数据。")
            continue
        counts = load_dataset(
            with_history(demo_county_before(years_before), label, full),
            label,
            province=DEMO_PROVINCE,
            city=DEMO_CITY,
            user=user,
        )
        echo(
            f"已载入 {DEMO_PROVINCE}{DEMO_CITY}{DEMO_COUNTY} {label} 年数据："
            f"学校 {counts.schools} 所，学段 {counts.segments} 个。"
        )
        _demo_states(label)
    return County.objects.get(name=DEMO_COUNTY, city__name=DEMO_CITY)


def _demo_states(label: str) -> None:
    """Where a county stands in a year's collection: earlier years reviewed and approved; this
    year approved but for the demo school, still filling in (its clerk's account has work to
    do), and one school that has submitted and waits for review."""
    rows = SchoolYearData.objects.filter(
        school__county__name=DEMO_COUNTY, school__county__city__name=DEMO_CITY, year__label=label
    )
    rows.update(status=Status.APPROVED)
    if label == DEMO_YEAR:
        rows.filter(school__name=DEMO_SCHOOL).update(status=Status.DRAFT)
        rows.filter(school__name=DEMO_SUBMITTED).update(status=Status.SUBMITTED)


def ensure_evaluations(
    county: County, user: Any, echo: Callable[[str], None], years: Sequence[str] = DEMO_YEARS
) -> None:
    """Evaluate each year that has no snapshot yet or whose data changed since the last one."""
    for label in years:
        year = SchoolYear.objects.get(label=label)
        snapshot = latest_snapshot(county, year)
        if snapshot is not None and not data_changed_since(snapshot):
            echo(f"{county.name} {label} 年：最近一次评估之后数据未变化，未重新评估。")
            continue
        snapshot = run_evaluation(county, year, user)
        echo(f"已完成评估：{county.name} {label} 年，结论：{_VERDICT[snapshot.passes]}。")
    # The pages of every year ready before the first visitor (a cleared cache is refilled too).
    for label in years:
        year = SchoolYear.objects.get(label=label)
        if (snapshot := latest_snapshot(county, year)) is not None:
            warm_boards(county, year, snapshot)


def set_up_demo(
    echo: Callable[[str], None] = lambda line: None,
    years: Sequence[str] = DEMO_YEARS,
    *,
    creation_work: bool = True,
) -> list[DemoLogin]:
    """Everything `junheng_demo` does: tables, demo data, evaluations, accounts and, unless
    `creation_work` is False, the creation work of `demo_work` (idempotent)."""
    call_command("migrate", interactive=False, verbosity=0)
    echo("数据库已就绪。")
    # The administrator first, so that the data and the first evaluations are recorded as theirs;
    # the other accounts after the data, because their scope is the demo county and school.
    logins = ensure_demo_accounts(None, echo, DEMO_ACCOUNTS[:1])
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    county = ensure_demo_data(admin, echo, years)
    logins += ensure_demo_accounts(county, echo, DEMO_ACCOUNTS[1:])
    ensure_evaluations(county, admin, echo, years)
    if creation_work and DEMO_YEAR in years:
        ensure_creation_work(
            county,
            DEMO_YEAR,
            demo_school=DEMO_SCHOOL,
            township=DEMO_TOWNSHIP,
            target_year=DEMO_TARGET_YEAR,
            echo=echo,
        )
    return logins


def public_lines(base_url: str) -> list[str]:
    """Where the demo county's public progress page is, when it is published."""
    county = County.objects.filter(name=DEMO_COUNTY, city__name=DEMO_CITY).first()
    path = public_path(county)
    if path is None:
        return []
    return [f"示范县创建工作进展公开页面（无需登录）：{base_url.rstrip('/')}{path}"]


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def login_lines(logins: Sequence[DemoLogin]) -> list[str]:
    """The demo logins as an aligned table for a terminal, and what to do without passwords."""
    header = ("用户名", "密码", "角色", "可以看到")
    rows = [
        (
            login.account.username,
            login.password if login.password is not None else "（首次运行时已显示）",
            login.account.role.label,
            login.account.sees,
        )
        for login in logins
    ]
    widths = [max(_width(row[i]) for row in (header, *rows)) + 2 for i in range(3)]
    lines = [
        "  " + "".join(_pad(cell, w) for cell, w in zip(row[:3], widths, strict=True)) + row[3]
        for row in (header, *rows)
    ]
    if any(login.password is None for login in logins):
        lines.append(
            "  忘记密码时，设置环境变量 JUNHENG_DEMO_PASSWORD 后再运行一次，"
            "即可把演示账号的密码都改为该值，例如："
        )
        lines.append("  JUNHENG_DEMO_PASSWORD=新密码 ./run demo")
    else:
        lines.append("  以上密码只显示这一次，请妥善保存。")
    return lines


class Command(BaseCommand):
    help = "建立数据库，载入示范县 2024—2026 年数据，完成评估并创建各角色的演示账号（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        logins = set_up_demo(self.stdout.write)
        self.stdout.write("")
        self.stdout.write("演示账号：")
        for line in login_lines(logins):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write("启动网页系统：./run demo（或 .venv/bin/junheng web），")
        self.stdout.write("然后在浏览器中打开 http://127.0.0.1:8000/ 用以上账号登录。")
        for line in public_lines("http://127.0.0.1:8000/"):
            self.stdout.write(line)
